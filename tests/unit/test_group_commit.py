"""Group commit: deliveries arriving while a page commits form the next page; a bad one fails alone."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Sequence

import pytest

from application.take_in_deliveries import Arrival
from domain.deliveries import DeliveryStatus, IncomingDelivery, Malformed
from domain.events import DeliveryTakenIn
from entrypoints.http.group_commit import DeliveryFailed, GroupCommit

POISON = "poison"


def arrival(webhook_id: str) -> Arrival:
    return Arrival(IncomingDelivery("mioconnect", webhook_id, b"{}", Malformed("test")))


class Intake:
    """Records each page it was given; a page holding the poison fails, as a constraint would."""

    def __init__(self) -> None:
        self.pages: list[list[str]] = []
        self.kept: list[tuple[str, str]] = []
        self.gate = asyncio.Event()
        self.gate.set()

    async def take_in(self, arrivals: Sequence[Arrival]) -> list[DeliveryTakenIn]:
        ids = [a.delivery.webhook_id for a in arrivals]
        self.pages.append(ids)
        await self.gate.wait()
        if POISON in ids:
            raise RuntimeError("a row the database refused")
        return [DeliveryTakenIn(f"delivery-{i}", DeliveryStatus.REJECTED, reason=i) for i in ids]

    async def keep_failed(self, failed: Arrival, error_type: str) -> None:
        self.kept.append((failed.delivery.webhook_id, error_type))


async def test_a_lone_delivery_is_taken_in_at_once_in_a_page_of_its_own() -> None:
    intake = Intake()
    committer = GroupCommit(intake.take_in, intake.keep_failed, max_page=10)
    outcome = await asyncio.wait_for(committer.take_in(arrival("only")), timeout=5)
    assert (outcome.delivery_id, intake.pages) == ("delivery-only", [["only"]])


async def test_arrivals_during_a_commit_form_the_next_page_each_with_its_own_outcome() -> None:
    intake = Intake()
    committer = GroupCommit(intake.take_in, intake.keep_failed, max_page=3)
    intake.gate.clear()  # the first page is committing...
    first = asyncio.ensure_future(committer.take_in(arrival("a")))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    later = [asyncio.ensure_future(committer.take_in(arrival(name))) for name in "bcdef"]  # ...while these arrive
    await asyncio.sleep(0)
    intake.gate.set()
    outcomes = await asyncio.gather(first, *later)
    assert [o.reason for o in outcomes] == list("abcdef")
    assert intake.pages == [["a"], ["b", "c", "d"], ["e", "f"]]  # bounded by the page size


async def test_a_delivery_that_fails_its_page_fails_alone_and_is_kept() -> None:
    intake = Intake()
    committer = GroupCommit(intake.take_in, intake.keep_failed, max_page=10)
    intake.gate.clear()
    blocker = asyncio.ensure_future(committer.take_in(arrival("first")))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    names = ["b", "c", POISON, "d", "e"]
    waiting = [asyncio.ensure_future(committer.take_in(arrival(name))) for name in names]
    await asyncio.sleep(0)
    intake.gate.set()
    results = await asyncio.gather(blocker, *waiting, return_exceptions=True)
    assert [r.reason if isinstance(r, DeliveryTakenIn) else type(r) for r in results] == [
        "first", "b", "c", DeliveryFailed, "d", "e"]
    assert intake.kept == [(POISON, "RuntimeError")]
    assert intake.pages[1] == names  # tried together first, then halved until the poison stood alone
    assert [POISON] in intake.pages


async def test_a_lost_database_fails_the_whole_page_without_splitting_it() -> None:
    class Unreachable(OSError):
        """What a refused connection looks like to the driver."""

    pages: list[int] = []

    async def take_in(arrivals: Sequence[Arrival]) -> list[DeliveryTakenIn]:
        pages.append(len(arrivals))
        raise Unreachable("connection refused")

    async def keep_failed(failed: Arrival, error_type: str) -> None:
        raise AssertionError("nothing is kept while the database is away")

    committer = GroupCommit(take_in, keep_failed, max_page=10)
    with pytest.raises(OSError, match="connection refused"):
        await committer.take_in(arrival("x"))
    assert pages == [1]


REQUEST: contextvars.ContextVar[str] = contextvars.ContextVar("request", default="none")


async def test_each_page_runs_in_the_context_of_its_own_first_arrival() -> None:
    """A page's spans belong to a request of that page, never to whichever request started the committer."""
    seen: list[tuple[list[str], str]] = []
    gate = asyncio.Event()

    async def take_in(arrivals: Sequence[Arrival]) -> list[DeliveryTakenIn]:
        seen.append(([a.delivery.webhook_id for a in arrivals], REQUEST.get()))
        await gate.wait()
        return [DeliveryTakenIn(a.delivery.webhook_id, DeliveryStatus.REJECTED) for a in arrivals]

    async def keep_failed(failed: Arrival, error_type: str) -> None:
        raise AssertionError("nothing fails here")

    committer = GroupCommit(take_in, keep_failed, max_page=10)

    async def request(name: str) -> DeliveryTakenIn:
        REQUEST.set(name)
        return await committer.take_in(arrival(name))

    first = asyncio.ensure_future(request("first"))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    later = [asyncio.ensure_future(request(name)) for name in ("second", "third")]
    await asyncio.sleep(0)
    gate.set()
    await asyncio.gather(first, *later)
    assert seen == [(["first"], "first"), (["second", "third"], "second")]
