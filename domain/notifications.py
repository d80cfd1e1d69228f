"""Providers' registered push tokens (FCM registration tokens of their phones)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Platform(StrEnum):
    ANDROID = "android"
    IOS = "ios"
    WEB = "web"


@dataclass(frozen=True)
class PushToken:
    """A device token is a credential of the provider's phone: never logged, never sent anywhere but FCM."""

    id: str
    user_id: str
    token: str
    platform: Platform
    active: bool
    registered_at: datetime
    deactivated_at: datetime | None = None
    deactivation_reason: str | None = None
