"""The relay's EMR withdraw topic: a withdrawn reading's Observations become entered-in-error in the EMR."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

from application.relay_handler import NoExtraWrites, Outcome, emr_failure
from domain.observations import ObservationCode, observation_identifier
from domain.ports import EmrGateway, UnitOfWork
from domain.ports.emr import EmrError
from domain.sync import OutboxItem, OutboxTopic

WAIT_FOR_PUSH = timedelta(seconds=5)
PUSH_UNDER_WAY = "push under way"  # prepared mark: wait, without spending an attempt


class EmrWithdrawHandler(NoExtraWrites):
    """Withdraws each Observation, but never while a push of the same Observation is still under way."""

    topic = OutboxTopic.EMR_WITHDRAW.value
    span_name = "emr.withdraw"
    audit_action = "emr.observation.withdraw"
    audit_resource = "Observation"

    def __init__(self, emr: EmrGateway) -> None:
        self._emr = emr

    async def prepare(self, uow: UnitOfWork, items: Sequence[OutboxItem]) -> Mapping[str, object]:
        waiting: dict[str, object] = {}
        for item in items:  # withdrawals are rare corrections: a read per item costs nothing
            siblings = await uow.outbox.for_reading(item.reading_id or "")
            if any(s.topic == OutboxTopic.EMR_PUSH and s.code == item.code and not s.finished for s in siblings):
                waiting[item.id] = PUSH_UNDER_WAY
        return waiting

    async def send(self, item: OutboxItem, prepared: object | None) -> Outcome:
        if prepared == PUSH_UNDER_WAY:
            return Outcome.not_yet(WAIT_FOR_PUSH)
        identifier = observation_identifier(item.reading_id or "", ObservationCode(item.code or ""))
        try:
            receipt = await self._emr.withdraw_observation(identifier)
        except EmrError as error:
            return emr_failure(error)
        if receipt is None:  # never reached the EMR: nothing to withdraw there
            return Outcome.done()
        return Outcome.done(receipt.http_status, receipt.emr_resource_id)
