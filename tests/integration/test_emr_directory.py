"""The EMR directory over two real HTTP sandboxes: a 503, 429 or refused token rests that connection alone (no
network meanwhile); stored changes arrive after the refresh interval; one key store signs for all."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from adapters.fakes.keystore import FakeKeyStore
from adapters.fhir.client import FhirEmrGateway
from adapters.fhir.config import Closeable, build_gateway
from adapters.fhir.directory import SmartEmrDirectory
from adapters.fhir.errors import SmartAuthError
from adapters.keys.rotation import CURRENT
from domain.emr_connections import EmrConnection, EmrVendor, NoEmrConnection
from domain.ports.emr import EmrError, EmrResting, EmrUnavailable
from entrypoints.emr_wiring import PROFILES
from entrypoints.sandbox import SANDBOX_CLIENT_ID
from entrypoints.sandbox.serve import SMART_MODE, RunningSandbox, serve_sandbox
from entrypoints.sandbox.state import Failure, SandboxState
from tests.integration.conftest import UowFactory

CREATED = datetime(2026, 11, 20, tzinfo=UTC)
REFRESH = 5.0


class Seconds:
    """A clock in seconds that moves only when told."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def connection_to(practice_id: str, sandbox: RunningSandbox, **changes: object) -> EmrConnection:
    base = EmrConnection(id=f"conn-{practice_id}", practice_id=practice_id, vendor=EmrVendor.SMART,
                         fhir_base_url=sandbox.fhir_base_url, client_id=SANDBOX_CLIENT_ID, created_at=CREATED,
                         updated_at=CREATED, rate_limit_per_minute=10_000)
    return replace(base, **changes)  # type: ignore[arg-type]


def listing(north: RunningSandbox, south: RunningSandbox) -> Callable[[], Awaitable[list[EmrConnection]]]:
    """North on the eCW-like sandbox (its token URL given), south on the SMART one (discovered)."""
    stored = [connection_to("north", north, token_url=north.token_url), connection_to("south", south)]

    async def read() -> list[EmrConnection]:
        return stored

    return read


class Builds:
    """The gateway factory, remembering what it built (to see a replaced gateway closed)."""

    def __init__(self, keys: FakeKeyStore) -> None:
        self.keys = keys
        self.built: list[FhirEmrGateway] = []

    def __call__(self, connection: EmrConnection) -> tuple[FhirEmrGateway, Closeable]:
        gateway, closer = build_gateway(PROFILES[connection.vendor](connection), self.keys)
        self.built.append(gateway)
        return gateway, closer


@pytest.fixture
def two_sandboxes(keys: FakeKeyStore) -> Iterator[tuple[RunningSandbox, RunningSandbox]]:
    with serve_sandbox(keys.public_jwks, state=SandboxState.seeded(3)) as north, \
            serve_sandbox(keys.public_jwks, state=SandboxState.seeded(4), paths=SMART_MODE) as south:
        yield north, south


@pytest.fixture
async def directory(
    two_sandboxes: tuple[RunningSandbox, RunningSandbox], keys: FakeKeyStore, seconds: Seconds,
) -> AsyncIterator[SmartEmrDirectory]:
    north, south = two_sandboxes
    found = SmartEmrDirectory(listing(north, south), Builds(keys), clock=seconds, random=lambda: 0.0,
                              refresh_seconds=REFRESH)
    yield found
    await found.aclose()


@pytest.fixture
def seconds() -> Seconds:
    return Seconds()


@pytest.mark.parametrize(("failure", "rest"), [
    (Failure(503, retry_after="30", path_prefix="/fhir/r4/SANDBOX/Patient"), 30.0),
    (Failure(429, retry_after="45", path_prefix="/fhir/r4/SANDBOX/Patient"), 45.0),
    (Failure(401, body={"error": "invalid_client"}, path_prefix="/oauth/oauth2/token"), 1.0),  # 1st step, jitter 0
], ids=["503", "429", "refused-token"])
async def test_a_failing_connection_rests_alone_and_calls_meanwhile_never_reach_it(
    directory: SmartEmrDirectory, two_sandboxes: tuple[RunningSandbox, RunningSandbox], seconds: Seconds,
    failure: Failure, rest: float,
) -> None:
    north, south = two_sandboxes
    north.state.failures.append(failure)
    with pytest.raises(EmrError) as failed:
        await (await directory.gateway("north")).search_patients(1, 2)
    assert isinstance(failed.value, SmartAuthError | EmrUnavailable)
    assert directory.room() == {"north": 0}  # resting: none of its items are to be claimed
    asked = len(north.state.requests)
    with pytest.raises(EmrResting) as resting:
        await (await directory.gateway("north")).search_patients(1, 2)
    assert resting.value.retry_after == pytest.approx(rest)
    assert len(north.state.requests) == asked  # failed fast: nothing went to the network
    assert (await (await directory.gateway("south")).search_patients(1, 2)).total == 4  # the other goes on
    assert len(south.state.requests_to("GET", f"{south.fhir_path}/Patient")) == 1
    seconds.now += rest + 0.1
    assert directory.room() == {"north": 2}  # rested: a quarter of its eight slots may try it
    assert (await (await directory.gateway("north")).search_patients(1, 2)).total == 3
    assert directory.room() == {}  # it answered: no limit but its slots


async def test_a_connection_with_every_in_flight_slot_taken_has_no_room_alone_until_a_call_returns(
    two_sandboxes: tuple[RunningSandbox, RunningSandbox], keys: FakeKeyStore, seconds: Seconds,
) -> None:
    north, south = two_sandboxes
    stored = [connection_to("north", north, token_url=north.token_url, max_in_flight=1),
              connection_to("south", south)]

    async def read() -> list[EmrConnection]:
        return stored

    directory = SmartEmrDirectory(read, Builds(keys), clock=seconds, random=lambda: 0.0, refresh_seconds=REFRESH)
    try:
        gateway = await directory.gateway("north")
        await gateway.search_patients(1, 2)  # its token first: the call below is the only one under way
        north.state.latency_seconds = 0.3
        call = asyncio.create_task(gateway.search_patients(1, 2))
        await asyncio.sleep(0.05)
        assert directory.room() == {"north": 0}  # its one slot taken; south has all of its own
        await call
        assert directory.room() == {}
    finally:
        await directory.aclose()


async def test_a_smart_connection_without_token_url_discovers_it_and_asks_for_its_own_scopes(
    directory: SmartEmrDirectory, two_sandboxes: tuple[RunningSandbox, RunningSandbox],
) -> None:
    _, south = two_sandboxes
    await (await directory.gateway("south")).search_patients(1, 1)
    assert south.state.requests_to("GET", f"{south.fhir_path}/.well-known/smart-configuration")
    assert south.state.requests_to("POST", SMART_MODE.token)
    assert "/oauth/" not in " ".join(path for _, path in south.state.requests)
    with pytest.raises(NoEmrConnection):
        await directory.gateway("west")


async def test_stored_changes_reach_the_directory_after_the_refresh_interval(
    new_uow: UowFactory, keys: FakeKeyStore, two_sandboxes: tuple[RunningSandbox, RunningSandbox],
    seconds: Seconds,
) -> None:
    north, south = two_sandboxes

    async def read() -> list[EmrConnection]:
        async with new_uow() as uow:  # as another process reads: its own session
            return list(await uow.emr_connections.list())

    builds = Builds(keys)
    directory = SmartEmrDirectory(read, builds, clock=seconds, random=lambda: 0.0, refresh_seconds=REFRESH)
    try:
        with pytest.raises(NoEmrConnection):
            await directory.gateway("north")
        first = connection_to("north", north, token_url=north.token_url)
        async with new_uow() as uow:  # the CLI or the admin API, elsewhere
            await uow.emr_connections.add(first)
            await uow.commit()
        with pytest.raises(NoEmrConnection):
            await directory.gateway("north")  # not before the interval has passed
        seconds.now += REFRESH
        assert (await (await directory.gateway("north")).search_patients(1, 1)).total == 3
        async with new_uow() as uow:
            await uow.emr_connections.save(first.changed(CREATED + timedelta(hours=1),
                                                         fhir_base_url=south.fhir_base_url, token_url=None))
            await uow.commit()
        seconds.now += REFRESH
        assert (await (await directory.gateway("north")).search_patients(1, 1)).total == 4  # now the other server
        assert [g.session.http.is_closed for g in builds.built] == [True, False]  # the replaced one is closed
        async with new_uow() as uow:
            current = await uow.emr_connections.get(first.id)
            assert current is not None
            await uow.emr_connections.save(current.changed(CREATED + timedelta(hours=2), active=False))
            await uow.commit()
        seconds.now += REFRESH
        with pytest.raises(NoEmrConnection):
            await directory.gateway("north")
    finally:
        await directory.aclose()


async def test_after_a_key_rotation_every_connection_signs_with_the_new_key(
    two_sandboxes_fresh_keys: tuple[FakeKeyStore, RunningSandbox, RunningSandbox], seconds: Seconds,
) -> None:
    keys, north, south = two_sandboxes_fresh_keys
    directory = SmartEmrDirectory(listing(north, south), Builds(keys), clock=seconds, random=lambda: 0.0)
    try:
        old = (await keys.signing_key()).kid
        for practice in ("north", "south"):
            assert (await (await directory.diagnostics(practice)).test_token()).status == "success"
        await keys.rotate(datetime.now(UTC))
        await keys.promote(datetime.now(UTC) + timedelta(days=1), timedelta(hours=1))
        new = next(v.kid for v in await keys.versions() if v.stage == CURRENT)
        for practice in ("north", "south"):
            assert (await (await directory.diagnostics(practice)).test_token()).status == "success"
        assert (north.state.assertion_kids, south.state.assertion_kids) == ([old, new], [old, new])
        assert old != new
    finally:
        await directory.aclose()


@pytest.fixture
def two_sandboxes_fresh_keys() -> Iterator[tuple[FakeKeyStore, RunningSandbox, RunningSandbox]]:
    keys = FakeKeyStore()  # this test rotates: a key store of its own, both sandboxes reading its JWKS
    with serve_sandbox(keys.public_jwks, state=SandboxState.seeded(1)) as north, \
            serve_sandbox(keys.public_jwks, state=SandboxState.seeded(1), paths=SMART_MODE) as south:
        yield keys, north, south

