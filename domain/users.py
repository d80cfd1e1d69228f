"""Provider-app users and their roles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.errors import InvalidInput

_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$")
MIN_PASSWORD_LENGTH = 12


class Role(StrEnum):
    ADMIN = "admin"
    CLINICIAN = "clinician"


@dataclass(frozen=True)
class User:
    id: str
    username: str
    role: Role
    password_hash: str
    active: bool
    created_at: datetime


def check_new_credentials(username: str, password: str) -> None:
    """Raise InvalidInput when a username or password does not meet policy."""
    if not _USERNAME.match(username):
        raise InvalidInput("username must be 3-64 letters, digits or . _ @ -")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
