"""Structured fuzz of the signed webhooks through the real app on SQLite and Postgres (issue 14, point 3).

The device cloud's own samples are mutated the way the outside probe did (deep nesting, huge and
negative integers, odd floats, NUL and control characters, long strings, wrong types, bytes that
are not UTF-8, long or odd webhook ids), every one correctly signed. Whatever the bytes: no 5xx,
and every delivery answered is in the deliveries table, raw.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.engine import create_engine
from tests.support.app import FIXTURES, TELEMETRY, build_app, settings_for_tests
from tests.support.hostile import STATUS, kept, signed_raw
from tests.support.world import World

SAMPLES = {path.stem: json.loads(path.read_text()) for path in sorted(FIXTURES.glob("*.json"))}
# the fields that reach a column first: Hypothesis draws the first ones of a list most often
STORED = ["deviceId", "uid", "modelNumber", "data_type", "bat", "fw", "sig", "ts", "tz", "sys", "wt", "data"]
FIELDS = STORED + sorted(
    ({key for sample in SAMPLES.values() for key in sample}
     | {key for sample in SAMPLES.values() for part in ("data", "status") for key in sample.get(part, {})})
    - set(STORED))


@dataclass(frozen=True)
class Raw:
    """JSON text put in as it is (nesting too deep for json.dumps to build)."""

    text: bytes


def _nested(depth: int, opener: str) -> Raw:
    closer = {"[": "]", '{"a":': "}"}[opener]
    return Raw(opener.encode() * depth + b"0" + closer.encode() * depth)


INTEGERS = st.sampled_from([2**31 - 1, 2**31, -(2**31) - 1, 2**63, -(2**63), 2**64, 10**30, -(10**30)]) | st.integers()
FLOATS = st.floats() | st.sampled_from([1e308, -1e308, 5e-324, -0.0])
TEXT = st.text(max_size=300) | st.text(st.characters(max_codepoint=0x1F), max_size=5) | st.sampled_from(
    ["\u0000", "a\u0000b", "9" * 17, "M" * 65, "\ud800", "\u202e", "UTC+99"])
SCALARS = st.none() | st.booleans() | INTEGERS | FLOATS | TEXT
VALUES = st.one_of(
    st.none() | st.booleans(), INTEGERS, FLOATS, TEXT,
    st.lists(SCALARS, max_size=3) | st.dictionaries(st.text(max_size=5), SCALARS, max_size=3),
    st.builds(_nested, st.sampled_from([1_000, 5_000, 64, 2, 999, 1_500]), st.sampled_from(["[", '{"a":'])),
)
MUTATION = st.tuples(st.sampled_from(["top", "inner"]), st.sampled_from(FIELDS), VALUES)
WEBHOOK_IDS = (
    st.uuids().map(lambda u: f"msg_{u.hex}")
    | st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=250, max_size=400)
    | st.text(st.characters(max_codepoint=0x7F), min_size=1, max_size=40).filter(lambda t: t.strip() == t)
    | st.uuids().map(lambda u: f"sha256:{u.hex}")
)


def _encode(message: dict[str, Any]) -> bytes:
    raws: list[bytes] = []

    def placeholder(value: Any) -> Any:
        if isinstance(value, Raw):
            raws.append(value.text)
            return f"__raw_{len(raws) - 1}__"
        raise TypeError(type(value).__name__)

    text = json.dumps(message, default=placeholder).encode("utf-8", "surrogatepass")
    for index, raw in enumerate(raws):
        text = text.replace(f'"__raw_{index}__"'.encode(), raw)
    return text


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[str, bytes, str]:
    """(path, signed body, webhook id): a sample with a few fields replaced, maybe spoilt at the byte level."""
    name = draw(st.sampled_from(sorted(SAMPLES)))
    message = json.loads(json.dumps(SAMPLES[name]))
    inner = message["data" if "data" in message else "status"]
    for where, field, value in draw(st.lists(MUTATION, min_size=1, max_size=3)):
        (message if where == "top" else inner)[field] = value
    body = _encode(message)
    if draw(st.integers(0, 5)) == 5:  # bytes that are not UTF-8, or a cut body (0 is drawn most: not 0)
        at = draw(st.integers(0, len(body)))
        body = draw(st.sampled_from([body[:at] + b"\xff\xfe" + body[at:], body[:at], body[:at] + b"\xc3"]))
    path = draw(st.sampled_from([STATUS, TELEMETRY])) if draw(st.booleans()) else (
        STATUS if name.startswith("status") else TELEMETRY)
    return path, body, draw(WEBHOOK_IDS)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient[Litestar]]:
    app = build_app(World(), settings_for_tests(database_url=database_url), fake_database=False)
    with TestClient(app=app) as test_client:
        yield test_client


def test_no_signed_delivery_gets_a_5xx_or_goes_unstored(client: TestClient[Litestar], database_url: str) -> None:
    engine: AsyncEngine = client.blocking_portal.call(lambda: _engine(database_url))
    serial = itertools.count()  # Hypothesis repeats ids often; each delivery is to be taken in, not deduped

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(deliveries())
    def deliver(delivery: tuple[str, bytes, str]) -> None:
        path, body, drawn_id = delivery
        webhook_id = f"{drawn_id}{next(serial)}"
        response = client.post(path, content=body, headers=signed_raw(body, webhook_id))
        assert response.status_code in (202, 422), response.text
        answer = response.json()
        row = client.blocking_portal.call(kept, engine, answer["delivery_id"])
        assert row is not None, "answered but not stored"
        assert row.webhook_id in (webhook_id, "sha256:" + hashlib.sha256(webhook_id.encode()).hexdigest())
        outcome = "rejected" if response.status_code == 422 else answer["status"]
        if outcome != "duplicate":
            assert (row.status, row.body) == (outcome, body)

    try:
        deliver()
    finally:
        client.blocking_portal.call(engine.dispose)


async def _engine(database_url: str) -> AsyncEngine:
    return create_engine(database_url)
