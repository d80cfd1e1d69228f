"""FakeEmrDirectory: each practice's in-memory EMR, as the real directory routes by practice.

The `default` practice has the given EMR (as if ECW_* were set); every other practice with a stored active
connection has its own FakeEmrGateway in `emrs` (created on first use, or put there by a test); any other
practice has none. Connections are read on every call: a fake has no refresh interval to wait for.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from datetime import UTC, datetime

from adapters.fakes.emr import FakeEmrGateway
from adapters.fakes.emr_setup import InMemoryEmrDiagnostics
from domain.emr_connections import FROM_SETTINGS, EmrConnection, EmrVendor, NoEmrConnection
from domain.patients import DEFAULT_PRACTICE
from domain.ports.emr import EmrGateway
from domain.ports.emr_diagnostics import EmrDiagnostics

ConnectionSource = Callable[[], Awaitable[Sequence[EmrConnection]]]  # the stored connections, freshly read
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DEFAULT_CONNECTION = EmrConnection(
    id=FROM_SETTINGS, practice_id=DEFAULT_PRACTICE, vendor=EmrVendor.SMART, fhir_base_url="http://fake.invalid/fhir",
    client_id="in-memory", created_at=EPOCH, updated_at=EPOCH,
)


class FakeEmrDirectory:
    """EmrDirectory over FakeEmrGateways; `rooms` (each practice's room for more sends) is what a test says."""

    def __init__(
        self, default: EmrGateway, stored: ConnectionSource,
        emrs: MutableMapping[str, FakeEmrGateway] | None = None, rooms: MutableMapping[str, int] | None = None,
    ) -> None:
        self._default, self._stored = default, stored
        self.emrs: MutableMapping[str, FakeEmrGateway] = emrs if emrs is not None else {}
        self.rooms: MutableMapping[str, int] = rooms if rooms is not None else {}

    async def gateway(self, practice_id: str) -> EmrGateway:
        return await self._fake(practice_id)

    async def diagnostics(self, practice_id: str) -> EmrDiagnostics:
        return InMemoryEmrDiagnostics(await self._fake(practice_id))

    def room(self) -> dict[str, int]:
        return dict(self.rooms)

    async def connections(self) -> Sequence[EmrConnection]:
        stored = [c for c in await self._stored() if c.practice_id != DEFAULT_PRACTICE]
        return sorted([DEFAULT_CONNECTION, *stored], key=lambda c: c.practice_id)

    async def _fake(self, practice_id: str) -> EmrGateway:
        if practice_id == DEFAULT_PRACTICE:
            return self._default
        if not any(c.practice_id == practice_id and c.active for c in await self._stored()):
            raise NoEmrConnection(practice_id)
        if practice_id not in self.emrs:
            self.emrs[practice_id] = FakeEmrGateway()
        return self.emrs[practice_id]
