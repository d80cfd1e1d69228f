"""RecordDeviceStatus: a device's status report (battery, signal, firmware); never a reading."""

from __future__ import annotations

from dataclasses import dataclass, replace

from application.auditing import Auditor
from application.context import WEBHOOK_SERVICE, Actor
from application.intake import received
from application.seen_devices import seen_device
from domain.deliveries import DeliveryStatus, DeviceStatusReport
from domain.devices import Device
from domain.events import ReadingRecorded
from domain.ports import Clock, IdGenerator, UnitOfWork


@dataclass(frozen=True)
class RecordStatusDelivery:
    source: str
    webhook_id: str
    body: bytes
    report: DeviceStatusReport | None
    parse_error: str | None = None
    actor: Actor = WEBHOOK_SERVICE


class RecordDeviceStatus:
    """Keep the raw delivery and update the device's battery, signal, firmware and last-seen time."""

    def __init__(self, uow: UnitOfWork, clock: Clock, ids: IdGenerator, auditor: Auditor) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._auditor = auditor

    async def __call__(self, command: RecordStatusDelivery) -> ReadingRecorded:
        delivery = received(self._ids, command, self._clock.now())
        touched: list[str] = [delivery.id]
        async with self._uow as uow:
            if not await uow.deliveries.add_if_new(delivery):
                existing = await uow.deliveries.by_webhook_id(delivery.source, delivery.webhook_id)
                event = ReadingRecorded(existing.id if existing else delivery.id, DeliveryStatus.DUPLICATE)
            elif command.report is None:
                event = ReadingRecorded(delivery.id, DeliveryStatus.REJECTED, reason=command.parse_error)
                await uow.deliveries.save(replace(delivery, status=event.status, reason=event.reason))
            else:
                device = await self._apply(uow, command.report)
                event = ReadingRecorded(delivery.id, DeliveryStatus.STATUS_UPDATED)
                touched.append(device.id)
                await uow.deliveries.save(replace(delivery, status=event.status))
            await uow.commit()
        # after the transaction: on SQLite a second writer would wait for this one to finish
        await self._auditor.record(command.actor, "device.status", "Device", touched, status=event.status.value)
        return event

    async def _apply(self, uow: UnitOfWork, report: DeviceStatusReport) -> Device:
        device = await seen_device(uow, self._ids, report.gateway_device_id, report.model_number, report.reported_at)
        updated = replace(
            device,
            battery_percent=report.battery_percent if report.battery_percent is not None else device.battery_percent,
            signal_bars=report.signal_bars if report.signal_bars is not None else device.signal_bars,
            firmware=report.firmware or device.firmware,
        )
        await uow.devices.save(updated)
        return updated
