"""Devices and their assignments on PostgreSQL: what the intake reads and writes per page goes through
the driver, one statement each."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from adapters.sql import mapping as m
from adapters.sql.driver import driver_keeping_deferred, driver_of
from adapters.sql.pg_arrays import json_value, select_any
from adapters.sql.pg_deferred import defer
from adapters.sql.repositories_people import SqlDeviceRepository
from adapters.sql.tables import device_assignments, devices
from domain.devices import Device, DeviceAssignment, KnownDevices

_BY_GATEWAY_IDS = select_any("devices", [c.name for c in devices.c], "gateway_device_id")
_HISTORIES = select_any("device_assignments", [c.name for c in device_assignments.c], "device_id",
                        "ORDER BY effective_from, id")
_HISTORY = [c.name for c in device_assignments.c if c.name != "device_id"]
_HISTORY_KEYS = [(name, f"a_{name}") for name in _HISTORY]
_PICKED = ", ".join([*(f"d.{c.name}" for c in devices.c), *(f"a.{name} AS a_{name}" for name in _HISTORY),
                     "t.overrides::text AS t_overrides"])
_KNOWN = (
    f"SELECT {_PICKED} FROM devices AS d LEFT JOIN device_assignments AS a ON a.device_id = d.id"  # noqa: S608
    " LEFT JOIN patient_thresholds AS t ON t.patient_id = a.patient_id"
    " WHERE d.gateway_device_id = ANY($1::text[]) ORDER BY a.effective_from, a.id"
)
# what a device reports of itself; registration and practice are the clinic's and stay as stored. Columns of one
# type go stacked into one array (asyncpg checks the elements of its first row only), and the time last seen as
# one value when the page heard every device at the same time (readings only: the page's time); a lone device's
# go as values, with no array at all
_OBSERVED = """UPDATE devices AS d SET
    last_seen_at = CASE WHEN d.last_seen_at IS NULL OR d.last_seen_at < {seen} THEN {seen} ELSE d.last_seen_at END,
    battery_percent = coalesce(u.battery, d.battery_percent), signal_bars = coalesce(u.signal, d.signal_bars),
    firmware = coalesce(u.firmware, d.firmware)
FROM {source}
WHERE d.id = u.id"""
_STACKED = "($1::text[])[1:1], ($2::int4[])[1:1], ($2::int4[])[2:2], ($1::text[])[2:2]"
_U = "u(id, battery, signal, firmware"
_OBSERVED_AT_ONCE = _OBSERVED.format(seen="$3::timestamptz", source=f"unnest({_STACKED}) AS {_U})")
_OBSERVED_EACH = _OBSERVED.format(seen="u.seen", source=f"unnest({_STACKED}, $3::timestamptz[]) AS {_U}, seen)")
_OBSERVED_ONE = _OBSERVED.format(seen="$5::timestamptz",
                                 source=f"(VALUES ($1::text, $2::int4, $3::int4, $4::text)) AS {_U})")


class PgDeviceRepository(SqlDeviceRepository):
    """SqlDeviceRepository whose page statements go through the driver."""

    async def by_gateway_ids(self, gateway_device_ids: Sequence[str]) -> Mapping[str, Device]:
        if not gateway_device_ids:
            return {}
        driver = await driver_of(self._c)
        rows = await driver.fetch(_BY_GATEWAY_IDS, sorted(set(gateway_device_ids)))
        return {row["gateway_device_id"]: m.device_of(dict(row)) for row in rows}

    async def known_for_intake(self, gateway_device_ids: Sequence[str]) -> KnownDevices:
        if not gateway_device_ids:
            return KnownDevices({}, {}, {})
        driver = await driver_of(self._c)
        found: dict[str, Device] = {}
        histories: dict[str, list[DeviceAssignment]] = {}
        overrides: dict[str, Mapping[str, Decimal]] = {}
        for row in await driver.fetch(_KNOWN, sorted(set(gateway_device_ids))):
            if row["gateway_device_id"] not in found:
                found[row["gateway_device_id"]] = m.device_of(row)
            if row["a_id"] is not None:  # a page's every device has a row here: names worked out once
                history = {name: row[key] for name, key in _HISTORY_KEYS}
                history["device_id"] = row["id"]
                histories.setdefault(row["id"], []).append(m.assignment_of(history))
                stored = json_value(row["t_overrides"]) if row["t_overrides"] else {}
                overrides[row["a_patient_id"]] = m.overrides_of(stored)
        return KnownDevices(found, histories, overrides)

    async def observe_many(self, many: Sequence[Device]) -> None:
        if not many:
            return
        # no result needed: it goes with the page's next statement (the readings' insert)
        if len(many) == 1:
            d = many[0]
            await defer(await driver_keeping_deferred(self._c), "devices", _OBSERVED_ONE,
                        [d.id, d.battery_percent, d.signal_bars, d.firmware, d.last_seen_at])
            return
        ordered = sorted(many, key=lambda d: d.id)  # rows locked in one order by every concurrent page
        seen = [d.last_seen_at for d in ordered]
        at_once = seen.count(seen[0]) == len(seen)
        sql = _OBSERVED_AT_ONCE if at_once else _OBSERVED_EACH
        await defer(await driver_keeping_deferred(self._c), "devices", sql, [
            [[d.id for d in ordered], [d.firmware for d in ordered]],
            [[d.battery_percent for d in ordered], [d.signal_bars for d in ordered]], seen[0] if at_once else seen])

    async def assignments_of_devices(self, device_ids: Sequence[str]) -> Mapping[str, Sequence[DeviceAssignment]]:
        if not device_ids:
            return {}
        driver = await driver_of(self._c)
        histories: dict[str, list[DeviceAssignment]] = {}
        for row in await driver.fetch(_HISTORIES, sorted(set(device_ids))):
            histories.setdefault(row["device_id"], []).append(m.assignment_of(dict(row)))
        return histories
