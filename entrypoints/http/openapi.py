"""The problem+json answers every operation may give, declared in the OpenAPI document.

They come from layers every route passes through (bearer authentication and role guards, body
size limit, request validation, domain errors, login throttling, EMR and database outages), so
they are declared once for all operations rather than route by route.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec

from entrypoints.http.problems import PROBLEM_JSON

PROBLEM_STATUSES = {
    400: "Malformed request, or a request the use case refuses",
    401: "Missing, invalid, expired or revoked bearer token; bad credentials or webhook signature",
    403: "The caller's role may not do this",
    404: "No such resource (or not the caller's to see)",
    409: "Conflicts with the current state",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "The request does not match its declared parameters or body",
    429: "Too many failed logins; see Retry-After",
    502: "The EMR answered with an error",
    503: "The database or the EMR is unavailable; see Retry-After",
}


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details; further members (errors, reason, hint, ...) may appear."""

    type: str
    title: str
    status: int
    detail: str | None = None
    request_id: str | None = None
    id: str | None = None  # 409 on a repeat creation: our id of what exists already, if the caller may see it
    errors: list[dict[str, Any]] | None = None


def _problem_responses() -> dict[int, ResponseSpec]:
    return {
        status: ResponseSpec(data_container=Problem, description=description, media_type=PROBLEM_JSON,
                             generate_examples=False)
        for status, description in PROBLEM_STATUSES.items()
    }


def success(status: int, body: type | None, description: str) -> dict[int, ResponseSpec]:
    """The success answer of a route whose handler returns either it or a problem (the union of two
    Responses has no schema of its own); `body` None for an answer without one (a redirect)."""
    return {status: ResponseSpec(data_container=body, description=description, generate_examples=False)}


def declare_problems(app: Litestar) -> None:
    """Add the problem responses to each of the app's operations (a route's own declarations win)."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if isinstance(handler, HTTPRouteHandler):
                handler.responses = {**_problem_responses(), **(handler.responses or {})}
