"""The per-practice token bucket, measured with an injected clock (sleeping advances it): no wall time."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from adapters.fhir.ratelimit import RateLimiter


class SteppingClock:
    """Time that moves only when the limiter sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


async def _call_times(limiter: RateLimiter, clock: SteppingClock, calls: int) -> list[float]:
    times = []
    for _ in range(calls):
        await limiter.acquire()
        times.append(clock.now)
    return times


async def test_a_burst_then_an_even_pace() -> None:
    clock = SteppingClock()
    limiter = RateLimiter(per_minute=10, burst=4, clock=clock, sleep=clock.sleep)
    times = await _call_times(limiter, clock, 8)
    assert times[:4] == [1000.0] * 4  # the burst goes at once
    gaps = [b - a for a, b in itertools.pairwise(times[3:])]
    assert gaps == pytest.approx([10.0] * 4)  # then (10 - 4) calls a minute: one every 10 s


async def test_no_sixty_second_window_holds_more_than_the_limit() -> None:
    clock = SteppingClock()
    limiter = RateLimiter(per_minute=250, burst=5, clock=clock, sleep=clock.sleep)
    times = await _call_times(limiter, clock, 1000)
    busiest = max(sum(1 for t in times if start <= t < start + 60) for start in times)
    assert 240 <= busiest <= 250


async def test_default_is_250_a_minute() -> None:
    clock = SteppingClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    times = await _call_times(limiter, clock, 500)
    assert times[-1] - times[0] == pytest.approx((500 - 5) * 60 / 245)


async def test_idle_time_refills_the_bucket_but_never_past_the_burst() -> None:
    clock = SteppingClock()
    limiter = RateLimiter(per_minute=61, burst=1, clock=clock, sleep=clock.sleep)
    await limiter.acquire()
    clock.now += 3600  # an idle hour
    await limiter.acquire()
    await limiter.acquire()
    assert clock.sleeps == [pytest.approx(1.0)]  # one free call, then the pace of 1/s


async def test_concurrent_callers_are_served_one_at_a_time() -> None:
    clock = SteppingClock()
    limiter = RateLimiter(per_minute=61, burst=1, clock=clock, sleep=clock.sleep)
    stamps: list[float] = []

    async def call() -> None:
        await limiter.acquire()
        stamps.append(clock.now)

    await asyncio.gather(*(call() for _ in range(10)))
    assert stamps == pytest.approx([1000.0 + n for n in range(10)])


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="per_minute"):
        RateLimiter(per_minute=0)
