"""EMR connections: each practice sends to its own EMR (an eCW practice, or any SMART Backend Services
server). A connection is data an admin keeps; its client secret lives in the key store, never here."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from domain.errors import Conflict, InvalidInput
from domain.users import PRACTICE_ID

DEFAULT_SCOPES = "system/Patient.read system/Observation.write system/Observation.read"
FROM_SETTINGS = "settings"  # the id of the `default` practice's connection made of the ECW_* settings
PRACTICE_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")
SCOPE = re.compile(r"[A-Za-z0-9/._*:-]{1,100}")
MAX_IN_FLIGHT = 256
MAX_RATE_PER_MINUTE = 10_000_000  # far above any EMR quota (benchmarks lift it to 6 M against the sandbox)
MAX_URL = 2048
MAX_SCOPES = 1024
MAX_PINS = 8
MAX_SECRET = 4096
MAX_CA_BUNDLE = 512_000  # characters: room for a whole public CA bundle (~220 KB); a practice's own CA is far less
PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END ([A-Z0-9 ]+)-----")
SETTABLE = ("practice_id", "vendor", "fhir_base_url", "token_url", "client_id", "scopes", "practice_code",
            "rate_limit_per_minute", "max_in_flight", "tls_pins", "ca_bundle_pem", "active")


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
    if not PRACTICE_ID.match(connection.practice_id):
        raise InvalidInput("practice_id must be 1-64 letters, digits or . _ -", "practice_id")
    for name in ("fhir_base_url", "token_url"):
        url = getattr(connection, name)
        if url is not None and (len(url) > MAX_URL or not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", url)):
            raise InvalidInput(f"{name} must be an http(s) URL without query or fragment", name)
    if not connection.client_id or len(connection.client_id) > 200 or not connection.client_id.isprintable():
        raise InvalidInput("client_id is required (up to 200 printable characters)", "client_id")
    scopes = connection.scopes.split(" ")
    if len(connection.scopes) > MAX_SCOPES or not all(SCOPE.fullmatch(scope) for scope in scopes):
        raise InvalidInput("scopes must be space-separated OAuth scopes, e.g. system/Observation.write", "scopes")
    if connection.vendor is EmrVendor.ECW:
        if connection.practice_code is not None and not PRACTICE_CODE.fullmatch(connection.practice_code):
            raise InvalidInput("practice_code must be letters, digits, '-' or '_' (e.g. FFHEDD)", "practice_code")
    elif connection.practice_code is not None:
        raise InvalidInput("practice_code is for vendor ecw only", "practice_code")
    if not 1 <= connection.rate_limit_per_minute <= MAX_RATE_PER_MINUTE:
        raise InvalidInput(f"rate_limit_per_minute must be between 1 and {MAX_RATE_PER_MINUTE}",
                           "rate_limit_per_minute")
    if not 1 <= connection.max_in_flight <= MAX_IN_FLIGHT:
        raise InvalidInput(f"max_in_flight must be between 1 and {MAX_IN_FLIGHT}", "max_in_flight")
    check_tls_pins(connection.tls_pins)
    if connection.ca_bundle_pem is not None:
        check_ca_bundle(connection.ca_bundle_pem)


def check_client_secret(secret: str) -> None:
    """A client secret the EMR issued: printable, without surrounding blanks (the message never quotes it)."""
    if not 1 <= len(secret) <= MAX_SECRET or not secret.isprintable() or secret != secret.strip():
        raise InvalidInput(f"client_secret must be 1-{MAX_SECRET} printable characters", "client_secret")


def check_tls_pins(pins: tuple[str, ...]) -> None:
    """Each pin is the base64 SHA-256 of a certificate's SubjectPublicKeyInfo (32 bytes)."""
    if len(pins) > MAX_PINS:
        raise InvalidInput(f"tls_pins may list up to {MAX_PINS} pins", "tls_pins")
    for pin in pins:
        try:
            digest = base64.b64decode(pin, validate=True)
        except (binascii.Error, ValueError):
            digest = b""
        if len(digest) != 32:
            raise InvalidInput("tls_pins must each be the base64 SHA-256 of a public key (32 bytes)", "tls_pins")


def check_ca_bundle(pem: str) -> None:
    """At least one PEM certificate, nothing but certificates (a pasted private key is refused, as it
    would otherwise be kept as plain data); text between blocks, as CA bundle files carry, is allowed."""
    blocks = PEM_BLOCK.findall(pem)
    if len(pem) > MAX_CA_BUNDLE or not blocks:
        raise InvalidInput("ca_bundle_pem must hold at least one PEM certificate", "ca_bundle_pem")
    for label, body, end_label in blocks:
        if label != "CERTIFICATE" or end_label != label or not _is_der_sequence(body):
            raise InvalidInput("ca_bundle_pem must hold PEM certificates only", "ca_bundle_pem")


def _is_der_sequence(body: str) -> bool:
    try:
        der = base64.b64decode("".join(body.split()), validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(der) > 2 and der[0] == 0x30  # an X.509 certificate is one DER SEQUENCE
