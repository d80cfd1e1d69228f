"""One connection's own limits: its in-flight cap, and its rests — exponential with jitter and a cap, or the
EMR's Retry-After — after failures of the connection, never after a refusal of one request."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from adapters.ecw.profile import ecw_server
from adapters.fakes.emr import FakeEmrGateway
from adapters.fhir.errors import SmartAuthError
from adapters.fhir.guard import MAX_REST_SECONDS, TRYING_SECONDS, Backoff, GuardedGateway
from adapters.fhir.profile import smart_server
from domain.emr_connections import EmrConnection, EmrVendor
from domain.ports.emr import EmrError, EmrPatientPage, EmrRejected, EmrResting, EmrUnavailable


class Seconds:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class HeldEmr(FakeEmrGateway):
    """Searches wait until released, so a test can see how many run at once."""

    def __init__(self) -> None:
        super().__init__()
        self.running = self.most = 0
        self.release = asyncio.Event()

    async def search_patients(self, page: int, page_size: int) -> EmrPatientPage:
        self.running += 1
        self.most = max(self.most, self.running)
        await self.release.wait()
        self.running -= 1
        return await super().search_patients(page, page_size)


class Closer:
    closed = False

    async def aclose(self) -> None:
        self.closed = True


async def test_no_more_than_max_in_flight_calls_run_at_once() -> None:
    emr = HeldEmr()
    guarded = GuardedGateway(emr, 3, Backoff(Seconds(), lambda: 0.5))
    calls = [asyncio.create_task(guarded.search_patients(1, 1)) for _ in range(10)]
    await asyncio.sleep(0.01)
    assert (emr.running, emr.most) == (3, 3)
    emr.release.set()
    await asyncio.gather(*calls)
    assert emr.most == 3


async def test_it_has_no_room_while_every_slot_is_taken_and_no_limit_again_once_one_returns() -> None:
    emr = HeldEmr()
    guarded = GuardedGateway(emr, 2, Backoff(Seconds(), lambda: 0.5))
    first = asyncio.create_task(guarded.search_patients(1, 1))
    await asyncio.sleep(0.01)
    assert guarded.room is None  # one slot of two free: a call starts at once
    second = asyncio.create_task(guarded.search_patients(1, 1))
    await asyncio.sleep(0.01)
    assert guarded.room == 0
    emr.release.set()
    await asyncio.gather(first, second)
    assert guarded.room is None


@pytest.mark.parametrize(("error", "rests"), [
    (EmrUnavailable("busy", http_status=503), True),
    (EmrUnavailable("slow down", http_status=429), True),
    (EmrUnavailable("no answer in time"), True),  # a timeout or transport failure has no status
    (SmartAuthError("invalid_client", http_status=401), True),
    (EmrError("token refused after a refresh", http_status=401), True),
    (EmrUnavailable("failed", http_status=500), False),
    (EmrRejected("unknown code", http_status=422), False),
    (EmrUnavailable("changed meanwhile", http_status=412), False),
])
async def test_only_failures_of_the_connection_make_it_rest(error: EmrError, rests: bool) -> None:
    emr = FakeEmrGateway()
    guarded = GuardedGateway(emr, 2, Backoff(Seconds(), lambda: 0.0))
    emr.fail_next(error)
    with pytest.raises(EmrError):
        await guarded.create_observation(object())  # type: ignore[arg-type]  # fails before reading it
    assert guarded.resting is rests


async def test_rests_double_with_jitter_up_to_a_cap_and_retry_after_wins() -> None:
    seconds = Seconds()
    backoff = Backoff(seconds, lambda: 1.0)  # the longest jitter: the full step
    waits = []
    for _ in range(10):
        backoff.failed(None)
        waits.append(backoff.remaining())
        seconds.now = backoff.until
    assert waits[:4] == [2.0, 4.0, 8.0, 16.0]
    assert max(waits) == MAX_REST_SECONDS
    backoff.failed(42.0)
    assert backoff.remaining() == 42.0
    half = Backoff(Seconds(), lambda: 0.0)
    half.failed(None)
    assert half.remaining() == 1.0


async def test_a_resting_connection_fails_fast_without_calling_its_emr() -> None:
    seconds, emr = Seconds(), FakeEmrGateway()
    guarded = GuardedGateway(emr, 2, Backoff(seconds, lambda: 0.0))
    emr.down = True
    with pytest.raises(EmrUnavailable):
        await guarded.create_observation(object())  # type: ignore[arg-type]
    calls = emr.create_calls
    with pytest.raises(EmrResting) as resting:
        await guarded.create_observation(object())  # type: ignore[arg-type]
    assert (emr.create_calls, resting.value.retry_after) == (calls, 1.0)
    emr.down = False
    seconds.now += 1.0
    assert (await guarded.search_patients(1, 1)).total == 0


async def test_after_its_rest_a_quarter_of_its_slots_try_the_connection_before_the_others_go() -> None:
    seconds, emr = Seconds(), HeldEmr()
    guarded = GuardedGateway(emr, 8, Backoff(seconds, lambda: 0.0))
    emr.fail_next(EmrUnavailable("busy", http_status=503, retry_after=2.0))
    with pytest.raises(EmrUnavailable):
        await guarded.create_observation(object())  # type: ignore[arg-type]  # fails before reading it
    assert guarded.room == 0  # resting
    seconds.now += 2.0  # rested
    assert guarded.room == 2  # a quarter of its eight slots may try it
    first = asyncio.create_task(guarded.search_patients(1, 1))
    await asyncio.sleep(0.01)
    assert guarded.room == 1
    trying = [first, asyncio.create_task(guarded.search_patients(1, 1))]
    await asyncio.sleep(0.01)
    assert guarded.room == 0  # six slots free, but the claim waits for the two trying
    with pytest.raises(EmrResting) as waiting:
        await guarded.search_patients(1, 1)
    assert (emr.most, waiting.value.retry_after) == (2, TRYING_SECONDS)
    emr.release.set()
    await asyncio.gather(*trying)
    emr.release.clear()
    together = [asyncio.create_task(guarded.search_patients(1, 1)) for _ in range(3)]
    await asyncio.sleep(0.01)
    assert (emr.running, guarded.room) == (3, None)  # it answered: the slots are all in use again
    emr.release.set()
    await asyncio.gather(*together)


async def test_a_retired_gateway_closes_once_its_last_call_ends() -> None:
    emr, closer = HeldEmr(), Closer()
    guarded = GuardedGateway(emr, 2, Backoff(Seconds(), lambda: 0.0), closer)
    call = asyncio.create_task(guarded.search_patients(1, 1))
    await asyncio.sleep(0)
    await guarded.retire()
    assert not closer.closed
    emr.release.set()
    await call
    assert closer.closed


def _connection(vendor: EmrVendor, base: str, **values: object) -> EmrConnection:
    at = datetime(2026, 11, 20, tzinfo=UTC)
    return EmrConnection(id="c", practice_id="north", vendor=vendor, fhir_base_url=base, client_id="app",
                         created_at=at, updated_at=at, **values)  # type: ignore[arg-type]


def test_the_ecw_profile_fills_in_the_staging_urls_from_the_practice_code() -> None:
    staging = ecw_server(_connection(EmrVendor.ECW, "https://sandbox-fhir4.eclinicalworks.com/fhir/r4",
                                     practice_code="FFHEDD"))
    assert (staging.fhir_base_url, staging.token_url) == (
        "https://sandbox-fhir4.eclinicalworks.com/fhir/r4/FFHEDD",
        "https://staging-oauthserver.eclinicalworks.com/oauth/oauth2/token")
    production = ecw_server(_connection(EmrVendor.ECW, "https://fhir.clinic.example/fhir/r4/ABC123",
                                        practice_code="ABC123"))
    assert (production.fhir_base_url, production.token_url) == ("https://fhir.clinic.example/fhir/r4/ABC123", None)


def test_the_smart_profile_assumes_nothing_of_the_vendor() -> None:
    server = smart_server(_connection(EmrVendor.SMART, "https://ehr.example/r4", scopes="system/Observation.write",
                                      rate_limit_per_minute=60))
    assert (server.fhir_base_url, server.token_url, server.scope, server.rate_limit_per_minute) == (
        "https://ehr.example/r4", None, "system/Observation.write", 60)
