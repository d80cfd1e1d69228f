"""Authenticate costs the same for every kind of failure; LogIn's throttle, UnlockLogins, the proxy rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from adapters.fakes.login_failures import InMemoryLoginFailures
from application.context import CLI
from application.login import LogIn, LoginAttempt, UnlockCommand, UnlockLogins
from application.users import Authenticate, CreateUser, CreateUserCommand, Credentials
from domain.errors import AuthenticationFailed, InvalidInput
from domain.login_throttle import LoginThrottled, ThrottlePolicy, throttle_address
from domain.users import Role
from entrypoints.http.client_address import TrustedProxies, parse_networks
from tests.support.world import World

PASSWORD = "correct-horse-battery"
STRANGER, OWNER = "198.51.100.23", "203.0.113.7"


class CountingHasher:
    """Counts verifications; a verification of the decoy hash counts like any other."""

    def __init__(self) -> None:
        self.verified: list[str] = []

    def hash(self, password: str) -> str:
        return f"hashed:{password}"

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified.append(password_hash)
        return password_hash == f"hashed:{password}"

    def decoy_hash(self) -> str:
        return "hashed:decoy-nobody-types-this"


async def _admin(world: World, hasher: object, username: str = "dr-okafor") -> str:
    user = await CreateUser(world.uow, hasher, world.clock, world.ids, world.auditor)(  # type: ignore[arg-type]
        CreateUserCommand(username, Role.ADMIN, PASSWORD, CLI))
    return user.id


@pytest.mark.parametrize("case", ["wrong password", "unknown user", "inactive user"])
async def test_every_failure_costs_one_password_verification(world: World, case: str) -> None:
    hasher = CountingHasher()
    user_id = await _admin(world, hasher)
    if case == "inactive user":
        world.db.users[user_id] = replace(world.db.users[user_id], active=False)
    username = "nobody-at-all" if case == "unknown user" else "dr-okafor"
    password = "wrong-password!!" if case == "wrong password" else PASSWORD
    with pytest.raises(AuthenticationFailed):
        await Authenticate(world.uow, hasher, world.auditor)(Credentials(username, password))
    assert len(hasher.verified) == 1


def test_the_decoy_hash_is_made_once_with_the_real_parameters(world: World) -> None:
    decoy = world.hasher.decoy_hash()
    assert decoy is world.hasher.decoy_hash()
    assert decoy.split("$")[:4] == world.hasher.hash("anything-else").split("$")[:4]  # algorithm, version, cost


def _log_in(world: World, failures: InMemoryLoginFailures, policy: ThrottlePolicy | None = None) -> LogIn:
    authenticate = Authenticate(world.uow, world.hasher, world.auditor)
    return LogIn(authenticate, failures, world.clock, world.auditor, policy or ThrottlePolicy())


async def test_the_owners_own_success_forgets_their_earlier_slips(world: World) -> None:
    await _admin(world, world.hasher)
    failures = InMemoryLoginFailures()
    log_in = _log_in(world, failures)
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            await log_in(LoginAttempt("dr-okafor", "typo-password", OWNER))
    await log_in(LoginAttempt("dr-okafor", PASSWORD, OWNER))
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            await log_in(LoginAttempt("dr-okafor", "typo-password", OWNER))
    assert (await log_in(LoginAttempt("dr-okafor", PASSWORD, OWNER))).username == "dr-okafor"


async def test_case_does_not_make_a_fresh_username_to_guess_at(world: World) -> None:
    failures = InMemoryLoginFailures()
    log_in = _log_in(world, failures, ThrottlePolicy(per_username_at_address=3))
    for spelling in ("Dr-Okafor", "DR-OKAFOR", "dr-okafor"):
        with pytest.raises(AuthenticationFailed):
            await log_in(LoginAttempt(spelling, "guess-password", STRANGER))
    with pytest.raises(LoginThrottled):
        await log_in(LoginAttempt("dR-oKaFoR", "guess-password", STRANGER))


async def test_failures_older_than_the_window_are_pruned(world: World) -> None:
    failures = InMemoryLoginFailures()
    log_in = _log_in(world, failures)
    for _ in range(3):
        with pytest.raises(AuthenticationFailed):
            await log_in(LoginAttempt("someone", "guess-password", STRANGER))
    world.clock.advance(timedelta(minutes=16))
    with pytest.raises(AuthenticationFailed):
        await log_in(LoginAttempt("someone", "guess-password", STRANGER))
    assert [f.at for f in failures.failures] == [world.clock.now()]


async def test_crossing_the_address_limit_is_audited_once_without_an_account(world: World) -> None:
    await _admin(world, world.hasher)
    log_in = _log_in(world, InMemoryLoginFailures(), ThrottlePolicy(per_username_at_address=5, per_address=3))
    for name in ("dr-okafor", "guess-1", "guess-2"):
        with pytest.raises(AuthenticationFailed):
            await log_in(LoginAttempt(name, "guess-password", STRANGER))
    with pytest.raises(LoginThrottled) as throttled:
        await log_in(LoginAttempt("dr-okafor", PASSWORD, STRANGER))
    assert throttled.value.retry_after_seconds == 15 * 60
    locks = [e for e in world.audit.entries if e.action == "auth.lock"]
    assert [(e.resource_ids, e.details["scope"]) for e in locks] == [((), "address")]


async def test_unlock_forgets_a_usernames_failures_and_is_audited(world: World) -> None:
    user_id = await _admin(world, world.hasher)
    failures = InMemoryLoginFailures()
    log_in = _log_in(world, failures)
    for address in (STRANGER,) * 5 + (OWNER,):
        with pytest.raises(AuthenticationFailed):
            await log_in(LoginAttempt("dr-okafor", "guess-password", address))
    unlock = UnlockLogins(world.uow, failures, world.auditor)
    assert await unlock(UnlockCommand("dr-okafor", STRANGER, CLI)) == 5
    assert [f.address for f in failures.failures] == [OWNER]
    assert (await log_in(LoginAttempt("dr-okafor", PASSWORD, STRANGER))).id == user_id
    entry = world.audit.entries[-2]  # the successful login is the last
    assert (entry.action, entry.actor, entry.resource_ids, entry.details) == (
        "auth.unlock", CLI.id, (user_id,), {"address": STRANGER, "cleared": "5"})
    with pytest.raises(InvalidInput):
        await unlock(UnlockCommand(None, None, CLI))


def test_addresses_are_counted_in_one_spelling() -> None:
    assert throttle_address("::ffff:198.51.100.23") == STRANGER
    assert throttle_address("2001:DB8:0:0::1") == "2001:db8::1"
    assert throttle_address(None) == "unknown"


def test_forwarded_for_is_believed_only_from_a_trusted_proxy() -> None:
    proxies = TrustedProxies(parse_networks("10.0.0.0/8, 192.0.2.1"))
    assert proxies.client_address(STRANGER, [f"{OWNER}"]) == STRANGER  # not from a proxy: ignored
    assert proxies.client_address("10.1.2.3", [f"{OWNER}, {STRANGER}"]) == STRANGER  # the proxy saw STRANGER
    assert proxies.client_address("10.1.2.3", [f"{OWNER}, {STRANGER}, 192.0.2.1"]) == STRANGER
    assert proxies.client_address("10.1.2.3", ["not-an-address"]) == "10.1.2.3"
    assert proxies.client_address("10.1.2.3", []) == "10.1.2.3"
    assert TrustedProxies().client_address("10.1.2.3", [OWNER]) == "10.1.2.3"
    with pytest.raises(ValueError, match="does not appear"):
        parse_networks("10.0.0.0/8, proxy.internal")
