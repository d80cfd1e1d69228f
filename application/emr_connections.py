"""AddEmrConnection and ChangeEmrConnection: an administrator keeps each practice's EMR connection.

A client secret goes to the key store under the connection's `secret_name`; the connection only says that
it has one. The audit trail names the fields set or changed, never a secret.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from application.access import require_every_practice
from application.auditing import Auditor
from application.context import Actor
from domain.emr_connections import (
    DEFAULT_SCOPES,
    FROM_SETTINGS,
    SETTABLE,
    EmrConnection,
    EmrVendor,
    check_client_secret,
)
from domain.errors import AlreadyExists, Conflict, NotFound
from domain.ports import Clock, EmrDirectory, IdGenerator, KeyStore, UnitOfWork

MANAGE = "manage EMR connections"


@dataclass(frozen=True)
class EmrConnectionFields:
    """What an administrator sets on a connection (all of it, on every change)."""

    practice_id: str
    vendor: EmrVendor
    fhir_base_url: str
    client_id: str
    token_url: str | None = None
    scopes: str = DEFAULT_SCOPES
    practice_code: str | None = None
    rate_limit_per_minute: int = 300
    max_in_flight: int = 8
    tls_pins: tuple[str, ...] = ()
    ca_bundle_pem: str | None = field(default=None, repr=False)
    active: bool = True


@dataclass(frozen=True)
class AddEmrConnectionCommand:
    actor: Actor
    fields: EmrConnectionFields
    client_secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ChangeEmrConnectionCommand:
    """The fields replace the connection's; a client secret given replaces the stored one, none keeps it."""

    actor: Actor
    connection_id: str
    fields: EmrConnectionFields
    client_secret: str | None = field(default=None, repr=False)


class _Keeper:
    def __init__(self, uow: UnitOfWork, keys: KeyStore, directory: EmrDirectory, clock: Clock,
                 auditor: Auditor) -> None:
        self._uow = uow
        self._keys = keys
        self._directory = directory
        self._clock = clock
        self._auditor = auditor

    async def _refuse_settings_practice(self, practice_id: str) -> None:
        """A practice whose connection the ECW_* settings make cannot have a stored one as well."""
        if any(c.id == FROM_SETTINGS and c.practice_id == practice_id for c in await self._directory.connections()):
            raise AlreadyExists(f"the {practice_id} practice's EMR connection is set by the ECW_* settings; "
                                "change those instead, or unset them to keep it here", FROM_SETTINGS)

    async def _refuse_taken_practice(self, uow: UnitOfWork, connection: EmrConnection) -> None:
        existing = await uow.emr_connections.for_practice(connection.practice_id)
        if existing is not None and existing.id != connection.id:
            raise AlreadyExists("this practice has an EMR connection already; change that one", existing.id)

    async def _store_secret(self, connection: EmrConnection, secret: str | None) -> None:
        if secret is not None:
            await self._keys.put_secret(connection.secret_name, secret)

    async def _audit(self, actor: Actor, action: str, connection: EmrConnection, names: list[str],
                     secret_written: bool) -> None:
        await self._auditor.record(
            actor, action, "EmrConnection", [connection.id], practice_id=connection.practice_id,
            vendor=connection.vendor.value, fields=",".join(names), client_secret_written=str(secret_written).lower(),
        )


class AddEmrConnection(_Keeper):
    """One connection per practice: a second for the same practice is AlreadyExists naming the first."""

    def __init__(self, uow: UnitOfWork, keys: KeyStore, directory: EmrDirectory, clock: Clock, ids: IdGenerator,
                 auditor: Auditor) -> None:
        super().__init__(uow, keys, directory, clock, auditor)
        self._ids = ids

    async def __call__(self, command: AddEmrConnectionCommand) -> EmrConnection:
        _check_command(command.actor, command.client_secret)
        now = self._clock.now()
        connection = EmrConnection(id=self._ids.new_id(), created_at=now, updated_at=now,
                                   has_client_secret=command.client_secret is not None, **asdict(command.fields))
        await self._refuse_settings_practice(connection.practice_id)
        async with self._uow as uow:
            await self._refuse_taken_practice(uow, connection)
            await self._store_secret(connection, command.client_secret)  # before the commit that says it exists
            await uow.emr_connections.add(connection)
            await uow.commit()
        given = [name for name in SETTABLE if getattr(connection, name) not in (None, ())]
        await self._audit(command.actor, "emr.connection.add", connection, given, command.client_secret is not None)
        return connection


class ChangeEmrConnection(_Keeper):
    """PUT: the fields replace the stored ones; `version` grows and `updated_at` moves on every change."""

    async def __call__(self, command: ChangeEmrConnectionCommand) -> EmrConnection:
        _check_command(command.actor, command.client_secret)
        if command.connection_id == FROM_SETTINGS:
            raise Conflict("this connection is set by the ECW_* settings; change those and restart instead")
        values = asdict(command.fields)
        async with self._uow as uow:
            current = await uow.emr_connections.get(command.connection_id)
            if current is None:
                raise NotFound("EMR connection", command.connection_id)
            changed = current.changed(self._clock.now(), **values,
                                      has_client_secret=current.has_client_secret or command.client_secret is not None)
            names = [name for name in SETTABLE if getattr(current, name) != getattr(changed, name)]
            if "practice_id" in names:
                await self._refuse_settings_practice(changed.practice_id)
                await self._refuse_taken_practice(uow, changed)
            await self._store_secret(changed, command.client_secret)
            await uow.emr_connections.save(changed)
            await uow.commit()
        await self._audit(command.actor, "emr.connection.change", changed, names, command.client_secret is not None)
        return changed


def _check_command(actor: Actor, client_secret: str | None) -> None:
    require_every_practice(actor, MANAGE)
    if client_secret is not None:
        check_client_secret(client_secret)
