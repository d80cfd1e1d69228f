"""The device-cloud port: inventory and readings since a cursor (batch sync)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from domain.deliveries import IncomingDelivery


@dataclass(frozen=True)
class GatewayDevice:
    gateway_device_id: str
    model_number: str


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
    async def list_devices(self, cursor: str | None = None) -> GatewayPage[GatewayDevice]: ...

    async def readings_since(self, cursor: str | None) -> GatewayPage[GatewayMessage]: ...
