"""The database cut off from the API and the worker by a TCP proxy the test controls, and back: 503 quickly
while down, recovery without a restart, and no accepted delivery lost. The machine's Postgres is never stopped."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.unit_of_work import SqlAlchemyUnitOfWork
from domain.users import Role, User
from entrypoints.http.problems import PROBLEM_JSON
from tests.support.api import enrol_patient, sign_in
from tests.support.app import TELEMETRY, build_app, fixture, settings_for_tests, signed
from tests.support.live import live_server
from tests.support.pipeline import (
    FIXTURE_TS,
    Emr,
    emr_pushes,
    eventually,
    report,
    value,
)
from tests.support.tcp_proxy import TcpProxy
from tests.support.worker_processes import (
    wait_until_started,
    worker_environment,
    worker_processes,
)
from tests.support.world import World

pytestmark = pytest.mark.postgres


# ------------------------------------------------------------------------ 4. the database cut off, and back


async def add_clinician(engine: AsyncEngine, world: World) -> tuple[str, str]:
    username, password = f"dr-{uuid.uuid4().hex[:8]}", "dr-proxy-correct-horse"
    async with SqlAlchemyUnitOfWork(engine) as uow:
        await uow.users.add(User(id=str(uuid.uuid4()), username=username, role=Role.CLINICIAN,
                                 password_hash=world.hasher.hash(password), active=True, created_at=datetime.now(UTC)))
        await uow.commit()
    return username, password


async def post_webhook(http: httpx.AsyncClient, body: dict[str, Any], webhook_id: str) -> httpx.Response:
    raw, headers = signed(body, webhook_id)
    return await http.post(TELEMETRY, content=raw, headers=headers)


@dataclass
class Timed:
    response: httpx.Response
    seconds: float


async def timed(call: Awaitable[httpx.Response]) -> Timed:
    started = time.monotonic()
    response = await call
    return Timed(response, time.monotonic() - started)


@pytest.fixture
def proxy(postgres_url: str) -> Iterator[TcpProxy]:
    server = make_url(postgres_url)
    with TcpProxy(server.host or "127.0.0.1", server.port or 5432) as running:
        yield running


@dataclass
class ProxiedApi:
    http: httpx.AsyncClient
    auth: dict[str, str]
    database_url: str  # through the proxy


@pytest.fixture
async def api(proxy: TcpProxy, postgres_url: str, db: AsyncEngine) -> AsyncIterator[ProxiedApi]:
    """The API on real HTTP (uvicorn) with DATABASE_URL pointing at the proxy, and a clinician's token."""
    world = World()
    username, password = await add_clinician(db, world)
    proxied = make_url(postgres_url).set(port=proxy.port).render_as_string(hide_password=False)
    app = build_app(world, settings_for_tests(database_url=proxied), fake_database=False)
    with live_server(app) as base:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            yield ProxiedApi(http, await sign_in(http, username, password), proxied)


async def test_the_database_cut_off_answers_503_then_recovers_without_losing_an_accepted_delivery(
    api: ProxiedApi, proxy: TcpProxy, db: AsyncEngine, emr: Emr, tmp_path: Path
) -> None:
    http, auth = api.http, api.auth
    # the worker goes through the proxy too; a short lease frees whatever it held when the cut came
    env = worker_environment(api.database_url, emr.sandbox, emr.key_file, VANTREXIA_WORKER_LEASE_SECONDS="3")
    # the EMR refuses Observations until the database is back: the first reading is still queued at the cut
    emr.state.fail_next(503, count=100_000, retry_after="1", path_prefix=emr.sandbox.fhir_path + "/Observation")
    async with worker_processes(env, tmp_path) as (worker,):
        await wait_until_started([worker])
        await enrol_patient(http, auth)
        before = await post_webhook(http, fixture("bp_normal"), "msg_before_cut")
        assert (before.status_code, before.json()["status"]) == (202, "accepted"), before.text
        await eventually(lambda: emr_pushes(db), lambda p: len(p.rows) == 2 and all(r["attempts"] for r in p.rows),
                         within=30, what="the accepted reading tried and refused by the EMR", workers=[worker])

        assert proxy.cut() >= 1  # the API's and the worker's pooled connections die; new ones are refused
        later = fixture("bp_normal", ts=FIXTURE_TS + 600)
        down = {
            "webhook": await timed(post_webhook(http, later, "msg_during_cut")),
            "authenticated GET": await timed(http.get("/api/v1/patients/", headers=auth)),
            "login": await timed(http.post("/api/v1/auth/token", json={"username": "nobody", "password": "x" * 12})),
        }
        for what, answer in down.items():
            response = answer.response
            assert response.status_code == 503, f"{what}: {response.status_code} {response.text}"
            assert response.headers["content-type"].startswith(PROBLEM_JSON), what
            assert int(response.headers["retry-after"]) > 0, what
            assert response.json()["status"] == 503, what
            assert answer.seconds < 10, f"{what} took {answer.seconds:.1f} s"  # generous: only "it did not hang"
        await eventually(lambda: value(lambda: len(worker.events("worker_batch_failed"))), lambda n: n >= 1,
                         within=30, what="the worker meets the dead database", workers=[worker])
        assert worker.alive, worker.log_tail()

        proxy.resume()  # no restart of anything: the same app, the same worker process
        resumed = time.monotonic()
        answers = [(await http.get("/api/v1/patients/", headers=auth)).status_code for _ in range(4)]
        recovered_in = time.monotonic() - resumed
        assert answers == [200] * 4  # from the first request on: the dead pooled connections are replaced
        # the webhook refused during the cut left nothing behind: its redelivery is new, not a duplicate
        again = await post_webhook(http, later, "msg_during_cut")
        assert (again.status_code, again.json()["status"]) == (202, "accepted"), again.text
        kept = await emr_pushes(db)  # the reading accepted before the cut is still waiting, not lost nor dead
        assert len(kept.rows) == 4
        assert set(kept.statuses) <= {"pending", "retrying"}, kept
        assert emr.state.observation_creates == 0
        emr.state.failures = []  # now the EMR takes Observations again (a new list: its thread may be reading)

        final = await eventually(lambda: emr_pushes(db), lambda p: p.settled(4), within=60,
                                 what="both readings delivered after the database came back", workers=[worker])
        assert final.all_delivered(4), final
        assert worker.alive, worker.log_tail()
        assert await worker.stop() == 0, worker.log_tail()

    assert emr.creates() == dict.fromkeys(final.identifiers, 1)
    report("database-cut", **{f"{k.replace(' ', '_')}_s": round(v.seconds, 3) for k, v in down.items()},
           connections_cut=proxy.cut_connections, connections_refused=proxy.refused,
           first_requests_after_resume=answers, in_s=round(recovered_in, 3))


