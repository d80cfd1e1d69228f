"""The device-cloud port: readings since a cursor (batch sync)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from domain.deliveries import IncomingDelivery


@dataclass(frozen=True)
class GatewayMessage:
    """One message pulled from the gateway, as a delivery (its id dedupes it like a webhook id)."""

    delivery: IncomingDelivery


T = TypeVar("T")


@dataclass(frozen=True)
class GatewayPage(Generic[T]):
    items: tuple[T, ...]
    next_cursor: str | None


class DeviceGateway(Protocol):
    async def readings_since(self, cursor: str | None) -> GatewayPage[GatewayMessage]: ...
