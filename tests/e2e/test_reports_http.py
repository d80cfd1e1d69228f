"""The vitals report: JSON, CSV and an SVG chart a clinician can read."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.api import enrol_patient
from tests.support.app import deliver, fixture

Client = AsyncTestClient[Litestar]
PERIOD = "from=2026-11-19T00:00:00Z&to=2026-11-21T00:00:00Z"
SVG = "{http://www.w3.org/2000/svg}"


async def _patient_with_readings(client: Client, auth: dict[str, str]) -> str:
    ids = await enrol_patient(client, auth)
    await deliver(client, fixture("bp_normal"))
    await deliver(client, fixture("bp_crisis"))
    return ids.patient_id


async def test_json_lists_the_readings_and_the_thresholds(client: Client, auth: dict[str, str]) -> None:
    patient_id = await _patient_with_readings(client, auth)
    body = (await client.get(f"/api/v1/reports/patients/{patient_id}/vitals/?{PERIOD}", headers=auth)).json()
    assert [r["values"]["systolic"]["value"] for r in body["readings"]] == [128, 186]
    assert body["thresholds"]["systolic_crisis_above"] == 180


async def test_csv_has_one_row_per_value(client: Client, auth: dict[str, str]) -> None:
    patient_id = await _patient_with_readings(client, auth)
    response = await client.get(f"/api/v1/reports/patients/{patient_id}/vitals/?{PERIOD}&format=csv", headers=auth)
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 6
    assert {(r["measure"], r["value"], r["unit"]) for r in rows if r["value"] == "186"} == {
        ("systolic", "186", "mm[Hg]")}


async def test_svg_chart_draws_points_over_threshold_bands(client: Client, auth: dict[str, str]) -> None:
    patient_id = await _patient_with_readings(client, auth)
    response = await client.get(f"/api/v1/reports/patients/{patient_id}/vitals/?{PERIOD}&format=svg", headers=auth)
    assert response.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(response.text)
    titles = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert any(t.startswith("Systolic blood pressure") for t in titles)
    assert any(t.startswith("Heart rate") for t in titles)
    assert len(list(root.iter(f"{SVG}circle"))) == 6  # systolic, diastolic and pulse of two readings
    assert {r.get("fill") for r in root.iter(f"{SVG}rect")} >= {"#fde7b0", "#f8c4c0"}  # warning and critical bands


async def test_bad_periods_and_unknown_patients_are_clear_errors(client: Client, auth: dict[str, str]) -> None:
    patient_id = await _patient_with_readings(client, auth)
    backwards = await client.get(
        f"/api/v1/reports/patients/{patient_id}/vitals/?from=2026-11-21T00:00:00Z&to=2026-11-19T00:00:00Z",
        headers=auth)
    assert backwards.status_code == 400
    assert (await client.get("/api/v1/reports/patients/nobody/vitals/", headers=auth)).status_code == 404
    bad_format = await client.get(f"/api/v1/reports/patients/{patient_id}/vitals/?format=pdf", headers=auth)
    assert bad_format.status_code == 422
