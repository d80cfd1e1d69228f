"""SecretsManagerKeyStore: the EMR signing key lives in one secret whose versions carry AWS's stages.

Each version's SecretString is JSON: {"jwk": {...private RSA JWK...}, "created_at": ISO 8601}. Named
secrets (webhook secret, API token key, ECW client secret) are secrets of their own under the prefix.
What the store read is kept for `refresh_seconds`: a rotation made elsewhere shows within that time,
and JWKS requests and signatures do not each call Secrets Manager.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from adapters.keys.jwk import new_rsa_signing_key, public_jwk
from adapters.keys.refresh import Fresh
from adapters.keys.rotation import CURRENT, PENDING, PREVIOUS, REFRESH_SECONDS, check_promotable, new_kid
from domain.errors import Conflict
from domain.ports.keys import KeyVersion, SigningKey

AWS_STAGES = {CURRENT: "AWSCURRENT", PENDING: "AWSPENDING", PREVIOUS: "AWSPREVIOUS"}
Published = list[tuple[KeyVersion, SigningKey]]


class SecretsManagerKeyStore:
    def __init__(
        self, client: Any, prefix: str = "vantrexia", refresh_seconds: float = REFRESH_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client  # a boto3 "secretsmanager" client (blocking: called in a thread)
        self._key_secret = f"{prefix}/emr-signing-key"
        self._prefix = prefix
        self._refresh, self._monotonic = refresh_seconds, monotonic
        self._published = Fresh(self._read_published, refresh_seconds, monotonic)
        self._named: dict[str, Fresh[str | None]] = {}

    def _version(self, stage: str) -> tuple[KeyVersion, SigningKey] | None:
        try:
            value = self._client.get_secret_value(SecretId=self._key_secret, VersionStage=AWS_STAGES[stage])
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
            if stage != CURRENT:
                return None
            self._create_first()
            return self._version(stage)
        body = json.loads(value["SecretString"])
        key = SigningKey(body["jwk"]["kid"], body["jwk"])
        return KeyVersion(key.kid, stage, datetime.fromisoformat(body["created_at"])), key

    def _create_first(self) -> None:
        try:
            self._client.create_secret(Name=self._key_secret, SecretString=_key_body(datetime.now(UTC)))
        except ClientError as error:  # another process created it meanwhile
            if error.response["Error"]["Code"] != "ResourceExistsException":
                raise

    def _read_published(self) -> Published:
        return [item for stage in (CURRENT, PENDING, PREVIOUS) if (item := self._version(stage)) is not None]

    async def _keys(self) -> Published:
        return await asyncio.to_thread(self._published.get)

    async def signing_key(self) -> SigningKey:
        return next(key for version, key in await self._keys() if version.stage == CURRENT)

    async def public_jwks(self) -> list[Mapping[str, str]]:
        return [public_jwk(key) for _, key in await self._keys()]

    async def versions(self) -> list[KeyVersion]:
        return [version for version, _ in await self._keys()]

    async def rotate(self, now: datetime) -> KeyVersion:
        return await asyncio.to_thread(self._rotate, now)

    def _rotate(self, now: datetime) -> KeyVersion:
        self._version(CURRENT)  # the secret exists from here on
        if self._version(PENDING):
            raise Conflict("a pending key already exists: promote it first")
        body = _key_body(now)
        self._client.put_secret_value(SecretId=self._key_secret, ClientRequestToken=str(uuid.uuid4()),
                                      SecretString=body, VersionStages=["AWSPENDING"])
        self._published.forget()
        return KeyVersion(json.loads(body)["jwk"]["kid"], PENDING, now)

    async def promote(self, now: datetime, published_for_at_least: timedelta) -> KeyVersion:
        return await asyncio.to_thread(self._promote, now, published_for_at_least)

    def _promote(self, now: datetime, published_for_at_least: timedelta) -> KeyVersion:
        pending = self._version(PENDING)
        promoted = check_promotable(pending[0] if pending else None, now, published_for_at_least)
        stages = self._client.describe_secret(SecretId=self._key_secret)["VersionIdsToStages"]
        version_of = {stage: vid for vid, labels in stages.items() for stage in labels}
        # AWS moves AWSPREVIOUS to the version that loses AWSCURRENT
        self._client.update_secret_version_stage(
            SecretId=self._key_secret, VersionStage="AWSCURRENT",
            MoveToVersionId=version_of["AWSPENDING"], RemoveFromVersionId=version_of["AWSCURRENT"])
        self._client.update_secret_version_stage(
            SecretId=self._key_secret, VersionStage="AWSPENDING", RemoveFromVersionId=version_of["AWSPENDING"])
        self._published.forget()
        return KeyVersion(promoted.kid, CURRENT, promoted.created_at)

    def _named_secret(self, name: str) -> Fresh[str | None]:
        if name not in self._named:
            self._named[name] = Fresh(lambda: self._read_secret(name), self._refresh, self._monotonic)
        return self._named[name]

    def _read_secret(self, name: str) -> str | None:
        try:
            return str(self._client.get_secret_value(SecretId=f"{self._prefix}/{name}")["SecretString"])
        except ClientError as error:
            if error.response["Error"]["Code"] == "ResourceNotFoundException":
                return None
            raise

    async def stored_secret(self, name: str) -> str | None:
        return await asyncio.to_thread(self._named_secret(name).get)

    async def secret(self, name: str) -> str:
        stored = await self.stored_secret(name)
        return stored if stored is not None else await asyncio.to_thread(self._create_secret, name)

    async def put_secret(self, name: str, value: str) -> None:
        await asyncio.to_thread(self._put_secret, name, value)

    def _put_secret(self, name: str, value: str) -> None:
        secret_id = f"{self._prefix}/{name}"
        try:
            self._client.put_secret_value(SecretId=secret_id, SecretString=value)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
            self._create_or_put(secret_id, value)
        self._named_secret(name).set(value)

    def _create_or_put(self, secret_id: str, value: str) -> None:
        try:
            self._client.create_secret(Name=secret_id, SecretString=value)
        except ClientError as error:  # another process created it meanwhile: ours is the later value
            if error.response["Error"]["Code"] != "ResourceExistsException":
                raise
            self._client.put_secret_value(SecretId=secret_id, SecretString=value)

    def _create_secret(self, name: str) -> str:
        value = secrets.token_urlsafe(32)
        try:
            self._client.create_secret(Name=f"{self._prefix}/{name}", SecretString=value)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceExistsException":
                raise
            named = self._named_secret(name)
            named.forget()  # another process created it meanwhile: theirs counts
            theirs = named.get()
            if theirs is None:
                raise
            return theirs
        self._named_secret(name).set(value)
        return value


def _key_body(now: datetime) -> str:
    key = new_rsa_signing_key(new_kid(now))
    return json.dumps({"jwk": dict(key.jwk), "created_at": now.isoformat()})
