"""Demo data for `make run`: a demo admin whose password is written to a 0600 file."""

from __future__ import annotations

import asyncio
import os
import secrets
from pathlib import Path

import structlog
from dishka import AsyncContainer

from application.context import CLI
from application.users import CreateUser, CreateUserCommand
from domain.errors import Conflict
from domain.users import Role

DEMO_ADMIN = "demo-admin"
_log = structlog.get_logger("vantrexia.demo")


async def ensure_demo_admin(container: AsyncContainer, password_file: Path) -> None:
    """Create the demo admin once; its password goes to `password_file`, never to the log."""
    if await asyncio.to_thread(password_file.exists):
        return
    password = secrets.token_urlsafe(18)
    async with container() as scope:
        create = await scope.get(CreateUser)
        try:
            await create(CreateUserCommand(DEMO_ADMIN, Role.ADMIN, password, CLI))
        except Conflict:
            _log.warning("demo_admin_exists_without_password_file", file=str(password_file))
            return
    password_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    _log.info("demo_admin_created", username=DEMO_ADMIN, password_file=str(password_file))
