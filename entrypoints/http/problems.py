"""RFC 9457 problem+json for every error; no stack traces, no PHI."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import msgspec
import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response.base import ASGIResponse
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY, HTTP_500_INTERNAL_SERVER_ERROR

from adapters.sql.engine import is_connection_error, is_data_error
from domain.emr_connections import NoEmrConnection
from domain.errors import (
    AlreadyExists,
    AuthenticationFailed,
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
)
from domain.ports.emr import EmrError, EmrUnavailable
from entrypoints.http.edge import request_id_in

AnyRequest = Request[Any, Any, Any]
PROBLEM_JSON = "application/problem+json"
DATABASE_RETRY_AFTER_SECONDS = 5
_log = structlog.get_logger("vantrexia.http")
_encode = msgspec.json.Encoder().encode

_DOMAIN_STATUS: list[tuple[type[DomainError], int, str]] = [
    (NotFound, 404, "Not found"),
    (NoEmrConnection, 409, "No EMR connection"),
    (Conflict, 409, "Conflict"),
    (InvalidInput, 400, "Invalid request"),
    (AuthenticationFailed, 401, "Authentication failed"),
    (Forbidden, 403, "Forbidden"),
]


def problem(status: int, title: str, detail: str | None = None, **extra: object) -> Response[dict[str, object]]:
    return Response(_body(status, title, detail, extra), status_code=status, media_type=PROBLEM_JSON,
                    headers=_headers(status))


def encoded_problem(status: int, title: str, detail: str | None = None, **extra: object) -> ASGIResponse:
    """The same answer as `problem`, encoded at once (for a handler that returns ASGI responses)."""
    body = _encode(_body(status, title, detail, extra))
    return ASGIResponse(body=body, status_code=status, media_type=PROBLEM_JSON, headers=_headers(status))


def _body(status: int, title: str, detail: str | None, extra: dict[str, object]) -> dict[str, object]:
    body: dict[str, object] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def _headers(status: int) -> dict[str, str] | None:
    return {"WWW-Authenticate": "Bearer"} if status == 401 else None


def _request_id(request: Request[Any, Any, Any]) -> str:
    return request_id_in(request.scope)


def domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, object]]:
    for kind, status, title in _DOMAIN_STATUS:
        if isinstance(exc, kind):
            return problem(status, title, str(exc), request_id=_request_id(request))
    return problem(400, "Invalid request", str(exc), request_id=_request_id(request))


def already_exists_at(collection: str) -> Callable[[AnyRequest, Exception], Response[dict[str, object]]]:
    """A handler of AlreadyExists: 409 naming what exists already (its `id`, its URL under `collection` in
    Location) when the caller may see it."""

    def handler(request: AnyRequest, exc: Exception) -> Response[dict[str, object]]:
        if not isinstance(exc, AlreadyExists):
            return unexpected_error(request, exc)
        if exc.existing_id is None:
            return domain_error(request, exc)
        answer = problem(409, "Conflict", str(exc), id=exc.existing_id, request_id=_request_id(request))
        answer.headers["Location"] = f"{collection}/{exc.existing_id}"
        return answer

    return handler


already_registered = already_exists_at("/api/v1/devices")  # a device registered already


def invalid_field(request: AnyRequest, exc: Exception) -> Response[dict[str, object]]:
    """422 naming the field a use case refused, in the shape of a body that failed its schema."""
    if not isinstance(exc, InvalidInput):
        return unexpected_error(request, exc)
    errors = [{"key": exc.field, "message": str(exc), "source": "body"}] if exc.field else None
    return problem(HTTP_422_UNPROCESSABLE_ENTITY, _title(HTTP_422_UNPROCESSABLE_ENTITY), str(exc), errors=errors,
                   request_id=_request_id(request))


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, object]]:
    """Litestar's own errors; a request that fails its declared schema (parameters or body) is 422."""
    status = HTTP_422_UNPROCESSABLE_ENTITY if isinstance(exc, ValidationException) else exc.status_code
    errors = exc.extra if isinstance(exc, ValidationException) and exc.extra else None
    return problem(status, _title(status), exc.detail, errors=errors, request_id=_request_id(request))


def emr_error(request: Request[Any, Any, Any], exc: EmrError) -> Response[dict[str, object]]:
    """The EMR failed us: 503 when it may recover (with Retry-After), 502 otherwise."""
    if isinstance(exc, EmrUnavailable):
        response = problem(503, "EMR unavailable", str(exc), request_id=_request_id(request))
        if exc.retry_after is not None:
            response.headers["Retry-After"] = str(int(exc.retry_after))
        return response
    return problem(502, "EMR error", str(exc), request_id=_request_id(request))


def unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, object]]:
    # the exception text may quote data; log its type only
    if is_connection_error(exc):
        return database_unavailable(request, exc)
    if is_data_error(exc):
        return unstorable_value(request, exc)
    _log.error("unhandled_error", error_type=type(exc).__name__, request_id=_request_id(request))
    return problem(
        HTTP_500_INTERNAL_SERVER_ERROR, "Internal server error",
        "an unexpected error occurred; quote the request id to support", request_id=_request_id(request),
    )


def database_unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, object]]:
    """The database cannot be reached (down, restarting, cut off): 503, try again shortly."""
    _log.warning("database_unavailable", error_type=type(exc).__name__, request_id=_request_id(request))
    response = problem(503, "Service unavailable", "the database cannot be reached right now; retry later",
                       request_id=_request_id(request))
    response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response


def unstorable_value(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, object]]:
    """The database refused a value the request carried (Postgres: NUL in text, out of range): 422."""
    _log.warning("unstorable_value", error_type=type(exc).__name__, request_id=_request_id(request))
    return problem(HTTP_422_UNPROCESSABLE_ENTITY, _title(HTTP_422_UNPROCESSABLE_ENTITY),
                   "a value in the request cannot be stored (for example a NUL character)",
                   request_id=_request_id(request))


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


EXCEPTION_HANDLERS = {
    DomainError: domain_error,
    EmrError: emr_error,
    HTTPException: http_error,
    Exception: unexpected_error,
}
