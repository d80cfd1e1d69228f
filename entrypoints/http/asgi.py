"""ASGI factory for process managers: `uvicorn --factory entrypoints.http.asgi:create` (one container per process)."""

from __future__ import annotations

import gc
import os

from litestar import Litestar

from adapters.telemetry.setup import configure_tracing
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.logging_setup import configure_logging
from entrypoints.settings import load_settings

GC_YOUNG_THRESHOLD = 10_000  # allocations between young collections (CPython's default is 700)


def create() -> Litestar:
    """Settings are read once here, at process start; nothing reads the environment at import time."""
    settings = load_settings(os.environ)
    configure_logging(settings.log_level)
    configure_tracing(os.environ)
    app = create_app(build_container(settings), settings)
    # What start-up made (modules, the app, its routes) lives as long as the process: frozen, the
    # collector stops walking it on every full collection; and young collections run less often, as a
    # request allocates many short-lived objects that reference counting frees by itself.
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    return app
