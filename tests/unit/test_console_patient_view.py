"""How the console's patient page shows readings, charts, thresholds and sync items."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from application.reports import VitalsReport
from domain.errors import InvalidInput
from domain.readings import Measurement, Quantity, Reading, ReadingKind, ReadingStatus, Unit, VitalSign
from domain.sync import OutboxItem, SyncStatus
from domain.triage import Thresholds
from entrypoints.console.pages.patient_view import (
    charts,
    reading_rows,
    sync_rows,
    threshold_fields,
    threshold_overrides,
)
from tests.unit.conftest import LOCAL, NOW


def a_reading(kind: ReadingKind, values: dict[VitalSign, Quantity], hours_ago: int = 1) -> Reading:
    measured = (NOW - timedelta(hours=hours_ago)).astimezone(LOCAL)
    return Reading(id=f"r-{kind.value}-{hours_ago}", device_id="d-1", user_slot="1",
                   measurement=Measurement(kind, measured, values), status=ReadingStatus.ACCEPTED,
                   patient_id="p-1", recorded_at=NOW)


BP = a_reading(ReadingKind.BLOOD_PRESSURE, {VitalSign.PULSE: Quantity(Decimal(71), Unit.PER_MIN),
                                            VitalSign.SYSTOLIC: Quantity(Decimal("128.0"), Unit.MM_HG),
                                            VitalSign.DIASTOLIC: Quantity(Decimal(82), Unit.MM_HG)})
SPO2 = a_reading(ReadingKind.SPO2, {VitalSign.SPO2: Quantity(Decimal(97), Unit.PERCENT)}, hours_ago=2)


def test_a_reading_shows_each_value_with_its_unit_in_utc() -> None:
    (row,) = reading_rows([BP])
    assert (row.measured_at, row.kind, row.values, row.status) == (
        f"{NOW - timedelta(hours=1):%Y-%m-%d %H:%M} UTC", "Blood pressure",
        ("Systolic 128 mmHg", "Diastolic 82 mmHg", "Pulse 71 /min"), "accepted")


def test_one_chart_per_kind_of_reading_with_the_patients_threshold_bands() -> None:
    report = VitalsReport("p-1", NOW - timedelta(days=30), NOW, [SPO2, BP], replace(Thresholds(),
                          spo2_low_below=Decimal(93)))
    drawn = charts(report)
    assert [c.kind for c in drawn] == ["Blood pressure", "Oxygen saturation"]
    assert "Systolic blood pressure" in drawn[0].svg
    assert "Oxygen saturation" not in drawn[0].svg
    assert drawn[1].svg.count("<circle") == 1
    assert charts(replace(report, readings=[])) == []


def test_thresholds_that_differ_from_the_defaults_become_overrides() -> None:
    form = {f.name: f.value for f in threshold_fields(Thresholds())}
    assert threshold_overrides(form) == {}
    form["systolic_crisis_above"] = " 170.5 "
    assert threshold_overrides(form) == {"systolic_crisis_above": Decimal("170.5")}
    shown = {f.name: f for f in threshold_fields(replace(Thresholds(), systolic_crisis_above=Decimal(170)))}
    assert (shown["systolic_crisis_above"].value, shown["systolic_crisis_above"].overridden,
            shown["systolic_crisis_above"].unit) == ("170", True, "mmHg")
    assert not shown["spo2_low_below"].overridden


@pytest.mark.parametrize("value", ["", "ninety", "1e"])
def test_an_unreadable_threshold_is_refused(value: str) -> None:
    form = {f.name: f.value for f in threshold_fields(Thresholds())}
    form["pulse_low_below"] = value
    with pytest.raises(InvalidInput):
        threshold_overrides(form)


def test_sync_items_show_the_observation_the_emr_answer_and_whether_dead() -> None:
    base = OutboxItem(id="s-1", topic="emr.push", status=SyncStatus.DELIVERED, created_at=NOW, updated_at=NOW,
                      next_attempt_at=NOW, reading_id="r-1", patient_id="p-1", code="85354-9", attempts=1,
                      http_status=201, external_id="obs-1")
    dead = replace(base, id="s-2", code="8867-4", status=SyncStatus.DEAD, http_status=422, external_id=None,
                   last_error="rejected by the EMR")
    rows = sync_rows([base, dead])
    assert [(r.observation, r.status, r.answer, r.dead) for r in rows] == [
        ("Blood pressure", "delivered", "HTTP 201 · obs-1", False),
        ("Heart rate", "dead", "HTTP 422 · rejected by the EMR", True)]


def test_every_threshold_has_a_label() -> None:
    assert [f.name for f in threshold_fields(Thresholds())] == list(Thresholds.names())
