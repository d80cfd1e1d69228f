"""Key stores: file, AWS Secrets Manager (boto3 against moto's server over real HTTP) and the fake
share one contract: stages current → pending → previous, JWKS serving all three, promotion only
after the JWKS max-age, named secrets."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from adapters.aws_secrets.store import SecretsManagerKeyStore
from adapters.fakes.keystore import FakeKeyStore
from adapters.keys.file_store import FileKeyStore
from domain.errors import Conflict
from domain.ports.keys import KeyStore
from tests.support.live import free_port

MAX_AGE = timedelta(hours=1)


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def _secretsmanager(url: str) -> Any:
    return boto3.client("secretsmanager", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture(params=["file", "aws", "fake"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> KeyStore:
    if request.param == "file":
        return FileKeyStore(tmp_path / "keys.json")
    if request.param == "aws":
        url = request.getfixturevalue("moto_url")
        return SecretsManagerKeyStore(_secretsmanager(url), prefix=f"test-{tmp_path.name}")
    return FakeKeyStore()


async def test_rotation_publishes_pending_then_promotes_after_the_max_age(store: KeyStore) -> None:
    now = datetime.now(UTC)
    first = await store.signing_key()
    pending = await store.rotate(now)
    assert {k["kid"] for k in await store.public_jwks()} == {first.kid, pending.kid}
    assert (await store.signing_key()).kid == first.kid  # still signing with the current key
    with pytest.raises(Conflict, match="already exists"):
        await store.rotate(now)
    with pytest.raises(Conflict, match="max-age"):
        await store.promote(now + timedelta(minutes=59), MAX_AGE)
    promoted = await store.promote(now + MAX_AGE, MAX_AGE)
    assert promoted.kid == pending.kid
    assert (await store.signing_key()).kid == pending.kid
    stages = {v.kid: v.stage for v in await store.versions()}
    assert stages == {pending.kid: "current", first.kid: "previous"}
    assert {k["kid"] for k in await store.public_jwks()} == {first.kid, pending.kid}
    assert all("d" not in k for k in await store.public_jwks())


async def test_a_second_rotation_drops_the_oldest_key(store: KeyStore) -> None:
    now = datetime.now(UTC)
    first = await store.signing_key()
    second = await store.rotate(now)
    await store.promote(now + MAX_AGE, MAX_AGE)
    third = await store.rotate(now + MAX_AGE)
    await store.promote(now + 2 * MAX_AGE, MAX_AGE)
    kids = {k["kid"] for k in await store.public_jwks()}
    assert kids == {second.kid, third.kid}
    assert first.kid not in kids


async def test_promote_without_a_pending_key_is_refused(store: KeyStore) -> None:
    await store.signing_key()
    with pytest.raises(Conflict, match="no pending key"):
        await store.promote(datetime.now(UTC), MAX_AGE)


async def test_named_secrets_are_created_once(store: KeyStore) -> None:
    first = await store.secret("mioconnect-webhook-secret")
    assert await store.secret("mioconnect-webhook-secret") == first
    assert await store.secret("api-token-signing-key") != first


async def test_an_operators_secret_is_read_never_invented(store: KeyStore) -> None:
    assert await store.stored_secret("ecw-client-secret") is None
    assert await store.stored_secret("ecw-client-secret") is None  # asking did not create it
    created = await store.secret("ecw-client-secret")  # stands in for an operator putting it there
    assert await store.stored_secret("ecw-client-secret") == created
