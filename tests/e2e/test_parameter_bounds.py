"""Paging and date-time query parameters are bounded: out of range is a 422 problem, never a 5xx;
nor is a value the database itself refuses (Postgres: a NUL character in text).

Against the SQL adapter (SQLite and Postgres), where an unbounded page once overflowed the OFFSET.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from application.queries import MAX_PAGE, MAX_PAGE_SIZE
from domain.users import Role
from tests.support.api import enrol_patient, login_stored

Client = AsyncTestClient[Litestar]
BEYOND_BIGINT = "9223372036854775809"
LISTS = ["/api/v1/patients", "/api/v1/alerts", "/api/v1/devices", "/api/v1/audit",
         "/api/v1/patients/{patient_id}/readings"]


@pytest.fixture
async def admin(sql_client: Client) -> dict[str, str]:
    return await login_stored(sql_client, "bounds-admin", Role.ADMIN)


@pytest.fixture
async def patient_id(sql_client: Client, admin: dict[str, str]) -> str:
    return (await enrol_patient(sql_client, admin)).patient_id


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("query", [f"page={BEYOND_BIGINT}", f"page={MAX_PAGE + 1}", "page=0", "page=two",
                                   "page_size=0", f"page_size={10**30}"])
async def test_a_page_out_of_bounds_is_a_422_problem(
    sql_client: Client, admin: dict[str, str], patient_id: str, path: str, query: str
) -> None:
    response = await sql_client.get(f"{path.format(patient_id=patient_id)}?{query}", headers=admin)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [error["key"] for error in response.json()["errors"]] == [query.split("=")[0]]


@pytest.mark.parametrize("path", LISTS)
async def test_the_last_page_allowed_is_an_empty_page_not_an_error(
    sql_client: Client, admin: dict[str, str], patient_id: str, path: str
) -> None:
    response = await sql_client.get(f"{path.format(patient_id=patient_id)}?page={MAX_PAGE}&page_size={MAX_PAGE_SIZE}",
                                    headers=admin)
    assert response.status_code == 200, response.text
    assert (response.json()["page"], response.json()["page_size"]) == (MAX_PAGE, MAX_PAGE_SIZE)


@pytest.mark.parametrize(("path", "name", "value"), [
    ("/api/v1/audit", "since", "2026-11-20T00:00:00"),
    ("/api/v1/audit", "until", "0001-01-01T00:00:00+01:00"),
    ("/api/v1/audit", "since", "9999-12-31T23:59:59-01:00"),
    ("/api/v1/reports/patients/{patient_id}/vitals", "from", "2026-11-20T00:00:00"),
    ("/api/v1/reports/patients/{patient_id}/vitals", "to", "0001-01-05T00:00:00Z"),
    ("/api/v1/reports/patients/{patient_id}/vitals", "to", "9999-12-31T23:59:59-01:00"),
])
async def test_a_date_time_without_offset_or_out_of_range_is_a_422_problem(
    sql_client: Client, admin: dict[str, str], patient_id: str, path: str, name: str, value: str
) -> None:
    response = await sql_client.get(path.format(patient_id=patient_id), params={name: value}, headers=admin)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [error["key"] for error in response.json()["errors"]] == [name]


NUL = "a\x00b"


@pytest.mark.parametrize(("method", "path", "options"), [
    ("GET", "/api/v1/patients/a%00b", {}),
    ("GET", "/api/v1/devices/a%00b", {}),
    ("GET", "/api/v1/readings/a%00b/fhir", {}),
    ("GET", "/api/v1/alerts", {"params": {"patient_id": NUL}}),
    ("GET", "/api/v1/audit", {"params": {"actor": NUL}}),
    ("POST", "/api/v1/devices", {"json": {"gateway_device_id": NUL, "model_number": NUL}}),
    ("POST", "/api/v1/notifications/tokens", {"json": {"token": NUL * 10, "platform": "android"}}),
    ("POST", "/api/v1/auth/token", {"json": {"username": NUL, "password": NUL}}),
])
async def test_text_the_database_cannot_hold_is_never_a_server_error(
    sql_client: Client, admin: dict[str, str], method: str, path: str, options: dict[str, Any]
) -> None:
    response = await sql_client.request(method, path, headers=admin, **options)
    assert response.status_code < 500, response.text
    if response.status_code == 422:
        assert response.json()["detail"] == "a value in the request cannot be stored (for example a NUL character)"
