"""`vantrexia audit verify`: check the audit trail's hash chain and report the first broken link."""

from __future__ import annotations

import asyncio

import typer

from domain.audit import ChainVerification
from domain.ports import AuditLog
from entrypoints.cli.common import settings_or_exit

audit_app = typer.Typer(help="The immutable audit trail", no_args_is_help=True)


@audit_app.command("verify")
def verify(seal_first: bool = typer.Option(True, help="seal pending entries before checking")) -> None:
    """Exit 0 when every sealed entry still matches its link; 1 with the first broken link otherwise."""
    from entrypoints.container import build_container

    settings = settings_or_exit()

    async def main() -> ChainVerification:
        container = build_container(settings)
        try:
            log = await container.get(AuditLog)
            if seal_first:
                await log.seal()
            verification: ChainVerification = await log.verify()
            return verification
        finally:
            await container.close()

    result = asyncio.run(main())
    if result.intact:
        typer.echo(f"audit chain intact: {result.checked} sealed entries, {result.unsealed} awaiting their seal")
        return
    typer.echo(f"audit chain BROKEN at entry {result.first_broken}: {result.reason} "
               f"({result.checked} entries verified before it)", err=True)
    raise typer.Exit(code=1)
