"""FakeDeviceGateway: a message log, served in pages."""

from __future__ import annotations

from domain.ports.device_gateway import GatewayMessage, GatewayPage


class FakeDeviceGateway:
    def __init__(self, page_size: int = 50) -> None:
        self.messages: list[GatewayMessage] = []
        self.page_size = page_size
        self.calls: list[tuple[str, str | None]] = []

    async def readings_since(self, cursor: str | None) -> GatewayPage[GatewayMessage]:
        self.calls.append(("readings_since", cursor))
        start = int(cursor or 0)
        end = start + self.page_size
        return GatewayPage(tuple(self.messages[start:end]), str(end) if end < len(self.messages) else None)
