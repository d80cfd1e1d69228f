"""The one way tests call the API: sign in, send a request, and enrol a patient (import → register a device →
assign it). The same with the in-process test client (an httpx client) or httpx on a live server."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient

from application.context import CLI
from application.users import CreateUser, CreateUserCommand
from domain.patients import DEFAULT_PRACTICE
from domain.users import Role, User
from tests.support.app import container_of, in_app
from tests.support.world import World

MONITORING_START = "2026-11-20T00:00:00Z"  # the start of the fixtures' day
CUFF = "860013045678901"  # the gateway id of the blood-pressure cuff in the fixtures


def add_user(world: World, username: str = "dr-ada", role: Role = Role.CLINICIAN,
             practice_id: str = DEFAULT_PRACTICE) -> tuple[str, str]:
    """Put a user straight into the fake store; returns (username, password)."""
    password = f"{username}-correct-horse"
    user = User(
        id=str(uuid.uuid4()), username=username, role=role,
        password_hash=world.hasher.hash(password), active=True, created_at=world.clock.now(),
        practice_id=practice_id,
    )
    world.store.committed.users[user.id] = user
    return username, password


async def call(client: httpx.AsyncClient, method: str, path: str, auth: Mapping[str, str] | None = None,
               body: Any = None) -> httpx.Response:
    """One API request, as the user signed in with `auth` (from `login`), with `body` sent as JSON."""
    return await client.request(method, path, json=body, headers=auth)


async def sign_in(client: httpx.AsyncClient, username: str, password: str) -> dict[str, str]:
    """The headers of an existing user's session."""
    response = await call(client, "POST", "/api/v1/auth/token", body={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def stored_user(client: AsyncTestClient[Litestar], username: str, role: Role = Role.CLINICIAN,
                      practice_id: str = DEFAULT_PRACTICE) -> str:
    """A new user created through the app's own use case (where users live in a real database); its password."""
    password = f"{username}-correct-horse"

    async def create() -> None:
        async with container_of(client.app)() as scope:
            await (await scope.get(CreateUser))(CreateUserCommand(username, role, password, CLI, practice_id))

    await in_app(client, create)
    return password


async def login_stored(client: AsyncTestClient[Litestar], username: str, role: Role = Role.CLINICIAN,
                       practice_id: str = DEFAULT_PRACTICE) -> dict[str, str]:
    """A new stored user (see `stored_user`), signed in to the API."""
    return await sign_in(client, username, await stored_user(client, username, role, practice_id))


async def login(client: httpx.AsyncClient, world: World, role: Role = Role.CLINICIAN,
                practice_id: str = DEFAULT_PRACTICE, username: str | None = None) -> dict[str, str]:
    """A new user of `role` in the World's store, signed in; returns the session's headers."""
    name = username or f"user-{role.value}-{uuid.uuid4().hex[:6]}"
    return await sign_in(client, *add_user(world, name, role, practice_id))


async def import_patients(client: httpx.AsyncClient, auth: Mapping[str, str], emr_ids: Sequence[str],
                          practice_id: str | None = None) -> dict[str, Any]:
    """Import patients from the EMR by their EMR ids (into `practice_id`, or the user's); returns the answer."""
    body: dict[str, Any] = {"ecw_patient_ids": list(emr_ids)}
    if practice_id:
        body["practice_id"] = practice_id
    response = await call(client, "POST", "/api/v1/patients/import_selected_from_ecw/", auth, body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def import_patient(client: httpx.AsyncClient, auth: Mapping[str, str], emr_id: str,
                         practice_id: str | None = None) -> str:
    """Import one patient from the EMR; returns our patient id."""
    (patient,) = (await import_patients(client, auth, [emr_id], practice_id))["patients"]
    return str(patient["vantrexia_id"])


async def register_device_answer(client: httpx.AsyncClient, auth: Mapping[str, str], gateway_id: str = CUFF,
                                 model: str = "TMB-2092-G", practice_id: str | None = None) -> httpx.Response:
    """Ask to register a device (into `practice_id`, which only an admin may name; else the user's)."""
    body = {"gateway_device_id": gateway_id, "model_number": model}
    if practice_id:
        body["practice_id"] = practice_id
    return await call(client, "POST", "/api/v1/devices/", auth, body)


async def register_device(client: httpx.AsyncClient, auth: Mapping[str, str], gateway_id: str = CUFF,
                          model: str = "TMB-2092-G", practice_id: str | None = None) -> str:
    """Register a device (into `practice_id`, which only an admin may name; else the user's); returns its id."""
    response = await register_device_answer(client, auth, gateway_id, model, practice_id)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def assign_device(client: httpx.AsyncClient, auth: Mapping[str, str], device_id: str, patient_id: str,
                        effective_from: str = MONITORING_START) -> None:
    response = await call(client, "POST", f"/api/v1/devices/{device_id}/assign/", auth,
                          {"patient_id": patient_id, "effective_from": effective_from})
    assert response.status_code == 200, response.text


@dataclass(frozen=True)
class Enrolment:
    patient_id: str
    device_id: str


async def enrol_patient(client: httpx.AsyncClient, auth: Mapping[str, str], emr_id: str = "synthetic-patient-0001",
                        gateway_id: str = CUFF, model: str = "TMB-2092-G",
                        effective_from: str = MONITORING_START, practice_id: str | None = None) -> Enrolment:
    """Import a patient, register a device and assign it to them (from the start of the fixtures' day)."""
    patient_id = await import_patient(client, auth, emr_id, practice_id)
    device_id = await register_device(client, auth, gateway_id, model, practice_id)
    await assign_device(client, auth, device_id, patient_id, effective_from)
    return Enrolment(patient_id, device_id)
