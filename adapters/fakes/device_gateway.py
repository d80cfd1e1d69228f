"""FakeDeviceGateway: an inventory and a message log, served in pages."""

from __future__ import annotations

from typing import TypeVar

from domain.ports.device_gateway import GatewayDevice, GatewayMessage, GatewayPage

T = TypeVar("T")


class FakeDeviceGateway:
    def __init__(self, page_size: int = 50) -> None:
        self.devices: list[GatewayDevice] = []
        self.messages: list[GatewayMessage] = []
        self.page_size = page_size
        self.calls: list[tuple[str, str | None]] = []

    async def list_devices(self, cursor: str | None = None) -> GatewayPage[GatewayDevice]:
        self.calls.append(("list_devices", cursor))
        return _page(self.devices, cursor, self.page_size)

    async def readings_since(self, cursor: str | None) -> GatewayPage[GatewayMessage]:
        self.calls.append(("readings_since", cursor))
        return _page(self.messages, cursor, self.page_size)


def _page(items: list[T], cursor: str | None, size: int) -> GatewayPage[T]:
    start = int(cursor or 0)
    end = start + size
    return GatewayPage(tuple(items[start:end]), str(end) if end < len(items) else None)
