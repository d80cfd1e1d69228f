"""`vantrexia keys status|rotate|promote`: the EMR signing key's rotation (90-day policy)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import typer

from adapters.keys.jwk import JWKS_MAX_AGE_SECONDS
from domain.errors import DomainError
from domain.ports import KeyStore
from domain.ports.keys import ROTATION_POLICY, KeyVersion
from entrypoints.cli.common import fail, settings_or_exit
from entrypoints.settings import Settings

keys_app = typer.Typer(help="Signing keys published in our JWKS", no_args_is_help=True)
T = TypeVar("T")


def _with_store(work: Callable[[KeyStore, Settings], Awaitable[T]]) -> T:
    from entrypoints.container import build_container

    settings = settings_or_exit()

    async def main() -> T:
        container = build_container(settings)
        try:
            return await work(await container.get(KeyStore), settings)
        finally:
            await container.close()

    try:
        return asyncio.run(main())
    except DomainError as error:
        fail(str(error))


def promotion_wait(settings: Settings) -> timedelta:
    """A running API shows a new pending key only after up to `key_refresh_seconds`, and a verifier that
    fetched our JWKS just before keeps that copy for the max-age: promote after both."""
    return timedelta(seconds=JWKS_MAX_AGE_SECONDS + settings.key_refresh_seconds)


def _describe(version: KeyVersion, now: datetime) -> str:
    age = version.age(now)
    due = " (rotation due: 90-day policy)" if version.stage == "current" and age >= ROTATION_POLICY else ""
    return f"{version.stage:<8} {version.kid}  created {version.created_at:%Y-%m-%d}, {age.days} days old{due}"


@keys_app.command("status")
def status() -> None:
    """List the published keys with their stage and age."""
    now = datetime.now(UTC)
    for version in _with_store(lambda store, _: store.versions()):
        typer.echo(_describe(version, now))


@keys_app.command("rotate")
def rotate() -> None:
    """Create a pending key and publish it in the JWKS (promote it after the JWKS max-age)."""
    async def work(store: KeyStore, settings: Settings) -> tuple[KeyVersion, timedelta]:
        return await store.rotate(datetime.now(UTC)), promotion_wait(settings)

    version, wait = _with_store(work)
    typer.echo(f"pending key {version.kid} published; promote after {int(wait.total_seconds())} s")


@keys_app.command("promote")
def promote() -> None:
    """Make the pending key current; refused until the JWKS max-age (plus the key refresh interval of
    running processes) has passed since it was published."""
    version = _with_store(lambda store, settings: store.promote(datetime.now(UTC), promotion_wait(settings)))
    typer.echo(f"key {version.kid} now signs client assertions; the old key stays published as previous")
