"""ASGI factory for process managers: `uvicorn --factory entrypoints.http.asgi:create` (one container per process)."""

from __future__ import annotations

import os

from litestar import Litestar

from adapters.telemetry.setup import configure_tracing
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.logging_setup import configure_logging
from entrypoints.process import settle_after_startup
from entrypoints.settings import load_settings


def create() -> Litestar:
    """Settings are read once here, at process start; nothing reads the environment at import time."""
    settings = load_settings(os.environ)
    configure_logging(settings.log_level)
    configure_tracing(os.environ)
    app = create_app(build_container(settings), settings)
    settle_after_startup()
    return app
