"""eCW configuration: staging fills in the tutorial's sandbox URLs, production needs its own; errors name variables."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from adapters.ecw.config import EcwConfig
from adapters.fhir.config import SmartServerConfig
from entrypoints.settings import SettingsError, ecw_config, load_settings

PIN = base64.b64encode(hashlib.sha256(b"some key").digest()).decode()


def from_env(environ: dict[str, str]) -> EcwConfig:
    """The eCW configuration as production reads it: environment → Settings → EcwConfig."""
    return ecw_config(load_settings({"VANTREXIA_EMR": "ecw", **environ}, env_file=None))


def test_staging_uses_the_tutorial_quick_reference_urls() -> None:
    resolved = from_env({"ECW_CLIENT_ID": "abc", "ECW_PRACTICE_CODE": "FFHEDD"}).smart_config()
    assert resolved.token_url == "https://staging-oauthserver.eclinicalworks.com/oauth/oauth2/token"
    assert resolved.fhir_base_url == "https://sandbox-fhir4.eclinicalworks.com/fhir/r4/FFHEDD"
    assert resolved.scope == "system/Patient.read system/Observation.write system/Observation.read"
    assert resolved.rate_limit_per_minute == 250


def test_staging_without_a_practice_code_names_the_variable() -> None:
    with pytest.raises(SettingsError, match=r"^ECW_PRACTICE_CODE is required"):
        from_env({"ECW_CLIENT_ID": "abc", "ECW_ENVIRONMENT": "staging"})


def test_production_requires_a_fhir_base_url() -> None:
    with pytest.raises(SettingsError, match="ECW_FHIR_BASE_URL is required when ECW_ENVIRONMENT=production"):
        from_env({"ECW_CLIENT_ID": "abc", "ECW_ENVIRONMENT": "production", "ECW_PRACTICE_CODE": "X1"})


def test_production_discovers_the_token_url_when_none_is_given() -> None:
    config = from_env({"ECW_CLIENT_ID": "abc", "ECW_ENVIRONMENT": "production",
                                 "ECW_FHIR_BASE_URL": "https://fhir4.eclinicalworks.com/fhir/r4/FFHEDD"})
    resolved = config.smart_config()
    assert resolved.token_url is None  # discovered from .well-known/smart-configuration
    assert resolved.fhir_base_url.endswith("/FFHEDD")


def test_the_authorize_url_of_user_launches_can_be_set() -> None:
    resolved = from_env({"ECW_CLIENT_ID": "abc", "ECW_PRACTICE_CODE": "FFHEDD",
                         "ECW_AUTHORIZE_URL": "https://oauth.example.com/authorize"}).smart_config()
    assert resolved.authorize_url == "https://oauth.example.com/authorize"
    assert from_env({"ECW_CLIENT_ID": "abc", "ECW_PRACTICE_CODE": "FFHEDD"}).smart_config().authorize_url is None


def test_overrides_win_in_staging_too() -> None:
    config = from_env({
        "ECW_CLIENT_ID": "abc", "ECW_PRACTICE_CODE": "FFHEDD", "ECW_TOKEN_URL": "http://127.0.0.1:8900/token",
        "ECW_FHIR_BASE_URL": "http://127.0.0.1:8900/fhir", "ECW_RATE_LIMIT_PER_MINUTE": "60",
        "ECW_TLS_PINS": f"{PIN}, {PIN}",
    })
    resolved = config.smart_config()
    assert (resolved.token_url, resolved.fhir_base_url) == ("http://127.0.0.1:8900/token", "http://127.0.0.1:8900/fhir")
    assert resolved.rate_limit_per_minute == 60
    assert resolved.tls_pins == (PIN,)


@pytest.mark.parametrize(("environ", "variable"), [
    ({}, "ECW_CLIENT_ID"),
    ({"ECW_ENVIRONMENT": "sandbox"}, "ECW_ENVIRONMENT"),
    ({"ECW_APP_TYPE": "patient_portal"}, "ECW_APP_TYPE"),
    ({"ECW_PRACTICE_CODE": "FF/../HEDD"}, "ECW_PRACTICE_CODE"),
    ({"ECW_RATE_LIMIT_PER_MINUTE": "fast"}, "ECW_RATE_LIMIT_PER_MINUTE"),
    ({"ECW_RATE_LIMIT_PER_MINUTE": "0"}, "ECW_RATE_LIMIT_PER_MINUTE"),
    ({"ECW_TLS_PINS": "not-a-pin"}, "ECW_TLS_PINS"),
    ({"ECW_AUTHORIZE_URL": "http://emr.example.com/authorize"}, "ECW_AUTHORIZE_URL"),
    ({"ECW_CA_BUNDLE": "/nonexistent/ca.pem"}, "ECW_CA_BUNDLE"),
    ({"ECW_ENVIRONMENT": "production", "ECW_FHIR_BASE_URL": "http://fhir.example.com/r4"}, "ECW_FHIR_BASE_URL"),
    ({"ECW_ENVIRONMENT": "production", "ECW_FHIR_BASE_URL": "https://fhir.example.com/r4",
      "ECW_TOKEN_URL": "http://127.0.0.1/token"}, "ECW_TOKEN_URL"),
])
def test_misconfiguration_names_the_environment_variable(environ: dict[str, str], variable: str) -> None:
    base = {} if variable == "ECW_CLIENT_ID" else {"ECW_CLIENT_ID": "abc", "ECW_PRACTICE_CODE": "FFHEDD"}
    with pytest.raises(SettingsError) as caught:
        from_env({**base, **environ})
    assert str(caught.value).startswith((f"{variable} ", f"invalid {variable}: "))


def test_the_client_secret_never_shows_in_repr(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    config = EcwConfig(client_id="abc", client_secret="s3cr3t-value", practice_code="FFHEDD", ca_bundle=str(bundle))
    assert "s3cr3t-value" not in repr(config)
    assert "s3cr3t-value" not in repr(config.smart_config())
    assert config.smart_config().client_secret == "s3cr3t-value"


def test_the_generic_config_checks_its_urls_and_client() -> None:
    with pytest.raises(ValueError, match="fhir_base_url"):
        SmartServerConfig(fhir_base_url="ftp://x", client_id="a")
    with pytest.raises(ValueError, match="client_id"):
        SmartServerConfig(fhir_base_url="https://x", client_id="")
