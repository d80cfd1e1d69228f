"""The edge stamps every answer: our request id (a fresh version 4 UUID, made once per request) and
the security headers, without a `server` banner and without overriding a handler's own header."""

from __future__ import annotations

import uuid
from typing import Any

from entrypoints.http.edge import (
    API_POLICY,
    CONSOLE_POLICY,
    DOCS_POLICY,
    SECURITY_HEADERS,
    request_id_in,
    stamp_response,
)


def test_a_request_id_is_a_canonical_version_4_uuid_made_once_per_request() -> None:
    scope: dict[str, Any] = {}
    first = request_id_in(scope)  # type: ignore[arg-type]
    parsed = uuid.UUID(first)
    assert (str(parsed), parsed.version, parsed.variant) == (first, 4, uuid.RFC_4122)
    assert request_id_in(scope) == first  # type: ignore[arg-type]
    assert len({request_id_in({}) for _ in range(1_000)}) == 1_000  # type: ignore[arg-type]


async def stamped(path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    message: dict[str, Any] = {"type": "http.response.start", "status": 200, "headers": headers}
    scope: dict[str, Any] = {"type": "http", "path": path, "state": {"request_id": "ours"}}
    await stamp_response(message, scope)  # type: ignore[arg-type]
    names = [name for name, _ in message["headers"]]
    assert len(names) == len(set(names)), "a header was stamped twice"
    return {name.decode(): value.decode() for name, value in message["headers"]}


async def test_every_answer_gets_the_request_id_and_security_headers_but_no_server_banner() -> None:
    headers = await stamped("/api/v1/patients", [(b"server", b"uvicorn"), (b"x-request-id", b"theirs"),
                                                 (b"content-type", b"application/json")])
    assert headers["x-request-id"] == "ours"
    assert "server" not in headers
    assert headers["content-type"] == "application/json"
    assert {name: headers[name] for name in SECURITY_HEADERS} == SECURITY_HEADERS
    assert headers["content-security-policy"] == API_POLICY


async def test_a_handlers_own_header_is_kept_and_each_area_has_its_policy() -> None:
    kept = await stamped("/console/static/app.css", [(b"cache-control", b"max-age=60")])
    assert kept["cache-control"] == "max-age=60"
    assert kept["content-security-policy"] == CONSOLE_POLICY
    assert (await stamped("/schema/swagger", []))["content-security-policy"] == DOCS_POLICY
    assert (await stamped("/consolex", []))["content-security-policy"] == API_POLICY
