"""The console's cookie session: the cookie holds an API access token (so every API process can check it),
re-issued once half its life is used (idle expiry = the token TTL, sliding) and revoked on sign-out."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.datastructures import Cookie

from adapters.auth.tokens import AccessTokenService, InvalidToken, Principal
from domain.ports import Clock, UnitOfWork
from entrypoints.http.client_address import TrustedProxies
from entrypoints.http.security import AnyConnection

SESSION_COOKIE = "vantrexia_console"
COOKIE_PATH = "/console"


def session_key(principal: Principal) -> str:
    """What sign-out revokes: the session's first token id, which every re-issued token names."""
    return principal.session_id or principal.token_id


async def principal_of(connection: AnyConnection, tokens: AccessTokenService, uow: UnitOfWork) -> Principal | None:
    """The signed-in user of this console request; None without a valid, unrevoked session cookie."""
    token = connection.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        principal = tokens.verify(token)
    except InvalidToken:
        return None
    async with uow:
        for revocable in {principal.token_id, session_key(principal)}:
            if await uow.revocations.is_revoked(revocable):
                return None
    return principal


def over_tls(connection: AnyConnection, proxies: TrustedProxies) -> bool:
    """True when the browser reached us over TLS: directly, or via a trusted proxy that says so."""
    if connection.scope.get("scheme") == "https":
        return True
    peer = connection.client.host if connection.client else None
    if peer is None or not proxies.trusts(peer):
        return False
    forwarded = connection.headers.get("x-forwarded-proto", "")
    return forwarded.split(",")[0].strip().lower() == "https"


@dataclass(frozen=True)
class SessionCookies:
    """Builds the session cookie for this request's transport (Secure over TLS)."""

    secure: bool
    max_age: int

    def holding(self, token: str) -> Cookie:
        return Cookie(key=SESSION_COOKIE, value=token, path=COOKIE_PATH, httponly=True, samesite="lax",
                      secure=self.secure, max_age=self.max_age)

    def cleared(self) -> Cookie:
        return Cookie(key=SESSION_COOKIE, value="", path=COOKIE_PATH, httponly=True, samesite="lax",
                      secure=self.secure, max_age=0, expires=0)


def half_used(principal: Principal, tokens: AccessTokenService, clock: Clock) -> bool:
    """Whether the token has used half its life (then the console sends a fresh one)."""
    return principal.expires_at - clock.now() < tokens.ttl / 2
