"""The console's patient pages on the real SQL adapter (SQLite and Postgres): the patient page, a search,
the import list and the patient page's forms all read and write the database."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.api import enrol_patient, login_stored
from tests.support.app import deliver, fixture
from tests.support.console import console_sign_in_stored, post_form
from tests.support.world import World

Client = AsyncTestClient[Litestar]


async def test_the_patient_pages_on_the_database(sql_client: Client, world: World) -> None:
    auth = await login_stored(sql_client, "dr-api")
    patient_id = (await enrol_patient(sql_client, auth)).patient_id
    await deliver(sql_client, fixture("bp_normal"))
    await console_sign_in_stored(sql_client, "dr-console")
    page = f"/console/patients/{patient_id}"

    shown = await sql_client.get(page)
    assert shown.status_code == 200
    assert "Systolic 128 mmHg" in shown.text
    assert shown.text.count("<circle") == 3
    name = world.emr.patients["synthetic-patient-0001"].name
    found = await post_form(sql_client, "/console/patients/search", {"name": name[:4].lower()},
                            from_page="/console/patients")
    assert f'href="{page}"' in found.text
    listed = await sql_client.get("/console/patients/import")
    assert f'<a href="{page}">{name}</a> <span class="badge">Already imported</span>' in listed.text

    assert (await post_form(sql_client, f"{page}/consent", {"consent": "given"}, from_page=page)).status_code == 303
    assert (await post_form(sql_client, f"{page}/time", {"minutes": "21"}, from_page=page)).status_code == 303
    changed = {**_defaults(shown.text), "pulse_high_above": "105"}
    thresholds = await post_form(sql_client, f"{page}/thresholds", changed, from_page=page)
    assert thresholds.status_code == 303
    after = (await sql_client.get(page)).text
    assert "remote monitoring consent given" in after
    assert "21 minutes logged this month" in after
    assert 'value="105"' in after


def _defaults(html: str) -> dict[str, str]:
    """The thresholds form's fields as the page shows them."""
    return dict(re.findall(r'name="([a-z0-9_]+)" type="number" step="any"[^>]*\s+value="([^"]+)"', html))
