"""What every CLI command shares: the settings (or a one-line error) and how a command fails."""

from __future__ import annotations

import os
from typing import NoReturn

import typer

from entrypoints.logging_setup import configure_logging
from entrypoints.settings import Settings, SettingsError, load_settings


def settings_or_exit() -> Settings:
    """The settings from the environment, logging configured; exit 2 with one line if they are wrong."""
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
