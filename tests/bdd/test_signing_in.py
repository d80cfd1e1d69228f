"""Steps for features/signing_in.feature: the app on a real SQLite database, requests from chosen places."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pytest_bdd import given, scenarios, then, when
from typer.testing import CliRunner

from application.context import CLI
from application.users import CreateUser, CreateUserCommand
from domain.users import Role
from entrypoints.cli.main import app as cli
from tests.bdd.conftest import Runner
from tests.support.addresses import PeerFromHeader, from_peer
from tests.support.app import build_app, container_of, in_app, settings_for_tests
from tests.support.world import World

scenarios("signing_in.feature")

HER_COMPUTER, ELSEWHERE = "203.0.113.7", "198.51.100.23"
ABARA, PASSPHRASE = "ms-abara", "ms-abara-passphrase"


@pytest.fixture
def app(world: World, sqlite_url: str) -> Litestar:
    return build_app(world, settings_for_tests(database_url=sqlite_url), fake_database=False)


@pytest.fixture
def client(app: Litestar, run: Runner) -> Iterator[AsyncTestClient[Any]]:
    test_client = AsyncTestClient(app=PeerFromHeader(app))
    run(test_client.__aenter__())
    yield test_client
    run(test_client.__aexit__(None, None, None))


@pytest.fixture
def ctx() -> dict[str, Any]:
    return {}


def _sign_in(client: Any, run: Runner, username: str, password: str, place: str) -> Any:
    return run(client.post("/api/v1/auth/token", json={"username": username, "password": password},
                           headers=from_peer(place)))


@given("Ms. Abara is an administrator who signs in from her own computer")
def abara(client: Any, app: Litestar, run: Runner, ctx: dict[str, Any]) -> None:
    async def create() -> str:
        async with container_of(app)() as scope:
            user = await (await scope.get(CreateUser))(CreateUserCommand(ABARA, Role.ADMIN, PASSPHRASE, CLI))
            return user.id

    ctx["abara_id"] = run(in_app(client, create))


@given("someone at another place has entered a wrong password for Ms. Abara five times")
@when("someone at another place enters a wrong password for Ms. Abara five times")
def five_wrong(client: Any, run: Runner) -> None:
    for _ in range(5):
        assert _sign_in(client, run, ABARA, "a-wrong-guess", ELSEWHERE).status_code == 401


@when("someone at another place tries twenty different names with wrong passwords")
def twenty_names(client: Any, run: Runner) -> None:
    for attempt in range(20):
        assert _sign_in(client, run, f"staff-{attempt:02d}", "a-wrong-guess", ELSEWHERE).status_code == 401


@when("someone at another place tries a name nobody has and then Ms. Abara's name, each with a wrong password")
def nobody_then_abara(client: Any, run: Runner, ctx: dict[str, Any]) -> None:
    ctx["answers"] = [_sign_in(client, run, name, "a-wrong-guess", ELSEWHERE) for name in ("ms-nobody", ABARA)]


@then("both answers are the same")
def same_answers(ctx: dict[str, Any]) -> None:
    nobody, abara = ctx["answers"]
    assert (nobody.status_code, nobody.json()["detail"]) == (abara.status_code, abara.json()["detail"])


@then("that place is told to wait before trying Ms. Abara's account again")
@then("that place is told to wait, even with Ms. Abara's correct password")
def told_to_wait(client: Any, run: Runner) -> None:
    answer = _sign_in(client, run, ABARA, PASSPHRASE, ELSEWHERE)
    assert answer.status_code == 429
    assert int(answer.headers["retry-after"]) > 0


@then("Ms. Abara can still sign in from her own computer")
def she_signs_in(client: Any, run: Runner, ctx: dict[str, Any]) -> None:
    answer = _sign_in(client, run, ABARA, PASSPHRASE, HER_COMPUTER)
    assert answer.status_code == 200
    ctx["admin"] = {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _trail(client: Any, run: Runner, ctx: dict[str, Any], action: str) -> list[dict[str, Any]]:
    if "admin" not in ctx:
        she_signs_in(client, run, ctx)
    answer = run(client.get("/api/v1/audit/?page_size=500", headers=ctx["admin"]))
    entries: list[dict[str, Any]] = answer.json()["items"]
    return [e for e in entries if e["action"] == action]


@then("the audit trail shows Ms. Abara's account was locked for that place only")
def lock_on_record(client: Any, run: Runner, ctx: dict[str, Any]) -> None:
    [lock] = _trail(client, run, ctx, "auth.lock")
    assert (lock["resource_ids"], lock["details"]["address"]) == ([ctx["abara_id"]], ELSEWHERE)
    assert lock["details"]["scope"] == "username_at_address"


@when("an administrator lifts the locks on Ms. Abara's account")
def lift(sqlite_url: str, tmp_path: Path) -> None:
    env = {"DATABASE_URL": sqlite_url, "VANTREXIA_KEY_FILE": str(tmp_path / "keys.json"), "LOG_LEVEL": "WARNING"}
    result = CliRunner().invoke(cli, ["users", "unlock", "--username", ABARA], env=env)
    assert result.exit_code == 0, result.output


@then("Ms. Abara's account can be tried from that place again")
def tried_again(client: Any, run: Runner) -> None:
    assert _sign_in(client, run, ABARA, "a-wrong-guess", ELSEWHERE).status_code == 401


@then("the audit trail shows who lifted the lock")
def unlock_on_record(client: Any, run: Runner, ctx: dict[str, Any]) -> None:
    [unlock] = _trail(client, run, ctx, "auth.unlock")
    assert (unlock["actor"], unlock["resource_ids"]) == (CLI.id, [ctx["abara_id"]])
