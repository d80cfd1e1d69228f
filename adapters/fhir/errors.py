"""HTTP answers of a SMART/FHIR server as the EMR port's errors, with PHI-free messages."""

from __future__ import annotations

import re
import ssl
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from adapters.fhir.tls import PinMismatch
from domain.ports.emr import EmrError, EmrRejected, EmrUnavailable

MAX_DIAGNOSTICS = 200
TRANSPORT_ERRORS = (httpx.TransportError, PinMismatch)  # what `transport_error` turns into EmrUnavailable
OAUTH_HINTS = {
    "invalid_client": "check the client id: it must match the one registered with the EMR",
    "invalid_grant": "the EMR could not verify our assertion: check that the registered JWKS URL is "
                     "publicly reachable, that it holds our key id, and that our clock is right",
    "key_not_found": "our signing key id (kid) is not in the JWKS the EMR fetched: publish the key at "
                     "/.well-known/jwks.json and wait for the EMR's JWKS cache to expire",
    "invalid_scope": "the EMR did not grant the requested scopes: check the app registration",
    "unauthorized_client": "the client may not use this grant: register it as a backend service",
    "unsupported_grant_type": "the token endpoint does not accept this grant type",
}


class SmartAuthError(EmrError):
    """The authorization server refused us: OAuth `error`, its description, and what to check."""

    def __init__(self, error: str, description: str = "", hint: str | None = None,
                 *, http_status: int | None = None) -> None:
        self.error = error
        self.description = truncate(description)
        self.hint = hint or OAUTH_HINTS.get(error, "see the EMR's authorization server documentation")
        detail = f": {self.description}" if self.description else ""
        super().__init__(f"authorization failed ({error}){detail}", http_status=http_status)


def truncate(text: str, limit: int = MAX_DIAGNOSTICS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def retry_after(response: httpx.Response, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date (None if absent or unreadable)."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now()).total_seconds())


def outcome_text(response: httpx.Response, redact: Iterable[str] = ()) -> str:
    """What an OperationOutcome says (issue diagnostics or details.text), truncated, with any of
    `redact` (our own values the server may echo) blanked out."""
    try:
        body: Any = response.json()
    except ValueError:
        return ""
    issues = body.get("issue", []) if isinstance(body, dict) else []
    parts = []
    for issue in issues if isinstance(issues, list) else []:
        if isinstance(issue, dict):
            text = issue.get("diagnostics") or (issue.get("details") or {}).get("text")
            if isinstance(text, str):
                parts.append(text)
    return truncate(redact_values("; ".join(parts), redact))


def redact_values(text: str, values: Iterable[str]) -> str:
    for value in sorted({v for v in values if v}, key=len, reverse=True):
        text = re.sub(rf"(?<![\w.]){re.escape(value)}(?![\w]|\.\d)", "[redacted]", text)
    return text


def raise_for_status(response: httpx.Response, action: str, redact: Iterable[str] = ()) -> None:
    """Raise the port's error for a non-2xx answer; `action` says what we tried (no PHI)."""
    status = response.status_code
    if status < 300:
        return
    if status in (429, 503):
        raise EmrUnavailable(f"{action}: the EMR asked us to slow down or is unavailable ({status})",
                             http_status=status, retry_after=retry_after(response))
    if status == 408 or status >= 500:
        raise EmrUnavailable(f"{action}: the EMR failed ({status})", http_status=status,
                             retry_after=retry_after(response))
    if status == 401:
        raise EmrError(f"{action}: the EMR refused our access token (401) after a refresh", http_status=401)
    said = outcome_text(response, redact)
    detail = f": {said}" if said else ""
    if status == 403:
        raise EmrRejected(f"{action}: forbidden (403), check the granted scopes{detail}", http_status=403)
    raise EmrRejected(f"{action}: the EMR rejected the request ({status}){detail}", http_status=status)


def json_resource(response: httpx.Response, resource_type: str, action: str) -> dict[str, Any]:
    """The response body as a resource of `resource_type`, or EmrError."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or body.get("resourceType") != resource_type:
        raise EmrError(f"{action}: the EMR did not answer with a {resource_type}", http_status=response.status_code)
    return body


def transport_error(error: httpx.TransportError | PinMismatch, action: str) -> EmrUnavailable:
    """A timeout, refused connection, failed TLS handshake or pin mismatch as a temporary failure."""
    if isinstance(error, PinMismatch):
        return EmrUnavailable(f"{action}: {error}")
    if isinstance(error, httpx.TimeoutException):
        return EmrUnavailable(f"{action}: the EMR did not answer in time ({type(error).__name__})")
    host = error.request.url.host if _has_request(error) else "the EMR"
    if _caused_by_tls(error):
        return EmrUnavailable(f"{action}: TLS handshake with {host} failed (certificate or protocol)")
    return EmrUnavailable(f"{action}: could not reach {host} ({type(error).__name__})")


def _caused_by_tls(error: BaseException) -> bool:
    seen: BaseException | None = error
    for _ in range(10):  # the chain: httpx error <- httpcore error <- ssl.SSLError
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLError | ssl.CertificateError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _has_request(error: httpx.TransportError) -> bool:
    try:
        error.request  # noqa: B018 - raises RuntimeError when the error has no request
    except RuntimeError:
        return False
    return True
