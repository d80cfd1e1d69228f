"""Field types shared by the HTTP bodies, and the one page shape of every list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Generic, TypeVar

import msgspec

AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]
NonEmpty = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]

T = TypeVar("T")


class Page(msgspec.Struct, Generic[T]):
    """One page of a list: its number and size, how many items there are in all, and this page's items."""

    page: int
    page_size: int
    total: int
    items: list[T]
