"""Consent and management time (`rpm_consents`, `time_entries`); revoked tokens (`revoked_tokens`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql import mapping as m
from adapters.sql.statements import dialect_insert, fetch_all, fetch_one
from adapters.sql.tables import revoked_tokens, rpm_consents, time_entries
from domain.care import RpmConsent, TimeEntry


class SqlRevocations:
    """Revoked bearer tokens by token id (jti), kept until they would have expired anyway."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def revoke(self, token_id: str, user_id: str, expires_at: datetime, revoked_at: datetime) -> None:
        row = {"token_id": token_id, "user_id": user_id, "expires_at": expires_at, "revoked_at": revoked_at}
        await self._c.execute(dialect_insert(self._c, revoked_tokens).values(row).on_conflict_do_nothing())

    async def is_revoked(self, token_id: str) -> bool:
        return await fetch_one(self._c, revoked_tokens, revoked_tokens.c.token_id == token_id) is not None


class SqlCareRecords:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def consent(self, patient_id: str) -> RpmConsent | None:
        row = await fetch_one(self._c, rpm_consents, rpm_consents.c.patient_id == patient_id)
        return m.build(RpmConsent, row) if row else None

    async def save_consent(self, consent: RpmConsent) -> None:
        statement = dialect_insert(self._c, rpm_consents).values(vars(consent))
        await self._c.execute(statement.on_conflict_do_update(
            index_elements=[rpm_consents.c.patient_id],
            set_={name: statement.excluded[name] for name in ("consented", "recorded_at", "recorded_by")},
        ))

    async def add_time_entry(self, entry: TimeEntry) -> None:
        await self._c.execute(time_entries.insert().values(vars(entry)))

    async def time_entries(self, patient_id: str, start: date, end: date) -> Sequence[TimeEntry]:
        t = time_entries
        rows = await fetch_all(self._c, t, t.c.patient_id == patient_id, t.c.performed_on >= start,
                               t.c.performed_on < end, order_by=(t.c.performed_on, t.c.created_at, t.c.id))
        return [m.build(TimeEntry, row) for row in rows]
