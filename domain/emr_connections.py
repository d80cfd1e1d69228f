"""EMR connections: each practice sends to its own EMR (an eCW practice, or any SMART Backend Services
server). A connection is data an admin keeps; its client secret lives in the key store, never here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from domain.errors import Conflict, InvalidInput
from domain.ports.emr import EmrUnavailable

DEFAULT_SCOPES = "system/Patient.read system/Observation.write system/Observation.read"
FROM_SETTINGS = "settings"  # the id of the `default` practice's connection made of the ECW_* settings
PRACTICE_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")
SCOPE = re.compile(r"[A-Za-z0-9/._*:-]{1,100}")
MAX_IN_FLIGHT = 256


class EmrVendor(StrEnum):
    """The vendor profile: `ecw` knows eClinicalWorks' URLs and practice code; `smart` assumes nothing."""

    ECW = "ecw"
    SMART = "smart"


class NoEmrConnection(Conflict):
    """The practice has no (active) EMR connection: nothing is sent anywhere else instead."""

    def __init__(self, practice_id: str) -> None:
        super().__init__("this practice has no active EMR connection; an admin adds one first")
        self.practice_id = practice_id


NO_CONNECTION = "no EMR connection for this practice"


class EmrResting(EmrUnavailable):
    """The practice's EMR asked us to wait (or failed just now): not called until `retry_after` has passed."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"the EMR connection is resting after a failure; next try in {retry_after:.0f} s",
                         retry_after=retry_after)


@dataclass(frozen=True)
class EmrConnection:
    """Where one practice's Observations go and how we authenticate there (no secrets).

    `token_url=None` means SMART discovery from `{fhir_base_url}/.well-known/smart-configuration`
    (for `ecw`, the vendor profile may fill in its own). `version` grows with every change, so every
    process can tell that the connection it holds is stale.
    """

    id: str
    practice_id: str
    vendor: EmrVendor
    fhir_base_url: str
    client_id: str
    created_at: datetime
    updated_at: datetime
    token_url: str | None = None
    scopes: str = DEFAULT_SCOPES
    practice_code: str | None = None
    rate_limit_per_minute: int = 300
    max_in_flight: int = 8
    tls_pins: tuple[str, ...] = ()
    ca_bundle_pem: str | None = field(default=None, repr=False)
    active: bool = True
    has_client_secret: bool = False
    version: int = 1

    def __post_init__(self) -> None:
        check_connection(self)

    @property
    def secret_name(self) -> str:
        """The key store's name of this connection's client secret."""
        return f"emr-client-secret-{self.id}"

    def changed(self, at: datetime, **values: object) -> EmrConnection:
        """The connection with new values, a later `updated_at` and the next version."""
        return replace(self, **values, updated_at=at, version=self.version + 1)  # type: ignore[arg-type]


def check_connection(connection: EmrConnection) -> None:
    """Raise InvalidInput naming the first field that is wrong."""
    for name in ("fhir_base_url", "token_url"):
        url = getattr(connection, name)
        if url is not None and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", url):
            raise InvalidInput(f"{name} must be an http(s) URL without query or fragment")
    if not connection.client_id or len(connection.client_id) > 200:
        raise InvalidInput("client_id is required (up to 200 characters)")
    if not connection.practice_id:
        raise InvalidInput("practice_id is required")
    scopes = connection.scopes.split(" ")
    if not all(SCOPE.fullmatch(scope) for scope in scopes):
        raise InvalidInput("scopes must be space-separated OAuth scopes, e.g. system/Observation.write")
    if connection.vendor is EmrVendor.ECW:
        if connection.practice_code is not None and not PRACTICE_CODE.fullmatch(connection.practice_code):
            raise InvalidInput("practice_code must be letters, digits, '-' or '_' (e.g. FFHEDD)")
    elif connection.practice_code is not None:
        raise InvalidInput("practice_code is for vendor ecw only")
    if connection.rate_limit_per_minute < 1:
        raise InvalidInput("rate_limit_per_minute must be at least 1")
    if not 1 <= connection.max_in_flight <= MAX_IN_FLIGHT:
        raise InvalidInput(f"max_in_flight must be between 1 and {MAX_IN_FLIGHT}")
