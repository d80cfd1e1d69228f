"""Finding PHI in text the system wrote (logs, spans, audit entries, answers), without tripping over the
random ids beside it: a reading value counts only where it stands alone."""

from __future__ import annotations

import re
from collections.abc import Iterable


def stands_alone(value: str, text: str) -> bool:
    """Whether `value` occurs in `text` on its own — not inside an id, a hex request id or a timestamp."""
    return re.search(rf"(?<![\w.:-]){re.escape(value)}(?![\w.:-])", text) is not None


def leaks(text: str, words: Iterable[str] = (), values: Iterable[str] = ()) -> list[str]:
    """The `words` (names, record numbers, device ids: long enough to look for anywhere) and the reading
    `values` (short numbers: only where they stand alone) that `text` contains."""
    return [w for w in words if w and w in text] + [v for v in values if stands_alone(v, text)]
