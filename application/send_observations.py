"""The relay's EMR create topic: each claimed item sends one Observation of a reading to the EMR."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from application.emr_routing import PracticeEmrHandler, send_to_practice
from application.relay_handler import Outcome
from domain.observations import ObservationCode, ObservationDraft
from domain.ports import EmrGateway, UnitOfWork
from domain.readings import ReadingStatus
from domain.sync import OutboxItem, OutboxTopic


@dataclass(frozen=True)
class RoutedDraft:
    practice_id: str
    draft: ObservationDraft


class EmrCreateHandler(PracticeEmrHandler):
    """Conditional create of the item's Observation in its patient's practice's EMR; 201 created and 200
    already-there both deliver."""

    topic = OutboxTopic.EMR_PUSH.value
    span_name = "emr.push"
    audit_action = "emr.observation.create"
    audit_resource = "Observation"

    async def prepare(self, uow: UnitOfWork, items: Sequence[OutboxItem]) -> Mapping[str, object]:
        """The Observation each item sends; items whose reading is no longer eligible have none."""
        sources = await uow.readings.observation_sources(sorted({i.reading_id for i in items if i.reading_id}))
        drafts: dict[str, object] = {}
        for item in items:
            source = sources.get(item.reading_id or "")
            if source is None or item.code is None or source.reading.status is not ReadingStatus.ACCEPTED:
                continue
            draft = ObservationDraft(ObservationCode(item.code), source.reading, source.emr_patient_id,
                                     source.device_model)
            drafts[item.id] = RoutedDraft(source.practice_id, draft)
        return drafts

    async def send(self, item: OutboxItem, prepared: object | None) -> Outcome:
        if not isinstance(prepared, RoutedDraft):
            return Outcome.failure("reading is no longer eligible for the EMR", permanent=True)
        draft = prepared.draft

        async def create(emr: EmrGateway) -> Outcome:
            receipt = await emr.create_observation(draft)
            return Outcome.done(receipt.http_status, receipt.emr_resource_id)

        return await send_to_practice(self._directory, prepared.practice_id, create)
