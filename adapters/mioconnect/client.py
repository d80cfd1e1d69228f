"""MioConnectGateway: the device cloud's REST API over httpx (inventory, readings since a cursor).

The inventory endpoint (`GET /devices`, `limit`/`nextToken`) follows MioConnect's public API; the
readings-since endpoint (`GET /telemetry?since=`) is our assumption and stays behind this adapter.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from adapters.mioconnect.inbound import telemetry_delivery
from domain.ports.device_gateway import GatewayMessage, GatewayPage

RETRYABLE = {429, 500, 502, 503, 504}

PAGE_SIZE = 100  # messages asked for per page (`limit`)


class GatewayError(Exception):
    """The device cloud failed or refused; the message carries the status, never device data."""


def tls_context() -> ssl.SSLContext:
    """Certificate and host-name checks on (system trust store), TLS 1.2 at least."""
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def gateway_client(
    base_url: str, api_key: str, timeout_seconds: float = 10.0, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """An httpx client for the device cloud: API key header, timeouts, verified TLS 1.2+."""
    return httpx.AsyncClient(
        base_url=base_url, headers={"x-api-key": api_key, "accept": "application/json"},
        timeout=httpx.Timeout(timeout_seconds, connect=5.0), transport=transport, verify=tls_context(),
    )


class MioConnectGateway:
    """DeviceGateway over the REST API; retries 429/5xx and transport errors with backoff."""

    def __init__(
        self, client: httpx.AsyncClient, *, page_size: int = PAGE_SIZE, max_retries: int = 4,
        backoff_seconds: float = 0.5, sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self._client = client
        self._page_size = page_size
        self._max_retries = max_retries
        self._backoff = backoff_seconds
        self._sleep = sleep

    async def readings_since(self, cursor: str | None) -> GatewayPage[GatewayMessage]:
        body = await self._get("/telemetry", cursor=cursor)
        return GatewayPage(tuple(_message(item) for item in body.get("items", [])), body.get("nextToken"))

    async def _get(self, path: str, *, cursor: str | None) -> Mapping[str, Any]:
        params = {"limit": str(self._page_size)} | ({"nextToken": cursor} if cursor else {})
        for attempt in range(self._max_retries + 1):
            try:
                response = await self._client.get(path, params=params)
            except httpx.TransportError as error:
                if attempt == self._max_retries:
                    raise GatewayError(f"device cloud unreachable ({type(error).__name__})") from None
                await self._sleep(self._backoff * 2**attempt)
                continue
            if response.status_code in RETRYABLE and attempt < self._max_retries:
                await self._sleep(_retry_after(response) or self._backoff * 2**attempt)
                continue
            if response.status_code != 200:
                raise GatewayError(f"device cloud answered {response.status_code} for {path}")
            return _json_object(response)
        raise GatewayError(f"device cloud kept failing for {path}")


def _message(item: Mapping[str, Any]) -> GatewayMessage:
    raw = json.dumps(item.get("message"), separators=(",", ":")).encode()
    return GatewayMessage(telemetry_delivery(f"sync:{item.get('id')}", raw))


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return float(value) if value.replace(".", "", 1).isdigit() else None


def _json_object(response: httpx.Response) -> Mapping[str, Any]:
    try:
        body = response.json()
    except (ValueError, RecursionError):  # RecursionError: nested too deeply for the parser
        raise GatewayError("device cloud sent a body that is not JSON") from None
    if not isinstance(body, dict):
        raise GatewayError("device cloud sent an unexpected JSON shape")
    return body
