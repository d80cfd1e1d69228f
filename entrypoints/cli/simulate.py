"""`vantrexia simulate`: a device simulator sending signed MioConnect deliveries to a server."""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from adapters.mioconnect.webhook import WebhookSigner
from entrypoints.cli.common import settings_or_exit
from entrypoints.simulator import KINDS, delivery

TELEMETRY_PATH = "/api/v1/webhooks/mioconnect/telemetry"


async def _send_all(url: str, secret: str, devices: int, readings: int, invalid_share: float,
                    concurrency: int, seed: int, console: Console) -> Counter[str]:
    rng = random.Random(seed)  # noqa: S311 - simulated data, not security
    now = int(time.time())
    bodies = [delivery(d, KINDS[d % len(KINDS)], rng, rng.random() < invalid_share, now)
              for d in range(1, devices + 1) for _ in range(readings)]
    signer, outcomes, queue = WebhookSigner(secret), Counter[str](), asyncio.Queue[dict[str, Any]]()
    for body in bodies:
        queue.put_nowait(body)
    with Progress(console=console, transient=False) as progress:
        task = progress.add_task("sending deliveries", total=len(bodies))
        async with httpx.AsyncClient(base_url=url, timeout=10) as client:

            async def sender() -> None:
                while not queue.empty():
                    raw = json.dumps(queue.get_nowait()).encode()
                    headers = signer.headers(f"msg_{uuid.uuid4().hex}", raw, datetime.now(UTC))
                    try:
                        response = await client.post(TELEMETRY_PATH, content=raw,
                                                     headers={**headers, "content-type": "application/json"})
                        outcomes[_outcome(response)] += 1
                    except httpx.TransportError as error:
                        outcomes[f"error: {type(error).__name__}"] += 1
                    progress.advance(task)

            await asyncio.gather(*(sender() for _ in range(max(1, concurrency))))
    return outcomes


def _outcome(response: httpx.Response) -> str:
    if response.status_code == 202:
        return str(response.json().get("status", "accepted"))
    return f"HTTP {response.status_code}"


def simulate(
    url: Annotated[str, typer.Option(help="server base URL")] = "http://127.0.0.1:8000",
    secret: Annotated[str | None, typer.Option(help="webhook secret (whsec_…); default: the key store's")] = None,
    devices: Annotated[int, typer.Option(min=1, max=10_000)] = 4,
    readings: Annotated[int, typer.Option(min=1, max=10_000, help="readings per device")] = 5,
    invalid_share: Annotated[float, typer.Option(min=0.0, max=1.0, help="share of invalid readings")] = 0.1,
    concurrency: Annotated[int, typer.Option(min=1, max=256)] = 8,
    seed: Annotated[int, typer.Option(help="random seed (same seed, same readings)")] = 1,
) -> None:
    """Send realistic signed deliveries of every device kind (some invalid) and summarise the answers."""

    console = Console()
    if secret is None:
        secret = asyncio.run(_configured_secret(settings_or_exit()))
    outcomes = asyncio.run(_send_all(url, secret, devices, readings, invalid_share, concurrency, seed, console))
    table = Table("outcome", "deliveries", title="simulation summary")
    for outcome, count in sorted(outcomes.items()):
        table.add_row(outcome, str(count))
    console.print(table)


async def _configured_secret(settings: Any) -> str:
    from pathlib import Path

    from adapters.keys.file_store import FileKeyStore
    from entrypoints.providers import webhook_secret_from

    configured: str | None = settings.webhook_secret
    return configured or await webhook_secret_from(FileKeyStore(Path(settings.key_file)))
