"""`vantrexia users create|unlock`: provider-app accounts and their login locks."""

from __future__ import annotations

import asyncio
import sys
from typing import Annotated

import typer

from application.context import CLI
from application.login import UnlockCommand, UnlockLogins
from application.users import CreateUser, CreateUserCommand
from domain.errors import DomainError
from domain.patients import DEFAULT_PRACTICE
from domain.users import Role
from entrypoints.cli.common import fail, settings_or_exit

users_app = typer.Typer(help="Manage provider-app users", no_args_is_help=True)


@users_app.command("create")
def create(
    username: Annotated[str, typer.Option(help="login name")],
    role: Annotated[Role, typer.Option(help="admin or clinician")],
    practice: Annotated[str, typer.Option(help="the practice whose patients a clinician sees")] = DEFAULT_PRACTICE,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin")] = False,
) -> None:
    """Create a user; the password is read from stdin or prompted for (never an argument)."""
    from entrypoints.container import build_container

    settings = settings_or_exit()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)

    async def main() -> str:
        container = build_container(settings)
        try:
            async with container() as scope:
                use_case = await scope.get(CreateUser)
                user = await use_case(CreateUserCommand(username, role, password, CLI, practice))
                return user.id
        finally:
            await container.close()

    try:
        user_id = asyncio.run(main())
    except DomainError as error:
        fail(str(error))
    typer.echo(f"created {role.value} {username} ({user_id})")


@users_app.command("unlock")
def unlock(
    username: Annotated[str | None, typer.Option(help="the login name whose locks to lift")] = None,
    address: Annotated[str | None, typer.Option(help="only the locks of this client address")] = None,
) -> None:
    """Lift login locks: a username's (from one address with --address), or an address's alone."""
    from entrypoints.container import build_container

    settings = settings_or_exit()

    async def main() -> int:
        container = build_container(settings)
        try:
            async with container() as scope:
                use_case = await scope.get(UnlockLogins)
                return await use_case(UnlockCommand(username, address, CLI))
        finally:
            await container.close()

    try:
        cleared = asyncio.run(main())
    except DomainError as error:
        fail(str(error))
    typer.echo(f"unlocked: {cleared} counted failed login(s) forgotten")
