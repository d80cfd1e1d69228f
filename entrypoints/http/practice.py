"""The `practice_id` query parameter of the EMR routes: an administrator names whose EMR; a clinician's is
always their own (naming another practice answers 404, as any of its resources would)."""

from __future__ import annotations

from typing import Any

from litestar.params import Parameter

PracticeParam: Any = Parameter(
    default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
    description="whose EMR (administrators; default: the `default` practice). A clinician's own practice always.",
)
