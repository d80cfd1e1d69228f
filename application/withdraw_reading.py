"""WithdrawReading: a misattributed reading is marked entered-in-error, here and in the EMR."""

from __future__ import annotations

from dataclasses import dataclass, replace

from application.access import may_see
from application.auditing import Auditor
from application.context import Actor
from application.outbox import enqueue_withdrawals
from domain.errors import Conflict, NotFound
from domain.events import ReadingWithdrawn
from domain.ports import Clock, IdGenerator, UnitOfWork
from domain.readings import ReadingStatus


@dataclass(frozen=True)
class WithdrawReadingCommand:
    reading_id: str
    actor: Actor


class WithdrawReading:
    """Mark the reading entered-in-error and queue one EMR withdrawal per Observation it yields.

    The withdrawals go through the outbox, so they survive an EMR outage and run after any push of
    the same Observation that is still in flight. Repeating the request changes nothing.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, ids: IdGenerator, auditor: Auditor) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._auditor = auditor

    async def __call__(self, command: WithdrawReadingCommand) -> ReadingWithdrawn:
        now = self._clock.now()
        async with self._uow as uow:
            reading = await uow.readings.get(command.reading_id)
            if reading is None or reading.patient_id is None:
                raise NotFound("reading", command.reading_id)
            patient = await uow.patients.get(reading.patient_id)
            if patient is None or not may_see(command.actor, patient):
                raise NotFound("reading", command.reading_id)
            if reading.status is ReadingStatus.ENTERED_IN_ERROR:
                return ReadingWithdrawn(reading.id, (), already=True)
            if reading.status is not ReadingStatus.ACCEPTED:
                raise Conflict(f"only accepted readings reach the EMR; this one is {reading.status.value}")
            await uow.readings.save(replace(reading, status=ReadingStatus.ENTERED_IN_ERROR,
                                            reason="withdrawn: entered in error"))
            items = await enqueue_withdrawals(uow, self._ids, reading, now, patient.practice_id)
            await uow.commit()
        await self._auditor.record(command.actor, "reading.withdraw", "Reading",
                                   [reading.id, *(item.id for item in items)])
        return ReadingWithdrawn(reading.id, tuple(item.id for item in items))
