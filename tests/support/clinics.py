"""Clinics on Postgres, each with its own HTTP sandbox EMR: a stored EMR connection, an enrolled patient and
cuff, readings already queued for its EMR, and a sandbox that times every create and can be down on demand."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql import mapping as m
from adapters.sql.tables import device_assignments, devices, outbox, patients, readings
from adapters.sql.unit_of_work import SqlAlchemyUnitOfWork
from domain.emr_connections import EmrConnection, EmrVendor
from entrypoints.sandbox.serve import RunningSandbox
from entrypoints.sandbox.state import SANDBOX_CLIENT_ID, Failure, SandboxState
from tests.integration.builders import EASTERN, T0, assignment, device, outbox_item, patient, reading
from tests.support.app import TELEMETRY, fixture, signed
from tests.support.pipeline import BP_PANEL, FIXTURE_TS, HEART_RATE


@dataclass
class TimedSandbox(SandboxState):
    """A sandbox that notes when each Observation identifier was first created (time.monotonic(), the test's
    own clock: the sandbox serves from a thread of the test process) and answers every request with
    `outage` while `down` (token requests too), as an EMR in trouble would."""

    created_at: dict[str, float] = field(default_factory=dict)
    down: bool = False
    outage: Failure = field(default_factory=lambda: Failure(503, retry_after="2"))
    _by_identifier: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def add_observation(self, resource: dict[str, Any]) -> dict[str, Any]:
        stored = super().add_observation(resource)
        now = time.monotonic()
        for identifier in stored.get("identifier", []):
            value = str(identifier.get("value", ""))
            self.created_at.setdefault(value, now)
            self._by_identifier.setdefault(value, []).append(stored["id"])
        return stored

    def observations_with(self, system: str | None, value: str) -> list[dict[str, Any]]:
        """As the sandbox's, by an index: a conditional create costs the same with 10 or 2,000 stored, so a
        later phase of a test is not slower for it."""
        found = (self.observations[i] for i in self._by_identifier.get(value, ()) if i in self.observations)
        return [o for o in found if any(i.get("value") == value and system in (None, i.get("system"))
                                        for i in o.get("identifier", []))]

    def take_failure(self, path: str, *, after_processing: bool = False) -> Failure | None:
        if self.down and not after_processing:
            return self.outage
        return super().take_failure(path, after_processing=after_processing)


@dataclass(frozen=True)
class Clinic:
    """A practice of the test: its EMR (sandbox) and its enrolled patient's cuff."""

    practice_id: str
    emr: RunningSandbox
    patient_id: str
    device_id: str
    cuff: str

    @property
    def state(self) -> TimedSandbox:
        assert isinstance(self.emr.state, TimedSandbox)
        return self.emr.state

    def creates(self) -> dict[str, int]:
        """Observations its EMR created, per identifier (a plain dict: short assertion messages)."""
        return dict(self.state.creates_per_identifier)


async def open_clinic(db: AsyncEngine, practice_id: str, emr: RunningSandbox, emr_patient_id: str) -> Clinic:
    """The practice's stored SMART connection to `emr`, and a patient (known to that EMR) with a cuff assigned
    the day before the fixtures' readings."""
    now = datetime.now(UTC)
    connection = EmrConnection(
        id=f"conn-{practice_id}", practice_id=practice_id, vendor=EmrVendor.SMART, fhir_base_url=emr.fhir_base_url,
        token_url=emr.token_url, client_id=SANDBOX_CLIENT_ID, created_at=now, updated_at=now,
        rate_limit_per_minute=60_000, max_in_flight=32)  # the sandbox has no quota: the test measures us
    someone = replace(patient(emr_patient_id), practice_id=practice_id)
    cuff = replace(device(), practice_id=practice_id)
    uow = SqlAlchemyUnitOfWork(db)
    async with uow:
        await uow.emr_connections.add(connection)
        await uow.commit()
    async with db.begin() as sql:
        await sql.execute(patients.insert().values(dict(m.patient_row(someone))))
        await sql.execute(devices.insert().values(dict(m.device_row(cuff))))
        enrolment = assignment(cuff.id, someone.id, T0 - timedelta(days=1))
        await sql.execute(device_assignments.insert().values(dict(m.assignment_row(enrolment))))
    return Clinic(practice_id, emr, someone.id, cuff.id, cuff.gateway_device_id)


async def queue_readings(db: AsyncEngine, clinic: Clinic, count: int) -> set[str]:
    """`count` accepted readings of the clinic's patient, their two Observations each waiting in the outbox for
    the clinic's EMR (inserted in bulk); the identifiers its EMR must end up with."""
    taken = [reading(clinic.device_id, clinic.patient_id, (T0 - timedelta(minutes=n)).astimezone(EASTERN))
             for n in range(count)]
    items = [outbox_item(reading_id=r.id, patient_id=clinic.patient_id, code=code, due=T0,
                         practice_id=clinic.practice_id) for r in taken for code in (BP_PANEL, HEART_RATE)]
    async with db.begin() as sql:
        await sql.execute(readings.insert(), [dict(m.reading_row(r)) for r in taken])
        await sql.execute(outbox.insert(), [dict(m.outbox_row(i)) for i in items])
    return observations_of([r.id for r in taken])


def observations_of(reading_ids: list[str]) -> set[str]:
    """The identifiers of the Observations blood-pressure readings yield."""
    return {f"{reading_id}-{code}" for reading_id in reading_ids for code in (BP_PANEL, HEART_RATE)}


class SteadyReadings:
    """A clinic's cuff sending a signed blood-pressure reading every 1/`per_second` s to the API (each on its
    own schedule: a slow answer delays no later reading); when each was sent (time.monotonic()), by reading."""

    def __init__(self, api: httpx.AsyncClient, clinic: Clinic, per_second: float) -> None:
        self._api, self._clinic, self._interval = api, clinic, 1 / per_second
        self._measured = FIXTURE_TS
        self.sent: dict[str, float] = {}

    async def run(self, seconds: float) -> list[str]:
        """Readings for `seconds`; their ids once every one was answered (each must be accepted)."""
        start, sends = time.monotonic(), []
        for n in range(round(seconds / self._interval)):
            await asyncio.sleep(max(0.0, start + n * self._interval - time.monotonic()))
            sends.append(asyncio.create_task(self._one()))
        return list(await asyncio.gather(*sends))

    async def _one(self) -> str:
        self._measured += 1  # each reading its own measurement time: none is a duplicate of another
        body = fixture("bp_normal", ts=self._measured, imei=self._clinic.cuff)
        body["deviceId"] = self._clinic.cuff
        raw, headers = signed(body)
        sent = time.monotonic()
        answer = await self._api.post(TELEMETRY, content=raw, headers=headers)
        assert (answer.status_code, answer.json()["status"]) == (202, "accepted"), answer.text
        reading_id = str(answer.json()["reading_id"])
        self.sent[reading_id] = sent
        return reading_id

    def latencies(self, reading_ids: list[str]) -> list[float]:
        """Webhook sent → Observation created in the clinic's EMR, per Observation, in seconds."""
        created = self._clinic.state.created_at
        return [created[f"{r}-{code}"] - self.sent[r] for r in reading_ids for code in (BP_PANEL, HEART_RATE)]
