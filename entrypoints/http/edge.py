"""What every response carries, whatever answered it: our request id and the security headers.

Litestar runs route middleware only for routes it found, so a 404, 405, 413 or 415 would miss
both; they are set here from the app-wide `before_send` hook instead, and the request id is made
on first use (by the handler, the audit trail, a problem body or this hook) so all of them agree.
"""

from __future__ import annotations

import os
import re

from litestar.types import Message, Scope

REQUEST_ID_HEADER = "x-request-id"
# A caller's own correlation id is kept beside ours, never instead of it.
CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
DOCS_PREFIX = "/schema"
CONSOLE_PREFIX = "/console"

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "strict-transport-security": "max-age=31536000; includeSubDomains",
    "cross-origin-opener-policy": "same-origin",
    "cache-control": "no-store",
}
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
# The API docs page: its script, styles and the schema come from this app only; no inline script.
DOCS_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

# The clinic console: pages, styles, htmx and its polling from this app only; no inline script or style.
CONSOLE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
)
_REQUEST_ID_NAME = REQUEST_ID_HEADER.encode()
_REPLACED = {b"server", _REQUEST_ID_NAME}  # no product banner; our request id, never a handler's
_SECURITY = tuple((name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items())
_POLICY_NAME = b"content-security-policy"
_API_POLICY, _DOCS_POLICY, _CONSOLE_POLICY = (p.encode() for p in (API_POLICY, DOCS_POLICY, CONSOLE_POLICY))


def request_id_in(scope: Scope) -> str:
    """This request's id (ours, a fresh UUID), made on first use and kept in the scope's state."""
    state = scope.setdefault("state", {})
    request_id = state.get("request_id")
    if not isinstance(request_id, str):
        request_id = state["request_id"] = _random_uuid()
    return request_id


def _random_uuid() -> str:
    """A random (version 4) UUID in its canonical text form, as str(uuid.uuid4()) gives it at a third of the cost."""
    digits = os.urandom(16).hex()
    variant = "89ab"[int(digits[16], 16) & 3]
    return f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-{variant}{digits[17:20]}-{digits[20:]}"


def client_request_id_in(scope: Scope) -> str | None:
    """The caller's `x-request-id`, when well formed (bounded, a safe alphabet); None otherwise."""
    for name, value in scope.get("headers", ()):
        if name == _REQUEST_ID_NAME:
            text = value.decode("latin-1")
            return text if CLIENT_REQUEST_ID.fullmatch(text) else None
    return None


async def stamp_response(message: Message, scope: Scope) -> None:
    """`before_send` hook: request id and security headers on every HTTP response; no `server` header.

    One pass over the raw header list with headers encoded once at import: this runs for every answer.
    """
    if message["type"] != "http.response.start":
        return
    headers = [(name, value) for name, value in message.get("headers", ()) if name.lower() not in _REPLACED]
    present = {name.lower() for name, _ in headers}
    headers.append((_REQUEST_ID_NAME, request_id_in(scope).encode("latin-1")))
    headers += [header for header in _SECURITY if header[0] not in present]
    if _POLICY_NAME not in present:
        headers.append((_POLICY_NAME, _policy_for(scope.get("path", ""))))
    message["headers"] = headers


def _policy_for(path: str) -> bytes:
    if path.startswith(DOCS_PREFIX):
        return _DOCS_POLICY
    return _CONSOLE_POLICY if _console(path) else _API_POLICY


def _console(path: str) -> bool:
    return path == CONSOLE_PREFIX or path.startswith(CONSOLE_PREFIX + "/")
