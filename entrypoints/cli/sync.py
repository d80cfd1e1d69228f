"""`vantrexia sync devices`: pull readings from the device cloud with progress and a summary."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn
from rich.table import Table

from application.sync_device_readings import SyncDeviceReadings, SyncReadings, SyncSummary
from entrypoints.cli.common import fail, settings_or_exit

sync_app = typer.Typer(help="Batch synchronisation with the device cloud", no_args_is_help=True)
OUTCOMES = ("accepted", "duplicate", "discarded", "quarantined", "rejected")


@sync_app.command("devices")
def sync_devices(
    since: Annotated[str | None, typer.Option(help="resume after this cursor (printed by the last run)")] = None,
    max_pages: Annotated[int, typer.Option(min=1, help="stop after this many pages")] = 10_000,
) -> None:
    """Pull readings through the same validation and de-duplication as webhooks."""
    from entrypoints.container import build_container

    settings = settings_or_exit()
    console = Console()

    async def main() -> SyncSummary:
        container = build_container(settings)
        try:
            with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console) as progress:
                task = progress.add_task("pulling readings", total=None)

                def on_page(count: int, outcomes: Counter[str]) -> None:
                    progress.update(task, description=f"pulled {sum(outcomes.values())} readings")

                async with container() as scope:
                    sync = await scope.get(SyncDeviceReadings)
                    return await sync(SyncReadings(since, max_pages, on_page))
        finally:
            await container.close()

    try:
        summary = asyncio.run(main())
    except Exception as error:  # noqa: BLE001 - one clear line instead of a traceback
        fail(f"sync failed: {error}")
    table = Table("outcome", "readings", title=f"sync summary ({summary.pages} pages)")
    for outcome in OUTCOMES:
        table.add_row(outcome, str(summary.outcomes.get(outcome, 0)))
    console.print(table)
    console.print(f"resume with --since {summary.next_cursor}" if summary.next_cursor else "no cursor yet")
