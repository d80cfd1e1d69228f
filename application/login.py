"""LogIn (credentials checked behind the login throttle) and UnlockLogins (an administrator's way out)."""

from __future__ import annotations

from dataclasses import dataclass

from application.auditing import Auditor
from application.context import ANONYMOUS, Actor
from application.users import Authenticate, Credentials
from domain.audit import AuditOutcome
from domain.errors import AuthenticationFailed, InvalidInput
from domain.login_throttle import (
    LockScope,
    LoginThrottled,
    ThrottlePolicy,
    locks_crossed,
    retry_after,
    throttle_address,
    throttle_username,
)
from domain.ports import Clock, LoginFailures, UnitOfWork
from domain.users import User


@dataclass(frozen=True)
class LoginAttempt:
    username: str
    password: str
    client_address: str | None
    caller: Actor = ANONYMOUS  # the request's ids (ours and the caller's own), before anyone is known


class LogIn:
    """Refuse while this address is locked out of this username (or of all); otherwise check the
    password, count a failure, and audit each lock as it closes. Unknown usernames count alike."""

    def __init__(self, authenticate: Authenticate, failures: LoginFailures, clock: Clock, auditor: Auditor,
                 policy: ThrottlePolicy) -> None:
        self._authenticate = authenticate
        self._failures = failures
        self._clock = clock
        self._auditor = auditor
        self._policy = policy

    async def __call__(self, attempt: LoginAttempt) -> User:
        username, address = throttle_username(attempt.username), throttle_address(attempt.client_address)
        now = self._clock.now()
        recent = await self._failures.recent(username, address, now - self._policy.window)
        wait = retry_after(self._policy, recent, now)
        if wait is not None:
            raise LoginThrottled(wait)
        try:
            user = await self._authenticate(Credentials(attempt.username, attempt.password, attempt.caller))
        except AuthenticationFailed as failed:
            await self._count_failure(username, address, failed.user_id, attempt.caller)
            raise
        if recent.username_at_address.count:  # the owner got in: their own slips no longer count
            await self._failures.clear(username, address)
        return user

    async def _count_failure(self, username: str, address: str, user_id: str | None, caller: Actor) -> None:
        now = self._clock.now()
        since = now - self._policy.window
        recent = await self._failures.record(username, address, now, since)
        await self._failures.prune(since)
        for scope in locks_crossed(self._policy, recent):
            account = [user_id] if user_id and scope is LockScope.USERNAME_AT_ADDRESS else []
            await self._auditor.record(
                caller, "auth.lock", "User", account,
                AuditOutcome.DENIED, scope=scope.value, address=address,
                minutes=str(int(self._policy.window.total_seconds() // 60)),
            )


@dataclass(frozen=True)
class UnlockCommand:
    """Clear `username`'s locks (from `address` only, when given), or every lock of `address`."""

    username: str | None
    address: str | None
    actor: Actor


class UnlockLogins:
    """An administrator forgets counted failures, which lifts the locks they caused; audited."""

    def __init__(self, uow: UnitOfWork, failures: LoginFailures, auditor: Auditor) -> None:
        self._uow = uow
        self._failures = failures
        self._auditor = auditor

    async def __call__(self, command: UnlockCommand) -> int:
        if not command.username and not command.address:
            raise InvalidInput("name a username, an address or both")
        user_id = None
        if command.username:
            async with self._uow as uow:
                user = await uow.users.by_username(command.username)
            user_id = user.id if user else None
        username = throttle_username(command.username) if command.username else None
        address = throttle_address(command.address) if command.address else None
        cleared = await self._failures.clear(username, address)
        await self._auditor.record(command.actor, "auth.unlock", "User", [user_id] if user_id else [],
                                   address=address or "any", cleared=str(cleared))
        return cleared
