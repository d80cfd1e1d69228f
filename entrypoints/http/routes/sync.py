"""The EMR sync status of a patient's readings, and sending a dead sync item again."""

from __future__ import annotations

from dishka import FromDishka
from litestar import get, post
from litestar.params import FromPath

from application.context import Actor
from application.queries import PatientQueries
from application.retry_sync import RetrySyncItem
from domain.users import Role
from entrypoints.http import dto
from entrypoints.http.mapping import sync_item_out
from entrypoints.http.routes import ApiController
from entrypoints.http.security import requires_role


class SyncController(ApiController):
    """Sync items: what was sent to the EMR, and retrying what failed."""

    @get(
        "/api/v1/patients/{patient_id:str}/sync-status", operation_id="getSyncStatus", tags=["sync"],
        summary="Every sync item of the patient's readings, with the EMR's answer and resource id",
    )
    async def sync_status(
        self,
        actor: FromDishka[Actor],
        patient_id: FromPath[str],
        queries: FromDishka[PatientQueries],
    ) -> dto.SyncStatusOut:
        items = await queries.sync_status(actor, patient_id)
        return dto.SyncStatusOut(patient_id, [sync_item_out(i) for i in items])

    @post("/api/v1/sync/{sync_item_id:str}/retry", operation_id="retrySyncItem", tags=["sync"], status_code=200,
          guards=[requires_role(Role.ADMIN)], summary="Send a dead sync item again (admins)")
    async def retry_sync_item(
        self,
        actor: FromDishka[Actor],
        sync_item_id: FromPath[str],
        retry: FromDishka[RetrySyncItem],
    ) -> dto.SyncItemOut:
        return sync_item_out(await retry(actor, sync_item_id))

