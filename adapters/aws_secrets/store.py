"""SecretsManagerKeyStore: the EMR signing key lives in one secret whose versions carry AWS's stages.

Each version's SecretString is JSON: {"jwk": {...private RSA JWK...}, "created_at": ISO 8601}. Named
secrets (webhook secret, API token key, ECW client secret) are secrets of their own under the prefix.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from adapters.keys.jwk import new_rsa_signing_key, public_jwk
from adapters.keys.rotation import CURRENT, PENDING, PREVIOUS, check_promotable, new_kid
from domain.errors import Conflict
from domain.ports.keys import KeyVersion, SigningKey

AWS_STAGES = {CURRENT: "AWSCURRENT", PENDING: "AWSPENDING", PREVIOUS: "AWSPREVIOUS"}


class SecretsManagerKeyStore:
    def __init__(self, client: Any, prefix: str = "vantrexia") -> None:
        self._client = client  # a boto3 "secretsmanager" client (blocking: called in a thread)
        self._key_secret = f"{prefix}/emr-signing-key"
        self._prefix = prefix

    async def _call(self, method: str, **kwargs: Any) -> Any:
        return await asyncio.to_thread(getattr(self._client, method), **kwargs)

    async def _version(self, stage: str) -> tuple[KeyVersion, SigningKey] | None:
        try:
            value = await self._call("get_secret_value", SecretId=self._key_secret, VersionStage=AWS_STAGES[stage])
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
            if stage != CURRENT:
                return None
            await self._create_first()
            return await self._version(stage)
        body = json.loads(value["SecretString"])
        key = SigningKey(body["jwk"]["kid"], body["jwk"])
        return KeyVersion(key.kid, stage, datetime.fromisoformat(body["created_at"])), key

    async def _create_first(self) -> None:
        try:
            await self._call("create_secret", Name=self._key_secret, SecretString=_key_body(datetime.now(UTC)))
        except ClientError as error:  # another process created it meanwhile
            if error.response["Error"]["Code"] != "ResourceExistsException":
                raise

    async def _published(self) -> list[tuple[KeyVersion, SigningKey]]:
        found = []
        for stage in (CURRENT, PENDING, PREVIOUS):
            item = await self._version(stage)
            if item is not None:
                found.append(item)
        return found

    async def signing_key(self) -> SigningKey:
        return next(key for version, key in await self._published() if version.stage == CURRENT)

    async def public_jwks(self) -> list[Mapping[str, str]]:
        return [public_jwk(key) for _, key in await self._published()]

    async def versions(self) -> list[KeyVersion]:
        return [version for version, _ in await self._published()]

    async def rotate(self, now: datetime) -> KeyVersion:
        await self.signing_key()  # the secret exists from here on
        if await self._version(PENDING):
            raise Conflict("a pending key already exists: promote it first")
        body = _key_body(now)
        await self._call("put_secret_value", SecretId=self._key_secret, ClientRequestToken=str(uuid.uuid4()),
                         SecretString=body, VersionStages=["AWSPENDING"])
        return KeyVersion(json.loads(body)["jwk"]["kid"], PENDING, now)

    async def promote(self, now: datetime, published_for_at_least: timedelta) -> KeyVersion:
        pending = await self._version(PENDING)
        promoted = check_promotable(pending[0] if pending else None, now, published_for_at_least)
        stages = (await self._call("describe_secret", SecretId=self._key_secret))["VersionIdsToStages"]
        version_of = {stage: vid for vid, labels in stages.items() for stage in labels}
        # AWS moves AWSPREVIOUS to the version that loses AWSCURRENT
        await self._call("update_secret_version_stage", SecretId=self._key_secret, VersionStage="AWSCURRENT",
                         MoveToVersionId=version_of["AWSPENDING"], RemoveFromVersionId=version_of["AWSCURRENT"])
        await self._call("update_secret_version_stage", SecretId=self._key_secret, VersionStage="AWSPENDING",
                         RemoveFromVersionId=version_of["AWSPENDING"])
        return KeyVersion(promoted.kid, CURRENT, promoted.created_at)

    async def stored_secret(self, name: str) -> str | None:
        try:
            return str((await self._call("get_secret_value", SecretId=f"{self._prefix}/{name}"))["SecretString"])
        except ClientError as error:
            if error.response["Error"]["Code"] == "ResourceNotFoundException":
                return None
            raise

    async def secret(self, name: str) -> str:
        secret_id = f"{self._prefix}/{name}"
        try:
            return str((await self._call("get_secret_value", SecretId=secret_id))["SecretString"])
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
        value = secrets.token_urlsafe(32)
        try:
            await self._call("create_secret", Name=secret_id, SecretString=value)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceExistsException":
                raise
            return str((await self._call("get_secret_value", SecretId=secret_id))["SecretString"])
        return value


def _key_body(now: datetime) -> str:
    key = new_rsa_signing_key(new_kid(now))
    return json.dumps({"jwk": dict(key.jwk), "created_at": now.isoformat()})
