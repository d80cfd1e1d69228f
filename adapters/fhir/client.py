"""FhirEmrGateway: the EmrGateway port over any SMART Backend Services + FHIR R4 server."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import httpx

from adapters.fhir.capabilities import connection_from
from adapters.fhir.errors import json_resource, raise_for_status
from adapters.fhir.observations import to_observation
from adapters.fhir.paging import SearchPager, resources
from adapters.fhir.patient_resource import emr_patient
from adapters.fhir.session import FhirSession
from domain.observations import OBSERVATION_IDENTIFIER_SYSTEM, ObservationDraft
from domain.patients import EmrPatient
from domain.ports.emr import (
    EmrCapabilities,
    EmrPatientPage,
    EmrRejected,
    EmrUnavailable,
    ObservationReceipt,
)

FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
LOCATION_ID = re.compile(r"Observation/([A-Za-z0-9\-.]{1,64})")
WITHDRAWN = "entered-in-error"


def identifier_search(identifier: str) -> str:
    return f"identifier={OBSERVATION_IDENTIFIER_SYSTEM}|{identifier}"


class FhirEmrGateway:
    """Patients are read, Observations created idempotently (conditional create, or search first)."""

    def __init__(self, session: FhirSession) -> None:
        self._session = session
        self._connection: EmrCapabilities | None = None
        self._patients = SearchPager(session, "Patient")

    @property
    def session(self) -> FhirSession:
        return self._session

    async def check_connection(self) -> EmrCapabilities:
        """Read the CapabilityStatement (and remember whether conditional create is supported)."""
        action = "read the CapabilityStatement"
        response = await self._session.request("GET", "metadata", action=action, authorized=False)
        raise_for_status(response, action)
        statement = json_resource(response, "CapabilityStatement", action)
        self._connection = connection_from(statement, self._session.base_url)
        return self._connection

    async def search_patients(self, page: int, page_size: int) -> EmrPatientPage:
        bundle = await self._patients.page(page, page_size)
        total = bundle.get("total")
        patients = tuple(emr_patient(r) for r in resources(bundle, "Patient"))
        return EmrPatientPage(page, page_size, total if isinstance(total, int) else None, patients)

    async def read_patient(self, emr_patient_id: str) -> EmrPatient | None:
        if not FHIR_ID.fullmatch(emr_patient_id):
            return None
        action = "read Patient"
        response = await self._session.request("GET", f"Patient/{emr_patient_id}", action=action)
        if response.status_code in (404, 410):
            return None
        raise_for_status(response, action)
        return emr_patient(json_resource(response, "Patient", action))

    async def create_observation(self, draft: ObservationDraft) -> ObservationReceipt:
        """201 created or 200 already there; 412 (several matches) → EmrRejected for a person."""
        resource = to_observation(draft)
        headers: dict[str, str] = {}
        if (await self._capabilities()).supports_conditional_create:
            headers["if-none-exist"] = identifier_search(draft.identifier)
        else:
            existing = await self._find(draft.identifier)
            if existing is not None:
                return ObservationReceipt(200, existing.get("id"), created=False)
        action = "create Observation"
        response = await self._session.request("POST", "Observation", action=action, json=resource,
                                               headers=headers)
        if response.status_code == 412:
            raise EmrRejected(_several(draft.identifier), http_status=412)
        if response.status_code >= 300:  # what to redact is worked out only for a message that may echo it
            raise_for_status(response, action, redact=_values(resource))
        return ObservationReceipt(response.status_code, _resource_id(response), response.status_code == 201)

    async def withdraw_observation(self, identifier: str) -> ObservationReceipt | None:
        """Mark our Observation `entered-in-error` (None: the EMR has no Observation with it)."""
        found = await self._find(identifier)
        if found is None:
            return None
        if found.get("status") == WITHDRAWN:
            return ObservationReceipt(200, found.get("id"), created=False)
        version = (found.get("meta") or {}).get("versionId")
        headers = {"if-match": f'W/"{version}"'} if version else {}
        action = "withdraw Observation"
        response = await self._session.request("PUT", f"Observation/{found.get('id')}", action=action,
                                               json={**found, "status": WITHDRAWN}, headers=headers)
        if response.status_code in (409, 412):
            raise EmrUnavailable(f"{action}: it changed in the EMR meanwhile; try again",
                                 http_status=response.status_code)
        raise_for_status(response, action)
        return ObservationReceipt(response.status_code, found.get("id"), created=False)

    async def _capabilities(self) -> EmrCapabilities:
        return self._connection or await self.check_connection()

    async def _find(self, identifier: str) -> dict[str, Any] | None:
        """Our Observation with this identifier; several → EmrRejected (a person must look)."""
        action = "search Observation by identifier"
        params = {"identifier": f"{OBSERVATION_IDENTIFIER_SYSTEM}|{identifier}"}
        response = await self._session.request("GET", "Observation", action=action, params=params)
        raise_for_status(response, action)
        matches = resources(json_resource(response, "Bundle", action), "Observation")
        if len(matches) > 1:
            raise EmrRejected(_several(identifier), http_status=412)
        if matches and not FHIR_ID.fullmatch(str(matches[0].get("id", ""))):
            raise EmrRejected(f"{action}: the EMR returned an Observation without a usable id")
        return matches[0] if matches else None


def _several(identifier: str) -> str:
    return f"several Observations in the EMR carry identifier {identifier}: a person must look"


def _resource_id(response: httpx.Response) -> str | None:
    match = LOCATION_ID.search(response.headers.get("location") or response.headers.get("content-location") or "")
    if match:
        return match.group(1)
    try:
        body = response.json()
    except ValueError:
        return None
    return str(body["id"]) if isinstance(body, dict) and isinstance(body.get("id"), str) else None


def _values(resource: dict[str, Any]) -> set[str]:
    """The values and time we sent, as the server might echo them (redacted from its messages)."""
    when = str(resource.get("effectiveDateTime", ""))
    found = {when, when[:10], when[11:19]}
    quantities = [resource.get("valueQuantity"), *(c.get("valueQuantity") for c in resource.get("component", []))]
    for quantity in quantities:
        if isinstance(quantity, dict) and isinstance(quantity.get("value"), int | float):
            value = quantity["value"]
            found |= {str(value), f"{Decimal(str(value)).normalize():f}"}
    return found
