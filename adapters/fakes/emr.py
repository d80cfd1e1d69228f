"""FakeEmrGateway: an in-memory EMR that records every Observation it was sent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.observations import ObservationDraft
from domain.patients import EmrPatient
from domain.ports.emr import (
    EmrCapabilities,
    EmrError,
    EmrPatientPage,
    EmrUnavailable,
    ObservationReceipt,
)


@dataclass(frozen=True)
class StoredObservation:
    emr_resource_id: str
    draft: ObservationDraft


class FakeEmrGateway:
    """Patients to browse, Observations keyed by identifier (conditional create), and outages."""

    def __init__(self, patients: Iterable[EmrPatient] = ()) -> None:
        self.patients = {p.emr_patient_id: p for p in patients}
        self.observations: dict[str, StoredObservation] = {}
        self.create_calls = 0
        self._failures: list[EmrError] = []
        self.down = False
        self.withdrawn: set[str] = set()

    def fail_next(self, *errors: EmrError) -> None:
        """Queue errors that the next create calls raise, one each."""
        self._failures.extend(errors)

    async def check_connection(self) -> EmrCapabilities:
        self._raise_if_down()
        return EmrCapabilities(
            base_url="fake://emr", fhir_version="4.0.1",
            capabilities=("Patient.read", "Observation.read", "Observation.write"),
            supports_observation_create=True, supports_conditional_create=True,
        )

    async def search_patients(self, page: int, page_size: int) -> EmrPatientPage:
        self._raise_if_down()
        ordered = sorted(self.patients.values(), key=lambda p: p.emr_patient_id)
        start = (page - 1) * page_size
        return EmrPatientPage(page, page_size, len(ordered), tuple(ordered[start : start + page_size]))

    async def read_patient(self, emr_patient_id: str) -> EmrPatient | None:
        self._raise_if_down()
        return self.patients.get(emr_patient_id)

    async def create_observation(self, draft: ObservationDraft) -> ObservationReceipt:
        self.create_calls += 1
        self._raise_if_down()
        if self._failures:
            raise self._failures.pop(0)
        existing = self.observations.get(draft.identifier)
        if existing is not None:
            return ObservationReceipt(200, existing.emr_resource_id, created=False)
        stored = StoredObservation(f"obs-{len(self.observations) + 1}", draft)
        self.observations[draft.identifier] = stored
        return ObservationReceipt(201, stored.emr_resource_id, created=True)

    async def withdraw_observation(self, identifier: str) -> ObservationReceipt | None:
        self._raise_if_down()
        if self._failures:
            raise self._failures.pop(0)
        stored = self.observations.get(identifier)
        if stored is None:
            return None
        self.withdrawn.add(identifier)
        return ObservationReceipt(200, stored.emr_resource_id, created=False)

    def _raise_if_down(self) -> None:
        if self.down:
            raise EmrUnavailable("EMR unavailable (simulated outage)", http_status=503)
