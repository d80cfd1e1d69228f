"""Field types shared by the HTTP bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]
NonEmpty = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
