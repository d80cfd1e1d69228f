"""Not found and not yours answer the same, on every route that takes an id (issue 14, defect 5).

The answer for another practice's id is compared with the answer for an id that does not exist: same
status, same problem body (but for the request id), and no id of any resource in it.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.users import Role
from tests.e2e.test_practice_scoping import practices  # noqa: F401 - the two-practice fixture
from tests.support.api import login
from tests.support.world import World

MISSING = "00000000-0000-4000-8000-000000000000"
PERIOD = "?from=2026-11-01T00:00:00Z&to=2026-11-21T00:00:00Z"


def _routes(theirs: dict[str, str], own_patient: str) -> list[tuple[str, str, str, Any]]:
    """(method, path template, the other practice's id, body) for every id-taking route of a clinician."""
    patient, reading, alert, device = theirs["patient_id"], theirs["reading_id"], theirs["alert_id"], \
        theirs["device_id"]
    return [
        ("GET", "/api/v1/patients/{}", patient, None),
        ("GET", "/api/v1/patients/{}/readings", patient, None),
        ("GET", "/api/v1/patients/{}/sync-status", patient, None),
        ("GET", "/api/v1/patients/{}/thresholds/", patient, None),
        ("PUT", "/api/v1/patients/{}/thresholds/", patient, {"thresholds": {"systolic_stage2_from": 150}}),
        ("PUT", "/api/v1/patients/{}/consent/", patient, {"rpm_consent": True}),
        ("POST", "/api/v1/patients/{}/time-entries/", patient, {"minutes": 20, "interactive": True}),
        ("GET", "/api/v1/reports/patients/{}/vitals/" + PERIOD, patient, None),
        ("GET", "/api/v1/readings/{}/fhir", reading, None),
        ("POST", "/api/v1/readings/{}/entered-in-error/", reading, None),
        ("POST", "/api/v1/alerts/{}/acknowledge/", alert, None),
        ("POST", "/api/v1/alerts/{}/resolve/", alert, {"note": "seen"}),
        ("GET", "/api/v1/devices/{}", device, None),
        ("POST", "/api/v1/devices/{}/unassign/", device, None),
        ("POST", "/api/v1/devices/{}/assign/", device, {"patient_id": own_patient}),
    ]


def _without_request_id(answer: Any) -> tuple[int, str, dict[str, Any]]:
    body = {k: v for k, v in answer.json().items() if k != "request_id"}
    return answer.status_code, answer.headers["content-type"], body


async def test_another_practices_id_answers_exactly_as_a_missing_one(
    client: AsyncTestClient[Litestar], practices: dict[str, Any]  # noqa: F811
) -> None:
    south, clinician = dict(practices["south"]), practices["clinician"]
    south["alert_id"] = (await client.get(f"/api/v1/alerts/?patient_id={south['patient_id']}",
                                          headers=practices["admin"])).json()["items"][0]["id"]
    for method, path, their_id, body in _routes(south, practices["north"]["patient_id"]):
        theirs = await client.request(method, path.format(their_id), json=body, headers=clinician)
        missing = await client.request(method, path.format(MISSING), json=body, headers=clinician)
        assert theirs.status_code == 404, (method, path, theirs.text)
        assert _without_request_id(theirs) == _without_request_id(missing), (method, path)
        words = set(re.split(r"[^\w-]+", theirs.text))
        assert not {MISSING, *south.values(), *practices["north"].values()} & words, (method, path, theirs.text)


async def test_a_missing_id_is_not_echoed_even_to_an_administrator(
    client: AsyncTestClient[Litestar], world: World
) -> None:
    admin = await login(client, world, Role.ADMIN)
    for method, path in [("POST", "/api/v1/sync/{}/retry/"), ("GET", "/api/v1/readings/{}/fhir"),
                         ("GET", "/api/v1/patients/{}"), ("GET", "/api/v1/devices/{}")]:
        answer = await client.request(method, path.format(MISSING), headers=admin)
        assert answer.status_code == 404, (method, path, answer.text)
        assert MISSING not in answer.json()["detail"], (method, path)


async def test_filtering_alerts_by_another_practices_patient_answers_as_for_a_missing_one(
    client: AsyncTestClient[Litestar], practices: dict[str, Any]  # noqa: F811
) -> None:
    path, clinician = "/api/v1/alerts/?patient_id={}", practices["clinician"]
    theirs = await client.get(path.format(practices["south"]["patient_id"]), headers=clinician)
    missing = await client.get(path.format(MISSING), headers=clinician)
    assert (theirs.status_code, theirs.json()) == (missing.status_code, missing.json())
