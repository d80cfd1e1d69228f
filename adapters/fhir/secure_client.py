"""The HTTP client of one EMR connection: httpx over the pinned transport, with a direct path for FHIR calls."""

from __future__ import annotations

from collections.abc import Collection

import httpx

from adapters.fhir.tls import PinnedTransport, tls_context


class SecureClient(httpx.AsyncClient):
    """httpx's client over a PinnedTransport. `send_direct` hands a built request straight to that
    transport and reads the answer: FHIR calls use no auth flow, redirects or hooks of the client, whose
    layers cost about a quarter of a call's CPU; cookies the server sets are still kept and sent."""

    def __init__(self, transport: PinnedTransport, timeout: httpx.Timeout, headers: dict[str, str]) -> None:
        super().__init__(transport=transport, timeout=timeout, headers=headers, trust_env=False)
        self._pinned = transport

    async def send_direct(self, request: httpx.Request) -> httpx.Response:
        """The response to `request` (built with this client's headers, cookies and timeout), body read."""
        if self.is_closed:
            raise RuntimeError("Cannot send a request, as the client has been closed.")
        try:
            response = await self._pinned.handle_async_request(request)
        except httpx.RequestError as error:
            error.request = request  # what the client does: the error names its host
            raise
        response.request = request
        try:
            await response.aread()
        except BaseException:
            await response.aclose()
            raise
        if "set-cookie" in response.headers:
            self.cookies.extract_cookies(response)
        return response


def secure_client(
    *, ca_bundle: str | None = None, ca_pem: str | None = None, pins: Collection[str] = (),
    timeout_seconds: float = 10.0,
) -> SecureClient:
    """An httpx client for an EMR: verified TLS 1.2+, pinned when `pins` is not empty. Environment proxies
    are not used (they would bypass the pinned transport)."""
    context = tls_context(ca_bundle, ca_pem)
    timeout = httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 5.0))
    transport = PinnedTransport(context, pins) if pins else PinnedTransport(context, (), max_connections=100)
    return SecureClient(transport, timeout, {"accept": "application/fhir+json"})
