"""Key stores: file, AWS Secrets Manager (boto3 against moto's server over real HTTP) and the fake
share one contract: stages current → pending → previous, JWKS serving all three, promotion only
after the JWKS max-age, named secrets. The AWS store keeps what it read for its refresh interval."""

from __future__ import annotations

import asyncio
import json
import uuid
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
from adapters.keys.jwk import new_rsa_signing_key
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


async def test_an_operators_secret_is_put_replaced_and_never_invented_over(store: KeyStore) -> None:
    name = "emr-client-secret-connection-1"
    assert await store.stored_secret(name) is None
    await store.put_secret(name, "issued-by-the-emr")
    assert await store.stored_secret(name) == "issued-by-the-emr"
    await store.put_secret(name, "reissued-by-the-emr")
    assert await store.stored_secret(name) == "reissued-by-the-emr"
    assert await store.secret(name) == "reissued-by-the-emr"  # there: nothing is generated over it
    assert await store.stored_secret("emr-client-secret-connection-2") is None


@pytest.mark.parametrize("kind", ["file", "aws"])
async def test_a_secret_put_by_one_process_is_read_by_another(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest,
) -> None:
    def new_store() -> KeyStore:
        if kind == "file":
            return FileKeyStore(tmp_path / "keys.json")
        return SecretsManagerKeyStore(_secretsmanager(request.getfixturevalue("moto_url")),
                                      prefix=f"test-{tmp_path.name}")

    cli, api = new_store(), new_store()
    assert await api.stored_secret("emr-client-secret-c7") is None
    await cli.put_secret("emr-client-secret-c7", "issued-by-the-emr")
    assert await new_store().stored_secret("emr-client-secret-c7") == "issued-by-the-emr"
    if kind == "file":  # the file store reads the file again for every operator secret asked for
        assert await api.stored_secret("emr-client-secret-c7") == "issued-by-the-emr"


class Ticks:
    """A monotonic clock the test moves by hand (the stores keep what they read for 60 s by default)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _counting(client: Any) -> list[str]:
    """The names of the requests `client` sends to Secrets Manager from here on."""
    sent: list[str] = []
    client.meta.events.register("before-send.secrets-manager.*",
                                lambda request, **_: sent.append(request.headers["X-Amz-Target"].decode()))
    return sent


def _put_pending_directly(url: str, secret_id: str) -> str:
    """A pending key written straight into Secrets Manager (another process, the console, a rotation Lambda)."""
    key = new_rsa_signing_key(f"elsewhere-{uuid.uuid4().hex[:6]}")
    _secretsmanager(url).put_secret_value(
        SecretId=secret_id, ClientRequestToken=str(uuid.uuid4()), VersionStages=["AWSPENDING"],
        SecretString=json.dumps({"jwk": dict(key.jwk), "created_at": "2026-12-01T00:00:00+00:00"}))
    return key.kid


async def test_the_aws_store_asks_secrets_manager_once_per_interval_not_per_request(
    moto_url: str, tmp_path: Path,
) -> None:
    client, ticks, prefix = _secretsmanager(moto_url), Ticks(), f"test-{tmp_path.name}"
    store = SecretsManagerKeyStore(client, prefix=prefix, monotonic=ticks)
    first = await store.signing_key()
    sent = _counting(client)
    for second in range(60):  # a JWKS request and a signature every second of the interval
        ticks.now = second
        await store.public_jwks()
        await store.signing_key()
    assert sent == []
    pending = _put_pending_directly(moto_url, f"{prefix}/emr-signing-key")
    ticks.now = 59.9
    assert {k["kid"] for k in await store.public_jwks()} == {first.kid}
    ticks.now = 60.0
    assert {k["kid"] for k in await store.public_jwks()} == {first.kid, pending}
    assert sent == ["secretsmanager.GetSecretValue"] * 3  # one read per stage: current, pending, previous


async def test_concurrent_requests_after_the_interval_share_one_read(moto_url: str, tmp_path: Path) -> None:
    client, ticks = _secretsmanager(moto_url), Ticks()
    store = SecretsManagerKeyStore(client, prefix=f"test-{tmp_path.name}", monotonic=ticks)
    await store.signing_key()
    ticks.now = 60.0
    sent = _counting(client)
    await asyncio.gather(*(store.public_jwks() for _ in range(10)))
    assert len(sent) == 3


async def test_named_secrets_are_read_once_per_interval(moto_url: str, tmp_path: Path) -> None:
    client, ticks = _secretsmanager(moto_url), Ticks()
    store = SecretsManagerKeyStore(client, prefix=f"test-{tmp_path.name}", monotonic=ticks)
    created = await store.secret("api-token-signing-key")
    sent = _counting(client)
    assert [await store.secret("api-token-signing-key") for _ in range(5)] == [created] * 5
    assert await store.stored_secret("ecw-client-secret") is None
    assert await store.stored_secret("ecw-client-secret") is None
    assert sent == ["secretsmanager.GetSecretValue"]  # the absent one, once
    ticks.now = 60.0
    await store.secret("api-token-signing-key")
    assert sent == ["secretsmanager.GetSecretValue"] * 2

