"""The relay's window between claims: it waits for a window's worth of sends to finish, or, once everything
due was claimed, for new work committed meanwhile (a nudge)."""

from __future__ import annotations

import asyncio

from application.relay_handler import Outcome
from application.relay_record import Sent
from application.relay_window import SendWindow
from domain.sync import OutboxItem, SyncStatus
from tests.unit.conftest import NOW

ITEM = OutboxItem(id="lab-1", topic="lab.order", status=SyncStatus.PENDING, created_at=NOW, updated_at=NOW,
                  next_attempt_at=NOW)


async def turns(count: int = 5) -> None:
    for _ in range(count):
        await asyncio.sleep(0)


async def held_window() -> tuple[SendWindow, asyncio.Event]:
    release = asyncio.Event()

    async def send(item: OutboxItem, prepared: object | None) -> Sent:
        await release.wait()
        return item, Outcome.done(201)

    window = SendWindow(send)
    window.add([ITEM], {}, size=2)
    await turns()
    return window, release


async def test_a_nudge_ends_a_wait_that_heeds_it_while_sends_are_still_under_way() -> None:
    window, release = await held_window()
    waiting = asyncio.create_task(window.wait(1, 60.0, nudged=True))
    await turns()
    assert not waiting.done()
    window.nudge()
    await turns()
    assert waiting.done()
    assert window.held == 1  # the send goes on
    release.set()
    await window.empty()
    assert [after.id for after, _ in window.take_finished()] == ["lab-1"]


async def test_a_wait_for_finished_sends_ignores_nudges() -> None:
    window, release = await held_window()
    waiting = asyncio.create_task(window.wait(1, 60.0))
    window.nudge()
    await turns()
    assert not waiting.done()
    release.set()
    await turns()
    assert waiting.done()
