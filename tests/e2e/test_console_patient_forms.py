"""The forms of the console's patient page over the test client: thresholds, consent, management time and
retrying a dead sync item (admins only): what each changes, and a refused value re-rendering its form."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.ports.emr import EmrRejected
from domain.sync import SyncStatus
from domain.users import Role
from tests.support.api import enrol_patient
from tests.support.app import deliver, drain_outbox, fixture
from tests.support.console import console_sign_in, post_form
from tests.support.world import World

Client = AsyncTestClient[Litestar]


async def test_thresholds_consent_and_time_are_saved_and_confirmed(client: Client, world: World,
                                                                  patient_with_a_reading: str) -> None:
    await console_sign_in(client, world)
    page = f"/console/patients/{patient_with_a_reading}"
    form = {name: value for name, value in re.findall(r'name="([a-z0-9_]+)" type="number" step="any"[^>]*\s+'
                                                      r'value="([^"]+)"', (await client.get(page)).text)}
    assert len(form) == 18
    saved = await post_form(client, f"{page}/thresholds", {**form, "spo2_low_below": "92.5"}, from_page=page)
    assert (saved.status_code, saved.headers["location"]) == (303, f"{page}#thresholds")
    assert world.db.thresholds[patient_with_a_reading] == {"spo2_low_below": Decimal("92.5")}
    assert "Thresholds saved." in (await client.get(page)).text
    assert (await post_form(client, f"{page}/consent", {"consent": "declined"}, from_page=page)).status_code == 303
    assert world.db.consents[patient_with_a_reading].consented is False
    logged = await post_form(client, f"{page}/time", {"minutes": "15", "interactive": "yes"}, from_page=page)
    assert logged.status_code == 303
    (entry,) = world.db.time_entries.values()
    assert (entry.minutes, entry.interactive, entry.performed_on) == (15, True, world.clock.now().date())
    shown = (await client.get(page)).text
    assert "Logged 15 minutes." in shown
    assert "15 minutes logged this month" in shown


@pytest.mark.parametrize("minutes", ["", "ten", "0", "241"])
async def test_a_refused_time_entry_re_renders_the_form_with_a_message(
        client: Client, world: World, patient_with_a_reading: str, minutes: str) -> None:
    await console_sign_in(client, world)
    page = f"/console/patients/{patient_with_a_reading}"
    refused = await post_form(client, f"{page}/time", {"minutes": minutes}, from_page=page)
    assert refused.status_code == 422
    assert re.search(r'<p class="error" role="alert">[^<]*minutes', refused.text)
    assert world.db.time_entries == {}


async def test_only_admins_retry_a_dead_sync_item(client: Client, world: World, auth: dict[str, str]) -> None:
    enrolled = await enrol_patient(client, auth)
    world.emr.fail_next(EmrRejected("Observation.performer: unknown reference", http_status=422))
    await deliver(client, fixture("bp_normal"))
    await drain_outbox(client)
    (dead,) = [i for i in world.db.outbox.values() if i.status is SyncStatus.DEAD]
    page = f"/console/patients/{enrolled.patient_id}"
    action = f"{page}/sync/{dead.id}/retry"
    await console_sign_in(client, world)
    assert "Retry</button>" not in (await client.get(page)).text
    assert (await post_form(client, action, {}, from_page=page)).status_code == 403
    assert world.db.outbox[dead.id].status is SyncStatus.DEAD
    await console_sign_in(client, world, Role.ADMIN)
    assert (await client.get(page)).text.count("Retry</button>") == 1
    retried = await post_form(client, action, {}, from_page=page)
    assert (retried.status_code, world.db.outbox[dead.id].status) == (303, SyncStatus.PENDING)


async def test_consent_needs_an_answer(client: Client, world: World, patient_with_a_reading: str) -> None:
    await console_sign_in(client, world)
    page = f"/console/patients/{patient_with_a_reading}"
    unanswered = await post_form(client, f"{page}/consent", {}, from_page=page)
    assert (unanswered.status_code, world.db.consents) == (422, {})
    assert "Choose whether consent was given or declined." in unanswered.text
