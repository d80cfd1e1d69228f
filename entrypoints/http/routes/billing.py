"""GET /api/v1/billing/?month=YYYY-MM[&format=csv]: eligible CPT codes per patient, with reasons."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from dishka import FromDishka
from litestar import Response, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import QueryParameter

from application.billing import BillingReport, parse_month
from application.context import Actor
from entrypoints.http import dto
from entrypoints.http.reports.csv_report import billing_csv, billing_filename
from entrypoints.http.routes import ApiController


class BillingController(ApiController):
    """RPM billing eligibility."""

    @get("/api/v1/billing",
         operation_id="getBillingReport", tags=["billing"], summary="RPM billing eligibility for a month (JSON or CSV)",
         responses={200: ResponseSpec(dto.BillingOut, generate_examples=False,
                                      description="JSON; format=csv answers text/csv")})
    async def billing(
        self,
        actor: FromDishka[Actor],
        report: FromDishka[BillingReport],
        month: Annotated[str, QueryParameter(name="month", pattern=r"^\d{4}-\d{2}$")],
        format: Annotated[Literal["json", "csv"], QueryParameter(name="format")] = "json",
    ) -> Response[Any]:
        rows = await report(actor, parse_month(month))
        if format == "csv":
            return Response(billing_csv(rows), media_type="text/csv",
                            headers={"Content-Disposition": f'attachment; filename="{billing_filename(month)}"'})
        return Response(dto.BillingOut(month, [
            dto.PatientBillingOut(
                patient_id=r.patient.id, name=r.patient.name, mrn=r.patient.mrn,
                codes=[dto.BilledCodeOut(c.code, c.units, c.reason) for c in r.billing.billable],
                not_billable=[dto.NotBilledOut(n.code, n.reason) for n in r.billing.not_billable],
            )
            for r in rows
        ]))

