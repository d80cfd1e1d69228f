"""create_app(container, settings): the Litestar application and its lifespan."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from dishka import AsyncContainer
from litestar import Litestar
from litestar.middleware.base import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import ControllerRouterHandler

from domain.ports import KeyStore
from entrypoints.console.app import console_csrf, console_router, console_templates, load_csrf_secret
from entrypoints.demo import ensure_demo_data
from entrypoints.http.api_docs import OfflineSwaggerUI
from entrypoints.http.edge import stamp_response
from entrypoints.http.openapi import declare_problems
from entrypoints.http.problems import EXCEPTION_HANDLERS
from entrypoints.http.request_scope import RequestScopeMiddleware
from entrypoints.http.routes.alerts import AlertController
from entrypoints.http.routes.audit import AuditController
from entrypoints.http.routes.auth import AuthController
from entrypoints.http.routes.billing import BillingController
from entrypoints.http.routes.care import CareController
from entrypoints.http.routes.dashboard import DashboardController
from entrypoints.http.routes.devices import DeviceController
from entrypoints.http.routes.ecw import EmrPatientController
from entrypoints.http.routes.ecw_diagnostics import EmrDiagnosticsController
from entrypoints.http.routes.ecw_launch import EmrLaunchController
from entrypoints.http.routes.emr_connections import EmrConnectionController
from entrypoints.http.routes.patients import PatientController
from entrypoints.http.routes.readings import ReadingController
from entrypoints.http.routes.reports import ReportController
from entrypoints.http.routes.sync import SyncController
from entrypoints.http.routes.system import SystemController
from entrypoints.http.routes.webhooks import WebhookController
from entrypoints.http.security import BearerAuthMiddleware
from entrypoints.settings import Settings
from entrypoints.worker import OutboxWorker, WorkerWakeup

API_VERSION = "0.1.0"
MAX_BODY_BYTES = 1_048_576  # webhooks have their own, smaller limit
CONTROLLERS: list[ControllerRouterHandler] = [
    SystemController, AuthController, PatientController, DeviceController, WebhookController, ReadingController,
    AlertController, DashboardController, ReportController, CareController, AuditController, BillingController,
    SyncController, EmrPatientController, EmrDiagnosticsController, EmrLaunchController, EmrConnectionController,
]


def create_app(container: AsyncContainer, settings: Settings) -> Litestar:
    """The API; the lifespan runs the in-process worker (if configured) and closes the container."""

    csrf = console_csrf()

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = None
        keys = await container.get(KeyStore)
        await keys.signing_key()  # fail fast: missing key store, loose file mode
        await load_csrf_secret(csrf, keys)
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

    app = Litestar(
        route_handlers=[*CONTROLLERS, console_router(csrf)],
        middleware=[  # dishka's request scope first: authentication resolves from it
            RequestScopeMiddleware(), DefineMiddleware(BearerAuthMiddleware, exclude=["^/schema", "^/console"]),
        ],
        template_config=console_templates(),
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
    app.state.dishka_container = container  # what dishka's own set-up would set; read by RequestScopeMiddleware
    declare_problems(app)
    return app
