"""Requests from chosen client addresses: the test client always connects as "testclient"."""

from __future__ import annotations

from litestar.types import ASGIApp, Receive, Scope, Send

PEER_HEADER = "x-test-peer"


class PeerFromHeader:
    """Wraps an app so a request's TCP peer is the address in its x-test-peer header (tests only)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = dict(scope["headers"])
            peer = headers.get(PEER_HEADER.encode())
            if peer is not None:
                scope = {**scope, "client": (peer.decode(), 40000)}  # type: ignore[misc]
        await self.app(scope, receive, send)


def from_peer(address: str) -> dict[str, str]:
    return {PEER_HEADER: address}
