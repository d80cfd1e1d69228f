"""The sandbox's FHIR R4 API: metadata, Patient search/read, Observation create/search/read/update."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from fhir.resources.R4B.observation import Observation
from litestar import Request, Response, Router, get, post, put
from litestar.params import FromPath, RawBody
from pydantic import ValidationError

from entrypoints.sandbox.resources import capability_statement, operation_outcome, searchset, smart_configuration
from entrypoints.sandbox.state import SandboxState

FHIR_JSON = "application/fhir+json"
AnyRequest = Request[Any, Any, Any]


def fhir(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(body, status_code=status, media_type=FHIR_JSON, headers=headers)


def problem(status: int, code: str, diagnostics: str) -> Response[Any]:
    return fhir(operation_outcome(code, diagnostics), status)


def fhir_router(state: SandboxState, fhir_path: str, token_path: str, authorize_path: str) -> Router:
    def base(request: AnyRequest) -> str:
        return str(request.base_url).rstrip("/") + fhir_path

    def origin(request: AnyRequest) -> str:
        return str(request.base_url).rstrip("/")

    @get("/metadata", sync_to_thread=False)
    def metadata(request: AnyRequest) -> Response[Any]:
        return fhir(capability_statement(state.conditional_create, origin(request) + token_path))

    @get("/.well-known/smart-configuration", sync_to_thread=False)
    def smart(request: AnyRequest) -> Response[Any]:
        body = smart_configuration(origin(request) + token_path, origin(request) + authorize_path)
        return Response(body, media_type="application/json")

    @get("/Patient", sync_to_thread=False)
    def search_patients(request: AnyRequest) -> Response[Any]:
        count = min(max(_number(request.query_params.get("_count"), 10), 1), 100)
        offset = max(_number(request.query_params.get("_getpagesoffset"), 0), 0)
        everyone = list(state.patients.values())
        links = {"self": f"{base(request)}/Patient?_count={count}&_getpagesoffset={offset}"}
        if offset + count < len(everyone):
            links["next"] = f"{base(request)}/Patient?_count={count}&_getpagesoffset={offset + count}"
        return fhir(searchset(base(request), everyone[offset : offset + count], len(everyone), links))

    @get("/Patient/{patient_id:str}", sync_to_thread=False)
    def read_patient(patient_id: FromPath[str]) -> Response[Any]:
        found = state.patients.get(patient_id)
        return fhir(found) if found else problem(404, "not-found", f"Patient/{patient_id} is not known")

    @post("/Observation", sync_to_thread=False)
    def create_observation(request: AnyRequest, body: RawBody) -> Response[Any]:
        resource, error = _valid_observation(body)
        if error is not None:
            return error
        state.observation_posts += 1
        state.received_observations.append(resource)
        condition = request.headers.get("if-none-exist")
        if state.conditional_create and condition:
            matches = _matching(state, parse_qs(condition).get("identifier", [""])[0])
            if len(matches) > 1:
                return problem(412, "duplicate", "Multiple resources match this conditional create")
            if matches:
                return fhir(matches[0], 200, _location(base(request), matches[0]))
        stored = state.add_observation(resource)
        return fhir(stored, 201, _location(base(request), stored))

    @get("/Observation", sync_to_thread=False)
    def search_observations(request: AnyRequest) -> Response[Any]:
        matches = _matching(state, request.query_params.get("identifier", ""))
        return fhir(searchset(base(request), matches, len(matches), {}))

    @get("/Observation/{observation_id:str}", sync_to_thread=False)
    def read_observation(observation_id: FromPath[str]) -> Response[Any]:
        found = state.observations.get(observation_id)
        return fhir(found) if found else problem(404, "not-found", f"Observation/{observation_id} is not known")

    @put("/Observation/{observation_id:str}", sync_to_thread=False)
    def update_observation(request: AnyRequest, observation_id: FromPath[str], body: RawBody) -> Response[Any]:
        current = state.observations.get(observation_id)
        if current is None:
            return problem(404, "not-found", f"Observation/{observation_id} is not known")
        resource, error = _valid_observation(body)
        if error is not None:
            return error
        version = current["meta"]["versionId"]
        if resource.get("id") != observation_id:
            return problem(400, "invalid", "the resource id must match the URL")
        if request.headers.get("if-match", f'W/"{version}"') != f'W/"{version}"':
            return problem(412, "conflict", "the resource changed since that version")
        stored = {**resource, "meta": {**resource.get("meta", {}), "versionId": str(int(version) + 1)}}
        state.observations[observation_id] = stored
        state.updates.append(stored)
        return fhir(stored, 200, _location(base(request), stored))

    handlers = [metadata, smart, search_patients, read_patient, create_observation, search_observations,
                read_observation, update_observation]
    return Router(path=fhir_path, route_handlers=handlers)


def _valid_observation(body: bytes) -> tuple[dict[str, Any], Response[Any] | None]:
    try:
        resource = json.loads(body)
    except ValueError:
        return {}, problem(400, "structure", "the body is not JSON")
    if not isinstance(resource, dict) or resource.get("resourceType") != "Observation":
        return {}, problem(400, "structure", "the body is not an Observation")
    try:
        Observation.model_validate(resource)
    except ValidationError as error:  # locations and messages only: never echo the input
        issues = error.errors(include_input=False)
        where = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in issues)
        return {}, problem(400, "structure", f"Observation is invalid: {where}"[:500])
    return resource, None


def _number(value: str | None, default: int) -> int:
    return int(value) if value and value.isdigit() else default


def _matching(state: SandboxState, token: str) -> list[dict[str, Any]]:
    system, bar, value = token.rpartition("|")
    return state.observations_with(system if bar else None, value) if value else []


def _location(base: str, resource: dict[str, Any]) -> dict[str, str]:
    version = resource["meta"]["versionId"]
    return {"location": f"{base}/Observation/{resource['id']}/_history/{version}", "etag": f'W/"{version}"'}
