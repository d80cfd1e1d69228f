"""The real FHIR gateway creates Observations on the sandbox over HTTP: idempotency, failures, withdrawal."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from fhir.resources.R4B.observation import Observation

from adapters.fakes.keystore import FakeKeyStore
from adapters.fhir.client import FhirEmrGateway
from adapters.fhir.config import SmartServerConfig, build_gateway
from adapters.fhir.observations import to_observation
from domain.observations import ObservationCode, ObservationDraft
from domain.ports.emr import EmrRejected, EmrUnavailable
from domain.readings import Measurement, Quantity, Reading, ReadingKind, ReadingStatus, Unit, VitalSign
from entrypoints.sandbox import SANDBOX_CLIENT_ID
from entrypoints.sandbox.serve import RunningSandbox
from tests.support.phi import leaks

AT = datetime(2026, 11, 20, 8, 59, 54, tzinfo=timezone(timedelta(hours=-5)))
PATIENT = "synthetic-patient-0001"


@pytest.fixture
def sandbox(server: RunningSandbox) -> RunningSandbox:
    server.state.reset(patient_count=5)
    return server


@pytest.fixture
async def gateway(sandbox: RunningSandbox, keys: FakeKeyStore) -> AsyncIterator[FhirEmrGateway]:
    config = SmartServerConfig(fhir_base_url=sandbox.fhir_base_url, client_id=SANDBOX_CLIENT_ID,
                               token_url=sandbox.token_url, rate_limit_per_minute=100_000, timeout_seconds=0.5)
    emr, closeable = build_gateway(config, keys)
    yield emr
    await closeable.aclose()


def draft(code: ObservationCode = ObservationCode.BLOOD_PRESSURE, kind: ReadingKind = ReadingKind.BLOOD_PRESSURE,
          **values: tuple[str, Unit]) -> ObservationDraft:
    signs = values or {"systolic": ("128", Unit.MM_HG), "diastolic": ("82", Unit.MM_HG), "pulse": ("71", Unit.PER_MIN)}
    measurement = Measurement(kind, AT, {VitalSign(k): Quantity(Decimal(v), u) for k, (v, u) in signs.items()})
    reading = Reading(str(uuid.uuid4()), "dev-1", "1", measurement, ReadingStatus.ACCEPTED, "p-1", datetime.now(UTC))
    return ObservationDraft(code, reading, PATIENT, "TMB-2092-G")


async def test_create_then_create_again_is_201_then_200_with_one_observation(
    gateway: FhirEmrGateway, sandbox: RunningSandbox,
) -> None:
    bp = draft()
    first = await gateway.create_observation(bp)
    second = await gateway.create_observation(bp)
    assert (first.http_status, first.created) == (201, True)
    assert (second.http_status, second.created) == (200, False)
    assert first.emr_resource_id == second.emr_resource_id == "obs-1"
    assert sandbox.state.creates_per_identifier[bp.identifier] == 1
    assert sandbox.state.observation_posts == 2


async def test_the_observation_the_sandbox_received_is_valid_r4_json(
    gateway: FhirEmrGateway, sandbox: RunningSandbox,
) -> None:
    sent = [draft(), draft(ObservationCode.HEART_RATE),
            draft(ObservationCode.GLUCOSE, ReadingKind.GLUCOSE, glucose=("6.4", Unit.MMOL_L))]
    for each in sent:
        await gateway.create_observation(each)
    received = sandbox.state.received_observations
    assert received == [to_observation(each) for each in sent]
    for body in received:
        Observation.model_validate(body)
        assert body["subject"] == {"reference": f"Patient/{PATIENT}"}
        assert body["identifier"][0]["system"] == "urn:vantrexia:observation"


async def test_several_matches_are_a_412_for_a_person_to_look_at(
    gateway: FhirEmrGateway, sandbox: RunningSandbox,
) -> None:
    bp = draft()
    for _ in range(2):
        sandbox.state.add_observation(to_observation(bp))
    with pytest.raises(EmrRejected, match="a person must look") as caught:
        await gateway.create_observation(bp)
    assert caught.value.http_status == 412
    assert sandbox.state.creates_per_identifier[bp.identifier] == 2  # nothing new created


async def test_without_conditional_create_it_searches_before_creating(
    gateway: FhirEmrGateway, sandbox: RunningSandbox,
) -> None:
    sandbox.state.conditional_create = False  # advertised in /metadata, and If-None-Exist is ignored
    bp = draft()
    first = await gateway.create_observation(bp)
    second = await gateway.create_observation(bp)
    assert (first.http_status, second.http_status, second.created) == (201, 200, False)
    assert sandbox.state.creates_per_identifier[bp.identifier] == 1
    assert sandbox.state.observation_posts == 1
    searches = sandbox.state.requests_to("GET", f"{sandbox.fhir_path}/Observation?identifier=")
    assert len(searches) == 2
    assert "urn%3Avantrexia%3Aobservation%7C" in searches[0]


async def test_429_carries_retry_after(
    gateway: FhirEmrGateway, sandbox: RunningSandbox,
) -> None:
    await gateway.check_connection()
    sandbox.state.fail_next(429, retry_after="17", path_prefix=f"{sandbox.fhir_path}/Observation")
    with pytest.raises(EmrUnavailable) as caught:
        await gateway.create_observation(draft())
    assert (caught.value.http_status, caught.value.retry_after) == (429, 17.0)
    assert sandbox.state.observation_creates == 0


async def test_503_with_an_http_date_retry_after(
    gateway: FhirEmrGateway, sandbox: RunningSandbox,
) -> None:
    await gateway.check_connection()
    later = (datetime.now(UTC) + timedelta(seconds=120)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    sandbox.state.fail_next(503, retry_after=later, path_prefix=f"{sandbox.fhir_path}/Observation")
    with pytest.raises(EmrUnavailable) as caught:
        await gateway.create_observation(draft())
    assert caught.value.retry_after is not None
    assert 100 < caught.value.retry_after <= 120


async def test_500_and_a_timeout_are_temporary(
    gateway: FhirEmrGateway, sandbox: RunningSandbox,
) -> None:
    await gateway.check_connection()
    sandbox.state.fail_next(500, path_prefix=f"{sandbox.fhir_path}/Observation")
    with pytest.raises(EmrUnavailable) as failed:
        await gateway.create_observation(draft())
    assert failed.value.http_status == 500
    sandbox.state.fail_next(200, hang_seconds=1.0, path_prefix=f"{sandbox.fhir_path}/Observation")
    with pytest.raises(EmrUnavailable, match="did not answer in time"):
        await gateway.create_observation(draft())
    assert sandbox.state.observation_creates == 0


async def test_400_quotes_the_operation_outcome_but_never_our_values(
    gateway: FhirEmrGateway, sandbox: RunningSandbox,
) -> None:
    await gateway.check_connection()
    outcome = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "value",
               "diagnostics": "Observation.component[0].valueQuantity: 128 mm[Hg] not accepted at 2026-11-20"}]}
    sandbox.state.fail_next(400, body=outcome, path_prefix=f"{sandbox.fhir_path}/Observation")
    with pytest.raises(EmrRejected) as caught:
        await gateway.create_observation(draft())
    message = str(caught.value)
    assert caught.value.http_status == 400
    assert "Observation.component[0].valueQuantity: [redacted] mm[Hg] not accepted at [redacted]" in message
    assert leaks(message, values=("128", "82")) == []


async def test_withdrawing_marks_the_observation_entered_in_error(
    gateway: FhirEmrGateway, sandbox: RunningSandbox,
) -> None:
    bp = draft()
    created = await gateway.create_observation(bp)
    receipt = await gateway.withdraw_observation(bp.identifier)
    assert receipt is not None
    assert (receipt.http_status, receipt.emr_resource_id) == (200, created.emr_resource_id)
    stored = sandbox.state.observations[created.emr_resource_id]
    assert stored["status"] == "entered-in-error"
    assert stored["meta"]["versionId"] == "2"
    Observation.model_validate(sandbox.state.updates[0])
    again = await gateway.withdraw_observation(bp.identifier)
    assert again is not None
    assert len(sandbox.state.updates) == 1
    assert await gateway.withdraw_observation("no-such-reading-8867-4") is None
