"""Webhooks taken in together: concurrent deliveries of every kind each get their own answer, are
stored once, and one that breaks its page fails alone (kept for diagnosis, taken in when sent again)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from dishka import Provider, Scope, provide
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from adapters.sql.engine import create_engine
from adapters.sql.tables import deliveries
from adapters.sql.unit_of_work import SqlAlchemyUnitOfWork
from application.auditing import Auditor
from application.context import CLI
from application.triage_reading import TriagePolicy, TriageReading
from application.users import CreateUser, CreateUserCommand
from domain.alerts import Alert
from domain.ports import UnitOfWork
from domain.readings import Reading, VitalSign
from domain.users import Role
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from tests.support.api import add_user, enrol_patient, login
from tests.support.app import TELEMETRY, build_app, fixture, settings_for_tests, signed
from tests.support.live import live_server
from tests.support.world import FakesProvider, World

STATUS = "/api/v1/webhooks/mioconnect/status"
Client = AsyncTestClient[Litestar]
FIXTURE_TS = 1795183194


def _bp(minutes: int, device: str = "860013045678901") -> dict[str, Any]:
    body = fixture("bp_normal", ts=FIXTURE_TS - 60 * minutes)
    return {**body, "deviceId": device}


def _burst(pre_sent: list[tuple[bytes, dict[str, str]]]) -> list[tuple[str, bytes, dict[str, str], int, str | None]]:
    """50 requests: (path, body, headers, expected HTTP status, expected delivery status)."""
    burst: list[tuple[str, bytes, dict[str, str], int, str | None]] = []
    for minute in range(1, 16):  # 15 new readings from the patient's cuff
        burst.append((TELEMETRY, *signed(_bp(minute)), 202, "accepted"))
    for raw, headers in pre_sent:  # 5 webhook ids already taken in
        burst.append((TELEMETRY, raw, headers, 202, "duplicate"))
    for minute in range(1, 6):  # 5 oximeter readings the device could not measure
        burst.append((TELEMETRY, *signed(fixture("pulseox_sentinel", ts=FIXTURE_TS - 60 * minute)), 202, "discarded"))
    for n in range(5):  # 5 readings from devices nobody was given
        burst.append((TELEMETRY, *signed(_bp(1, device=f"86001304500000{n}")), 202, "quarantined"))
    for n in range(5):  # 5 status reports
        burst.append((STATUS, *signed(fixture("status_bp", bat=50 + n)), 202, "status_updated"))
    for _ in range(5):  # 5 bodies that are not forwarded messages
        burst.append((TELEMETRY, *signed(b'{"deviceId": 5}'), 422, "rejected"))
    for _ in range(5):  # 5 forged signatures
        raw, headers = signed(_bp(30), secret="whsec_" + "Zm9yZ2VkLXNlY3JldC0zMi1ieXRlcy1sb25nISE=")
        burst.append((TELEMETRY, raw, headers, 401, None))
    for _ in range(3):  # 3 bodies over the webhook limit
        burst.append((TELEMETRY, *signed(b" " * 70_000 + b"{}"), 413, None))
    for _ in range(2):  # 2 bodies that are not JSON at all
        raw, headers = signed(_bp(31))
        burst.append((TELEMETRY, raw, {**headers, "content-type": "text/plain"}, 415, None))
    return burst


async def _send_burst(base_url: str) -> tuple[list[Any], list[tuple[str, bytes, dict[str, str], int, str | None]]]:
    """Five deliveries first, then the 50 at once over real HTTP connections."""
    pre_sent = [signed(_bp(100 + n)) for n in range(5)]
    limits = httpx.Limits(max_connections=60, max_keepalive_connections=60)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
        for raw, headers in pre_sent:
            assert (await client.post(TELEMETRY, content=raw, headers=headers)).json()["status"] == "accepted"
        burst = _burst(pre_sent)
        answers = await asyncio.gather(*(client.post(path, content=raw, headers=headers)
                                         for path, raw, headers, _, _ in burst))
    return list(answers), burst


def _check_answers(answers: list[Any], burst: list[tuple[str, bytes, dict[str, str], int, str | None]]) -> set[str]:
    """Each answer is its own delivery's; returns the webhook ids that had to be stored."""
    assert len(burst) == 50
    for answer, (_, _, _, code, status) in zip(answers, burst, strict=True):
        assert answer.status_code == code, answer.text
        if code == 202:
            assert answer.json()["status"] == status
        if code == 422:
            assert answer.json()["title"] == "Unprocessable delivery"
    accepted = [a.json()["reading_id"] for a in answers if a.status_code == 202 and a.json()["status"] == "accepted"]
    assert len(set(accepted)) == 15  # each its own reading
    return {headers["webhook-id"] for _, _, headers, code, _ in burst if code in (202, 422)}


async def _enrolled(base_url: str, auth: dict[str, str]) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        await enrol_patient(client, auth)  # type: ignore[arg-type]


async def test_fifty_concurrent_deliveries_each_get_their_own_outcome_and_are_stored_once(world: World) -> None:
    username, password = add_user(world, "dr-burst")
    with live_server(build_app(world)) as base_url:
        async with httpx.AsyncClient(base_url=base_url) as client:
            token = await client.post("/api/v1/auth/token", json={"username": username, "password": password})
        await _enrolled(base_url, {"Authorization": f"Bearer {token.json()['access_token']}"})
        commits = world.store.commits
        answers, burst = await _send_burst(base_url)
        pages = world.store.commits - commits
    verified = _check_answers(answers, burst)
    stored = Counter(d.webhook_id for d in world.store.committed.deliveries.values())
    assert set(stored) == verified
    assert max(stored.values()) == 1
    assert pages < 5 + len(verified)  # taken in together: fewer transactions than deliveries


@pytest.mark.parametrize("database", ["sqlite_url", "postgres_url"])
async def test_the_same_group_commit_runs_on_sqlite_and_on_postgres(
        world: World, database: str, request: pytest.FixtureRequest) -> None:
    url: str = request.getfixturevalue(database)
    settings = settings_for_tests(database_url=url)
    app = create_app(build_container(settings, FakesProvider(world, fake_database=False)), settings)
    engine = create_engine(url)
    try:
        await CreateUser(SqlAlchemyUnitOfWork(engine), world.hasher, world.clock, world.ids,
                         Auditor(world.audit, world.clock))(CreateUserCommand("dr-lite", Role.CLINICIAN,
                                                                              "dr-lite-correct-horse", CLI))
        with live_server(app) as base_url:
            async with httpx.AsyncClient(base_url=base_url) as client:
                token = await client.post("/api/v1/auth/token",
                                          json={"username": "dr-lite", "password": "dr-lite-correct-horse"})
            await _enrolled(base_url, {"Authorization": f"Bearer {token.json()['access_token']}"})
            answers, burst = await _send_burst(base_url)
        verified = _check_answers(answers, burst)
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(deliveries.c.webhook_id, func.count()).group_by(deliveries.c.webhook_id))
            counts = {str(webhook_id): int(count) for webhook_id, count in rows.all()}
    finally:
        await engine.dispose()
    assert set(counts) == verified
    assert max(counts.values()) == 1


class PoisonedTriage(TriageReading):
    """Triage that breaks on one systolic value while armed, as a bug or a refused row would break a page."""

    poison = Decimal(177)
    armed = True

    async def __call__(self, uow: UnitOfWork, readings: Sequence[Reading], now: Any,
                       practices: Mapping[str, str], overrides: Any = None) -> list[Alert]:
        for reading in readings:
            systolic = reading.value(VitalSign.SYSTOLIC)
            if self.armed and systolic is not None and systolic.value == self.poison:
                raise RuntimeError("broken page")
        return await super().__call__(uow, readings, now, practices, overrides)


class PoisonProvider(Provider):
    def __init__(self, triage: PoisonedTriage) -> None:
        super().__init__()
        self._triage = triage

    @provide(scope=Scope.APP, override=True)
    def triage(self) -> TriageReading:
        return self._triage


async def test_a_delivery_that_breaks_its_page_fails_alone_and_is_taken_in_when_sent_again(world: World) -> None:
    settings = settings_for_tests()
    poisoned = PoisonedTriage(world.ids, TriagePolicy())
    app = create_app(build_container(settings, FakesProvider(world), PoisonProvider(poisoned)), settings)
    async with AsyncTestClient(app=app) as client:
        auth = await login(client, world)
        await enrol_patient(client, auth)
        good = [signed(_bp(m)) for m in range(1, 10)]
        bad = signed(fixture("bp_normal", sys=177, ts=FIXTURE_TS - 600))
        requests = [*good[:4], bad, *good[4:]]
        answers = await asyncio.gather(*(client.post(TELEMETRY, content=raw, headers=headers)
                                         for raw, headers in requests))
        codes = [a.status_code for a in answers]
        assert codes == [202] * 4 + [500] + [202] * 5
        assert answers[4].headers["content-type"].startswith("application/problem+json")
        assert answers[4].json()["request_id"] == answers[4].headers["x-request-id"]
        failed = list(world.store.committed.failed_deliveries.values())
        assert [(f.webhook_id, f.body, f.error_type) for f in failed] == [
            (bad[1]["webhook-id"], bad[0], "RuntimeError")]
        assert bad[1]["webhook-id"] not in {d.webhook_id for d in world.store.committed.deliveries.values()}

        poisoned.armed = False  # the bug fixed; the gateway sends the delivery again
        world.clock.advance(timedelta(seconds=1))
        again = await client.post(TELEMETRY, content=bad[0], headers=signed(bad[0], bad[1]["webhook-id"])[1])
        assert (again.status_code, again.json()["status"]) == (202, "accepted")
    # one entry per delivery: the pages that failed while halving took theirs back with them
    entries = Counter((e.resource_type, e.resource_ids[0])
                      for e in world.audit.entries if e.action == "webhook.delivery")
    assert sorted(entries.values()) == [1] * 11
    assert Counter(kind for kind, _ in entries) == {"Delivery": 10, "FailedDelivery": 1}
