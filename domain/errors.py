"""Errors the domain and its use cases raise; entrypoints map them to responses."""


class DomainError(Exception):
    """Base class of every business-rule failure (safe to show: carries no PHI)."""


class NotFound(DomainError):
    """A referenced entity does not exist, or the actor may not know that it does.

    The message names only the kind of entity, never its id: a missing id and another practice's id must
    read the same. `entity_id` is kept for the audit trail and debugging, not for clients.
    """

    def __init__(self, entity: str, entity_id: str) -> None:
        super().__init__(f"{entity} not found")
        self.entity = entity
        self.entity_id = entity_id


class Conflict(DomainError):
    """The request contradicts the current state (e.g. a device already registered)."""


class AlreadyExists(Conflict):
    """What a request would create exists already.

    `existing_id` is our id of it when the actor may see it (so a client can go on with it), else None:
    another practice's resource must not be found out this way.
    """

    def __init__(self, message: str, existing_id: str | None = None) -> None:
        super().__init__(message)
        self.existing_id = existing_id


class InvalidInput(DomainError):
    """A command's values break a rule (bad time range, unknown role, ...); `field` names the one at fault
    when it is a single field of the request."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Forbidden(DomainError):
    """The actor's role may not do this at all (unlike NotFound, nothing is being hidden)."""


class AuthenticationFailed(DomainError):
    """Wrong credentials, unknown user or disabled account (never says which)."""

    def __init__(self, user_id: str | None = None) -> None:
        super().__init__("invalid username or password")
        self.user_id = user_id  # the account tried, when it exists: for the audit trail, never the client
