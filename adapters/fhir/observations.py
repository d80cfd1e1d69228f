"""ObservationDraft → FHIR R4 Observation JSON (US Core 6.1.0 vital signs; lab result for glucose)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from domain.observations import OBSERVATION_IDENTIFIER_SYSTEM, ObservationCode, ObservationDraft
from domain.readings import Quantity, Unit, VitalSign
from domain.validation import MMOL_TO_MG_DL

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
SOURCE = "urn:vantrexia:rpm"
DEVICE_DISPLAY = "Vantrexia RPM"
UNIT_DISPLAY = {Unit.MM_HG: "mmHg", Unit.PER_MIN: "beats/minute", Unit.PERCENT: "%", Unit.KG: "kg",
                Unit.MG_DL: "mg/dL", Unit.MMOL_L: "mmol/L"}
TO_MG_DL = {Unit.MG_DL: Decimal(1), Unit.MMOL_L: MMOL_TO_MG_DL}
MEAL_NOTE = {"before": "Measured before a meal", "after": "Measured after a meal"}


@dataclass(frozen=True)
class Profile:
    url: str
    category: str
    codings: tuple[tuple[str, str], ...]
    sign: VitalSign | None  # the valueQuantity's vital sign (None: components)
    unit: Unit  # the only UCUM unit this mapping sends for the profile


PROFILES: dict[ObservationCode, Profile] = {
    ObservationCode.BLOOD_PRESSURE: Profile(
        US_CORE + "us-core-blood-pressure", "vital-signs",
        (("85354-9", "Blood pressure panel with all children optional"),), None, Unit.MM_HG),
    ObservationCode.HEART_RATE: Profile(
        US_CORE + "us-core-heart-rate", "vital-signs", (("8867-4", "Heart rate"),), VitalSign.PULSE, Unit.PER_MIN),
    ObservationCode.SPO2: Profile(
        US_CORE + "us-core-pulse-oximetry", "vital-signs",
        (("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"),
         ("2708-6", "Oxygen saturation in Arterial blood")), VitalSign.SPO2, Unit.PERCENT),
    ObservationCode.BODY_WEIGHT: Profile(
        US_CORE + "us-core-body-weight", "vital-signs", (("29463-7", "Body weight"),), VitalSign.BODY_WEIGHT,
        Unit.KG),
    ObservationCode.GLUCOSE: Profile(
        US_CORE + "us-core-observation-lab", "laboratory",
        (("41653-7", "Glucose [Mass/volume] in Capillary blood by Glucometer"),), VitalSign.GLUCOSE,
        Unit.MG_DL),
}
BP_COMPONENTS = ((VitalSign.SYSTOLIC, "8480-6", "Systolic blood pressure"),
                 (VitalSign.DIASTOLIC, "8462-4", "Diastolic blood pressure"))


def to_observation(draft: ObservationDraft) -> dict[str, Any]:
    """The Observation JSON for one draft; identifier `{reading id}-{LOINC}` makes creation idempotent."""
    profile = PROFILES[draft.code]
    patient = {"reference": f"Patient/{draft.emr_patient_id}"}
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "meta": {"profile": [profile.url], "source": SOURCE},
        "identifier": [{"system": OBSERVATION_IDENTIFIER_SYSTEM, "value": draft.identifier}],
        "status": "final",
        "category": [{"coding": [{"system": CATEGORY_SYSTEM, "code": profile.category}]}],
        "code": _concept(profile.codings),
        "subject": patient,
        "performer": [patient],
        "effectiveDateTime": draft.reading.measured_at.isoformat(),
        "device": {"display": f"{DEVICE_DISPLAY} ({draft.device_model})" if draft.device_model else DEVICE_DISPLAY},
    }
    if profile.sign is None:
        resource["component"] = [
            {"code": _concept(((code, text),)), "valueQuantity": _quantity(draft, _sign(draft, sign), profile.unit)}
            for sign, code, text in BP_COMPONENTS
        ]
    else:
        resource["valueQuantity"] = _quantity(draft, _converted(draft, profile.sign), profile.unit)
    note = MEAL_NOTE.get(draft.reading.measurement.context.get("meal", ""))
    if draft.code is ObservationCode.GLUCOSE and note:
        resource["note"] = [{"text": note}]
    return resource


def _concept(codings: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    return {"coding": [{"system": LOINC, "code": code, "display": text} for code, text in codings],
            "text": codings[0][1]}


def _sign(draft: ObservationDraft, sign: VitalSign) -> Quantity:
    quantity = draft.reading.value(sign)
    if quantity is None:
        raise ValueError(f"reading {draft.reading.id} has no {sign} for {draft.code}")
    return quantity


def _converted(draft: ObservationDraft, sign: VitalSign) -> Quantity:
    quantity = _sign(draft, sign)
    if sign is not VitalSign.GLUCOSE:
        return quantity
    factor = TO_MG_DL.get(quantity.unit)
    if factor is None:
        raise ValueError(f"reading {draft.reading.id} has glucose in an unexpected unit")
    # 41653-7 is a mass concentration: whole mg/dL, rounded once from the exact product
    return Quantity((quantity.value * factor).quantize(Decimal(1), rounding=ROUND_HALF_UP), Unit.MG_DL)


def _quantity(draft: ObservationDraft, quantity: Quantity, unit: Unit) -> dict[str, Any]:
    if quantity.unit is not unit:
        raise ValueError(f"reading {draft.reading.id} has {quantity.unit} where {draft.code} needs {unit}")
    return {"value": json_number(quantity.value), "unit": UNIT_DISPLAY[quantity.unit], "system": UCUM,
            "code": quantity.unit.value}


def json_number(value: Decimal) -> int | float:
    """FHIR decimals are JSON numbers: integers stay integers."""
    return int(value) if value == value.to_integral_value() else float(value)
