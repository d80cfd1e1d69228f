"""Correctly signed but hostile webhooks, on SQLite and Postgres: each is kept raw and answered
without a 5xx, and both databases decide the same (issue 14, point 3: one case per probe finding)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.tables import deliveries
from tests.support.app import TELEMETRY, build_app, fixture, settings_for_tests
from tests.support.hostile import STATUS, kept, nested, signed_raw
from tests.support.world import World

Client = AsyncTestClient[Litestar]


def _body(name: str, **data: Any) -> bytes:
    return json.dumps(fixture(name, **data)).encode()


def _top(name: str, **top: Any) -> bytes:
    return json.dumps({**fixture(name), **top}).encode()


REJECTED = [
    (TELEMETRY, nested(1_000), "body nests too deeply"),
    (STATUS, _body("status_bp", bat=9223372036854775808), "bat is out of range"),
    (TELEMETRY, _top("bp_normal", modelNumber="TMB\u00002092"),
     "modelNumber contains a control or non-printable character"),
    (TELEMETRY, _body("bp_normal", uid="1\u0000"), "uid contains a control or non-printable character"),
    (TELEMETRY, _body("bp_normal", data_type="ecg\u0000"), "data_type contains a control or non-printable character"),
    (TELEMETRY, _body("bp_normal", uid=10**29), "uid is longer than 16 characters"),
    (STATUS, _body("status_bp", fw="9" * 65), "fw is longer than 64 characters"),
    (TELEMETRY, _body("bp_normal").replace(b"TMB-2092-G", b"TMB-\xff\xfe-G"), "body is not UTF-8"),
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture
async def client(world: World, database_url: str) -> AsyncIterator[Client]:
    app = build_app(world, settings_for_tests(database_url=database_url), fake_database=False)
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


@pytest.fixture
def engine(database_url: str, engine_factory: Callable[[str], AsyncEngine]) -> AsyncEngine:
    return engine_factory(database_url)


@pytest.mark.parametrize(("path", "raw", "reason"), REJECTED,
                         ids=["deep", "bat", "nul-model", "nul-uid", "nul-type", "long-uid", "long-fw", "not-utf8"])
async def test_a_hostile_signed_body_is_kept_raw_as_rejected(
    client: Client, engine: AsyncEngine, path: str, raw: bytes, reason: str
) -> None:
    response = await client.post(path, content=raw, headers=signed_raw(raw, "msg_hostile"))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == reason
    row = await kept(engine, response.json()["delivery_id"])
    assert row is not None
    assert (row.status, row.reason, row.body, row.webhook_id) == ("rejected", reason, raw, "msg_hostile")


@pytest.mark.parametrize("webhook_id", ["m" * 256, "msg\u0000nul", "msg\u0001\u007fctl", "sha256:" + "0" * 64],
                         ids=["256-chars", "nul", "control", "surrogate-lookalike"])
async def test_an_id_the_store_cannot_hold_is_kept_as_its_surrogate_and_still_dedupes(
    client: Client, engine: AsyncEngine, webhook_id: str
) -> None:
    raw = _body("bp_normal")
    first = await client.post(TELEMETRY, content=raw, headers=signed_raw(raw, webhook_id))
    again = await client.post(TELEMETRY, content=raw, headers=signed_raw(raw, webhook_id))
    assert (first.status_code, first.json()["status"]) == (202, "quarantined")
    assert (again.status_code, again.json()["status"]) == (202, "duplicate")
    assert again.json()["delivery_id"] == first.json()["delivery_id"]
    row = await kept(engine, first.json()["delivery_id"])
    assert row is not None
    assert row.webhook_id == "sha256:" + hashlib.sha256(webhook_id.encode()).hexdigest()
    assert row.body == raw
    async with engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(deliveries)) == 1


async def test_a_status_report_with_an_over_long_id_is_kept_and_dedupes(client: Client, engine: AsyncEngine) -> None:
    raw, webhook_id = _body("status_bp"), "s" * 300
    first = await client.post(STATUS, content=raw, headers=signed_raw(raw, webhook_id))
    again = await client.post(STATUS, content=raw, headers=signed_raw(raw, webhook_id))
    assert (first.json()["status"], again.json()["status"]) == ("status_updated", "duplicate")
    assert again.json()["delivery_id"] == first.json()["delivery_id"]
    row = await kept(engine, first.json()["delivery_id"])
    assert row is not None
    assert row.webhook_id == "sha256:" + hashlib.sha256(webhook_id.encode()).hexdigest()


async def test_values_at_the_limits_are_stored_on_both_databases(client: Client, engine: AsyncEngine) -> None:
    # The checks must not let through anything the columns cannot hold (nor refuse what they can).
    device, model = "8" * 64, "M" * 64
    raw = _top("bp_normal", deviceId=device, modelNumber=model)
    reading = json.loads(raw)
    reading["data"]["uid"] = "9" * 16
    raw = json.dumps(reading).encode()
    taken = await client.post(TELEMETRY, content=raw, headers=signed_raw(raw, "w" * 255))
    assert (taken.status_code, taken.json()["status"]) == (202, "quarantined"), taken.text
    status = json.dumps({**fixture("status_bp", bat=2**31 - 1, sig=-(2**31), fw="f" * 64), "deviceId": device,
                         "modelNumber": model}).encode()
    updated = await client.post(STATUS, content=status, headers=signed_raw(status, "v" * 255))
    assert (updated.status_code, updated.json()["status"]) == (202, "status_updated"), updated.text
    row = await kept(engine, taken.json()["delivery_id"])
    assert row is not None
    assert row.webhook_id == "w" * 255
