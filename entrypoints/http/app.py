"""create_app(container, settings): the Litestar application and its lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from dishka import AsyncContainer
from dishka.integrations.litestar import DishkaRouter, setup_dishka
from litestar import Litestar
from litestar.middleware.base import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from domain.ports import KeyStore
from entrypoints.demo import ensure_demo_data
from entrypoints.http.api_docs import OfflineSwaggerUI
from entrypoints.http.edge import stamp_response
from entrypoints.http.openapi import declare_problems
from entrypoints.http.problems import EXCEPTION_HANDLERS
from entrypoints.http.routes import (
    alerts,
    audit,
    auth,
    billing,
    care,
    dashboard,
    devices,
    ecw,
    ecw_diagnostics,
    ecw_launch,
    patients,
    readings,
    reports,
    system,
    webhooks,
)
from entrypoints.http.security import BearerAuthMiddleware
from entrypoints.settings import Settings
from entrypoints.worker import OutboxWorker, WorkerWakeup

API_VERSION = "0.1.0"
MAX_BODY_BYTES = 1_048_576  # webhooks have their own, smaller limit


def create_app(container: AsyncContainer, settings: Settings) -> Litestar:
    """The API; the lifespan runs the in-process worker (if configured) and closes the container."""

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = None
        await (await container.get(KeyStore)).signing_key()  # fail fast: missing key store, loose file mode
        if settings.demo:
            await ensure_demo_data(container, Path(settings.demo_password_file))
        if settings.worker == "inprocess":
            worker = OutboxWorker(
                container, batch_size=settings.worker_batch_size,
                poll_seconds=settings.worker_poll_seconds, wakeup=await container.get(WorkerWakeup),
                lease_seconds=settings.worker_lease_seconds,
            )
            task = asyncio.create_task(worker.run(stop), name="outbox-worker")
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                await task
            await container.close()

    router = DishkaRouter(
        "",
        route_handlers=[
            system.health, system.jwks, auth.issue_token, auth.logout, ecw.browse_emr_patients, ecw.import_selected,
            patients.list_patients, patients.get_patient, patients.list_readings, patients.sync_status,
            patients.retry_sync_item,
            devices.list_devices, devices.get_device, devices.register_device, devices.assign_device,
            devices.unassign_device, webhooks.telemetry, webhooks.status, readings.reading_fhir,
            readings.withdraw_reading,
            alerts.list_alerts, alerts.acknowledge_alert, alerts.resolve_alert, alerts.get_thresholds,
            alerts.put_thresholds, alerts.register_push_token, dashboard.dashboard, reports.vitals_report,
            care.record_consent, care.log_time, audit.audit_trail, billing.billing, ecw_diagnostics.test_jwt,
            ecw_diagnostics.test_connection, ecw_launch.start_launch, ecw_launch.launch_callback,
        ],
    )
    app = Litestar(
        route_handlers=[router],
        middleware=[DefineMiddleware(BearerAuthMiddleware, exclude=["^/schema"])],
        before_send=[stamp_response],
        request_max_body_size=MAX_BODY_BYTES,
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        openapi_config=OpenAPIConfig(
            title="Vantrexia RPM integration API", version=API_VERSION, path="/schema",
            components=Components(
                security_schemes={"BearerToken": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")}
            ),
            security=[{"BearerToken": []}],
            render_plugins=[OfflineSwaggerUI()],
        ),
        lifespan=[lifespan],
        logging_config=None,  # structlog is configured once by the entrypoint
        debug=False,
    )
    setup_dishka(container, app)
    declare_problems(app)
    return app
