"""What the pipeline fault tests share: the EMR they deliver to, and probes of what arrived where."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import RowMapping, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql import mapping as m
from adapters.sql.tables import device_assignments, devices, outbox, patients, readings, sync_attempts
from entrypoints.sandbox.serve import RunningSandbox
from entrypoints.sandbox.state import SandboxState
from tests.integration.builders import EASTERN, T0, assignment, device, outbox_item, patient, reading
from tests.support.held_answers import HeldAnswers
from tests.support.worker_processes import (
    WorkerProcess,
)

T = TypeVar("T")
BP_PANEL, HEART_RATE = "85354-9", "8867-4"  # the two Observations of a blood-pressure reading with a pulse
FIXTURE_TS = 1795183194  # bp_normal's measurement time (the fixtures' day)


@dataclass
class Emr:
    """The SMART/FHIR sandbox, the key file whose key it trusts (the worker processes sign with it), and the
    switch that holds its answers to Observation POSTs after it has created them."""

    sandbox: RunningSandbox
    key_file: Path
    hold: HeldAnswers

    @property
    def state(self) -> SandboxState:
        return self.sandbox.state

    def creates(self) -> dict[str, int]:
        """Observations created per identifier (a plain dict: assertion messages stay free of resources)."""
        return dict(self.state.creates_per_identifier)


@dataclass(frozen=True)
class Pushes:
    """The EMR pushes in the outbox; its repr is a summary, so that a failure message is short."""

    rows: Sequence[RowMapping]

    def __repr__(self) -> str:
        return f"Pushes(statuses={dict(self.statuses)}, attempts={dict(Counter(r['attempts'] for r in self.rows))})"

    @property
    def statuses(self) -> Counter[str]:
        return Counter(str(row["status"]) for row in self.rows)

    @property
    def identifiers(self) -> set[str]:
        """The Observation identifiers the EMR must end up with: `{reading id}-{LOINC}`, one per item."""
        return {f"{row['reading_id']}-{row['code']}" for row in self.rows}

    def all_delivered(self, count: int) -> bool:
        return self.statuses == {"delivered": count}

    def settled(self, count: int) -> bool:
        """Nothing more will happen: all delivered, or one is dead (then the test fails at once)."""
        return self.all_delivered(count) or "dead" in self.statuses


async def emr_pushes(engine: AsyncEngine) -> Pushes:
    t = outbox
    statement = select(t.c.id, t.c.reading_id, t.c.code, t.c.status, t.c.attempts, t.c.lease_owner,
                       t.c.lease_until).where(t.c.topic == "emr.push")
    async with engine.connect() as connection:
        return Pushes((await connection.execute(statement)).mappings().all())


async def attempts_per_item(engine: AsyncEngine) -> Counter[str]:
    async with engine.connect() as connection:
        rows = await connection.execute(select(sync_attempts.c.item_id, func.count()).group_by(sync_attempts.c.item_id))
        return Counter({str(item): int(n) for item, n in rows.all()})


async def value(of: Callable[[], T]) -> T:
    """A synchronous probe (the sandbox's records, a log file) as an awaitable one."""
    return of()


async def eventually(probe: Callable[[], Awaitable[T]], done: Callable[[T], bool], *, within: float, what: str,
                     workers: Sequence[WorkerProcess] = (), interval: float = 0.1) -> T:
    """Probe until `done`; after `within` seconds fail with the last value and the workers' last log lines."""
    deadline = time.monotonic() + within
    while True:
        found = await probe()
        if done(found):
            return found
        if time.monotonic() > deadline:
            tails = "\n".join(w.log_tail() for w in workers)
            raise AssertionError(f"{what}: not reached within {within:.0f} s (last: {found!r})\n{tails}")
        await asyncio.sleep(interval)


async def seed_outbox(engine: AsyncEngine, readings_count: int) -> set[str]:
    """An enrolled patient's accepted blood-pressure readings, each with its two pending EMR pushes, inserted
    in bulk with the repositories' own row mapping; returns the identifiers the EMR must end up with."""
    someone, cuff = patient("synthetic-patient-0001"), device()
    taken = [reading(cuff.id, someone.id, (T0 - timedelta(minutes=n)).astimezone(EASTERN))
             for n in range(readings_count)]
    items = [outbox_item(reading_id=r.id, patient_id=someone.id, code=code, due=T0)
             for r in taken for code in (BP_PANEL, HEART_RATE)]
    async with engine.begin() as connection:
        await connection.execute(patients.insert().values(dict(m.patient_row(someone))))
        await connection.execute(devices.insert().values(dict(m.device_row(cuff))))
        enrolment = assignment(cuff.id, someone.id, T0 - timedelta(days=1))
        await connection.execute(device_assignments.insert().values(dict(m.assignment_row(enrolment))))
        await connection.execute(readings.insert(), [dict(m.reading_row(r)) for r in taken])
        await connection.execute(outbox.insert(), [dict(m.outbox_row(i)) for i in items])
    return {f"{i.reading_id}-{i.code}" for i in items}


def report(name: str, **facts: Any) -> None:
    """Timings and counts, for information only (shown with -s, or with a failure's captured output)."""
    print(f"\n[{name}] " + ", ".join(f"{k}={v}" for k, v in facts.items()))


