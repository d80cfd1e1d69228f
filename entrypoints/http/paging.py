"""Query parameters shared by the list and period routes, bounded so no value can reach SQL unchecked.

A value outside these bounds is answered 422 (problem+json), as any invalid parameter is; the bounds
also keep an OFFSET of (page - 1) * page_size far inside what SQLite and PostgreSQL accept.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar.exceptions import ValidationException
from litestar.params import Parameter

from application.queries import MAX_PAGE, MAX_PAGE_SIZE

Page: Any = Parameter(default=1, ge=1, le=MAX_PAGE, description=f"page number, 1-{MAX_PAGE}")


def page_size_param(default: int = 50, maximum: int = MAX_PAGE_SIZE) -> Any:
    """The page_size parameter of a list route: 1 to `maximum` items per page."""
    return Parameter(default=default, ge=1, le=maximum, description=f"items per page, 1-{maximum}")


PageSize: Any = page_size_param()

# near datetime's own limits, converting to UTC or stepping back a period would overflow
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def check_instants(**instants: datetime | None) -> None:
    """422 unless each date-time query parameter given has a UTC offset (RFC 3339) and lies in 1900-2199."""
    wrong = [name for name, value in instants.items() if value is not None and not _instant(value)]
    if wrong:
        raise ValidationException(
            "Validation failed: a date-time lacks its UTC offset or is out of range",
            extra=[{"message": "Expected a date-time with a UTC offset, from 1900 to 2199", "key": name,
                    "source": "query"} for name in wrong],
        )


def _instant(value: datetime) -> bool:
    return value.utcoffset() is not None and EARLIEST <= value < LATEST
