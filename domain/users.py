"""Provider-app users and their roles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.errors import InvalidInput
from domain.patients import DEFAULT_PRACTICE

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
    practice_id: str = DEFAULT_PRACTICE  # clinicians see this practice's patients; admins see all


PRACTICE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def check_practice_id(practice_id: str) -> None:
    """Raise InvalidInput unless the practice id is 1-64 letters, digits or . _ -."""
    if not PRACTICE_ID.match(practice_id):
        raise InvalidInput("practice must be 1-64 letters, digits or . _ -")


def check_new_credentials(username: str, password: str) -> None:
    """Raise InvalidInput when a username or password does not meet policy."""
    if not _USERNAME.match(username):
        raise InvalidInput("username must be 3-64 letters, digits or . _ @ -")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
