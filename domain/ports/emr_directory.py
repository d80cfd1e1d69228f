"""Many practices, many EMRs: the stored connections, and the directory that routes by practice."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from domain.emr_connections import EmrConnection
from domain.ports.emr import EmrGateway
from domain.ports.emr_diagnostics import EmrDiagnostics


class EmrConnectionRepository(Protocol):
    """The connections an admin keeps (one per practice); the `default` practice's may come from settings
    instead, which the directory knows and this repository does not."""

    async def add(self, connection: EmrConnection) -> None:
        """Store a new connection; AlreadyExists when its practice has one."""
        ...

    async def save(self, connection: EmrConnection) -> None: ...

    async def get(self, connection_id: str) -> EmrConnection | None: ...

    async def for_practice(self, practice_id: str) -> EmrConnection | None: ...

    async def list(self) -> Sequence[EmrConnection]:
        """Every stored connection, by practice."""
        ...


class EmrDirectory(Protocol):
    """Each practice's EMR. Every process sees a changed connection within a bounded time.

    `gateway` and `diagnostics` raise NoEmrConnection for a practice without an active connection:
    never another practice's EMR instead.
    """

    async def gateway(self, practice_id: str) -> EmrGateway: ...

    async def diagnostics(self, practice_id: str) -> EmrDiagnostics: ...

    def room(self) -> Mapping[str, int]:
        """Practices whose EMR connection can take only so many more sends now: none while it rests after a
        failure (Retry-After, an outage's backoff, a refused token) or has every in-flight slot taken
        (`max_in_flight`); after a rest, the calls that may still try it until one succeeds. The relay claims
        no more of a practice's EMR items than that, so that the others' go on; a practice not named takes
        any number."""
        ...

    async def connections(self) -> Sequence[EmrConnection]:
        """Every connection in use: the stored ones and, for `default`, the one made of the settings."""
        ...
