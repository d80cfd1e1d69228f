"""Bodies of login, the EMR browse/import and the SMART launch."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec

from entrypoints.http.dto.types import NonEmpty


class TokenRequest(msgspec.Struct, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class TokenResponse(msgspec.Struct):
    access_token: str
    expires_in: int
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret


class EmrPatientOut(msgspec.Struct):
    ecw_fhir_id: str
    name: str
    birth_date: date | None
    mrn: str | None


class EmrPatientsPage(msgspec.Struct):
    page: int
    page_size: int
    total: int | None
    patients: list[EmrPatientOut]


class ImportRequest(msgspec.Struct, forbid_unknown_fields=True):
    ecw_patient_ids: Annotated[list[NonEmpty], msgspec.Meta(min_length=1, max_length=500)]
    practice_id: str | None = None  # administrators only: the practice new patients join


class ImportedPatientOut(msgspec.Struct):
    vantrexia_id: str
    ecw_fhir_id: str
    name: str
    mrn: str | None


class ImportErrorOut(msgspec.Struct):
    ecw_fhir_id: str
    error: str


class ImportResponse(msgspec.Struct):
    imported: int
    skipped: int
    errors: list[ImportErrorOut]
    patients: list[ImportedPatientOut]
    updated: int = 0  # re-imported patients whose demographics changed in the EMR (listed in `patients`)


class LaunchLinkedOut(msgspec.Struct):
    status: str
    scope: str
    patient: str | None
    expires_in: int | None


class EmrTokenTestOut(msgspec.Struct, omit_defaults=True):
    """`POST /api/v1/ecw/test/jwt/` as in the eCW tutorial; error and hint only on failure."""

    status: str
    message: str
    token_endpoint: str | None = None
    access_token_preview: str | None = None
    token_type: str | None = None
    expires_in: int | None = None
    scope: str | None = None
    issued_at: str | None = None
    error: str | None = None
    hint: str | None = None


class EmrConnectionTestOut(msgspec.Struct, omit_defaults=True, kw_only=True):
    """`POST /api/v1/ecw/test/connection/` as in the eCW tutorial; message and hint only on failure."""

    status: str
    fhir_base_url: str
    fhir_version: str | None = None
    capabilities: list[str]
    test_patient_count: int | None = None
    connection_latency_ms: int | None = None
    supports_observation_create: bool | None = None
    supports_conditional_create: bool | None = None
    message: str | None = None
    hint: str | None = None
