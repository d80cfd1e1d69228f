"""Device inventory and assignment to patients."""

from __future__ import annotations

from typing import Annotated

from dishka import FromDishka
from litestar import get, post
from litestar.params import FromPath, JSONBody, Parameter

from application.assign_device import (
    AssignDevice,
    AssignDeviceCommand,
    UnassignDevice,
    UnassignDeviceCommand,
)
from application.context import Actor
from application.device_queries import DeviceQueries
from application.queries import PageQuery
from application.register_device import RegisterDevice, RegisterDeviceCommand
from domain.errors import AlreadyExists
from entrypoints.http import dto
from entrypoints.http.mapping import assignment_out, device_detail_out, device_out
from entrypoints.http.paging import Page, PageSize
from entrypoints.http.problems import already_registered
from entrypoints.http.routes import ApiController


class DeviceController(ApiController):
    """The device inventory and assignments."""

    @get("/api/v1/devices", operation_id="listDevices", tags=["devices"],
         summary="The device inventory, paged: a clinician's practice's devices; every device for admins",
         description="With `gateway_device_id`, the one device MioConnect knows by that id (if yours to see).")
    async def list_devices(
        self,
        actor: FromDishka[Actor],
        queries: FromDishka[DeviceQueries],
        gateway_device_id: Annotated[str | None, Parameter(min_length=1, max_length=64)] = None,
        page: int = Page,
        page_size: int = PageSize,
    ) -> dto.DevicesPage:
        query = PageQuery(actor, page, page_size)
        if gateway_device_id is None:
            devices, total = await queries.list_devices(query)
        else:
            devices, total = await queries.find_by_gateway_id(query, gateway_device_id)
        return dto.Page(page, page_size, total, [device_out(d) for d in devices])

    @get("/api/v1/devices/{device_id:str}", operation_id="getDevice", tags=["devices"],
         summary="A device with status and assignment history (404 for another practice's device)")
    async def get_device(
        self,
        actor: FromDishka[Actor],
        device_id: FromPath[str],
        queries: FromDishka[DeviceQueries],
    ) -> dto.DeviceDetailOut:
        detail = await queries.device(actor, device_id)
        return device_detail_out(detail.device, detail.assignments)

    @post("/api/v1/devices", operation_id="registerDevice", tags=["devices"],
          summary="Register a gateway device into your practice (admins may name the practice)",
          description="A device registered already answers 409; when it is yours to see, the problem carries "
                      "its `id` and `Location` its URL.",
          exception_handlers={AlreadyExists: already_registered})
    async def register_device(
        self,
        actor: FromDishka[Actor],
        data: JSONBody[dto.RegisterDeviceRequest],
        register: FromDishka[RegisterDevice],
    ) -> dto.DeviceOut:
        device = await register(
            RegisterDeviceCommand(data.gateway_device_id, data.model_number, actor, data.practice_id))
        return device_out(device)

    @post(
        "/api/v1/devices/{device_id:str}/assign", operation_id="assignDevice", tags=["devices"], status_code=200,
        summary="Assign a device's user slot to a patient of the device's practice from a given time",
    )
    async def assign_device(
        self,
        actor: FromDishka[Actor],
        device_id: FromPath[str],
        data: JSONBody[dto.AssignRequest],
        assign: FromDishka[AssignDevice],
    ) -> dto.AssignmentOut:
        result = await assign(
            AssignDeviceCommand(
                device_id=device_id, patient_id=data.patient_id, actor=actor,
                user_slot=data.user_slot, effective_from=data.effective_from,
            )
        )
        return assignment_out(result.assignment, len(result.released_reading_ids))

    @post(
        "/api/v1/devices/{device_id:str}/unassign", operation_id="unassignDevice", tags=["devices"], status_code=200,
        summary="End a device's current assignment(s) (404 for another practice's device)",
    )
    async def unassign_device(
        self,
        actor: FromDishka[Actor],
        device_id: FromPath[str],
        unassign: FromDishka[UnassignDevice],
        data: JSONBody[dto.UnassignRequest | None] = None,
    ) -> list[dto.AssignmentOut]:
        ended = await unassign(
            UnassignDeviceCommand(device_id, actor, data.user_slot if data else None)
        )
        return [assignment_out(a) for a in ended]

