"""Bodies of the EMR connections an administrator keeps (`/api/v1/emr/connections/`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from domain.emr_connections import (
    DEFAULT_SCOPES,
    MAX_CA_BUNDLE,
    MAX_IN_FLIGHT,
    MAX_PINS,
    MAX_RATE_PER_MINUTE,
    MAX_SCOPES,
    MAX_SECRET,
    MAX_URL,
)

Url = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_URL, description="an http(s) URL")]


class EmrConnectionRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """POST and PUT alike: PUT replaces every field below (an omitted one takes its default), except
    `client_secret`: given, it replaces the one in the key store; omitted, the stored one stays."""

    practice_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    vendor: Literal["ecw", "smart"]
    fhir_base_url: Url
    client_id: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    token_url: Url | None = None  # None: SMART discovery from the FHIR base
    scopes: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_SCOPES)] = DEFAULT_SCOPES
    practice_code: Annotated[str, msgspec.Meta(min_length=1, max_length=32)] | None = None
    rate_limit_per_minute: Annotated[int, msgspec.Meta(ge=1, le=MAX_RATE_PER_MINUTE)] = 300
    max_in_flight: Annotated[int, msgspec.Meta(ge=1, le=MAX_IN_FLIGHT)] = 8
    tls_pins: Annotated[list[Annotated[str, msgspec.Meta(min_length=1, max_length=64)]],
                        msgspec.Meta(max_length=MAX_PINS)] = msgspec.field(default_factory=list)
    ca_bundle_pem: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_CA_BUNDLE)] | None = None
    active: bool = True
    client_secret: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_SECRET)] | None = None


class EmrConnectionOut(msgspec.Struct, kw_only=True):
    """A connection as stored (`source: stored`) or made of the ECW_* settings (`source: settings`, id
    `settings`); never its client secret, only whether it has one."""

    id: str
    source: Literal["stored", "settings"]
    practice_id: str
    vendor: Literal["ecw", "smart"]
    fhir_base_url: str
    token_url: str | None
    client_id: str
    scopes: str
    practice_code: str | None
    rate_limit_per_minute: int
    max_in_flight: int
    tls_pins: list[str]
    ca_bundle_pem: str | None
    active: bool
    has_client_secret: bool
    version: int
    created_at: datetime
    updated_at: datetime
