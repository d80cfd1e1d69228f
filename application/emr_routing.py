"""Sending an outbox item to its patient's practice's EMR, and nowhere else.

A practice without a connection keeps its items waiting (no attempt spent, never dead, the reason as
their last error) until an admin adds one; a connection resting after a failure keeps them waiting until
its rest ends, without a call.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import timedelta

from application.relay_handler import NoExtraWrites, Outcome, emr_failure
from domain.emr_connections import NO_CONNECTION, NoEmrConnection
from domain.ports import EmrDirectory, EmrGateway, UnitOfWork
from domain.ports.emr import EmrError, EmrResting
from domain.sync import OutboxItem

NO_CONNECTION_WAIT = timedelta(seconds=10)  # the first wait; it doubles while the practice still has none


class PracticeEmrHandler(NoExtraWrites):
    """Base of the topics sent to a patient's practice's EMR: the directory, and its practices' room."""

    def __init__(self, directory: EmrDirectory) -> None:
        self._directory = directory

    def room(self) -> Mapping[str, int]:
        """Practices whose EMR can take only so many more sends now (none while it asked us to wait, or with
        every in-flight slot taken): the relay claims no more of their items meanwhile."""
        return self._directory.room()


async def practices_of(uow: UnitOfWork, items: Sequence[OutboxItem]) -> Mapping[str, str]:
    """Each item's practice (by item id), from its patient; items without a known patient are left out."""
    patients = await uow.patients.get_many(sorted({i.patient_id for i in items if i.patient_id}))
    return {i.id: patients[i.patient_id].practice_id for i in items if i.patient_id and i.patient_id in patients}


async def send_to_practice(
    directory: EmrDirectory, practice_id: str, call: Callable[[EmrGateway], Awaitable[Outcome]],
) -> Outcome:
    """`call` with the practice's EMR, or why the item waits or failed."""
    try:
        emr = await directory.gateway(practice_id)
        return await call(emr)
    except NoEmrConnection:
        return Outcome.not_yet(NO_CONNECTION_WAIT, NO_CONNECTION)
    except EmrResting as resting:
        return Outcome.not_yet(timedelta(seconds=max(resting.retry_after or 0.0, 0.1)), str(resting))
    except EmrError as error:
        return emr_failure(error)
