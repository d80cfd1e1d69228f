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

KINDS = ("bpm_gen2_measure", "scale_gen2_measure", "bgm_gen2_measure", "pulse_oximeter_measure")
MODELS = {"bpm_gen2_measure": "TMB-2092-G", "scale_gen2_measure": "TMB-2091-G",
          "bgm_gen2_measure": "TMB-2093-G", "pulse_oximeter_measure": "TMB-2094-G"}
TELEMETRY_PATH = "/api/v1/webhooks/mioconnect/telemetry"


def device_imei(n: int) -> str:
    return f"86001304{n:07d}"


def measurement(kind: str, rng: random.Random, invalid: bool) -> dict[str, Any]:
    """Realistic values; `invalid` yields what a real device sometimes sends (sentinels, control tests)."""
    if kind == "bpm_gen2_measure":
        sys_ = rng.randint(70, 75) if invalid else rng.randint(105, 190)
        return {"sys": sys_, "dia": 90 if invalid else rng.randint(60, min(sys_ - 20, 125)),
                "pul": rng.randint(55, 110), "ihb": rng.random() < 0.05, "hand": False, "tri": False}
    if kind == "scale_gen2_measure":
        return {"wt": 5000 if invalid else rng.randint(50_000, 130_000)}
    if kind == "bgm_gen2_measure":
        return {"data": rng.randint(70, 260), "unit": 2, "sample_type": 2 if invalid else 1,
                "meal": rng.choice((0, 1, 2))}
    return {"spo2": 127 if invalid else rng.randint(86, 100), "pr": 255 if invalid else rng.randint(55, 115),
            "pi": round(rng.uniform(0.5, 9.0), 1)}


def delivery(n: int, kind: str, rng: random.Random, invalid: bool, now: int) -> dict[str, Any]:
    imei = device_imei(n)
    data = {"data_type": kind, "imei": imei, "iccid": f"890117032781{n:08d}", "sn": f"SIM{n:09d}",
            "uid": "1", "ts": now - rng.randint(0, 3600), "tz": "UTC-5", "bat": rng.randint(20, 100),
            "sig": rng.randint(5, 30), **measurement(kind, rng, invalid)}
    return {"deviceId": imei, "createdAt": now, "isTest": False, "modelNumber": MODELS[kind], "data": data}


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
    from entrypoints.cli.main import settings_or_exit

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
    from entrypoints.container import webhook_secret_from

    configured: str | None = settings.webhook_secret
    return configured or await webhook_secret_from(FileKeyStore(Path(settings.key_file)))
