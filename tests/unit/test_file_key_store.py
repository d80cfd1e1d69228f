"""The file key store: created 0600 on first use, refuses looser permissions, publishes public keys only,
and a running store sees another process's changes within its refresh interval."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from adapters.keys.file_store import FileKeyStore, KeyFilePermissionError
from domain.ports.keys import KeyVersion
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


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def _kids(store: FileKeyStore) -> set[str]:
    return {k["kid"] for k in await store.public_jwks()}


async def test_a_running_store_sees_another_process_rotation_once_the_interval_has_passed(tmp_path: Path) -> None:
    path, ticks = tmp_path / "keystore.json", Ticks()
    running = FileKeyStore(path, refresh_seconds=60, monotonic=ticks)
    first = await running.signing_key()
    pending = await FileKeyStore(path).rotate(datetime.now(UTC))  # `vantrexia keys rotate` elsewhere
    ticks.now = 59.9
    assert await _kids(running) == {first.kid}  # the file is looked at once per interval, no more
    ticks.now = 60.0
    assert await _kids(running) == {first.kid, pending.kid}


async def test_a_running_store_signs_with_a_key_promoted_elsewhere_once_the_interval_has_passed(
    tmp_path: Path,
) -> None:
    path, ticks = tmp_path / "keystore.json", Ticks()
    running = FileKeyStore(path, refresh_seconds=60, monotonic=ticks)
    first = await running.signing_key()
    elsewhere, now = FileKeyStore(path), datetime.now(UTC)
    pending = await elsewhere.rotate(now)
    await elsewhere.promote(now + timedelta(hours=2), timedelta(hours=1))
    assert (await running.signing_key()).kid == first.kid
    ticks.now = 60.0
    assert (await running.signing_key()).kid == pending.kid


async def test_an_unchanged_file_is_only_looked_at_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, ticks = tmp_path / "keystore.json", Ticks()
    running = FileKeyStore(path, refresh_seconds=60, monotonic=ticks)
    await running.signing_key()
    reads: list[int] = []

    def counting_load(handle: Any) -> Any:
        reads.append(1)
        return json.loads(handle.read())

    monkeypatch.setattr("adapters.keys.file_store.json.load", counting_load)
    for minute in range(1, 6):
        ticks.now = minute * 60.0
        await running.public_jwks()
    assert reads == []
    await FileKeyStore(path).rotate(datetime.now(UTC))  # reads the file itself
    reads.clear()
    ticks.now = 360.0
    await running.public_jwks()
    assert reads == [1]


async def test_a_key_file_loosened_while_running_is_refused_at_the_next_look(tmp_path: Path) -> None:
    path, ticks = tmp_path / "keystore.json", Ticks()
    running = FileKeyStore(path, refresh_seconds=60, monotonic=ticks)
    await running.signing_key()
    os.chmod(path, 0o644)
    ticks.now = 60.0
    with pytest.raises(KeyFilePermissionError, match="chmod 600"):
        await running.public_jwks()


async def test_a_failed_write_leaves_the_key_file_whole_and_no_copy_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "keystore.json"
    before_text = (await FileKeyStore(path).signing_key(), path.read_text())[1]

    def dies_half_way(body: Any, handle: Any, **_: Any) -> None:
        handle.write(json.dumps(body)[:100])
        raise OSError("disk full")

    monkeypatch.setattr("adapters.keys.file_store.json.dump", dies_half_way)
    with pytest.raises(OSError, match="disk full"):
        await FileKeyStore(path).rotate(datetime.now(UTC))
    assert path.read_text() == before_text
    assert [name for name in os.listdir(tmp_path) if name.endswith(".tmp")] == []


async def test_a_rotation_made_while_a_secret_is_being_created_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "keystore.json"
    await FileKeyStore(path).signing_key()
    rotated: list[KeyVersion] = []
    cli = threading.Thread(target=lambda: rotated.append(asyncio.run(FileKeyStore(path).rotate(datetime.now(UTC)))))
    generate = secrets.token_urlsafe

    def generate_while_the_cli_rotates(size: int) -> str:
        if not cli.is_alive() and not rotated:
            cli.start()
            cli.join(timeout=2)  # unlocked, the rotation is written meanwhile; locked, it waits for us
        return generate(size)

    monkeypatch.setattr(secrets, "token_urlsafe", generate_while_the_cli_rotates)
    created = await FileKeyStore(path).secret("mioconnect-webhook-secret")  # the API's first start
    await asyncio.to_thread(cli.join, 30)
    on_disk = FileKeyStore(path)
    assert await on_disk.stored_secret("mioconnect-webhook-secret") == created
    assert rotated[0].kid in {v.kid for v in await on_disk.versions() if v.stage == "pending"}


def test_rotating_before_the_key_file_exists_creates_it_first(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "keystore.json"
    done: list[KeyVersion] = []
    rotation = threading.Thread(target=lambda: done.append(asyncio.run(FileKeyStore(path).rotate(datetime.now(UTC)))),
                                daemon=True)  # a deadlock must fail the test, not hang the run
    rotation.start()
    rotation.join(timeout=20)
    assert len(done) == 1
    stages = [v.stage for v in asyncio.run(FileKeyStore(path).versions())]
    assert stages == ["current", "pending"]
