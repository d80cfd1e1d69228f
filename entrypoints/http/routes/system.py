"""Health and the JWKS our EMR client assertions are verified with (both public)."""

from __future__ import annotations

import structlog
from dishka import FromDishka
from litestar import Response, get
from litestar.datastructures import CacheControlHeader
from litestar.openapi.datastructures import ResponseSpec

from adapters.keys.jwk import JWKS_MAX_AGE_SECONDS
from application.connection_health import ReportConnectionHealth
from domain.ports import Clock, KeyStore, UnitOfWork
from domain.ports.keys import ROTATION_POLICY
from entrypoints.http import dto
from entrypoints.http.mapping import connection_health_out
from entrypoints.http.routes import ApiController
from entrypoints.http.security import PUBLIC

_log = structlog.get_logger("vantrexia.http")


class SystemController(ApiController):
    """Health and the JWKS."""

    @get("/health", opt=PUBLIC, operation_id="getHealth", tags=["system"],
         summary="Liveness, database reachability and each EMR connection's delivery health",
         responses={503: ResponseSpec(dto.HealthOut, description="The database is unreachable",
                                      generate_examples=False)})
    async def health(
        self, uow: FromDishka[UnitOfWork], keys: FromDishka[KeyStore], clock: FromDishka[Clock],
        connections: FromDishka[ReportConnectionHealth],
    ) -> Response[dto.HealthOut]:
        try:
            async with uow:
                await uow.users.get("health-check")
            emr = await connections()
        except Exception as error:  # noqa: BLE001 - any database failure means "not ready"
            _log.warning("health_database_unreachable", error_type=type(error).__name__)
            return Response(dto.HealthOut("unavailable", "unreachable"), status_code=503)
        current = next(v for v in await keys.versions() if v.stage == "current")
        age = current.age(clock.now())
        return Response(dto.HealthOut("ok", "ok", signing_key_age_days=max(age.days, 0),
                                      key_rotation_due=age >= ROTATION_POLICY,
                                      emr_connections=[connection_health_out(health) for health in emr]))

    @get(
        "/.well-known/jwks.json", opt=PUBLIC,
        operation_id="getJwks", tags=["system"], summary="Public keys of our client assertions",
        cache_control=CacheControlHeader(max_age=JWKS_MAX_AGE_SECONDS, public=True),
    )
    async def jwks(self, keys: FromDishka[KeyStore]) -> dto.JwksOut:
        return dto.JwksOut([dict(key) for key in await keys.public_jwks()])

