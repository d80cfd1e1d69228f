"""The webhook baseline: a bare Litestar app whose POST does one asyncpg INSERT and answers 202.

It takes the same signed requests as the real endpoint (at the same path) but neither verifies,
parses, de-duplicates nor queues them: the floor of "an HTTP request that writes a row".
Started by the benchmark with the app's server settings: `benchmarks.baseline_app:create` as a
factory, BENCH_BASELINE_DSN naming the database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from litestar import Litestar, Request, get, post

PATH = "/api/v1/webhooks/mioconnect/telemetry"
TABLE = "bench_baseline"
CREATE_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (id uuid PRIMARY KEY, webhook_id text NOT NULL, "
    "received_at timestamptz NOT NULL DEFAULT now(), body bytea NOT NULL)"
)
INSERT = f"INSERT INTO {TABLE} (id, webhook_id, body) VALUES ($1, $2, $3)"  # noqa: S608 - a constant
POOL_SIZE = 20  # the app's pool: 10 + 10 overflow


def create() -> Litestar:
    dsn = os.environ["BENCH_BASELINE_DSN"]
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        state["pool"] = await asyncpg.create_pool(dsn, min_size=2, max_size=POOL_SIZE)
        try:
            yield
        finally:
            await state["pool"].close()

    @post(PATH, status_code=202)
    async def ingest(request: Request[Any, Any, Any]) -> dict[str, str]:
        body = await request.body()
        row_id = uuid.uuid4()
        await state["pool"].execute(INSERT, row_id, request.headers.get("webhook-id", ""), body)
        return {"status": "accepted", "delivery_id": str(row_id)}

    @get("/health", sync_to_thread=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar(route_handlers=[ingest, health], lifespan=[lifespan], openapi_config=None,
                    logging_config=None)
