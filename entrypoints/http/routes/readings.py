"""GET /api/v1/readings/{id}/fhir: the FHIR Observations a reading is (or will be) sent as."""

from __future__ import annotations

from typing import Any

from dishka import FromDishka
from litestar import Request, Response, get
from litestar.params import FromPath

from adapters.fhir.bundle import observation_bundle
from application.queries import PatientQueries
from entrypoints.http.security import actor_of

FHIR_JSON = "application/fhir+json"


@get("/api/v1/readings/{reading_id:str}/fhir", tags=["readings"], summary="FHIR Bundle of the reading")
async def reading_fhir(
    request: Request,  # type: ignore[type-arg]
    reading_id: FromPath[str],
    queries: FromDishka[PatientQueries],
) -> Response[dict[str, Any]]:
    drafts = await queries.observations(actor_of(request), reading_id)
    return Response(observation_bundle(drafts), media_type=FHIR_JSON)
