"""Paging on console pages: the page number travels as `?page=` (never anything that identifies a patient)
or, on a POSTed search, in the form body."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar.params import QueryParameter

from application.queries import MAX_PAGE

PageNumber = Annotated[int, QueryParameter(name="page", ge=1, le=MAX_PAGE, description="page number")]


@dataclass(frozen=True)
class Paging:
    """Where a list stands: `number` of `pages`, with "Previous" and "Next" when there are such pages."""

    number: int
    size: int
    total: int
    exact: bool = True  # False: the source did not say its total; `total` then only tells whether more follow

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < min(self.pages, MAX_PAGE) else None


def estimated(number: int, size: int, shown: int, total: int | None) -> Paging:
    """Paging of a source that may not say its total (an EMR's search): a full page suggests another."""
    if total is not None:
        return Paging(number, size, total)
    return Paging(number, size, (number - 1) * size + shown + (1 if shown == size else 0), exact=False)


def form_page(value: object) -> int:
    """A page number from a form field; anything unreadable or out of range is the first page."""
    try:
        number = int(str(value or 1))
    except ValueError:
        return 1
    return number if 1 <= number <= MAX_PAGE else 1
