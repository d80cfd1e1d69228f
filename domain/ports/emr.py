"""The EMR port: browse and read patients, create Observations idempotently."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from domain.observations import ObservationDraft
from domain.patients import EmrPatient


@dataclass(frozen=True)
class EmrPatientPage:
    page: int
    page_size: int
    total: int | None
    patients: tuple[EmrPatient, ...]


@dataclass(frozen=True)
class ObservationReceipt:
    """The EMR's answer to a create: 201 created or 200 already there both mean delivered."""

    http_status: int
    emr_resource_id: str | None
    created: bool


@dataclass(frozen=True)
class EmrCapabilities:
    base_url: str
    fhir_version: str
    capabilities: tuple[str, ...]
    supports_observation_create: bool
    supports_conditional_create: bool


class EmrError(Exception):
    """An EMR call failed. The message is safe to store: no PHI."""

    def __init__(self, message: str, *, http_status: int | None = None) -> None:
        super().__init__(message)
        self.http_status = http_status


class EmrUnavailable(EmrError):
    """A temporary failure (outage, timeout, 429/503): try again later."""

    def __init__(
        self, message: str, *, http_status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, http_status=http_status)
        self.retry_after = retry_after


class EmrResting(EmrUnavailable):
    """The practice's EMR asked us to wait (or failed just now): not called until `retry_after` has passed."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"the EMR connection is resting after a failure; next try in {retry_after:.0f} s",
                         retry_after=retry_after)


class EmrRejected(EmrError):
    """A permanent refusal (4xx other than 401/408/429, 412 ambiguous match): a person must look."""


class EmrGateway(Protocol):
    async def check_connection(self) -> EmrCapabilities: ...

    async def search_patients(self, page: int, page_size: int) -> EmrPatientPage: ...

    async def read_patient(self, emr_patient_id: str) -> EmrPatient | None: ...

    async def create_observation(self, draft: ObservationDraft) -> ObservationReceipt:
        """Create the Observation unless one with the draft's identifier exists."""
        ...

    async def withdraw_observation(self, identifier: str) -> ObservationReceipt | None:
        """Mark the Observation with this identifier entered-in-error; None when the EMR has none."""
        ...
