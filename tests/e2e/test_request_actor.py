"""The request's Actor that dishka gives handlers: the signed-in user, their practice scope and the request
ids — and nobody on a public route."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pytest
from dishka.integrations.litestar import FromDishka, inject
from litestar import Litestar, get
from litestar.testing import AsyncTestClient

from application.context import Actor
from domain.users import Role
from entrypoints.http.security import PUBLIC
from tests.support.api import login
from tests.support.app import build_app
from tests.support.world import World


@get("/probe/actor")
@inject
async def signed_in_probe(actor: FromDishka[Actor]) -> dict[str, Any]:
    return asdict(actor)


@get("/probe/public-actor", opt=PUBLIC)
@inject
async def public_probe(actor: FromDishka[Actor]) -> dict[str, Any]:
    return asdict(actor)


@pytest.fixture
def app(world: World) -> Litestar:
    app = build_app(world)
    app.register(signed_in_probe)
    app.register(public_probe)
    return app


@pytest.mark.parametrize(("role", "scoped"), [(Role.CLINICIAN, True), (Role.ADMIN, False)])
async def test_dishka_provides_the_signed_in_actor(
    client: AsyncTestClient[Litestar], world: World, role: Role, scoped: bool,
) -> None:
    auth = await login(client, world, role, practice_id="north")
    answer = await client.get("/probe/actor", headers={**auth, "x-request-id": "caller-42"})
    assert answer.status_code == 200, answer.text
    provided = answer.json()
    user = next(u for u in world.store.committed.users.values() if u.role is role)
    assert provided["id"] == user.id
    assert provided["practice_id"] == ("north" if scoped else None)
    assert provided["request_id"] == answer.headers["x-request-id"]
    assert provided["client_request_id"] == "caller-42"


async def test_on_a_public_route_the_actor_is_nobody(client: AsyncTestClient[Litestar]) -> None:
    answer = (await client.get("/probe/public-actor")).json()
    assert (answer["id"], answer["practice_id"]) == ("anonymous", "")
