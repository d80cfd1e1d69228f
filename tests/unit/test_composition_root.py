"""The composition root picks one provider class per adapter choice when the container is built, and the
ports it then gives are that choice's adapters — nothing is started or called to find out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from dishka import Provider

from adapters.aws_secrets.store import SecretsManagerKeyStore
from adapters.fakes.device_gateway import FakeDeviceGateway
from adapters.fakes.emr import FakeEmrGateway
from adapters.fakes.emr_directory import FakeEmrDirectory
from adapters.fakes.emr_setup import InMemoryEmrDiagnostics, NoUserLaunch
from adapters.fakes.notifier import FakeNotifier
from adapters.fhir.client import FhirEmrGateway
from adapters.fhir.diagnostics import FhirEmrDiagnostics
from adapters.fhir.directory import SmartEmrDirectory
from adapters.fhir.launches import PracticeLaunches
from adapters.keys.file_store import FileKeyStore
from adapters.mioconnect.client import MioConnectGateway
from domain.ports import DeviceGateway, EmrDiagnostics, EmrDirectory, EmrGateway, KeyStore, Notifier, UserLaunch
from entrypoints.container import build_container, production_providers
from entrypoints.emr_providers import EcwEmrProvider, FakeEmrProvider, SandboxEmrProvider
from entrypoints.providers import (
    AwsKeyStoreProvider,
    FakeDeviceGatewayProvider,
    FakeNotifierProvider,
    FcmProvider,
    FileKeyStoreProvider,
    MioConnectProvider,
)
from tests.support.app import settings_for_tests

CHOICES: set[type[Provider]] = {
    FakeEmrProvider, SandboxEmrProvider, EcwEmrProvider, FakeDeviceGatewayProvider, MioConnectProvider,
    FakeNotifierProvider, FcmProvider, FileKeyStoreProvider, AwsKeyStoreProvider,
}
ECW = {"ecw_client_id": "vantrexia", "ecw_client_secret": "launch-secret", "ecw_practice_code": "FFHEDD"}
MIOCONNECT = {"mioconnect_api_url": "https://gateway.example.com", "mioconnect_api_key": "k"}


@pytest.mark.parametrize(("settings", "chosen"), [
    ({}, {FakeEmrProvider, FakeDeviceGatewayProvider, FakeNotifierProvider, FileKeyStoreProvider}),
    ({"emr": "sandbox"}, {SandboxEmrProvider, FakeDeviceGatewayProvider, FakeNotifierProvider, FileKeyStoreProvider}),
    ({"emr": "ecw", "device_gateway": "mioconnect", "notifier": "fcm", "keystore": "aws"},
     {EcwEmrProvider, MioConnectProvider, FcmProvider, AwsKeyStoreProvider}),
])
def test_settings_pick_exactly_one_provider_class_per_adapter(settings: dict[str, Any],
                                                              chosen: set[type[Provider]]) -> None:
    classes = {type(p) for p in production_providers(settings_for_tests(**settings))}
    assert classes & CHOICES == chosen


async def test_the_fake_choices_give_the_in_memory_adapters(tmp_path: Path) -> None:
    container = build_container(settings_for_tests(key_file=str(tmp_path / "keys.json")))
    try:
        got = {port: type(await container.get(port))
               for port in (EmrGateway, EmrDiagnostics, UserLaunch, EmrDirectory, DeviceGateway, Notifier, KeyStore)}
    finally:
        await container.close()
    assert got == {EmrGateway: FakeEmrGateway, EmrDiagnostics: InMemoryEmrDiagnostics, UserLaunch: NoUserLaunch,
                   EmrDirectory: FakeEmrDirectory,
                   DeviceGateway: FakeDeviceGateway, Notifier: FakeNotifier, KeyStore: FileKeyStore}


async def test_the_real_choices_give_the_real_adapters_without_calling_them() -> None:
    settings = settings_for_tests(emr="ecw", device_gateway="mioconnect", keystore="aws", aws_region="us-east-1",
                                  **ECW, **MIOCONNECT)
    container = build_container(settings)
    try:
        got = {port: type(await container.get(port))
               for port in (EmrGateway, EmrDiagnostics, UserLaunch, EmrDirectory, DeviceGateway, KeyStore)}
    finally:
        await container.close()
    assert got == {EmrGateway: FhirEmrGateway, EmrDiagnostics: FhirEmrDiagnostics, UserLaunch: PracticeLaunches,
                   EmrDirectory: SmartEmrDirectory,
                   DeviceGateway: MioConnectGateway, KeyStore: SecretsManagerKeyStore}


async def test_the_in_memory_emr_says_what_it_is_when_checked() -> None:
    diagnostics = InMemoryEmrDiagnostics(FakeEmrGateway())
    token = await diagnostics.test_token()
    assert (token.status, token.access_token_preview) == ("error", None)
    assert "in-memory EMR" in token.message
    assert "VANTREXIA_EMR" in (token.hint or "")
    connection = await diagnostics.test_connection()
    assert (connection.status, connection.fhir_base_url, connection.test_patient_count) == ("success", "fake://emr", 0)
    assert "in-memory EMR" in (connection.message or "")


async def test_an_in_memory_emr_that_is_down_fails_its_connection_check() -> None:
    emr = FakeEmrGateway()
    emr.down = True
    connection = await InMemoryEmrDiagnostics(emr).test_connection()
    assert (connection.status, connection.fhir_version) == ("error", None)
    assert "unavailable" in (connection.message or "")
