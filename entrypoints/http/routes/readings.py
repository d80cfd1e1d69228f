"""A reading's FHIR Observations, and withdrawing a misattributed reading (entered-in-error)."""

from __future__ import annotations

import msgspec
from dishka import FromDishka
from litestar import Response, get, post
from litestar.params import FromPath

from adapters.fhir.bundle import observation_bundle
from application.context import Actor
from application.queries import PatientQueries
from application.withdraw_reading import WithdrawReading, WithdrawReadingCommand
from domain.readings import ReadingStatus
from entrypoints.http import dto
from entrypoints.http.routes import ApiController
from entrypoints.worker import WorkerWakeup

FHIR_JSON = "application/fhir+json"


class ReadingController(ApiController):
    """A reading's FHIR form and its withdrawal."""

    @get("/api/v1/readings/{reading_id:str}/fhir",
         operation_id="getReadingFhir", tags=["readings"], summary="FHIR Bundle of the reading",
         media_type=FHIR_JSON)
    async def reading_fhir(
        self,
        actor: FromDishka[Actor],
        reading_id: FromPath[str],
        queries: FromDishka[PatientQueries],
    ) -> Response[dto.FhirBundleOut]:
        drafts = await queries.observations(actor, reading_id)
        return Response(msgspec.convert(observation_bundle(drafts), dto.FhirBundleOut), media_type=FHIR_JSON)

    @post(
        "/api/v1/readings/{reading_id:str}/entered-in-error",
        operation_id="withdrawReading", tags=["readings"], status_code=202,
        summary="Withdraw a misattributed reading: its Observations become entered-in-error in the EMR",
    )
    async def withdraw_reading(
        self,
        actor: FromDishka[Actor],
        reading_id: FromPath[str],
        withdraw: FromDishka[WithdrawReading],
        wakeup: FromDishka[WorkerWakeup],
    ) -> dto.ReadingWithdrawnOut:
        event = await withdraw(WithdrawReadingCommand(reading_id, actor))
        if event.withdrawals:
            wakeup.notify()
        return dto.ReadingWithdrawnOut(event.reading_id, ReadingStatus.ENTERED_IN_ERROR.value,
                                       list(event.withdrawals), event.already)

