"""The PHI probe of the leak tests finds a reading value standing alone, never inside a random id."""

from __future__ import annotations

import pytest

from tests.support.phi import leaks

REQUEST_ID = "0186a2f4-9186-4c1e-8186-3f2a77186000"  # a random id may hold any digits


@pytest.mark.parametrize("text", [
    f"vantrexia.request_id={REQUEST_ID} vantrexia.reading_id=00000000-0000-4000-8000-000000000186",
    "vantrexia.measured_at=1795186840 vantrexia.duration_ms=0.186",
    "vantrexia.trace=1861862a9f",
])
def test_a_value_inside_an_id_a_time_or_a_number_is_no_leak(text: str) -> None:
    assert leaks(text, values=["186"]) == []


@pytest.mark.parametrize("text", [
    "vantrexia.systolic=186", "value 186 mmHg", "[186, 124]", '{"sys": 186}', "186/124",
])
def test_a_value_standing_alone_is_a_leak(text: str) -> None:
    assert leaks(text, values=["186"]) == ["186"]


def test_names_and_device_ids_are_leaks_anywhere() -> None:
    text = f"request_id={REQUEST_ID} device=gw-860013045678901 note=Holloway,Bram"
    assert leaks(text, words=["860013045678901", "Holloway", "Greta"]) == ["860013045678901", "Holloway"]
