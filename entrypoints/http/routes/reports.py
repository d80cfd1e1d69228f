"""GET /api/v1/reports/patients/{id}/vitals/: JSON, CSV or an SVG trend chart with threshold bands."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from dishka import FromDishka
from litestar import Response, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, QueryParameter

from application.context import Actor
from application.reports import ReportVitals, VitalsReportQuery
from domain.ports import Clock
from entrypoints.http import dto
from entrypoints.http.mapping import reading_out
from entrypoints.http.paging import check_instants
from entrypoints.http.reports.csv_report import vitals_csv
from entrypoints.http.reports.svg_chart import vitals_svg
from entrypoints.http.routes import ApiController

DEFAULT_PERIOD = timedelta(days=30)


class ReportController(ApiController):
    """Vitals reports."""

    @get("/api/v1/reports/patients/{patient_id:str}/vitals", operation_id="getVitalsReport", tags=["reports"],
         summary="A patient's vitals over a period as JSON, CSV or an SVG trend chart",
         responses={200: ResponseSpec(dto.VitalsReportOut, generate_examples=False,
                                      description="JSON; format=csv answers text/csv, format=svg image/svg+xml")})
    async def vitals_report(
        self,
        actor: FromDishka[Actor],
        patient_id: FromPath[str],
        report: FromDishka[ReportVitals],
        clock: FromDishka[Clock],
        start: Annotated[datetime | None, QueryParameter(name="from")] = None,
        end: Annotated[datetime | None, QueryParameter(name="to")] = None,
        format: Annotated[Literal["json", "csv", "svg"], QueryParameter(name="format")] = "json",
    ) -> Response[Any]:
        check_instants(**{"from": start, "to": end})
        end = end or clock.now()
        result = await report(VitalsReportQuery(actor, patient_id, start or end - DEFAULT_PERIOD, end))
        if format == "csv":
            return Response(vitals_csv(result), media_type="text/csv",
                            headers={"Content-Disposition": f'attachment; filename="vitals-{patient_id}.csv"'})
        if format == "svg":
            return Response(vitals_svg(result), media_type="image/svg+xml")
        return Response(dto.VitalsReportOut(
            patient_id=patient_id, start=result.start, end=result.end,
            thresholds={name: float(value) for name, value in asdict(result.thresholds).items()},
            readings=[reading_out(r) for r in result.readings],
        ))

