"""What an actor may see: clinicians their own practice's patients and devices, administrators and
services everything. Whatever is hidden answers NotFound, exactly as if it did not exist; what concerns
every practice at once (EMR connections) is refused outright to anyone bound to one practice."""

from __future__ import annotations

from application.context import Actor
from domain.devices import Device
from domain.errors import Forbidden, NotFound
from domain.patients import DEFAULT_PRACTICE, Patient
from domain.ports import UnitOfWork


def may_see(actor: Actor, patient: Patient) -> bool:
    return actor.practice_id is None or actor.practice_id == patient.practice_id


def require_every_practice(actor: Actor, doing: str) -> None:
    """Forbidden unless the actor acts for every practice (administrators, services such as the CLI)."""
    if actor.practice_id is not None:
        raise Forbidden(f"only administrators may {doing}")


def may_see_device(actor: Actor, device: Device) -> bool:
    """A device nobody registered yet (no practice) is visible to administrators and services only."""
    return actor.practice_id is None or actor.practice_id == device.practice_id


def practice_for(actor: Actor, named: str | None) -> str:
    """The practice an EMR request is for: a clinician's own (naming another is NotFound, as for any of its
    resources); an administrator's named one, else `default`."""
    if actor.practice_id is not None:
        if named not in (None, actor.practice_id):
            raise NotFound("practice", named or "")
        return actor.practice_id
    return named or DEFAULT_PRACTICE


async def patient_for(uow: UnitOfWork, actor: Actor, patient_id: str, asked_for: str = "patient") -> Patient:
    """The patient, or NotFound — also for another practice's patient, whose existence stays hidden.

    `asked_for` is the kind of resource the client named (a reading's owner is looked up on its behalf)."""
    patient = await uow.patients.get(patient_id)
    if patient is None or not may_see(actor, patient):
        raise NotFound(asked_for, patient_id)
    return patient


async def device_for(uow: UnitOfWork, actor: Actor, device_id: str) -> Device:
    """The device, or NotFound — also for another practice's (or nobody's) device."""
    device = await uow.devices.get(device_id)
    if device is None or not may_see_device(actor, device):
        raise NotFound("device", device_id)
    return device
