"""A local stand-in of Google's OAuth token endpoint and the FCM HTTP v1 send endpoint."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from litestar import Litestar, Request, Response, post
from litestar.params import FromPath

ACCESS_TOKEN = "stand-in-access-token"
ERRORS = {  # errorCode -> (HTTP status, google.rpc status, message)
    "UNREGISTERED": (404, "NOT_FOUND", "Requested entity was not found."),
    "INVALID_TOKEN": (400, "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token"),
    "INVALID_ARGUMENT": (400, "INVALID_ARGUMENT", "Invalid JSON payload received. Unknown name \"ttl\""),
    "QUOTA_EXCEEDED": (429, "RESOURCE_EXHAUSTED", "Quota exceeded for sending messages."),
    "UNAVAILABLE": (503, "UNAVAILABLE", "The service is currently unavailable."),
    "INTERNAL": (500, "INTERNAL", "Internal error encountered."),
}


@dataclass
class FcmState:
    sent: list[dict[str, Any]] = field(default_factory=list)
    attempts: dict[str, int] = field(default_factory=dict)
    token_requests: int = 0
    failures: dict[str, list[str]] = field(default_factory=dict)  # device token -> error codes to answer, in order


def fcm_standin(state: FcmState) -> Litestar:
    @post("/token", status_code=200)
    async def token(request: Request[Any, Any, Any]) -> dict[str, Any]:
        state.token_requests += 1
        return {"access_token": ACCESS_TOKEN, "expires_in": 3600, "token_type": "Bearer"}

    @post("/v1/projects/{project:str}/messages:send", status_code=200)
    async def send(project: FromPath[str], request: Request[Any, Any, Any]) -> Response[Any]:
        if request.headers.get("authorization") != f"Bearer {ACCESS_TOKEN}":
            return Response({"error": {"code": 401, "status": "UNAUTHENTICATED"}}, status_code=401)
        body = await request.json()
        device = body["message"]["token"]
        state.attempts[device] = state.attempts.get(device, 0) + 1
        planned = state.failures.get(device, [])
        if planned:
            code = planned.pop(0)
            status, rpc, message = ERRORS[code]
            error_code = "INVALID_ARGUMENT" if code == "INVALID_TOKEN" else code
            return Response({"error": {"code": status, "message": message, "status": rpc, "details": [
                {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": error_code}]}},
                status_code=status)
        state.sent.append(body)
        return Response({"name": f"projects/{project}/messages/{len(state.sent)}"})

    return Litestar(route_handlers=[token, send])


def service_account_file(directory: Path, token_uri: str, project_id: str = "vantrexia-test") -> Path:
    """A throwaway service-account JSON (key generated now, file 0600) whose token URI is the stand-in."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    info = {"type": "service_account", "project_id": project_id, "private_key_id": "test-key",
            "private_key": pem, "client_email": f"push@{project_id}.iam.gserviceaccount.com",
            "client_id": "1", "token_uri": token_uri}
    path = directory / "service-account.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(info, handle)
    return path
