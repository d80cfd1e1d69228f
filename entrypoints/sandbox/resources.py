"""FHIR JSON the sandbox serves: Patients, Bundles, OperationOutcomes, its CapabilityStatement."""

from __future__ import annotations

from typing import Any

from domain.patients import EmrPatient

V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
MRN_SYSTEM = "urn:oid:2.16.840.1.113883.3.564.1"  # an invented MRN namespace of the sandbox practice


def patient_resource(patient: EmrPatient) -> dict[str, Any]:
    """A US-Core-shaped Patient: several names, identifiers and telecoms, so mapping must choose."""
    given, _, family = patient.name.rpartition(" ")
    street, _, city = (patient.address or "").partition(", ")
    return {
        "resourceType": "Patient",
        "id": patient.emr_patient_id,
        "meta": {"versionId": "1"},
        "identifier": [
            {"use": "secondary", "system": "urn:sandbox:chart-number", "value": f"C{patient.emr_patient_id[-4:]}"},
            {"use": "usual", "type": {"coding": [{"system": V2_0203, "code": "MR"}]}, "system": MRN_SYSTEM,
             "value": patient.mrn},
        ],
        "active": True,
        "name": [
            {"use": "nickname", "given": [given[:2]]},
            {"use": "official", "family": family, "given": given.split()},
        ],
        "telecom": [
            {"system": "email", "value": f"{patient.emr_patient_id}@example.invalid"},
            {"system": "phone", "use": "home", "value": patient.phone},
        ],
        "gender": "unknown",
        "birthDate": patient.birth_date.isoformat() if patient.birth_date else None,
        "address": [{"use": "home", "line": [street], "city": city, "state": "IL", "postalCode": "62701"}],
    }


def searchset(base: str, resources: list[dict[str, Any]], total: int, links: dict[str, str]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle", "type": "searchset", "total": total,
        "link": [{"relation": relation, "url": url} for relation, url in links.items()],
        "entry": [{"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "match"}}
                  for r in resources],
    }


def operation_outcome(code: str, diagnostics: str, severity: str = "error") -> dict[str, Any]:
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}]}


def capability_statement(conditional_create: bool, token_url: str) -> dict[str, Any]:
    """FHIR 4.0.1, SMART security; Observation conditionalCreate as configured."""
    return {
        "resourceType": "CapabilityStatement", "status": "active", "date": "2026-11-01", "kind": "instance",
        "fhirVersion": "4.0.1", "format": ["json"],
        "rest": [{
            "mode": "server",
            "security": {
                "service": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                         "code": "SMART-on-FHIR"}]}],
                "extension": [{"url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                               "extension": [{"url": "token", "valueUri": token_url}]}],
            },
            "resource": [
                {"type": "Patient", "interaction": [{"code": "read"}, {"code": "search-type"}],
                 "searchParam": [{"name": "_count", "type": "number"}]},
                {"type": "Observation",
                 "interaction": [{"code": "read"}, {"code": "search-type"}, {"code": "create"}, {"code": "update"}],
                 "conditionalCreate": conditional_create,
                 "searchParam": [{"name": "identifier", "type": "token"}]},
            ],
        }],
    }


def smart_configuration(token_url: str, authorize_url: str) -> dict[str, Any]:
    return {
        "issuer": token_url.rsplit("/", 1)[0],
        "token_endpoint": token_url,
        "authorization_endpoint": authorize_url,
        "grant_types_supported": ["client_credentials", "authorization_code"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt", "client_secret_basic"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS384"],
        "scopes_supported": ["system/Patient.read", "system/Observation.write", "system/Observation.read"],
        "code_challenge_methods_supported": ["S256"],
        "capabilities": ["client-confidential-asymmetric", "client-confidential-symmetric",
                         "launch-standalone", "permission-v1"],
    }
