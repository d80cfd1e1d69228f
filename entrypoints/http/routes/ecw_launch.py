"""SMART standalone launch for a provider: start (redirect to the EMR) and callback (code exchange).

Neither the code, the verifier nor the tokens are logged or returned; the callback answers with what
was granted only.
"""

from __future__ import annotations

from typing import Annotated

from dishka import FromDishka
from litestar import Response, get
from litestar.params import FromQuery, QueryParameter
from litestar.response import Redirect

from application.access import practice_for
from application.auditing import Auditor
from application.context import Actor
from domain.audit import AuditOutcome
from domain.ports import LaunchRefused, UserLaunch
from entrypoints.http import dto
from entrypoints.http.openapi import success
from entrypoints.http.problems import problem
from entrypoints.http.routes import ApiController
from entrypoints.http.security import PUBLIC, AnyRequest, request_id_of


class EmrLaunchController(ApiController):
    """The SMART standalone launch."""

    @get("/api/v1/ecw/launch", operation_id="startEmrLaunch", tags=["ecw"], status_code=302,
         summary="Start a SMART standalone launch: redirect to the authorize endpoint of the user's practice's "
                 "EMR (PKCE S256; an administrator's: the default practice's)",
         responses=success(302, None, "To the EMR's authorize endpoint (Location)"))
    async def start_launch(
        self,
        actor: FromDishka[Actor],
        user_launch: FromDishka[UserLaunch],
        auditor: FromDishka[Auditor],
    ) -> Response[dict[str, object]]:
        try:
            url = await user_launch.start(actor.id, practice_for(actor, None))
        except LaunchRefused as error:
            await auditor.record(actor, "emr.launch.start", "EMR", outcome=AuditOutcome.FAILURE, error=error.error)
            return problem(502, "EMR authorization unavailable", error.description or error.error, hint=error.hint)
        await auditor.record(actor, "emr.launch.start", "EMR")
        return Redirect(url, status_code=302, headers={"cache-control": "no-store"})

    @get("/api/v1/ecw/launch/callback", operation_id="completeEmrLaunch", tags=["ecw"], opt=PUBLIC,
         summary="Where the EMR sends the user back: checks state, exchanges the code",
         responses=success(200, dto.LaunchLinkedOut, "What was granted (never the token)"))
    async def launch_callback(
        self,
        request: AnyRequest,
        user_launch: FromDishka[UserLaunch],
        auditor: FromDishka[Auditor],
        code: FromQuery[str | None] = None,
        oauth_state: Annotated[str | None, QueryParameter(name="state")] = None,
        error: FromQuery[str | None] = None,
    ) -> Response[dto.LaunchLinkedOut] | Response[dict[str, object]]:
        try:
            linked = await user_launch.complete(code=code, state=oauth_state, error=error)
        except LaunchRefused as refused:
            await auditor.record(Actor("anonymous", request_id_of(request)), "emr.launch.complete", "EMR",
                                 outcome=AuditOutcome.FAILURE, error=refused.error)
            return problem(400, "Launch not completed", refused.description or refused.error, error=refused.error,
                           hint=refused.hint)
        await auditor.record(Actor(linked.user_id, request_id_of(request)), "emr.launch.complete", "EMR")
        body = dto.LaunchLinkedOut("linked", linked.scope, linked.patient, linked.expires_in)
        return Response(body, headers={"cache-control": "no-store"})
