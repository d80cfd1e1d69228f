"""The served process takes the client address from the TCP peer: X-Forwarded-For from an untrusted
peer (even the loopback, which uvicorn trusts by default) cannot dodge the login throttle."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from adapters.auth.passwords import Argon2PasswordHasher
from adapters.sql.engine import create_engine
from adapters.sql.migrate import run_migrations
from adapters.sql.unit_of_work import SqlAlchemyUnitOfWork
from domain.users import Role, User
from tests.conftest import run_async
from tests.support.app import WEBHOOK_SECRET
from tests.support.live import free_port, served_process

pytestmark = pytest.mark.slow
PASSWORD = "dr-served-correct-horse"


async def _add_user(database_url: str) -> None:
    """A user whose hash is cheap to verify (argon2 verifies with the hash's own parameters)."""
    engine = create_engine(database_url)
    try:
        async with SqlAlchemyUnitOfWork(engine) as uow:
            await uow.users.add(User(str(uuid.uuid4()), "dr-served", Role.CLINICIAN,
                                     Argon2PasswordHasher(time_cost=1, memory_cost=1024).hash(PASSWORD), True,
                                     datetime.now(UTC)))
            await uow.commit()
    finally:
        await engine.dispose()


def test_forwarded_for_from_an_untrusted_peer_does_not_dodge_the_lock(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}",
        "VANTREXIA_KEY_FILE": str(tmp_path / "keys" / "keystore.json"),
        "MIOCONNECT_WEBHOOK_SECRET": WEBHOOK_SECRET, "VANTREXIA_WORKER": "off", "LOG_LEVEL": "WARNING",
        "PORT": str(free_port()), "VANTREXIA_DEMO": "false",
    }
    run_migrations(env["DATABASE_URL"])
    run_async(lambda: _add_user(env["DATABASE_URL"]))
    with served_process(env) as base:
        for attempt in range(5):
            wrong = httpx.post(f"{base}/api/v1/auth/token", json={"username": "dr-served", "password": "wrong-one"},
                               headers={"x-forwarded-for": f"192.0.2.{attempt + 1}"}, timeout=10)
            assert wrong.status_code == 401
        locked = httpx.post(f"{base}/api/v1/auth/token", json={"username": "dr-served", "password": PASSWORD},
                            headers={"x-forwarded-for": "192.0.2.99"}, timeout=10)
    assert locked.status_code == 429
