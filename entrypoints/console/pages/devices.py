"""/console/devices: the inventory, registering a device, the quarantine (and what assigning would release);
/console/devices/{id}: one device, assigning it to a patient and unassigning it. URLs carry our ids only
(a gateway device id is PHI-adjacent: it is shown on the page, never put in a URL)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from dishka import FromDishka
from litestar import get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, QueryParameter
from litestar.response import Redirect, Template

from application.assign_device import AssignDevice, AssignDeviceCommand, UnassignDevice, UnassignDeviceCommand
from application.context import Actor
from application.device_queries import DeviceQueries
from application.quarantine import QuarantineQueries
from application.queries import MAX_PAGE, PageQuery
from application.register_device import RegisterDevice, RegisterDeviceCommand
from domain.devices import DEFAULT_USER_SLOT
from domain.errors import AlreadyExists, Conflict, InvalidInput, NotFound
from entrypoints.console.rendering import ConsoleController, done, page
from entrypoints.console.utc_input import field_value, shown, utc_from_input
from entrypoints.http.security import AnyRequest

PAGE_SIZE = 50
Form = Body(media_type=RequestEncodingType.URL_ENCODED)


class RegisterForm(msgspec.Struct):
    gateway_device_id: str = ""
    model_number: str = ""
    practice_id: str = ""  # administrators may name it (as in the API); clinicians register into their own


class AssignForm(msgspec.Struct):
    patient_id: str = ""
    effective_from: str = ""
    user_slot: str = DEFAULT_USER_SLOT


def _page_number(number: int) -> int:
    return min(max(number, 1), MAX_PAGE)


class DevicePages(ConsoleController):
    """The device inventory, registration, assignment and the quarantine."""

    @get("/console/devices", operation_id="consoleDevices")
    async def devices(
        self, request: AnyRequest, actor: FromDishka[Actor], queries: FromDishka[DeviceQueries],
        quarantine: FromDishka[QuarantineQueries], page_number: Annotated[int, QueryParameter(name="page")] = 1,
    ) -> Template:
        return await _inventory(request, actor, queries, quarantine, _page_number(page_number))

    @post("/console/devices", operation_id="consoleRegisterDevice", status_code=303)
    async def register(
        self, request: AnyRequest, actor: FromDishka[Actor], data: Annotated[RegisterForm, Form],
        register: FromDishka[RegisterDevice], queries: FromDishka[DeviceQueries],
        quarantine: FromDishka[QuarantineQueries],
    ) -> Redirect | Template:
        gateway_id, model = data.gateway_device_id.strip(), data.model_number.strip()
        try:
            if not gateway_id or not model:
                raise InvalidInput("Enter the gateway device ID and the model.")
            device = await register(RegisterDeviceCommand(gateway_id, model, actor, data.practice_id.strip() or None))
        except AlreadyExists as taken:
            return await _inventory(request, actor, queries, quarantine, 1, status_code=409, form=data,
                                    error="That device is already registered.", existing_id=taken.existing_id)
        except InvalidInput as refused:
            return await _inventory(request, actor, queries, quarantine, 1, status_code=422, form=data,
                                    error=str(refused))
        return done(f"/console/devices/{device.id}", "Device registered.")

    @get("/console/devices/{device_id:str}", operation_id="consoleDevice")
    async def device(self, request: AnyRequest, actor: FromDishka[Actor], device_id: FromPath[str],
                     queries: FromDishka[DeviceQueries], quarantine: FromDishka[QuarantineQueries]) -> Template:
        return await _device_page(request, actor, device_id, queries, quarantine)

    @post("/console/devices/{device_id:str}/assign", operation_id="consoleAssignDevice", status_code=303)
    async def assign(
        self, request: AnyRequest, actor: FromDishka[Actor], device_id: FromPath[str],
        data: Annotated[AssignForm, Form], assign: FromDishka[AssignDevice],
        queries: FromDishka[DeviceQueries], quarantine: FromDishka[QuarantineQueries],
    ) -> Redirect | Template:
        try:
            start = utc_from_input(data.effective_from, "Effective from")
            if not data.patient_id:
                raise InvalidInput("Choose the patient.")
            assigned = await assign(AssignDeviceCommand(device_id, data.patient_id, actor,
                                                        data.user_slot.strip() or DEFAULT_USER_SLOT, start))
        except NotFound as missing:
            if missing.entity != "patient":
                raise
            error, status = "Choose the patient from the list.", 422
        except Conflict as refused:
            error, status = str(refused), 409
        except InvalidInput as refused:
            error, status = str(refused), 422
        else:
            released = len(assigned.released_reading_ids)
            return done(f"/console/devices/{device_id}", f"Device assigned. {released} held readings released.")
        return await _device_page(request, actor, device_id, queries, quarantine, status_code=status,
                                  error=error, form=data)

    @post("/console/devices/{device_id:str}/unassign", operation_id="consoleUnassignDevice", status_code=303)
    async def unassign(self, actor: FromDishka[Actor], device_id: FromPath[str],
                       unassign: FromDishka[UnassignDevice]) -> Redirect:
        ended = await unassign(UnassignDeviceCommand(device_id, actor))
        message = "Device unassigned." if ended else "The device was not assigned to anyone."
        return done(f"/console/devices/{device_id}", message)


async def _inventory(request: AnyRequest, actor: Actor, queries: DeviceQueries, quarantine: QuarantineQueries,
                     number: int, *, status_code: int = 200, **context: Any) -> Template:
    devices, total = await queries.list_devices(PageQuery(actor, number, PAGE_SIZE))
    held, held_total = await quarantine.slots(PageQuery(actor, 1, PAGE_SIZE))
    return page(request, "console/devices.html", "Devices", status_code=status_code, devices=devices,
                total=total, page_number=number, has_next=number * PAGE_SIZE < total, held=held,
                held_total=held_total, shown=shown, form=context.pop("form", RegisterForm()), **context)


async def _device_page(request: AnyRequest, actor: Actor, device_id: str, queries: DeviceQueries,
                       quarantine: QuarantineQueries, *, status_code: int = 200, **context: Any) -> Template:
    detail = await queries.device(actor, device_id)
    patients = await queries.assignable_patients(actor, device_id)
    held, _ = await quarantine.slots(PageQuery(actor, 1, PAGE_SIZE), device_id=device_id)
    names = {p.id: p.name for p in patients}
    return page(request, "console/device.html", "Device", status_code=status_code, device=detail.device,
                active_assignments=[a for a in detail.assignments if a.active], history=detail.assignments,
                patients=patients, names=names, held=held, shown=shown, field_value=field_value,
                form=context.pop("form", AssignForm()), **context)
