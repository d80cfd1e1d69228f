"""Schemathesis over the whole OpenAPI document: no request gets a 5xx and every answer matches it.

The app is the real one with its demo data (patients with devices) on the fakes, SQLite and Postgres.
Each generated request carries a fresh bearer token, an administrator's and a clinician's in turn,
so a generated logout revokes only its own token and the admin-only routes are reached too.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar import Litestar
from schemathesis.python.asgi import shutdown_lifespans

from adapters.auth.tokens import AccessTokenService
from application.context import CLI
from application.users import CreateUser, CreateUserCommand
from domain.users import Role, User
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from tests.conftest import run_async
from tests.support.app import build_app, settings_for_tests
from tests.support.world import FakesProvider, World

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.response_headers_conformance,
]
# `format=csv|svg` answers text/csv or image/svg+xml; Litestar documents one media type per status
# (application/json here), so these two operations skip the content-type check only
SEVERAL_MEDIA_TYPES = {"/api/v1/billing", "/api/v1/reports/patients/{patient_id}/vitals"}
MAX_EXAMPLES = 8  # generated per operation, besides Schemathesis' boundary cases; keeps the run short

# the document the app serves at /schema/openapi.json; each test sends its cases to an app of its own
schema = schemathesis.openapi.from_dict(build_app(World()).openapi_schema.to_schema())


@dataclass
class FuzzTarget:
    app: Litestar
    users: tuple[User, ...]
    tokens: AccessTokenService
    _turns: Iterator[User] = field(init=False)

    def __post_init__(self) -> None:
        self._turns = itertools.cycle(self.users)

    def bearer(self) -> dict[str, str]:
        """A token of its own for the next request, the users taking turns."""
        return {"Authorization": f"Bearer {self.tokens.issue(next(self._turns)).access_token}"}


@pytest.fixture(params=["fakes", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fuzz_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FuzzTarget]:
    world, on_fakes = World(), request.param == "fakes"
    database = {} if on_fakes else {"database_url": request.getfixturevalue(f"{request.param}_url")}
    app_settings = settings_for_tests(demo=True, demo_password_file=str(tmp_path / "demo-password"), **database)

    async def users_and_tokens() -> tuple[tuple[User, ...], AccessTokenService]:
        container = build_container(app_settings, FakesProvider(world, fake_database=on_fakes))
        try:
            async with container() as scope:
                create = await scope.get(CreateUser)
                users = (
                    await create(CreateUserCommand("fuzz-admin", Role.ADMIN, "fuzz-admin-password", CLI)),
                    await create(CreateUserCommand("fuzz-clinician", Role.CLINICIAN, "fuzz-clinician-pw", CLI)),
                )
            return users, await container.get(AccessTokenService)
        finally:
            await container.close()

    users, tokens = run_async(users_and_tokens)
    app = create_app(build_container(app_settings, FakesProvider(world, fake_database=on_fakes)), app_settings)
    yield FuzzTarget(app, users, tokens)
    shutdown_lifespans()  # Schemathesis started the app's lifespan on its first request


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_server_error_or_an_undocumented_answer(
    case: schemathesis.Case, fuzz_target: FuzzTarget
) -> None:
    checks = CHECKS
    if case.operation.path in SEVERAL_MEDIA_TYPES:
        checks = [check for check in CHECKS if check is not schemathesis.checks.content_type_conformance]
    case.call_and_validate(headers=fuzz_target.bearer(), checks=checks, app=fuzz_target.app)
