"""Paging on console pages, also of an EMR search that does not say how many patients it holds."""

from __future__ import annotations

import pytest

from application.queries import MAX_PAGE
from entrypoints.console.pages.paging import Paging, estimated, form_page


def test_previous_and_next_exist_only_where_there_are_such_pages() -> None:
    assert (Paging(1, 20, 0).pages, Paging(1, 20, 0).previous, Paging(1, 20, 0).next) == (1, None, None)
    assert (Paging(2, 20, 41).pages, Paging(2, 20, 41).previous, Paging(2, 20, 41).next) == (3, 1, 3)
    assert Paging(MAX_PAGE, 1, MAX_PAGE + 5).next is None


def test_without_a_total_a_full_page_suggests_another() -> None:
    full, short = estimated(3, 20, 20, None), estimated(3, 20, 7, None)
    assert (full.next, full.exact, short.next, short.previous) == (4, False, None, 2)
    assert estimated(1, 20, 20, 20) == Paging(1, 20, 20)


@pytest.mark.parametrize(("sent", "page"), [("3", 3), (None, 1), ("", 1), ("x", 1), ("0", 1),
                                            (str(MAX_PAGE + 1), 1)])
def test_a_page_number_from_a_form(sent: str | None, page: int) -> None:
    assert form_page(sent) == page
