"""CY2026 RPM billing rules at every boundary (domain/rpm_billing.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.rpm_billing import BillingInputs, ManagementTime, monthly_billing

NOV = date(2026, 11, 1)
EPISODE = date(2026, 11, 1)  # periods: Nov 1-30, Dec 1-30, ...


def inputs(days: int = 0, *, minutes: tuple[int, ...] = (), interactive: bool = True, consent: date | None = NOV,
           episode: date | None = EPISODE, month: date = NOV, as_of: date = date(2026, 12, 5),
           first_day: date = EPISODE) -> BillingInputs:
    return BillingInputs(
        month_start=month, as_of=as_of, consent_on=consent, episode_start=episode,
        reading_days=frozenset(first_day + timedelta(days=n) for n in range(days)),
        management=tuple(ManagementTime(month + timedelta(days=n), m, interactive) for n, m in enumerate(minutes)),
    )


def codes(billing_inputs: BillingInputs) -> dict[str, int]:
    return {c.code: c.units for c in monthly_billing(billing_inputs).billable}


@pytest.mark.parametrize(("days", "expected"), [
    (0, {}), (1, {}), (2, {"99453": 1, "99445": 1}), (15, {"99453": 1, "99445": 1}),
    (16, {"99453": 1, "99454": 1}), (30, {"99453": 1, "99454": 1}),
])
def test_device_supply_and_setup_by_days_with_readings(days: int, expected: dict[str, int]) -> None:
    assert codes(inputs(days)) == expected


def test_setup_is_billed_once_per_episode() -> None:
    december = inputs(20, month=date(2026, 12, 1), as_of=date(2027, 1, 10))
    assert "99453" not in codes(december)


def test_setup_falls_in_the_month_of_the_second_day() -> None:
    late_start = inputs(2, first_day=date(2026, 11, 30))
    assert "99453" not in codes(late_start)  # second day is 1 December
    assert codes(inputs(2, first_day=date(2026, 11, 30), month=date(2026, 12, 1), as_of=date(2027, 1, 1)))[
        "99453"] == 1


@pytest.mark.parametrize(("as_of", "billed"), [(date(2026, 11, 29), False), (date(2026, 11, 30), True)])
def test_a_period_is_billed_once_it_has_ended(as_of: date, billed: bool) -> None:
    assert ("99454" in codes(inputs(20, as_of=as_of))) is billed


def test_day_30_belongs_to_the_first_period_and_day_31_to_the_next() -> None:
    day_30_and_31 = BillingInputs(NOV, date(2027, 1, 5), NOV, EPISODE,
                                  frozenset({date(2026, 11, 29), date(2026, 11, 30), date(2026, 12, 1)}))
    assert codes(day_30_and_31) == {"99453": 1, "99445": 1}


@pytest.mark.parametrize(("minutes", "expected"), [
    ((9,), {}), ((10,), {"99470": 1}), ((19,), {"99470": 1}), ((20,), {"99457": 1}),
    ((39,), {"99457": 1}), ((40,), {"99457": 1, "99458": 1}), ((30, 29), {"99457": 1, "99458": 1}),
    ((60,), {"99457": 1, "99458": 2}),
])
def test_management_time(minutes: tuple[int, ...], expected: dict[str, int]) -> None:
    assert codes(inputs(0, minutes=minutes)) == expected


def test_management_time_needs_an_interactive_communication() -> None:
    result = monthly_billing(inputs(0, minutes=(45,), interactive=False))
    assert result.billable == ()
    assert "no interactive communication" in result.not_billable[-1].reason


@pytest.mark.parametrize("consent", [None, date(2026, 12, 15)])
def test_nothing_is_billable_without_consent_on_record(consent: date | None) -> None:
    result = monthly_billing(inputs(20, minutes=(30,), consent=consent))
    assert result.billable == ()
    assert all("consent" in n.reason for n in result.not_billable)


def test_reasons_explain_what_is_missing() -> None:
    reasons = {n.code: n.reason for n in monthly_billing(inputs(1)).not_billable}
    assert "fewer than 2 days" in reasons["99453"]
    assert "only 1 day(s)" in reasons["99454"]
