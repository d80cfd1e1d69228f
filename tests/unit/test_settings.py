"""Settings come from the environment and a .env file; errors name the variable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from entrypoints.settings import VARIABLES, Settings, SettingsError, load_settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_defaults_are_the_embedded_demo_setup() -> None:
    settings = load_settings({}, env_file=None)
    assert settings == Settings()
    assert settings.database_url.startswith("sqlite+aiosqlite:///var/")
    assert (settings.emr, settings.port, settings.worker) == ("fake", 8000, "inprocess")


def test_environment_values_are_converted() -> None:
    settings = load_settings(
        {"PORT": "9001", "VANTREXIA_DEMO": "true", "VANTREXIA_WORKER_POLL_SECONDS": "0.25"}, env_file=None
    )
    assert (settings.port, settings.demo, settings.worker_poll_seconds) == (9001, True, 0.25)


def test_env_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("PORT=7000\nLOG_LEVEL=DEBUG\n")
    settings = load_settings({"PORT": "7001"}, env_file=env_file)
    assert (settings.port, settings.log_level) == (7001, "DEBUG")


@pytest.mark.parametrize(
    ("variable", "value"),
    [("PORT", "eighty"), ("VANTREXIA_EMR", "epic"), ("VANTREXIA_DEMO", "maybe"), ("LOG_LEVEL", "LOUD")],
)
def test_a_bad_value_names_its_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"^invalid {variable}: "):
        load_settings({variable: value}, env_file=None)


@pytest.mark.parametrize(("variable", "value"), [
    ("VANTREXIA_WORKER_BATCH_SIZE", "0"), ("VANTREXIA_WORKER_BATCH_SIZE", "1001"),
    ("VANTREXIA_WEBHOOK_PAGE_SIZE", "0"), ("VANTREXIA_SYNC_READINGS_PER_TRANSACTION", "0"),
])
def test_a_size_out_of_its_range_names_its_variable_and_range(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"^{variable} must be between 1 and "):
        load_settings({variable: value}, env_file=None)


def test_readme_documents_every_variable() -> None:
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", README.read_text(), flags=re.MULTILINE))
    assert set(VARIABLES) <= documented


@pytest.mark.parametrize(("environ", "variable"), [
    ({"VANTREXIA_NOTIFIER": "fcm"}, "FCM_CREDENTIALS_FILE"),
    ({"VANTREXIA_DEVICE_GATEWAY": "mioconnect", "MIOCONNECT_API_KEY": "k"}, "MIOCONNECT_API_URL"),
])
def test_an_adapter_without_its_settings_names_what_is_missing(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError, match=f"^{variable} is required"):
        load_settings(environ, env_file=None)


def test_an_incomplete_ecw_configuration_stops_start_up_naming_the_variable() -> None:
    with pytest.raises(SettingsError, match=r"^ECW_CLIENT_ID"):
        load_settings({"VANTREXIA_EMR": "ecw"}, env_file=None)
    with pytest.raises(SettingsError, match=r"^ECW_FHIR_BASE_URL"):
        load_settings({"VANTREXIA_EMR": "ecw", "ECW_CLIENT_ID": "c", "ECW_ENVIRONMENT": "production"}, env_file=None)
