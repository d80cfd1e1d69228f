"""CY2026 remote patient monitoring billing: which CPT codes a month supports, and why (or why not).

Conventions: a 30-day device-supply period runs consecutively from the episode start and is
reported in the month in which it ends (once it has ended); 99453 is reported in the month of the
second day with readings; management codes count the calendar month's logged minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

PERIOD_DAYS = 30


@dataclass(frozen=True)
class BillableCode:
    code: str
    units: int
    reason: str


@dataclass(frozen=True)
class NotBillable:
    code: str
    reason: str


@dataclass(frozen=True)
class ManagementTime:
    performed_on: date
    minutes: int
    interactive: bool


@dataclass(frozen=True)
class BillingInputs:
    month_start: date
    as_of: date  # periods ending after this day are still running
    consent_on: date | None
    episode_start: date | None
    reading_days: frozenset[date]
    management: tuple[ManagementTime, ...] = ()


@dataclass(frozen=True)
class MonthlyBilling:
    billable: tuple[BillableCode, ...]
    not_billable: tuple[NotBillable, ...]


def month_end(month_start: date) -> date:
    """The last day of the month."""
    following = (month_start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def _consented(inputs: BillingInputs, by: date) -> bool:
    return inputs.consent_on is not None and inputs.consent_on <= by


def setup_code(inputs: BillingInputs) -> list[BillableCode | NotBillable]:
    """99453: once per episode, in the month the second day with readings falls."""
    days = sorted(d for d in inputs.reading_days if inputs.episode_start and d >= inputs.episode_start)
    if len(days) < 2:
        return [NotBillable("99453", "fewer than 2 days with readings in this episode so far")]
    second = days[1]
    if not inputs.month_start <= second <= month_end(inputs.month_start):
        return []  # reported in another month (once per episode)
    if not _consented(inputs, second):
        return [NotBillable("99453", "no RPM consent on record before readings began")]
    return [BillableCode("99453", 1, f"device set-up; second day with readings was {second.isoformat()}")]


def supply_codes(inputs: BillingInputs) -> list[BillableCode | NotBillable]:
    """99454 (16+ days) or 99445 (2-15 days) for each 30-day period ending this month."""
    if inputs.episode_start is None:
        return [NotBillable("99454", "no device assigned")]
    results: list[BillableCode | NotBillable] = []
    last = month_end(inputs.month_start)
    start = inputs.episode_start
    while start <= last:
        end = start + timedelta(days=PERIOD_DAYS - 1)
        if inputs.month_start <= end <= last:
            results.append(_period(inputs, start, end))
        start = end + timedelta(days=1)
    return results


def _period(inputs: BillingInputs, start: date, end: date) -> BillableCode | NotBillable:
    span = f"{start.isoformat()} to {end.isoformat()}"
    if end > inputs.as_of:
        return NotBillable("99454", f"30-day period {span} has not ended yet")
    if not _consented(inputs, end):
        return NotBillable("99454", f"no RPM consent on record for {span}")
    days = sum(start <= d <= end for d in inputs.reading_days)
    if days >= 16:
        return BillableCode("99454", 1, f"{days} days with readings in {span}")
    if days >= 2:
        return BillableCode("99445", 1, f"{days} days with readings in {span} (2-15 days)")
    return NotBillable("99454", f"only {days} day(s) with readings in {span}; 2 needed")


def management_codes(inputs: BillingInputs) -> list[BillableCode | NotBillable]:
    """99457 + 99458 per further full 20 minutes, or 99470 for 10-19 minutes; interactive contact required."""
    minutes = sum(entry.minutes for entry in inputs.management)
    if minutes == 0:
        return []
    if not _consented(inputs, month_end(inputs.month_start)):
        return [NotBillable("99457", "no RPM consent on record")]
    if not any(entry.interactive for entry in inputs.management):
        return [NotBillable("99457", f"{minutes} minutes logged but no interactive communication this month")]
    if minutes < 10:
        return [NotBillable("99470", f"{minutes} minutes of management time; 10 needed")]
    if minutes < 20:
        return [BillableCode("99470", 1, f"{minutes} minutes of management time (10-19)")]
    extra = (minutes - 20) // 20
    codes: list[BillableCode | NotBillable] = [BillableCode("99457", 1, f"first 20 of {minutes} minutes")]
    if extra:
        codes.append(BillableCode("99458", extra, f"{extra} additional 20-minute block(s)"))
    return codes


def monthly_billing(inputs: BillingInputs) -> MonthlyBilling:
    results = [*setup_code(inputs), *supply_codes(inputs), *management_codes(inputs)]
    return MonthlyBilling(
        billable=tuple(r for r in results if isinstance(r, BillableCode)),
        not_billable=tuple(r for r in results if isinstance(r, NotBillable)),
    )


