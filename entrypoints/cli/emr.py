"""`vantrexia emr add|list|test`: each clinic's EMR connection, for support engineers at a shell.

The client secret is read from stdin (`--client-secret-stdin`), never taken as an argument (shell history,
process lists); no command prints it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import msgspec
import typer
from dishka import AsyncContainer
from rich.console import Console
from rich.table import Table

from application.auditing import Auditor
from application.context import CLI
from application.emr_connection_queries import EmrConnectionQueries
from application.emr_connections import AddEmrConnection, AddEmrConnectionCommand, EmrConnectionFields
from domain.emr_connections import DEFAULT_SCOPES, FROM_SETTINGS, EmrConnection, EmrVendor
from domain.errors import DomainError
from domain.ports import EmrDirectory
from domain.users import check_practice_id
from entrypoints.cli.common import fail, settings_or_exit, with_container
from entrypoints.http.mapping import connection_test_out, jwt_test_out

emr_app = typer.Typer(help="Each clinic's EMR connection", no_args_is_help=True)
Practice = Annotated[str, typer.Option("--practice", "--practice-id", help="the clinic's practice id")]


@emr_app.command("add")
def add(
    practice: Practice,
    vendor: Annotated[EmrVendor, typer.Option(help="ecw (eClinicalWorks) or smart (any SMART Backend Services)")],
    fhir_base_url: Annotated[str, typer.Option(help="the FHIR R4 base URL")],
    client_id: Annotated[str, typer.Option(help="our client id at that EMR")],
    token_url: Annotated[str | None, typer.Option(help="token endpoint (default: SMART discovery)")] = None,
    scopes: Annotated[str, typer.Option(help="space-separated OAuth scopes")] = DEFAULT_SCOPES,
    practice_code: Annotated[str | None, typer.Option(help="eCW practice code (vendor ecw only)")] = None,
    rate_limit_per_minute: Annotated[int, typer.Option(min=1, help="requests per minute to this EMR")] = 300,
    max_in_flight: Annotated[int, typer.Option(min=1, help="concurrent requests to this EMR")] = 8,
    tls_pin: Annotated[list[str] | None, typer.Option(help="SHA-256 SPKI pin, base64 (repeat for a backup)")] = None,
    ca_bundle_file: Annotated[Path | None, typer.Option(help="PEM file of the CA(s) the EMR's certificate chains to",
                                                        exists=True, dir_okay=False)] = None,
    inactive: Annotated[bool, typer.Option("--inactive", help="store it switched off")] = False,
    client_secret_stdin: Annotated[bool, typer.Option("--client-secret-stdin",
                                                      help="read the client secret from stdin")] = False,
) -> None:
    """Connect a clinic (practice) to its EMR; one connection per practice."""
    settings = settings_or_exit()
    secret = sys.stdin.readline().rstrip("\r\n") if client_secret_stdin else None
    fields = EmrConnectionFields(
        practice_id=practice, vendor=vendor, fhir_base_url=fhir_base_url, client_id=client_id, token_url=token_url,
        scopes=scopes, practice_code=practice_code, rate_limit_per_minute=rate_limit_per_minute,
        max_in_flight=max_in_flight, tls_pins=tuple(tls_pin or ()), active=not inactive,
        ca_bundle_pem=ca_bundle_file.read_text() if ca_bundle_file else None,
    )

    async def work(container: AsyncContainer) -> EmrConnection:
        async with container() as scope:
            return await (await scope.get(AddEmrConnection))(AddEmrConnectionCommand(CLI, fields, secret))

    try:
        connection = with_container(settings, work)
    except DomainError as error:
        fail(str(error))
    secret_note = "client secret in the key store" if connection.has_client_secret else "no client secret"
    typer.echo(f"added EMR connection {connection.id} for practice {connection.practice_id} "
               f"({connection.vendor.value}, {secret_note}); check it with: vantrexia emr test --practice "
               f"{connection.practice_id}")


@emr_app.command("list")
def list_connections() -> None:
    """Every clinic's EMR connection (the `default` practice's may come from the ECW_* settings)."""
    settings = settings_or_exit()

    async def work(container: AsyncContainer) -> Sequence[EmrConnection]:
        async with container() as scope:
            return await (await scope.get(EmrConnectionQueries)).list(CLI)

    try:
        connections = with_container(settings, work)
    except DomainError as error:
        fail(str(error))
    table = Table("practice", "vendor", "source", "id", "FHIR base URL", "client id", "active", "secret", "version",
                  title=f"EMR connections ({len(connections)})")
    for c in connections:
        table.add_row(c.practice_id, c.vendor.value, "settings" if c.id == FROM_SETTINGS else "stored", c.id,
                      c.fhir_base_url, c.client_id, "yes" if c.active else "no",
                      "yes" if c.has_client_secret else "no", str(c.version))
    Console(width=200).print(table)


@emr_app.command("test")
def test(practice: Practice) -> None:
    """The eCW tutorial's two checks for one clinic's connection, as JSON: `jwt` (POST /api/v1/ecw/test/jwt/)
    and `connection` (POST /api/v1/ecw/test/connection/). Exit code 1 when either failed."""
    settings = settings_or_exit()

    async def work(container: AsyncContainer) -> dict[str, Any]:
        check_practice_id(practice)
        diagnostics = await (await container.get(EmrDirectory)).diagnostics(practice)
        token, connection = await diagnostics.test_token(), await diagnostics.test_connection()
        auditor = await container.get(Auditor)
        await auditor.record(CLI, "emr.token.test", "EMR", status=token.status, practice_id=practice)
        await auditor.record(CLI, "emr.connection.test", "EMR", status=connection.status, practice_id=practice)
        return {"jwt": jwt_test_out(token), "connection": connection_test_out(connection)}

    try:
        answers = with_container(settings, work)
    except DomainError as error:
        fail(str(error))
    typer.echo(msgspec.json.format(msgspec.json.encode(answers), indent=2))
    if any(answer.status != "success" for answer in answers.values()):
        raise typer.Exit(code=1)
