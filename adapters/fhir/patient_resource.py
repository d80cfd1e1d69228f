"""FHIR R4 Patient JSON → the EMR port's EmrPatient (name, birth date, MRN, phone, address)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from domain.patients import EmrPatient

MRN_TYPE_CODE = "MR"  # v2-0203 identifier type "Medical record number"
NAME_PREFERENCE = ("official", "usual", None)
PHONE_PREFERENCE = ("mobile", "home", "work", None)


def emr_patient(resource: Mapping[str, Any]) -> EmrPatient:
    """Fields the import copies; missing or malformed parts become None (never an exception)."""
    return EmrPatient(
        emr_patient_id=str(resource.get("id", "")),
        name=_name(resource.get("name")),
        birth_date=_date(resource.get("birthDate")),
        mrn=_mrn(resource.get("identifier")),
        phone=_phone(resource.get("telecom")),
        address=_address(resource.get("address")),
    )


def _items(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _preferred(items: list[dict[str, Any]], order: tuple[str | None, ...]) -> dict[str, Any] | None:
    for use in order:
        for item in items:
            if use is None or item.get("use") == use:
                return item
    return None


def _name(value: Any) -> str:
    name = _preferred([n for n in _items(value) if n.get("use") not in ("old", "nickname")], NAME_PREFERENCE)
    if name is None:
        return ""
    if isinstance(name.get("text"), str) and name["text"].strip():
        return " ".join(name["text"].split())
    given = [g for g in name.get("given") or [] if isinstance(g, str)]
    family = str(name["family"]) if isinstance(name.get("family"), str) else ""
    return " ".join([*given, family]).strip()


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) != 10:
        return None  # a partial date (YYYY or YYYY-MM) is not a birth date we can store
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _mrn(value: Any) -> str | None:
    for identifier in _items(value):
        codings = _items((identifier.get("type") or {}).get("coding"))
        if any(c.get("code") == MRN_TYPE_CODE for c in codings) and isinstance(identifier.get("value"), str):
            return str(identifier["value"])
    return None


def _phone(value: Any) -> str | None:
    phones = [t for t in _items(value) if t.get("system") == "phone" and isinstance(t.get("value"), str)]
    chosen = _preferred(phones, PHONE_PREFERENCE)
    return str(chosen["value"]) if chosen else None


def _address(value: Any) -> str | None:
    address = _preferred([a for a in _items(value) if a.get("use") != "old"], ("home", None))
    if address is None:
        return None
    if isinstance(address.get("text"), str) and address["text"].strip():
        return str(address["text"])
    lines = [line for line in address.get("line") or [] if isinstance(line, str)]
    city = address.get("city") if isinstance(address.get("city"), str) else ""
    place = " ".join(str(address[k]) for k in ("state", "postalCode") if isinstance(address.get(k), str))
    return ", ".join(part for part in (*lines, city, place) if part) or None
