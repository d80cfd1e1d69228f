"""Readings as FHIR R4 Observations: structure checked with fhir.resources (R4B models), US Core
6.1.0 must-haves checked explicitly (fhir.resources validates structure only)."""

from __future__ import annotations

import json
import re
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


def reading(kind: ReadingKind, values: dict[VitalSign, tuple[str, Unit]], at: datetime = AT, reading_id: str = "r-1",
            **context: str) -> Reading:
    measurement = Measurement(kind, at, {s: Quantity(Decimal(v), u) for s, (v, u) in values.items()}, context)
    # The gateway's IMEI as device id is the worst case: it must still never reach the EMR.
    return Reading(reading_id, IMEI, "1", measurement, ReadingStatus.ACCEPTED, "p-1", datetime.now(UTC))


BP = reading(ReadingKind.BLOOD_PRESSURE, {
    VitalSign.SYSTOLIC: ("128", Unit.MM_HG), VitalSign.DIASTOLIC: ("82", Unit.MM_HG),
    VitalSign.PULSE: ("71", Unit.PER_MIN),
})
SPO2 = reading(ReadingKind.SPO2, {VitalSign.SPO2: ("96", Unit.PERCENT), VitalSign.PULSE: ("74", Unit.PER_MIN)},
               reading_id="r-2")
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
    assert resource["identifier"] == [{"system": "urn:vantrexia:observation", "value": f"{r.id}-{code.value}"}]
    assert resource["device"] == {"display": "Vantrexia RPM (TMB-2092-G)"}
    assert resource["code"]["text"]
    assert ("component" in resource) is (value is None)
    if value is not None:
        quantity = resource["valueQuantity"]
        assert (quantity["value"], quantity["code"], quantity["system"]) == (*value, "http://unitsofmeasure.org")
        assert quantity["unit"]


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
        assert IMEI not in json.dumps(to_observation(draft(r, code)))


@pytest.mark.parametrize(
    ("value", "unit", "mg_dl"),
    [("6.4", Unit.MMOL_L, 115), ("5.3", Unit.MMOL_L, 95), ("3.8", Unit.MMOL_L, 68), ("110", Unit.MG_DL, 110),
     ("99.5", Unit.MG_DL, 100)],
)
def test_glucose_is_sent_as_whole_mg_dl_rounded_once(value: str, unit: Unit, mg_dl: int) -> None:
    resource = to_observation(draft(reading(ReadingKind.GLUCOSE, {VitalSign.GLUCOSE: (value, unit)}),
                                    ObservationCode.GLUCOSE))
    assert resource["valueQuantity"] == {"value": mg_dl, "unit": "mg/dL", "system": "http://unitsofmeasure.org",
                                         "code": "mg/dL"}


def test_the_measurement_offset_is_preserved() -> None:
    india = datetime(2026, 11, 20, 19, 29, 54, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    weight = reading(ReadingKind.BODY_WEIGHT, {VitalSign.BODY_WEIGHT: ("70", Unit.KG)}, at=india)
    resource = to_observation(draft(weight, ObservationCode.BODY_WEIGHT))
    Observation.model_validate(resource)
    assert resource["effectiveDateTime"] == "2026-11-20T19:29:54+05:30"


def test_bundle_is_a_reproducible_collection_of_valid_observations() -> None:
    drafts = [draft(r, code) for r in (BP, SPO2) for code in observation_codes(r)]
    bundle = observation_bundle(drafts)
    Bundle.model_validate(bundle)
    assert bundle["resourceType"] == "Bundle"
    assert bundle["type"] == "collection"
    entries = bundle["entry"]
    assert [e["resource"] for e in entries] == [to_observation(d) for d in drafts]
    assert [e["resource"]["code"]["coding"][0]["code"] for e in entries] == ["85354-9", "8867-4", "59408-5", "8867-4"]
    urls = [e["fullUrl"] for e in entries]
    assert all(re.fullmatch(r"urn:uuid:[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", u) for u in urls)
    assert len(set(urls)) == len(urls)
    assert bundle == observation_bundle(drafts)


def test_a_missing_value_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no pulse"):
        to_observation(draft(WEIGHT, ObservationCode.HEART_RATE))




def test_a_value_in_the_wrong_unit_is_refused_not_relabelled() -> None:
    kilograms_as_spo2 = reading(ReadingKind.SPO2, {VitalSign.SPO2: ("96", Unit.KG)})
    with pytest.raises(ValueError, match="needs %"):
        to_observation(draft(kilograms_as_spo2, ObservationCode.SPO2))


def test_the_device_is_named_by_model_only() -> None:
    unnamed = ObservationDraft(ObservationCode.BODY_WEIGHT, WEIGHT, "ecw-patient-42", "")
    assert to_observation(unnamed)["device"] == {"display": "Vantrexia RPM"}


@pytest.mark.parametrize(("r", "code"), [(r, code) for r, code, *_ in CASES])
def test_the_plain_body_sent_on_the_push_path_is_exactly_what_the_fhir_model_makes_of_it(
    r: Reading, code: ObservationCode
) -> None:
    resource = to_observation(draft(r, code))  # plain dicts: no model is built per push
    model = Observation.model_validate(resource)
    assert json.loads(model.model_dump_json(exclude_none=True)) == resource
