"""The relay's EMR withdraw topic: a withdrawn reading's Observations become entered-in-error in the EMR."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

from application.emr_routing import PracticeEmrHandler, practices_of, send_to_practice
from application.relay_handler import Outcome
from domain.observations import ObservationCode, observation_identifier
from domain.ports import EmrGateway, UnitOfWork
from domain.sync import OutboxItem, OutboxTopic

WAIT_FOR_PUSH = timedelta(seconds=5)
PUSH_UNDER_WAY = "push under way"  # prepared mark: wait, without spending an attempt


class EmrWithdrawHandler(PracticeEmrHandler):
    """Withdraws each Observation in its patient's practice's EMR, but never while a push of the same
    Observation is still under way."""

    topic = OutboxTopic.EMR_WITHDRAW.value
    span_name = "emr.withdraw"
    audit_action = "emr.observation.withdraw"
    audit_resource = "Observation"

    async def prepare(self, uow: UnitOfWork, items: Sequence[OutboxItem]) -> Mapping[str, object]:
        """Each item's practice, or PUSH_UNDER_WAY (no practice: its patient is gone, nothing was sent)."""
        prepared: dict[str, object] = dict(await practices_of(uow, items))
        for item in items:  # withdrawals are rare corrections: a read per item costs nothing
            siblings = await uow.outbox.for_reading(item.reading_id or "")
            if any(s.topic == OutboxTopic.EMR_PUSH and s.code == item.code and not s.finished for s in siblings):
                prepared[item.id] = PUSH_UNDER_WAY
        return prepared

    async def send(self, item: OutboxItem, prepared: object | None) -> Outcome:
        if prepared == PUSH_UNDER_WAY:
            return Outcome.not_yet(WAIT_FOR_PUSH)
        if not isinstance(prepared, str):
            return Outcome.done()  # no patient, so never sent to any EMR: nothing to withdraw
        identifier = observation_identifier(item.reading_id or "", ObservationCode(item.code or ""))

        async def withdraw(emr: EmrGateway) -> Outcome:
            receipt = await emr.withdraw_observation(identifier)
            if receipt is None:  # never reached the EMR: nothing to withdraw there
                return Outcome.done()
            return Outcome.done(receipt.http_status, receipt.emr_resource_id)

        return await send_to_practice(self._directory, prepared, withdraw)
