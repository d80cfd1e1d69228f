"""Settings, decoded once at start-up from the environment (and an optional .env file)."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import msgspec
from dotenv import dotenv_values

from adapters.ecw.config import ConfigError, EcwConfig

# outbox sends in flight per worker loop, across practices (each EMR connection keeps its own max_in_flight):
# 400 sends/s (200 readings) of ~60 ms each keep 24 in flight on average, so a window of 32 was full often and
# claimed items queued behind it; a practice whose EMR has every slot taken gets none claimed meanwhile
WORKER_BATCH_SIZE = 64


class SettingsError(ValueError):
    """A configuration value is missing or invalid; the message names the variable."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str = "sqlite+aiosqlite:///var/vantrexia.db"
    host: str = "127.0.0.1"
    port: int = 8000
    api_workers: int = 1
    emr: Literal["fake", "sandbox", "ecw"] = "fake"
    sandbox_port: int = 0
    emr_connections_refresh_seconds: float = 5.0
    ecw_client_id: str | None = None
    ecw_client_secret: str | None = None
    ecw_environment: Literal["staging", "production"] = "staging"
    ecw_practice_code: str | None = None
    ecw_app_type: str = "backend_service"
    ecw_fhir_base_url: str | None = None
    ecw_token_url: str | None = None
    ecw_authorize_url: str | None = None
    ecw_ca_bundle: str | None = None
    ecw_tls_pins: str | None = None
    ecw_rate_limit_per_minute: int = 250
    ecw_redirect_uri: str | None = None
    device_gateway: Literal["fake", "mioconnect"] = "fake"
    mioconnect_api_url: str | None = None
    mioconnect_api_key: str | None = None
    notifier: Literal["fake", "fcm"] = "fake"
    fcm_credentials_file: str | None = None
    fcm_project_id: str | None = None
    keystore: Literal["file", "aws"] = "file"
    aws_secrets_prefix: str = "vantrexia"
    aws_region: str | None = None
    aws_endpoint_url: str | None = None
    key_file: str = "var/keys/keystore.json"
    key_refresh_seconds: float = 60.0
    webhook_secret: str | None = None
    webhook_secret_previous: str | None = None
    webhook_max_body_bytes: int = 65_536
    webhook_page_size: int = 64
    sync_readings_per_transaction: int = 1000
    demo: bool = False
    demo_password_file: str = "var/demo-admin-password"  # noqa: S105 - a path, not a password
    synthetic_patients: int = 150
    token_ttl_seconds: int = 900
    worker: Literal["inprocess", "off"] = "inprocess"
    worker_poll_seconds: float = 0.5
    worker_batch_size: int = WORKER_BATCH_SIZE
    worker_lease_seconds: float = 60.0
    outbox_max_attempts: int = 8
    alert_dedupe_hours: float = 24
    escalate_after_minutes: float = 15
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    login_max_failures: int = 5
    login_max_failures_per_address: int = 20
    login_window_minutes: float = 15
    trusted_proxies: str = ""


# environment variable -> (settings field, description) — the README's configuration table
VARIABLES: dict[str, tuple[str, str]] = {
    "DATABASE_URL": ("database_url", "SQLAlchemy async URL: sqlite+aiosqlite:///… or postgresql+asyncpg://…"),
    "HOST": ("host", "address the API listens on"),
    "PORT": ("port", "port the API listens on"),
    "API_WORKERS": ("api_workers", "API processes `vantrexia serve` starts (uvicorn workers)"),
    "VANTREXIA_EMR": ("emr", "EMR adapter: fake (in memory), sandbox (local SMART/FHIR server) or ecw"),
    "VANTREXIA_SANDBOX_PORT": ("sandbox_port", "port of the local SMART/FHIR sandbox (0: any free port)"),
    "VANTREXIA_EMR_CONNECTIONS_REFRESH_SECONDS": (
        "emr_connections_refresh_seconds", "a running process sees EMR connections added or changed within this"
    ),
    "ECW_CLIENT_ID": ("ecw_client_id", "Client ID from the eCW developer portal"),
    "ECW_CLIENT_SECRET": ("ecw_client_secret", "Client secret (authorization-code + PKCE flow)"),
    "ECW_ENVIRONMENT": ("ecw_environment", "staging (tutorial sandbox URLs) or production"),
    "ECW_PRACTICE_CODE": ("ecw_practice_code", "eCW practice code (part of the staging FHIR base URL)"),
    "ECW_APP_TYPE": ("ecw_app_type", "application type registered with eCW"),
    "ECW_FHIR_BASE_URL": ("ecw_fhir_base_url", "FHIR R4 base URL (required in production)"),
    "ECW_TOKEN_URL": ("ecw_token_url", "token endpoint (default: staging URL or SMART discovery)"),
    "ECW_AUTHORIZE_URL": ("ecw_authorize_url", "authorize endpoint of SMART user launches (default: discovered)"),
    "ECW_CA_BUNDLE": ("ecw_ca_bundle", "extra trusted CA certificates (PEM path)"),
    "ECW_TLS_PINS": ("ecw_tls_pins", "comma-separated base64 SHA-256 pins of the servers' leaf SPKI"),
    "ECW_RATE_LIMIT_PER_MINUTE": ("ecw_rate_limit_per_minute", "EMR calls per minute per practice"),
    "ECW_REDIRECT_URI": ("ecw_redirect_uri", "where the EMR sends a user back after a SMART launch"),
    "VANTREXIA_DEVICE_GATEWAY": ("device_gateway", "device cloud for batch sync: fake or mioconnect (REST API)"),
    "MIOCONNECT_API_URL": ("mioconnect_api_url", "MioConnect REST API base URL (needed for mioconnect)"),
    "MIOCONNECT_API_KEY": ("mioconnect_api_key", "MioConnect API key, sent as x-api-key (needed for mioconnect)"),
    "VANTREXIA_NOTIFIER": ("notifier", "push adapter: fake (records pushes) or fcm (Firebase Cloud Messaging)"),
    "FCM_CREDENTIALS_FILE": ("fcm_credentials_file", "Firebase service-account JSON (needed for fcm)"),
    "FCM_PROJECT_ID": ("fcm_project_id", "Firebase project id (default: the service account's)"),
    "VANTREXIA_KEYSTORE": ("keystore", "key store: file (JSON file, mode 0600) or aws (Secrets Manager)"),
    "VANTREXIA_AWS_SECRETS_PREFIX": ("aws_secrets_prefix", "name prefix of our secrets in Secrets Manager"),
    "AWS_REGION": ("aws_region", "AWS region of Secrets Manager (boto3's usual credential chain applies)"),
    "AWS_ENDPOINT_URL": ("aws_endpoint_url", "another Secrets Manager endpoint (VPC endpoint, local stand-in)"),
    "VANTREXIA_KEY_FILE": ("key_file", "path of the file key store (created on first run)"),
    "VANTREXIA_KEY_REFRESH_SECONDS": (
        "key_refresh_seconds", "a running process sees keys rotated or promoted elsewhere within this"
    ),
    "MIOCONNECT_WEBHOOK_SECRET": (
        "webhook_secret", "Standard Webhooks secret (whsec_…); default: generated in the key store"
    ),
    "MIOCONNECT_WEBHOOK_SECRET_PREVIOUS": ("webhook_secret_previous", "previous secret, accepted during rotation"),
    "VANTREXIA_WEBHOOK_MAX_BYTES": ("webhook_max_body_bytes", "largest webhook body accepted (bytes)"),
    "VANTREXIA_WEBHOOK_PAGE_SIZE": (
        "webhook_page_size", "most concurrent webhook deliveries taken in together in one transaction"
    ),
    "VANTREXIA_SYNC_READINGS_PER_TRANSACTION": (
        "sync_readings_per_transaction", "most readings of `sync devices` taken in together in one transaction"
    ),
    "VANTREXIA_DEMO": ("demo", "true: create the demo admin and demo patients on start-up"),
    "VANTREXIA_DEMO_PASSWORD_FILE": ("demo_password_file", "where the demo admin's password is written (mode 0600)"),
    "VANTREXIA_SYNTHETIC_PATIENTS": ("synthetic_patients", "patients the fake EMR holds"),
    "VANTREXIA_TOKEN_TTL_SECONDS": ("token_ttl_seconds", "lifetime of provider API bearer tokens"),
    "VANTREXIA_WORKER": ("worker", "inprocess: the API runs the outbox worker; off: run `vantrexia worker`"),
    "VANTREXIA_WORKER_POLL_SECONDS": ("worker_poll_seconds", "how often an idle worker looks for due work"),
    "VANTREXIA_WORKER_BATCH_SIZE": ("worker_batch_size", "outbox sends in flight per worker loop"),
    "VANTREXIA_WORKER_LEASE_SECONDS": (
        "worker_lease_seconds", "how long a claimed batch stays a worker's; then another may take it over"
    ),
    "VANTREXIA_OUTBOX_MAX_ATTEMPTS": ("outbox_max_attempts", "attempts before an EMR push is dead"),
    "VANTREXIA_ALERT_DEDUPE_HOURS": ("alert_dedupe_hours", "no second open alert per rule and patient within it"),
    "VANTREXIA_ESCALATE_AFTER_MINUTES": ("escalate_after_minutes", "an unacknowledged critical alert escalates after"),
    "LOG_LEVEL": ("log_level", "DEBUG, INFO, WARNING or ERROR"),
    "VANTREXIA_LOGIN_MAX_FAILURES": (
        "login_max_failures", "failed logins of one username from one address that lock that pair for the window"
    ),
    "VANTREXIA_LOGIN_MAX_FAILURES_PER_ADDRESS": (
        "login_max_failures_per_address", "failed logins from one address (any usernames) that lock the address"
    ),
    "VANTREXIA_LOGIN_WINDOW_MINUTES": ("login_window_minutes", "how long failed logins count (and locks last)"),
    "VANTREXIA_TRUSTED_PROXIES": (
        "trusted_proxies", "comma-separated proxy addresses/CIDRs whose X-Forwarded-For is believed (default none)"
    ),
}
_FIELD_TO_VARIABLE = {field: name for name, (field, _) in VARIABLES.items()}


def load_settings(environ: Mapping[str, str], env_file: Path | None = Path(".env")) -> Settings:
    """Settings from a .env file (if present) overlaid by the environment."""
    values: dict[str, str | None] = {}
    if env_file is not None and env_file.is_file():
        values.update(dotenv_values(env_file))
    values.update(environ)
    raw = {field: values[name] for name, (field, _) in VARIABLES.items() if values.get(name) not in (None, "")}
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as error:
        raise SettingsError(_explain(error)) from None
    _check_combinations(settings)
    return settings


def ecw_config(settings: Settings) -> EcwConfig:
    """The eCW adapter's configuration; a ConfigError names the variable at fault."""
    return EcwConfig(
        client_id=settings.ecw_client_id or "", client_secret=settings.ecw_client_secret,
        environment=settings.ecw_environment, practice_code=settings.ecw_practice_code,
        app_type=settings.ecw_app_type, fhir_base_url=settings.ecw_fhir_base_url, token_url=settings.ecw_token_url,
        authorize_url=settings.ecw_authorize_url, ca_bundle=settings.ecw_ca_bundle,
        tls_pins=tuple(p.strip() for p in (settings.ecw_tls_pins or "").split(",") if p.strip()),
        rate_limit_per_minute=settings.ecw_rate_limit_per_minute,
    )


def _check_combinations(settings: Settings) -> None:
    if settings.worker_lease_seconds <= 0:
        raise SettingsError("VANTREXIA_WORKER_LEASE_SECONDS must be positive")
    if settings.key_refresh_seconds <= 0:
        raise SettingsError("VANTREXIA_KEY_REFRESH_SECONDS must be positive")
    if settings.emr_connections_refresh_seconds <= 0:
        raise SettingsError("VANTREXIA_EMR_CONNECTIONS_REFRESH_SECONDS must be positive")
    if not 1 <= settings.worker_batch_size <= 1000:  # 0 would be a window that never sends
        raise SettingsError("VANTREXIA_WORKER_BATCH_SIZE must be between 1 and 1000")
    if not 1 <= settings.webhook_page_size <= 1000:
        raise SettingsError("VANTREXIA_WEBHOOK_PAGE_SIZE must be between 1 and 1000")
    if not 1 <= settings.sync_readings_per_transaction <= 10_000:
        raise SettingsError("VANTREXIA_SYNC_READINGS_PER_TRANSACTION must be between 1 and 10000")
    if settings.emr == "ecw":
        try:
            ecw_config(settings)
        except ConfigError as error:
            raise SettingsError(str(error)) from None
    _check_login_throttle(settings)
    if settings.notifier == "fcm" and not settings.fcm_credentials_file:
        raise SettingsError("FCM_CREDENTIALS_FILE is required when VANTREXIA_NOTIFIER=fcm")
    if settings.device_gateway == "mioconnect":
        for variable in ("MIOCONNECT_API_URL", "MIOCONNECT_API_KEY"):
            if not getattr(settings, VARIABLES[variable][0]):
                raise SettingsError(f"{variable} is required when VANTREXIA_DEVICE_GATEWAY=mioconnect")


def _check_login_throttle(settings: Settings) -> None:
    if min(settings.login_max_failures, settings.login_max_failures_per_address) < 1:
        raise SettingsError("VANTREXIA_LOGIN_MAX_FAILURES(_PER_ADDRESS) must be at least 1")
    if settings.login_window_minutes <= 0:
        raise SettingsError("VANTREXIA_LOGIN_WINDOW_MINUTES must be positive")
    for entry in filter(None, (part.strip() for part in settings.trusted_proxies.split(","))):
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise SettingsError(f"invalid VANTREXIA_TRUSTED_PROXIES: {entry!r} is not an address or network") from None


def _explain(error: msgspec.ValidationError) -> str:
    message = str(error)
    field = message.rsplit("$.", 1)[-1].strip("`") if "$." in message else ""
    variable = _FIELD_TO_VARIABLE.get(field, field or "configuration")
    return f"invalid {variable}: {message.split(' - at ')[0]}"
