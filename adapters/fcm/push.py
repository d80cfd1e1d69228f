"""FcmNotifier: the Notifier port over firebase-admin's FCM HTTP v1 client.

A push says only that there is a new alert: generic notification text, and data holding the alert
id, type, severity and action code. The app fetches details over the authenticated API.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping

import firebase_admin
from firebase_admin import credentials, exceptions, messaging

from domain.ports.notifier import PushMessage, PushResult

TITLE = "New patient alert"
BODY = "Open Vantrexia to review"
RETRYABLE = (messaging.QuotaExceededError, exceptions.UnavailableError, exceptions.InternalError,
             exceptions.DeadlineExceededError)


def build_message(message: PushMessage, token: str) -> messaging.Message:
    """Critical alerts: high priority and never collapsed (FCM keeps at most four collapse keys)."""
    critical = message.severity == "critical"
    collapse = None if critical else f"vantrexia-{message.alert_type}"
    apns_headers = {"apns-priority": "10" if critical else "5", "apns-push-type": "alert"}
    if collapse:
        apns_headers["apns-collapse-id"] = collapse
    return messaging.Message(
        token=token,
        notification=messaging.Notification(title=TITLE, body=BODY),
        data={"alert_id": message.alert_id, "alert_type": message.alert_type, "severity": message.severity,
              "action_code": message.action_code},
        android=messaging.AndroidConfig(priority="high" if critical else "normal", collapse_key=collapse),
        apns=messaging.APNSConfig(headers=apns_headers),
    )


def result_of(token_id: str, response: messaging.SendResponse) -> PushResult:
    """Map FCM's answer; error text names the error class and code only, never the token."""
    if response.success:
        return PushResult(token_id, delivered=True)
    error = response.exception
    code = getattr(error, "code", "UNKNOWN")
    summary = f"{type(error).__name__} ({code})"
    if isinstance(error, messaging.UnregisteredError):
        return PushResult(token_id, delivered=False, token_invalid=True, error=summary)
    if isinstance(error, exceptions.InvalidArgumentError) and "token" in str(error).lower():
        return PushResult(token_id, delivered=False, token_invalid=True, error=summary)
    return PushResult(token_id, delivered=False, retryable=isinstance(error, RETRYABLE), error=summary)


class FcmNotifier:
    def __init__(self, app: firebase_admin.App) -> None:
        self._app = app

    async def send(self, message: PushMessage, tokens: dict[str, str]) -> list[PushResult]:
        token_ids = list(tokens)
        if not token_ids:
            return []
        batch = await messaging.send_each_async(
            [build_message(message, tokens[t]) for t in token_ids], dry_run=False, app=self._app)
        return [result_of(token_id, response) for token_id, response in zip(token_ids, batch.responses, strict=True)]

    async def aclose(self) -> None:
        """Close the HTTP client on this event loop, then release the firebase-admin app."""
        service = messaging._get_messaging_service(self._app)
        await service._async_client.aclose()
        await asyncio.to_thread(firebase_admin.delete_app, self._app)


def build_fcm_app(credentials_file: str, project_id: str | None,
                  endpoint: str | None = None, options: Mapping[str, object] | None = None) -> firebase_admin.App:
    """A dedicated firebase-admin app; `endpoint` replaces the FCM URL for a local stand-in (tests only)."""
    settings = {"projectId": project_id} if project_id else {}
    app = firebase_admin.initialize_app(credentials.Certificate(credentials_file), {**settings, **(options or {})},
                                        name=f"vantrexia-{uuid.uuid4().hex[:8]}")
    if endpoint:
        # firebase-admin has no endpoint setting: the one sanctioned override (DESIGN.md §2)
        service = messaging._get_messaging_service(app)
        service._fcm_url = f"{endpoint}/v1/projects/{service._project_id}/messages:send"
    return app
