"""Monitored patients (through the app's own use cases) and unique, signed blood-pressure readings."""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from adapters.mioconnect.webhook import WebhookSigner
from application.assign_device import AssignDevice, AssignDeviceCommand
from application.context import CLI
from application.import_patients import ImportPatients, ImportSelectedPatients
from application.register_device import RegisterDevice, RegisterDeviceCommand
from benchmarks.baseline_app import PATH
from benchmarks.pg import BenchDatabase
from benchmarks.procs import HOST, clean_env
from domain.patients import Patient
from entrypoints.container import build_container
from entrypoints.settings import Settings
from entrypoints.simulator import device_imei

MODEL = "TMB-2092-G"  # a blood-pressure cuff: each reading becomes two Observations
IMPORT_CHUNK = 500  # ImportPatients takes at most this many ids per call


def settings_for(database: BenchDatabase, workdir: Path, secret: str, patients: int, **more: Any) -> Settings:
    """Settings of an in-process container (setup, batch sync) on the benchmark's database."""
    return Settings(database_url=database.url, key_file=str(workdir / "keystore.json"), webhook_secret=secret,
                    worker="off", synthetic_patients=patients, log_level="WARNING", **more)


def env_for(settings: Settings, **more: str) -> dict[str, str]:
    """The same settings as environment variables, for `vantrexia serve|worker|migrate`."""
    return clean_env(DATABASE_URL=settings.database_url, VANTREXIA_KEY_FILE=settings.key_file,
                     MIOCONNECT_WEBHOOK_SECRET=settings.webhook_secret or "", VANTREXIA_WORKER="off",
                     VANTREXIA_DEMO="false", LOG_LEVEL="WARNING",
                     VANTREXIA_SYNTHETIC_PATIENTS=str(settings.synthetic_patients), **more)


async def enrol(settings: Settings, patients: int) -> list[str]:
    """Import `patients` EMR patients and give each a registered, assigned cuff; returns the IMEIs."""
    container = build_container(settings)
    since = datetime.now(UTC) - timedelta(days=364)
    emr_ids = [f"synthetic-patient-{n:04d}" for n in range(1, patients + 1)]
    try:
        imported: list[Patient] = []
        for start in range(0, patients, IMPORT_CHUNK):
            async with container() as scope:
                result = await (await scope.get(ImportPatients))(
                    ImportSelectedPatients(tuple(emr_ids[start:start + IMPORT_CHUNK]), CLI))
                imported += result.imported

        async def one(n: int, patient_id: str) -> None:
            async with container() as scope:
                device = await (await scope.get(RegisterDevice))(RegisterDeviceCommand(device_imei(n), MODEL, CLI))
                await (await scope.get(AssignDevice))(AssignDeviceCommand(device.id, patient_id, CLI,
                                                                          effective_from=since))

        for start in range(0, len(imported), 10):
            await asyncio.gather(*(one(n, p.id) for n, p in enumerate(imported[start:start + 10], start + 1)))
    finally:
        await container.close()
    return [device_imei(n) for n in range(1, len(imported) + 1)]


@dataclass
class ReadingSource:
    """Hands out readings no earlier one of this run shares: device k mod n, one second further back
    for every round over the devices (the natural key is device, slot, time and kind)."""

    imeis: list[str]
    issued: int = 0
    origin: int = 0
    rng: random.Random = random.Random(20261124)  # noqa: RUF009 - one stream for the run is the intent

    def __post_init__(self) -> None:
        self.origin = self.origin or int(time.time()) - 120

    def bodies(self, count: int) -> list[bytes]:
        """Plausible, unremarkable values (no alert fires): the common case of the hot path."""
        out = []
        for k in range(self.issued, self.issued + count):
            imei, ts = self.imeis[k % len(self.imeis)], self.origin - k // len(self.imeis)
            data = {"data_type": "bpm_gen2_measure", "imei": imei, "iccid": "89011703278100000000", "sn": "SIMBENCH",
                    "uid": "1", "sys": self.rng.randint(108, 134), "dia": self.rng.randint(64, 84),
                    "pul": self.rng.randint(58, 92), "ihb": False, "hand": False, "tri": False, "ts": ts,
                    "tz": "UTC-5", "bat": 90, "sig": 20}
            message = {"deviceId": imei, "createdAt": ts + 5, "isTest": False, "modelNumber": MODEL, "data": data}
            out.append(json.dumps(message, separators=(",", ":")).encode())
        self.issued += count
        return out


def signed_headers(signer: WebhookSigner, body: bytes, at: datetime | None = None) -> dict[str, str]:
    headers = signer.headers(f"msg_{uuid.uuid4().hex}", body, at or datetime.now(UTC))
    return {**headers, "content-type": "application/json"}


def raw_requests(secret: str, bodies: list[bytes], port: int) -> list[bytes]:
    """Complete HTTP/1.1 requests, signed now (the verifier accepts them for five minutes)."""
    signer, now, out = WebhookSigner(secret), datetime.now(UTC), []
    for body in bodies:
        headers = signed_headers(signer, body, now)
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        out.append(f"POST {PATH} HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Length: {len(body)}\r\n{head}\r\n"
                   .encode() + body)
    return out
