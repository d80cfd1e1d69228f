"""Times typed into console forms: `<input type="datetime-local">` sends a wall-clock time without an offset;
the console states that its times are UTC, so that is how they are read (and how pages show them)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.errors import InvalidInput

SHOWN = "%Y-%m-%d %H:%M UTC"
FIELD = "%Y-%m-%dT%H:%M"  # the value a datetime-local input takes


def utc_from_input(text: str, field: str) -> datetime | None:
    """The instant typed into a datetime-local field (UTC), None when left empty; InvalidInput otherwise."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{field} must be a date and time like 2026-11-20T08:00") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def shown(moment: datetime | None) -> str:
    """A time as the console shows it (UTC), or "unknown"."""
    return moment.astimezone(UTC).strftime(SHOWN) if moment is not None else "unknown"


def field_value(moment: datetime | None) -> str:
    """A time as a datetime-local input's value (UTC)."""
    return moment.astimezone(UTC).strftime(FIELD) if moment is not None else ""


def month_value(day: date) -> str:
    """A month as a month input's value."""
    return day.strftime("%Y-%m")
