"""The stage every scenario plays on: a migrated database with monitored patients, a temp dir,
a webhook secret generated for this run, and the source of unique readings."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapters.keys.file_store import FileKeyStore
from adapters.mioconnect.webhook import new_webhook_secret
from benchmarks import SIZES
from benchmarks.baseline_app import CREATE_TABLE
from benchmarks.pg import BenchDatabase, create_database, drop_database, migrate
from benchmarks.seed import ReadingSource, enrol, env_for, settings_for
from entrypoints.settings import Settings


@dataclass
class Stage:
    """One throwaway database and everything the processes on it share."""

    database: BenchDatabase
    workdir: Path
    secret: str
    settings: Settings
    source: ReadingSource

    def app_env(self, **more: str) -> dict[str, str]:
        return env_for(self.settings, **more)

    def baseline_env(self) -> dict[str, str]:
        return env_for(self.settings, BENCH_BASELINE_DSN=self.database.dsn)

    def with_settings(self, **changes: Any) -> Settings:
        import msgspec

        return msgspec.structs.replace(self.settings, **changes)


async def open_stage(workdir: Path | None = None, patients: int = SIZES.patients) -> Stage:
    """Create, migrate and populate a `bench_…` database (drop it with `close_stage`)."""
    own_dir = workdir is None
    workdir = workdir or Path(tempfile.mkdtemp(prefix="vantrexia-bench-"))
    database = await create_database()
    try:
        secret = new_webhook_secret()  # generated per run, never written to the repository
        settings = settings_for(database, workdir, secret, patients)
        await FileKeyStore(Path(settings.key_file)).signing_key()  # one key file for every process
        migrate(database, env_for(settings), workdir)
        await database.execute(CREATE_TABLE)
        imeis = await enrol(settings, patients)
    except BaseException:
        await drop_database(database)
        if own_dir:
            shutil.rmtree(workdir, ignore_errors=True)
        raise
    return Stage(database, workdir, secret, settings, ReadingSource(imeis))


async def close_stage(stage: Stage, *, remove_dir: bool = True) -> None:
    await drop_database(stage.database)
    if remove_dir:
        shutil.rmtree(stage.workdir, ignore_errors=True)
