"""Provider API bearer tokens: issued for a user, refused when expired, forged or foreign."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from adapters.auth.tokens import AccessTokenService, InvalidToken
from adapters.fakes.clock import FixedClock
from domain.users import Role, User

SECRET = "k" * 43


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))


@pytest.fixture
def tokens(clock: FixedClock) -> AccessTokenService:
    return AccessTokenService(SECRET, timedelta(minutes=15), clock)


def _user(clock: FixedClock) -> User:
    return User("user-1", "dr-okafor", Role.CLINICIAN, "hash", True, clock.now())


def test_issued_token_verifies_to_its_user_and_role(tokens: AccessTokenService, clock: FixedClock) -> None:
    issued = tokens.issue(_user(clock))
    principal = tokens.verify(issued.access_token)
    assert (principal.user_id, principal.role, issued.expires_in) == ("user-1", Role.CLINICIAN, 900)


def test_token_expires(tokens: AccessTokenService, clock: FixedClock) -> None:
    issued = tokens.issue(_user(clock))
    clock.advance(timedelta(minutes=15, seconds=6))
    with pytest.raises(InvalidToken):
        tokens.verify(issued.access_token)


def test_token_signed_with_another_key_is_refused(clock: FixedClock, tokens: AccessTokenService) -> None:
    other = AccessTokenService("o" * 43, timedelta(minutes=15), clock)
    with pytest.raises(InvalidToken):
        tokens.verify(other.issue(_user(clock)).access_token)


def test_token_for_another_audience_is_refused(tokens: AccessTokenService, clock: FixedClock) -> None:
    now = int(clock.now().timestamp())
    claims = {"iss": "vantrexia", "aud": "someone-else", "sub": "u", "role": "admin",
              "iat": now, "exp": now + 60, "jti": "j"}
    foreign = jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(SECRET))
    with pytest.raises(InvalidToken):
        tokens.verify(foreign)


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "eyJhbGciOiJub25lIn0.e30."])
def test_garbage_is_refused(tokens: AccessTokenService, garbage: str) -> None:
    with pytest.raises(InvalidToken):
        tokens.verify(garbage)


def test_the_token_carries_the_users_practice_and_needs_it(tokens: AccessTokenService, clock: FixedClock) -> None:
    user = User("user-2", "dr-north", Role.CLINICIAN, "hash", True, clock.now(), practice_id="north")
    assert tokens.verify(tokens.issue(user).access_token).practice_id == "north"
    now = int(clock.now().timestamp())
    without = jwt.encode({"alg": "HS256"}, {"iss": "vantrexia", "aud": "vantrexia-provider-api", "sub": "user-2",
                                           "role": "clinician", "exp": now + 60, "jti": "j1"},
                         OctKey.import_key(SECRET), algorithms=["HS256"])
    with pytest.raises(InvalidToken):
        tokens.verify(without)


def test_a_console_sessions_reissued_token_names_the_session_it_continues(tokens: AccessTokenService,
                                                                         clock: FixedClock) -> None:
    first = tokens.verify(tokens.issue(_user(clock)).access_token)
    again = tokens.verify(tokens.issue(_user(clock), session_id=first.token_id).access_token)
    assert (first.session_id, again.session_id) == ("", first.token_id)
    assert again.token_id != first.token_id
