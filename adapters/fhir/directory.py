"""EmrDirectory over SMART/FHIR servers: each practice's connection has its own gateway — its own HTTP client
(TLS pins, CA), token cache, rate limiter, in-flight cap and rests — so one EMR's trouble stays its own.

Stored connections are re-read at most every `refresh_seconds`; a gateway is kept while its connection's
(id, version) is unchanged, and a replaced one is closed once no call uses it.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from adapters.fhir.client import FhirEmrGateway
from adapters.fhir.config import Closeable
from adapters.fhir.diagnostics import FhirEmrDiagnostics
from adapters.fhir.guard import Backoff, GuardedGateway
from domain.emr_connections import DEFAULT_SCOPES, FROM_SETTINGS, EmrConnection, EmrVendor, NoEmrConnection
from domain.patients import DEFAULT_PRACTICE
from domain.ports.emr import EmrGateway, EmrUnavailable
from domain.ports.emr_diagnostics import EmrDiagnostics

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SETTINGS_MAX_IN_FLIGHT = 100  # the settings' connection keeps the HTTP pool's own bound
ConnectionSource = Callable[[], Awaitable[Sequence[EmrConnection]]]
GatewayFactory = Callable[[EmrConnection], tuple[FhirEmrGateway, Closeable]]


def settings_connection(
    vendor: EmrVendor, fhir_base_url: str, client_id: str, *, token_url: str | None = None,
    scopes: str = DEFAULT_SCOPES, practice_code: str | None = None, rate_limit_per_minute: int = 300,
    tls_pins: tuple[str, ...] = (),
) -> EmrConnection:
    """The `default` practice's connection made of settings (id "settings"; it never changes while running)."""
    return EmrConnection(
        id=FROM_SETTINGS, practice_id=DEFAULT_PRACTICE, vendor=vendor, fhir_base_url=fhir_base_url,
        client_id=client_id, created_at=EPOCH, updated_at=EPOCH, token_url=token_url, scopes=scopes,
        practice_code=practice_code, rate_limit_per_minute=rate_limit_per_minute,
        max_in_flight=SETTINGS_MAX_IN_FLIGHT, tls_pins=tls_pins,
    )


@dataclass(frozen=True)
class _Live:
    connection: EmrConnection
    gateway: FhirEmrGateway  # unguarded: the set-up checks always ask the server itself
    guarded: GuardedGateway


class SmartEmrDirectory:
    """Each practice's EMR; `from_settings` (the ECW_* or sandbox gateway) is `default`'s, never replaced."""

    def __init__(
        self, stored: ConnectionSource, build: GatewayFactory, *, clock: Callable[[], float],
        random: Callable[[], float], refresh_seconds: float = 5.0,
        from_settings: tuple[EmrConnection, FhirEmrGateway] | None = None,
    ) -> None:
        self._stored, self._build, self._clock, self._random = stored, build, clock, random
        self._refresh_seconds, self._next_refresh = refresh_seconds, float("-inf")
        self._lock = asyncio.Lock()
        self._fixed: dict[str, _Live] = {}
        if from_settings is not None:
            connection, gateway = from_settings
            self._fixed[connection.practice_id] = self._live(connection, gateway, None)
        self._live_by_practice: dict[str, _Live] = {}
        self._broken: dict[str, str] = {}

    async def gateway(self, practice_id: str) -> EmrGateway:
        return (await self._find(practice_id)).guarded

    async def diagnostics(self, practice_id: str) -> EmrDiagnostics:
        return FhirEmrDiagnostics((await self._find(practice_id)).gateway)

    def room(self) -> dict[str, int]:
        every = {**self._live_by_practice, **self._fixed}
        limited = ((practice, live.guarded.room) for practice, live in every.items())
        return {practice: room for practice, room in limited if room is not None}

    async def server(self, practice_id: str) -> tuple[EmrConnection, FhirEmrGateway]:
        """The practice's connection and its own (unguarded) gateway: a user launch uses its HTTP client."""
        live = await self._find(practice_id)
        return live.connection, live.gateway

    async def connections(self) -> Sequence[EmrConnection]:
        await self._refresh()
        every = {**self._live_by_practice, **self._fixed}
        return [every[practice].connection for practice in sorted(every)]

    async def aclose(self) -> None:
        """Close every stored connection's HTTP client (the settings' one is its provider's to close)."""
        live, self._live_by_practice = self._live_by_practice, {}
        for entry in live.values():
            await entry.guarded.retire()

    async def _find(self, practice_id: str) -> _Live:
        if practice_id in self._fixed:
            return self._fixed[practice_id]
        await self._refresh()
        if practice_id in self._live_by_practice:
            return self._live_by_practice[practice_id]
        if practice_id in self._broken:
            raise EmrUnavailable(f"this practice's EMR connection cannot be used: {self._broken[practice_id]}")
        raise NoEmrConnection(practice_id)

    async def _refresh(self) -> None:
        if self._clock() < self._next_refresh:
            return
        async with self._lock:  # one reader at a time; the others use what it read
            if self._clock() < self._next_refresh:
                return
            self._next_refresh = self._clock() + self._refresh_seconds
            try:
                stored = await self._stored()
            except Exception:  # noqa: BLE001 - the database is unreachable: go on with what was read last
                return
            await self._apply(stored)

    async def _apply(self, stored: Sequence[EmrConnection]) -> None:
        wanted = {c.practice_id: c for c in stored if c.active and c.practice_id not in self._fixed}
        for practice, live in list(self._live_by_practice.items()):
            now = wanted.get(practice)
            if now is None or (now.id, now.version) != (live.connection.id, live.connection.version):
                del self._live_by_practice[practice]
                await live.guarded.retire()
        self._broken = {}
        for practice, connection in wanted.items():
            if practice in self._live_by_practice:
                continue
            try:
                gateway, closer = self._build(connection)
            except ssl.SSLError:
                self._broken[practice] = "its CA certificates cannot be loaded"
                continue
            except ValueError as error:  # malformed TLS pins
                self._broken[practice] = str(error)
                continue
            self._live_by_practice[practice] = self._live(connection, gateway, closer)

    def _live(self, connection: EmrConnection, gateway: FhirEmrGateway, closer: Closeable | None) -> _Live:
        backoff = Backoff(self._clock, self._random)
        return _Live(connection, gateway, GuardedGateway(gateway, connection.max_in_flight, backoff, closer))
