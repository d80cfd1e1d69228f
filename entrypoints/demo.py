"""Demo data for `make run`: a demo admin (password in a 0600 file) and a few monitored patients
whose devices are the ones `vantrexia simulate` sends from."""

from __future__ import annotations

import asyncio
import os
import secrets
from datetime import timedelta
from pathlib import Path

import structlog
from dishka import AsyncContainer

from application.assign_device import AssignDevice, AssignDeviceCommand
from application.context import CLI
from application.import_patients import ImportPatients, ImportSelectedPatients
from application.register_device import RegisterDevice, RegisterDeviceCommand
from application.users import CreateUser, CreateUserCommand
from domain.errors import Conflict
from domain.ports import Clock
from domain.users import Role
from entrypoints.simulator import KINDS, MODELS, device_imei

DEMO_ADMIN = "demo-admin"
DEMO_PATIENTS = 4
_log = structlog.get_logger("vantrexia.demo")


async def ensure_demo_data(container: AsyncContainer, password_file: Path) -> None:
    """Create the demo admin and demo patients once (the password file marks it done)."""
    if await asyncio.to_thread(password_file.exists):
        return
    password = secrets.token_urlsafe(18)
    async with container() as scope:
        try:
            await (await scope.get(CreateUser))(CreateUserCommand(DEMO_ADMIN, Role.ADMIN, password, CLI))
        except Conflict:
            _log.warning("demo_admin_exists_without_password_file", file=str(password_file))
            return
        await _monitored_patients(scope)
    password_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    _log.info("demo_data_created", username=DEMO_ADMIN, password_file=str(password_file), patients=DEMO_PATIENTS)


async def _monitored_patients(scope: AsyncContainer) -> None:
    """Import the first synthetic patients and give each the simulator's device n."""
    ids = tuple(f"synthetic-patient-{n:04d}" for n in range(1, DEMO_PATIENTS + 1))
    imported = await (await scope.get(ImportPatients))(ImportSelectedPatients(ids, CLI))
    since = (await scope.get(Clock)).now() - timedelta(days=2)
    register, assign = await scope.get(RegisterDevice), await scope.get(AssignDevice)
    for n, patient in enumerate(imported.imported, start=1):
        device = await register(RegisterDeviceCommand(device_imei(n), MODELS[KINDS[n % len(KINDS)]], CLI))
        await assign(AssignDeviceCommand(device.id, patient.id, CLI, effective_from=since))
