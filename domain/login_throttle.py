"""Login throttling: failed logins from one address lock that address out of one account, or out of
every account — never the account's owner logging in from somewhere else."""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.errors import DomainError

KEY_LENGTH = 64  # usernames and addresses are stored at most this long


class LockScope(StrEnum):
    """What a lock keeps out: one username from one address, or one address from every username."""

    USERNAME_AT_ADDRESS = "username_at_address"
    ADDRESS = "address"


@dataclass(frozen=True)
class ThrottlePolicy:
    """`per_username_at_address` failures of one username from one address within `window` lock that
    pair; `per_address` failures from one address (any usernames) lock that address."""

    per_username_at_address: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)

    def limit(self, scope: LockScope) -> int:
        return self.per_username_at_address if scope is LockScope.USERNAME_AT_ADDRESS else self.per_address


@dataclass(frozen=True)
class FailureCount:
    """Failures within the window, and when the oldest of them happened (None when there are none)."""

    count: int = 0
    oldest: datetime | None = None


@dataclass(frozen=True)
class RecentFailures:
    """The window's failures of one username from one address, and of every username from it."""

    username_at_address: FailureCount = FailureCount()
    address: FailureCount = FailureCount()

    def of(self, scope: LockScope) -> FailureCount:
        return self.username_at_address if scope is LockScope.USERNAME_AT_ADDRESS else self.address


class LoginThrottled(DomainError):
    """Too many failed logins from this address (for this username or for all); try again later."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__("too many failed logins; try again later")
        self.retry_after_seconds = retry_after_seconds


def retry_after(policy: ThrottlePolicy, recent: RecentFailures, now: datetime) -> int | None:
    """Seconds until the next try is allowed, or None when it is allowed now."""
    waits = []
    for scope in LockScope:
        counted = recent.of(scope)
        if counted.count >= policy.limit(scope) and counted.oldest is not None:
            waits.append((counted.oldest + policy.window - now).total_seconds())
    return max(1, math.ceil(max(waits))) if waits else None


def locks_crossed(policy: ThrottlePolicy, recent: RecentFailures) -> list[LockScope]:
    """The locks the failure just counted in `recent` has closed (exactly at the threshold)."""
    return [scope for scope in LockScope if recent.of(scope).count == policy.limit(scope)]


def throttle_username(username: str) -> str:
    """The key a username is counted under: case does not make a new account to guess at."""
    return username.lower()[:KEY_LENGTH]


def throttle_address(address: str | None) -> str:
    """A client address in one canonical spelling (IPv6 compressed, IPv4-mapped unwrapped)."""
    if not address:
        return "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:KEY_LENGTH]
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(parsed)
