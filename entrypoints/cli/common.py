"""What every `vantrexia` subcommand shares: settings (or a one-line error and exit code 2) and a container
for one piece of work. Subcommand modules import this, never `entrypoints.cli.main`, which assembles them."""

from __future__ import annotations

import asyncio
import importlib.util
import os
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, NoReturn, TypeVar

import typer
from dishka import AsyncContainer

from entrypoints.logging_setup import configure_logging
from entrypoints.process import settle_after_startup
from entrypoints.settings import Settings, SettingsError, load_settings

T = TypeVar("T")


def settings_or_exit() -> Settings:
    """The settings from the environment (and .env); an invalid one ends the command with one line."""
    try:
        settings = load_settings(os.environ)
    except SettingsError as error:
        fail(str(error))
    configure_logging(settings.log_level)
    return settings


def fail(message: str) -> NoReturn:
    """One line on stderr, exit code 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


def run_loop(work: Coroutine[Any, Any, T]) -> T:
    """`work` on uvloop where it is installed (as `serve` runs), else on asyncio's own loop: the worker's
    sends spend a good share of their CPU in the event loop and its sockets."""
    if importlib.util.find_spec("uvloop") is None:
        return asyncio.run(work)
    import uvloop

    return uvloop.run(work)


def with_container(settings: Settings, work: Callable[[AsyncContainer], Awaitable[T]]) -> T:
    """Run `work` with the production container (on uvloop where installed), closed afterwards whatever happens."""
    from entrypoints.container import build_container  # the whole app's wiring: only when a command runs

    async def main() -> T:
        container = build_container(settings)
        settle_after_startup()
        try:
            return await work(container)
        finally:
            await container.close()

    return run_loop(main())
