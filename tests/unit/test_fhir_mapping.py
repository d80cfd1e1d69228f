"""Readings as FHIR R4 Observations: structure checked with fhir.resources (R4B models), US Core
6.1.0 must-haves checked explicitly (fhir.resources validates structure only)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation

from adapters.fhir.bundle import observation_bundle
from adapters.fhir.observations import to_observation
from domain.observations import ObservationCode, ObservationDraft, observation_codes
from domain.readings import Measurement, Quantity, Reading, ReadingKind, ReadingStatus, Unit, VitalSign

AT = datetime(2026, 11, 20, 8, 59, 54, tzinfo=timezone(timedelta(hours=-5)))
IMEI = "860013045678901"
US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"


def reading(kind: ReadingKind, values: dict[VitalSign, tuple[str, Unit]], **context: str) -> Reading:
    measurement = Measurement(kind, AT, {s: Quantity(Decimal(v), u) for s, (v, u) in values.items()}, context)
    return Reading("r-1", "dev-1", "1", measurement, ReadingStatus.ACCEPTED, "p-1", datetime.now(UTC))


BP = reading(ReadingKind.BLOOD_PRESSURE, {
    VitalSign.SYSTOLIC: ("128", Unit.MM_HG), VitalSign.DIASTOLIC: ("82", Unit.MM_HG),
    VitalSign.PULSE: ("71", Unit.PER_MIN),
})
SPO2 = reading(ReadingKind.SPO2, {VitalSign.SPO2: ("96", Unit.PERCENT), VitalSign.PULSE: ("74", Unit.PER_MIN)})
WEIGHT = reading(ReadingKind.BODY_WEIGHT, {VitalSign.BODY_WEIGHT: ("70.747", Unit.KG)})
GLUCOSE = reading(ReadingKind.GLUCOSE, {VitalSign.GLUCOSE: ("6.4", Unit.MMOL_L)}, meal="before")

CASES = [
    (BP, ObservationCode.BLOOD_PRESSURE, "us-core-blood-pressure", "vital-signs", None),
    (BP, ObservationCode.HEART_RATE, "us-core-heart-rate", "vital-signs", (71, "/min")),
    (SPO2, ObservationCode.SPO2, "us-core-pulse-oximetry", "vital-signs", (96, "%")),
    (SPO2, ObservationCode.HEART_RATE, "us-core-heart-rate", "vital-signs", (74, "/min")),
    (WEIGHT, ObservationCode.BODY_WEIGHT, "us-core-body-weight", "vital-signs", (70.747, "kg")),
    (GLUCOSE, ObservationCode.GLUCOSE, "us-core-observation-lab", "laboratory", (115, "mg/dL")),
]


def draft(r: Reading, code: ObservationCode) -> ObservationDraft:
    return ObservationDraft(code, r, "ecw-patient-42", "TMB-2092-G")


@pytest.mark.parametrize(("r", "code", "profile", "category", "value"), CASES)
def test_observation_meets_us_core(r: Reading, code: ObservationCode, profile: str, category: str,
                                   value: tuple[float, str] | None) -> None:
    resource = to_observation(draft(r, code))
    Observation.model_validate(resource)  # FHIR R4 structure
    assert resource["meta"]["profile"] == [US_CORE + profile]
    assert resource["meta"]["source"] == "urn:vantrexia:rpm"
    assert resource["status"] == "final"
    (cat,) = resource["category"]
    assert cat["coding"] == [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": category}]
    assert resource["code"]["coding"][0] == {**resource["code"]["coding"][0], "system": "http://loinc.org",
                                             "code": code.value}
    assert resource["subject"] == {"reference": "Patient/ecw-patient-42"}
    assert resource["performer"] == [resource["subject"]]
    assert resource["effectiveDateTime"] == "2026-11-20T08:59:54-05:00"
    assert resource["identifier"] == [{"system": "urn:vantrexia:observation", "value": f"r-1-{code.value}"}]
    assert resource["device"] == {"display": "Vantrexia RPM (TMB-2092-G)"}
    if value is not None:
        quantity = resource["valueQuantity"]
        assert (quantity["value"], quantity["code"], quantity["system"]) == (*value, "http://unitsofmeasure.org")


def test_blood_pressure_has_systolic_and_diastolic_components_and_no_value() -> None:
    resource = to_observation(draft(BP, ObservationCode.BLOOD_PRESSURE))
    assert "valueQuantity" not in resource
    components = {c["code"]["coding"][0]["code"]: c["valueQuantity"] for c in resource["component"]}
    assert components == {
        "8480-6": {"value": 128, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"},
        "8462-4": {"value": 82, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"},
    }


def test_pulse_oximetry_carries_both_loinc_codings() -> None:
    codes = [c["code"] for c in to_observation(draft(SPO2, ObservationCode.SPO2))["code"]["coding"]]
    assert codes == ["59408-5", "2708-6"]


def test_glucose_keeps_the_meal_context_as_a_note() -> None:
    assert to_observation(draft(GLUCOSE, ObservationCode.GLUCOSE))["note"] == [{"text": "Measured before a meal"}]


def test_no_device_identifier_appears_anywhere() -> None:
    for r, code, *_ in CASES:
        assert IMEI not in repr(to_observation(draft(r, code)))
        assert "dev-1" not in repr(to_observation(draft(r, code)))


def test_bundle_is_a_reproducible_collection() -> None:
    drafts = [draft(BP, code) for code in observation_codes(BP)]
    bundle = observation_bundle(drafts)
    Bundle.model_validate(bundle)
    assert bundle["type"] == "collection"
    assert [e["resource"]["code"]["coding"][0]["code"] for e in bundle["entry"]] == ["85354-9", "8867-4"]
    assert bundle == observation_bundle(drafts)
    assert all(e["fullUrl"].startswith("urn:uuid:") for e in bundle["entry"])


def test_a_missing_value_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no pulse"):
        to_observation(draft(WEIGHT, ObservationCode.HEART_RATE))


