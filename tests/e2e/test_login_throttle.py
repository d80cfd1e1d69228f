"""Login throttling over HTTP: a stranger cannot lock the owner out, one address cannot guess at many
usernames, locks are audited, and counters are shared by every API process (one database)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from application.context import CLI
from application.users import CreateUser, CreateUserCommand
from domain.audit import AuditOutcome
from domain.users import Role
from tests.support.addresses import PeerFromHeader, from_peer
from tests.support.api import add_user
from tests.support.app import build_app, container_of, in_app, settings_for_tests
from tests.support.world import World

TOKEN = "/api/v1/auth/token"
OWNER, STRANGER = "203.0.113.7", "198.51.100.23"
WRONG = "not-the-password"


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(app=PeerFromHeader(app)) as test_client:
        yield test_client


async def _log_in(client: AsyncTestClient[Any], username: str, password: str, address: str) -> Any:
    return await client.post(TOKEN, json={"username": username, "password": password}, headers=from_peer(address))


async def test_a_strangers_failures_do_not_lock_the_owner_out(client: AsyncTestClient[Any], world: World) -> None:
    username, password = add_user(world, "admin-owner", Role.ADMIN)
    for _ in range(5):
        assert (await _log_in(client, username, WRONG, STRANGER)).status_code == 401
    refused = await _log_in(client, username, password, STRANGER)
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert 0 < int(refused.headers["retry-after"]) <= 900
    assert (await _log_in(client, username, password, OWNER)).status_code == 200


async def test_one_address_guessing_at_many_usernames_is_refused(client: AsyncTestClient[Any], world: World) -> None:
    username, password = add_user(world, "dr-guessed-at")
    for attempt in range(20):
        assert (await _log_in(client, f"guess-{attempt:02d}", WRONG, STRANGER)).status_code == 401
    refused = await _log_in(client, username, password, STRANGER)
    assert refused.status_code == 429
    assert refused.json()["status"] == 429
    assert 0 < int(refused.headers["retry-after"]) <= 900
    assert (await _log_in(client, username, password, OWNER)).status_code == 200
    world.clock.advance(timedelta(minutes=15, seconds=1))
    assert (await _log_in(client, username, password, STRANGER)).status_code == 200


async def test_a_lock_is_audited_with_ids_only(client: AsyncTestClient[Any], world: World) -> None:
    username, _ = add_user(world, "dr-audited")
    user_id = next(u.id for u in world.store.committed.users.values() if u.username == username)
    for _ in range(5):
        await _log_in(client, username, WRONG, STRANGER)
    locks = [e for e in world.audit.entries if e.action == "auth.lock"]
    assert [(e.resource_ids, e.outcome, e.details["scope"], e.details["address"]) for e in locks] == [
        ((user_id,), AuditOutcome.DENIED, "username_at_address", STRANGER)]
    assert username not in repr(locks[0])


async def test_a_lock_on_an_unknown_username_looks_like_one_on_a_real_one(
    client: AsyncTestClient[Any], world: World
) -> None:
    username, _ = add_user(world, "dr-exists")
    answers = {}
    for name in (username, "dr-does-not-exist"):
        tries = [await _log_in(client, name, WRONG, STRANGER) for _ in range(6)]
        answers[name] = [(r.status_code, r.headers.get("retry-after")) for r in tries]
    assert answers[username] == answers["dr-does-not-exist"]
    assert answers[username][-1] == (429, "900")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


async def test_two_api_processes_count_failures_together(world: World, database_url: str) -> None:
    settings = settings_for_tests(database_url=database_url)
    first, second = (build_app(world, settings, fake_database=False) for _ in range(2))
    async with AsyncTestClient(app=first) as one, AsyncTestClient(app=second) as other:
        async def create_user() -> None:
            async with container_of(first)() as scope:
                create = await scope.get(CreateUser)
                await create(CreateUserCommand("dr-shared", Role.CLINICIAN, "dr-shared-correct-horse", CLI))

        await in_app(one, create_user)
        for client in (one, other, one, other, one):
            wrong = await client.post(TOKEN, json={"username": "dr-shared", "password": WRONG})
            assert wrong.status_code == 401
        for client in (one, other):
            locked = await client.post(TOKEN, json={"username": "dr-shared", "password": "dr-shared-correct-horse"})
            assert locked.status_code == 429
