"""The file key store: created 0600 on first use, refuses looser permissions, publishes public keys only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from adapters.keys.file_store import FileKeyStore, KeyFilePermissionError
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from tests.support.app import settings_for_tests


async def test_first_use_creates_an_owner_only_file_with_a_signing_key(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "keystore.json"
    store = FileKeyStore(path)
    key = await store.signing_key()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key.jwk["kty"] == "RSA"
    assert "d" in key.jwk
    (public,) = await store.public_jwks()
    assert public["kid"] == key.kid
    assert public["alg"] == "RS384"
    assert {"d", "p", "q", "dp", "dq", "qi"}.isdisjoint(public)


async def test_secrets_are_generated_once_and_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "keystore.json"
    first = await FileKeyStore(path).secret("api-token-signing-key")
    again = await FileKeyStore(path).secret("api-token-signing-key")
    assert first == again
    assert len(first) >= 32


async def test_a_readable_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "keystore.json"
    await FileKeyStore(path).signing_key()
    os.chmod(path, 0o644)
    with pytest.raises(KeyFilePermissionError, match="chmod 600"):
        await FileKeyStore(path).signing_key()


async def test_a_secret_created_by_another_process_is_picked_up(tmp_path: Path) -> None:
    path = tmp_path / "keystore.json"
    server, cli = FileKeyStore(path), FileKeyStore(path)
    await server.secret("api-token-signing-key")  # the server has read the file
    created_by_cli = await cli.secret("mioconnect-webhook-secret")
    assert await server.secret("mioconnect-webhook-secret") == created_by_cli


async def test_the_api_refuses_to_start_with_a_readable_key_file(tmp_path: Path) -> None:
    path = tmp_path / "keystore.json"
    await FileKeyStore(path).signing_key()
    os.chmod(path, 0o640)
    settings = settings_for_tests(key_file=str(path), database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(BaseExceptionGroup) as caught:  # the start-up failure, as the test client reports it
        async with AsyncTestClient(app=create_app(build_container(settings), settings)):
            pass
    assert caught.group_contains(KeyFilePermissionError, depth=None)
