"""`vantrexia`: serve, worker, migrate, users, emr, ... Errors are one line on stderr, exit code 2."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from typing import Annotated

import typer

from adapters.sql.migrate import run_migrations
from entrypoints.cli.audit import audit_app
from entrypoints.cli.common import fail, run_loop, settings_or_exit
from entrypoints.cli.emr import emr_app
from entrypoints.cli.keys import keys_app
from entrypoints.cli.simulate import simulate
from entrypoints.cli.sync import sync_app
from entrypoints.cli.users import users_app

app = typer.Typer(help="Vantrexia RPM integration layer", no_args_is_help=True, add_completion=False)
app.add_typer(users_app, name="users")
app.add_typer(sync_app, name="sync")
app.add_typer(audit_app, name="audit")
app.add_typer(keys_app, name="keys")
app.add_typer(emr_app, name="emr")
app.command()(simulate)


@app.command()
def migrate(revision: Annotated[str, typer.Option(help="target revision")] = "head") -> None:
    """Bring the database schema up to date."""
    settings = settings_or_exit()
    run_migrations(settings.database_url, revision)
    typer.echo(f"database migrated to {revision}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="listen address (default HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="listen port (default PORT)")] = None,
    workers: Annotated[int | None, typer.Option(min=1, max=64, help="API processes (default API_WORKERS)")] = None,
) -> None:
    """Serve the API with uvicorn (uvloop, httptools); SIGTERM drains requests and stops the in-process worker.

    uvicorn rather than granian: on the webhook path granian spent about a quarter more CPU per request
    (0.80 against 0.63 ms, four alternating runs on one database) and the two swap places on requests
    per second from run to run; `make bench` measures both.
    """
    import importlib.util

    import uvicorn

    settings = settings_or_exit()
    processes = workers or settings.api_workers
    if processes > 1 and settings.worker == "inprocess" and settings.database_url.startswith("sqlite"):
        fail("several API processes need VANTREXIA_WORKER=off and Postgres (SQLite has one writer)")
    uvicorn.run(
        "entrypoints.http.asgi:create", factory=True, host=host or settings.host, port=port or settings.port,
        workers=processes, access_log=False, log_level=settings.log_level.lower(), timeout_graceful_shutdown=20,
        server_header=False,  # no product banner for scanners; our own headers are set by the app
        proxy_headers=False,  # the client address is the peer's; VANTREXIA_TRUSTED_PROXIES alone says otherwise
        loop="uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
        http="httptools" if importlib.util.find_spec("httptools") else "h11",
    )


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="worker loops in this process")] = 1,
) -> None:
    """Run outbox workers alone (VANTREXIA_WORKER=off deployments) until SIGTERM: each batch finishes first.

    On Postgres several processes may run at once (rows are claimed with FOR UPDATE SKIP LOCKED and a
    lease) and LISTEN/NOTIFY wakes them as soon as work is committed; polling stays the fallback.
    """
    from adapters.sql.notify import OutboxListener
    from adapters.telemetry.setup import configure_tracing
    from entrypoints.container import build_container
    from entrypoints.process import settle_after_startup
    from entrypoints.worker import OutboxWorker, WorkerWakeup

    settings = settings_or_exit()
    configure_tracing(os.environ)

    async def main() -> None:
        container = build_container(settings)
        settle_after_startup()
        stop, wakeup = asyncio.Event(), WorkerWakeup()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        listener = OutboxListener(settings.database_url, wakeup.notify)
        if settings.database_url.startswith("postgresql"):
            await listener.start()
        workers = [OutboxWorker(container, batch_size=settings.worker_batch_size,
                                poll_seconds=settings.worker_poll_seconds, wakeup=wakeup,
                                lease_seconds=settings.worker_lease_seconds) for _ in range(concurrency)]
        try:
            await asyncio.gather(*(w.run(stop) for w in workers))
        finally:
            await listener.stop()
            await container.close()

    run_loop(main())


def run() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
