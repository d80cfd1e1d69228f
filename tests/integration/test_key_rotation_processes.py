"""Key rotation reaches running processes: `vantrexia keys rotate` / `promote` run as processes of their
own while an API process serves the JWKS and a worker's container signs client assertions."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from joserfc import jws, jwt
from joserfc.jwk import RSAKey

from adapters.fhir.assertion import ClientAssertionSigner
from adapters.keys.file_store import FileKeyStore
from adapters.keys.jwk import SIGNING_ALG
from domain.ports import KeyStore
from entrypoints.container import build_container
from tests.support.app import settings_for_tests
from tests.support.live import free_port
from tests.support.pipeline import eventually

pytestmark = pytest.mark.slow
REFRESH = 0.2  # VANTREXIA_KEY_REFRESH_SECONDS of the processes under test (60 s in production)
WITHIN = 10.0  # the change must show within this (a generous bound over REFRESH on a busy machine)
AUDIENCE = "https://emr.example/token"
ROOT = Path(__file__).resolve().parents[2]
_OWN_PREFIXES = ("VANTREXIA_", "ECW_", "MIOCONNECT_", "FCM_", "OTEL_", "AWS_")
_OWN_NAMES = ("DATABASE_URL", "LOG_LEVEL", "PORT", "HOST", "API_WORKERS", "PYTHONPATH")


def _environment(tmp_path: Path, key_file: Path) -> dict[str, str]:
    """Only what the test says, whatever the developer's shell carries."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(_OWN_PREFIXES) and k not in _OWN_NAMES}
    return {**inherited, "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'api.db'}",
            "VANTREXIA_KEY_FILE": str(key_file), "VANTREXIA_WORKER": "off",
            "VANTREXIA_KEY_REFRESH_SECONDS": str(REFRESH), "LOG_LEVEL": "WARNING"}


async def _cli(env: Mapping[str, str], cwd: Path, *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "entrypoints.cli", *args, env=dict(env), cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, output.decode()
    return output.decode()


@asynccontextmanager
async def _api_process(env: Mapping[str, str], cwd: Path) -> AsyncIterator[str]:
    """`vantrexia serve` on a free port; yields its base URL once the JWKS answers, kills it afterwards."""
    port, log = free_port(), cwd / "api.log"
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "entrypoints.cli", "serve", "--port", str(port), env=dict(env), cwd=cwd,
            stdout=out, stderr=out)
        url = f"http://127.0.0.1:{port}"
        try:
            async def answers() -> bool:
                if process.returncode is not None:
                    raise AssertionError(f"the API exited ({process.returncode}): {log.read_text()}")
                try:
                    return (await client.get("/.well-known/jwks.json")).status_code == 200
                except httpx.TransportError:
                    return False

            async with httpx.AsyncClient(base_url=url) as client:
                await eventually(answers, bool, within=60, what="the API answering")
            yield url
        finally:
            if process.returncode is None:
                process.kill()
            await process.wait()


async def _kids(client: httpx.AsyncClient) -> set[str]:
    answer = await client.get("/.well-known/jwks.json")
    answer.raise_for_status()
    return {key["kid"] for key in answer.json()["keys"]}


async def test_the_running_apis_jwks_shows_a_key_rotated_by_another_process(tmp_path: Path) -> None:
    env = _environment(tmp_path, tmp_path / "keys" / "keystore.json")
    async with _api_process(env, tmp_path) as url, httpx.AsyncClient(base_url=url) as client:
        (first,) = await _kids(client)
        rotated = await _cli(env, tmp_path, "keys", "rotate")
        pending = re.search(r"pending key (\S+) published", rotated)
        assert pending is not None, rotated
        await eventually(lambda: _kids(client), {first, pending[1]}.__eq__, within=WITHIN, interval=0.05,
                         what="the pending key in the running API's JWKS")


def _kid_of(assertion: str) -> str:
    return str(jws.extract_compact(assertion.encode()).headers()["kid"])


async def _verified_by(assertion: str, key_file: Path, kid: str) -> None:
    (public,) = [k for k in await FileKeyStore(key_file).public_jwks() if k["kid"] == kid]
    jwt.decode(assertion, RSAKey.import_key(dict(public)), algorithms=[SIGNING_ALG])  # raises when not


async def test_a_worker_signs_with_the_key_promoted_by_another_process(tmp_path: Path) -> None:
    key_file = tmp_path / "keystore.json"
    published_long_ago = datetime.now(UTC) - timedelta(hours=2)  # older than the JWKS max-age
    pending = await FileKeyStore(key_file).rotate(published_long_ago)
    container = build_container(settings_for_tests(key_file=str(key_file), key_refresh_seconds=REFRESH))
    try:  # the worker's key store comes from the same container as the API's
        signer = ClientAssertionSigner(await container.get(KeyStore), "client-id")
        before = _kid_of(await signer.sign(AUDIENCE))
        assert before != pending.kid
        await _cli(_environment(tmp_path, key_file), tmp_path, "keys", "promote")
        assertion = await eventually(lambda: signer.sign(AUDIENCE), lambda signed: _kid_of(signed) != before,
                                     within=WITHIN, interval=0.05, what="an assertion signed with another key")
        assert _kid_of(assertion) == pending.kid
        await _verified_by(assertion, key_file, pending.kid)
    finally:
        await container.close()
