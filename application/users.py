"""CreateUser and Authenticate: provider-app accounts with hashed passwords."""

from __future__ import annotations

from dataclasses import dataclass, replace

from application.auditing import Auditor
from application.context import ANONYMOUS, Actor
from domain.audit import AuditOutcome
from domain.errors import AuthenticationFailed
from domain.patients import DEFAULT_PRACTICE
from domain.ports import Clock, IdGenerator, PasswordHasher, UnitOfWork
from domain.users import Role, User, check_new_credentials, check_practice_id


@dataclass(frozen=True)
class CreateUserCommand:
    username: str
    role: Role
    password: str
    actor: Actor
    practice_id: str = DEFAULT_PRACTICE


class CreateUser:
    def __init__(
        self, uow: UnitOfWork, hasher: PasswordHasher, clock: Clock, ids: IdGenerator, auditor: Auditor
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock
        self._ids = ids
        self._auditor = auditor

    async def __call__(self, command: CreateUserCommand) -> User:
        check_new_credentials(command.username, command.password)
        check_practice_id(command.practice_id)
        user = User(
            id=self._ids.new_id(), username=command.username, role=command.role,
            password_hash=self._hasher.hash(command.password), active=True,
            created_at=self._clock.now(), practice_id=command.practice_id,
        )
        async with self._uow as uow:
            await uow.users.add(user)
            await uow.commit()
        await self._auditor.record(command.actor, "user.create", "User", [user.id], role=user.role.value,
                                   practice=user.practice_id)
        return user


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str
    caller: Actor = ANONYMOUS  # the request's ids; the actor becomes the user once the password matches


class Authenticate:
    """Check a username and password; failures never say which part was wrong, and cost the same."""

    def __init__(self, uow: UnitOfWork, hasher: PasswordHasher, auditor: Auditor) -> None:
        self._uow = uow
        self._hasher = hasher
        self._auditor = auditor

    async def __call__(self, credentials: Credentials) -> User:
        async with self._uow as uow:
            user = await uow.users.by_username(credentials.username)
        # one verification whoever asks, so the answer's timing does not tell which usernames exist
        stored_hash = user.password_hash if user is not None else self._hasher.decoy_hash()
        matches = self._hasher.verify(stored_hash, credentials.password)
        if user is None or not user.active or not matches:
            await self._auditor.record(
                credentials.caller, "auth.login", "User",
                [user.id] if user else [], AuditOutcome.FAILURE,
            )
            raise AuthenticationFailed(user.id if user else None)
        await self._auditor.record(replace(credentials.caller, id=user.id), "auth.login", "User", [user.id])
        return user
