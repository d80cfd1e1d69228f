"""What a FHIR server says it can do, from its CapabilityStatement (`GET [base]/metadata`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.ports.emr import EmrCapabilities

RESOURCES = ("Patient", "Observation")  # the resource types this integration uses
READ_INTERACTIONS = {"read", "vread", "search-type"}
WRITE_INTERACTIONS = {"create", "update", "patch"}


def connection_from(statement: Mapping[str, Any], base_url: str) -> EmrCapabilities:
    """fhirVersion, "<Type>.read"/"<Type>.write" capabilities, Observation create and conditional create."""
    resources = _server_resources(statement)
    capabilities: list[str] = []
    for name in RESOURCES:
        interactions = _interactions(resources.get(name, {}))
        if interactions & READ_INTERACTIONS:
            capabilities.append(f"{name}.read")
        if interactions & WRITE_INTERACTIONS:
            capabilities.append(f"{name}.write")
    observation = resources.get("Observation", {})
    return EmrCapabilities(
        base_url=base_url,
        fhir_version=str(statement.get("fhirVersion", "unknown")),
        capabilities=tuple(capabilities),
        supports_observation_create="create" in _interactions(observation),
        supports_conditional_create=observation.get("conditionalCreate") is True,
    )


def _server_resources(statement: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    found: dict[str, Mapping[str, Any]] = {}
    rests = statement.get("rest")
    for rest in rests if isinstance(rests, list) else []:
        if not isinstance(rest, dict) or rest.get("mode", "server") != "server":
            continue
        for resource in rest.get("resource") or []:
            if isinstance(resource, dict) and isinstance(resource.get("type"), str):
                found[resource["type"]] = resource
    return found


def _interactions(resource: Mapping[str, Any]) -> set[str]:
    items = resource.get("interaction")
    return {str(i.get("code")) for i in items if isinstance(i, dict)} if isinstance(items, list) else set()
