"""Who is acting, carried by every command for authorisation and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """A user id or a service name, the request or trace id that caused the action, the practice
    whose patients it may see (None: every practice — administrators and services), and the
    caller's own correlation id when it sent one (kept beside ours, never instead of it)."""

    id: str
    request_id: str | None = None
    practice_id: str | None = None
    client_request_id: str | None = None


ANONYMOUS = Actor("anonymous")
WEBHOOK_SERVICE = Actor("service:mioconnect-webhook")
OUTBOX_WORKER = Actor("service:outbox-worker")
CLI = Actor("service:cli")
EMR_TOKEN_CLIENT = Actor("service:emr-token-client")
