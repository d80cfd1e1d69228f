"""SqlAlchemyUnitOfWork: one database transaction behind every repository."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.sql.audit import SqlAuditEntries
from adapters.sql.care import SqlCareRecords, SqlRevocations
from adapters.sql.dashboard import SqlDashboard
from adapters.sql.delivery_health import PgDeliveryHealth, SqlDeliveryHealth
from adapters.sql.driver import send_waiting
from adapters.sql.outbox_postgres import PgOutboxRepository
from adapters.sql.pg_clinical import PgAlertRepository, PgThresholdRepository
from adapters.sql.pg_people import PgDeviceRepository
from adapters.sql.pg_readings import PgDeliveryRepository, PgReadingRepository
from adapters.sql.repositories_clinical import SqlAlertRepository, SqlPushTokenRepository, SqlThresholdRepository
from adapters.sql.repositories_emr import SqlEmrConnectionRepository
from adapters.sql.repositories_outbox import SqlOutboxRepository
from adapters.sql.repositories_people import SqlDeviceRepository, SqlPatientRepository, SqlUserRepository
from adapters.sql.repositories_readings import SqlDeliveryRepository, SqlReadingRepository
from domain.ports import (
    AlertRepository,
    AuditEntries,
    CareRecordRepository,
    DashboardReadModel,
    DeliveryHealthRepository,
    DeliveryRepository,
    DeviceRepository,
    EmrConnectionRepository,
    OutboxRepository,
    PatientRepository,
    PushTokenRepository,
    ReadingRepository,
    ThresholdRepository,
    TokenRevocations,
    UserRepository,
)


class SqlAlchemyUnitOfWork:
    """`async with uow:` opens a connection and a transaction; `commit()` publishes the work.

    Leaving the block without committing rolls back. After `commit()` or `rollback()` the unit
    stays usable: the next statement begins a new transaction. The same instance may be entered
    again once the previous block has ended (never concurrently).
    """

    patients: PatientRepository
    devices: DeviceRepository
    readings: ReadingRepository
    deliveries: DeliveryRepository
    outbox: OutboxRepository
    alerts: AlertRepository
    users: UserRepository
    thresholds: ThresholdRepository
    push_tokens: PushTokenRepository
    dashboard: DashboardReadModel
    care: CareRecordRepository
    revocations: TokenRevocations
    emr_connections: EmrConnectionRepository
    delivery_health: DeliveryHealthRepository
    audit: AuditEntries

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None
        # on Postgres the intake's page statements go through the driver (same ports, same behaviour)
        self._postgres = engine.dialect.name == "postgresql"

    async def __aenter__(self) -> Self:
        if self._connection is not None:
            raise RuntimeError("this unit of work is already in use")
        connection = await self._engine.connect()
        try:
            sync = connection.sync_connection
            if self._postgres and sync is not None:
                # begins nothing on the server (the adapter sends BEGIN with the first statement), so without
                # a greenlet switch, which costs more than the rest of it; one that waited on I/O would fail loudly
                sync.begin()
            else:
                await connection.begin()  # SQLite: BEGIN IMMEDIATE, sent now
        except BaseException:
            await connection.close()
            raise
        self._connection = connection
        self.patients = SqlPatientRepository(connection)
        pg = self._postgres  # the intake's and the relay's hot statements go through the driver
        self.devices = (PgDeviceRepository if pg else SqlDeviceRepository)(connection)
        self.readings = (PgReadingRepository if pg else SqlReadingRepository)(connection)
        self.deliveries = (PgDeliveryRepository if pg else SqlDeliveryRepository)(connection)
        self.outbox = (PgOutboxRepository if pg else SqlOutboxRepository)(connection)
        self.alerts = (PgAlertRepository if pg else SqlAlertRepository)(connection)
        self.users = SqlUserRepository(connection)
        self.thresholds = (PgThresholdRepository if pg else SqlThresholdRepository)(connection)
        self.push_tokens = SqlPushTokenRepository(connection)
        self.dashboard = SqlDashboard(connection)
        self.care = SqlCareRecords(connection)
        self.revocations = SqlRevocations(connection)
        self.emr_connections = SqlEmrConnectionRepository(connection)
        self.delivery_health = (PgDeliveryHealth if pg else SqlDeliveryHealth)(connection)
        self.audit = SqlAuditEntries(connection)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()  # rolls back what was not committed, in the same greenlet switch

    async def commit(self) -> None:
        connection = self._active()
        await send_waiting(connection)  # here, not from the commit event: no greenlet switch to wait on it
        await connection.run_sync(_commit_and_begin)

    async def rollback(self) -> None:
        await self._active().run_sync(_rollback_and_begin)

    def _active(self) -> AsyncConnection:
        if self._connection is None:
            raise RuntimeError("commit or rollback outside of `async with`")
        return self._connection


# each in one greenlet switch; the next transaction begun at once, as the driver's statements begin none
# themselves (see driver_of); it costs no round trip
def _commit_and_begin(connection: Connection) -> None:
    connection.commit()
    connection.begin()


def _rollback_and_begin(connection: Connection) -> None:
    connection.rollback()
    connection.begin()
