"""Which patients an actor may see: clinicians their own practice's, administrators and services all."""

from __future__ import annotations

from application.context import Actor
from domain.errors import NotFound
from domain.patients import Patient
from domain.ports import UnitOfWork


def may_see(actor: Actor, patient: Patient) -> bool:
    return actor.practice_id is None or actor.practice_id == patient.practice_id


async def patient_for(uow: UnitOfWork, actor: Actor, patient_id: str) -> Patient:
    """The patient, or NotFound — also for another practice's patient, whose existence stays hidden."""
    patient = await uow.patients.get(patient_id)
    if patient is None or not may_see(actor, patient):
        raise NotFound("patient", patient_id)
    return patient
