"""/console/billing: a month's billable CPT codes per patient with their reasons, what is not billable and why,
and the month as the API's CSV file (downloaded with the session, as an attachment)."""

from __future__ import annotations

from typing import Annotated

from dishka import FromDishka
from litestar import Response, get
from litestar.params import QueryParameter
from litestar.response import Template

from application.billing import BillingReport, parse_month
from application.context import Actor
from domain.errors import InvalidInput
from domain.ports import Clock
from entrypoints.console.rendering import ConsoleController, page
from entrypoints.console.utc_input import month_value
from entrypoints.http.reports.csv_report import billing_csv, billing_filename
from entrypoints.http.security import AnyRequest

Month = Annotated[str | None, QueryParameter(name="month", max_length=16)]


class BillingPages(ConsoleController):
    """The billing month and its CSV."""

    @get("/console/billing", operation_id="consoleBilling")
    async def billing(self, request: AnyRequest, actor: FromDishka[Actor], report: FromDishka[BillingReport],
                      clock: FromDishka[Clock], month: Month = None) -> Template:
        chosen = month or month_value(clock.now().date())
        try:
            rows = await report(actor, parse_month(chosen))
        except InvalidInput as refused:
            return _refused(request, chosen, refused)
        return page(request, "console/billing.html", "Billing", month=chosen, rows=rows, error=None)

    @get("/console/billing/csv", operation_id="consoleBillingCsv")
    async def billing_csv(self, request: AnyRequest, actor: FromDishka[Actor], report: FromDishka[BillingReport],
                          clock: FromDishka[Clock], month: Month = None) -> Response[str] | Template:
        chosen = month or month_value(clock.now().date())
        try:
            start = parse_month(chosen)
            rows = await report(actor, start)
        except InvalidInput as refused:
            return _refused(request, chosen, refused)
        name = billing_filename(month_value(start))
        return Response(billing_csv(rows), media_type="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _refused(request: AnyRequest, month: str, refused: InvalidInput) -> Template:
    """The page again with why the month was refused (not a month, or one that has not started)."""
    return page(request, "console/billing.html", "Billing", status_code=422, month=month, rows=[], error=str(refused))
