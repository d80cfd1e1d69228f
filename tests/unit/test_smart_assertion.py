"""The SMART client assertion: RS384 JWT with the claims SMART Backend Services and eCW require."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from joserfc import jwt
from joserfc.errors import BadSignatureError, UnsupportedAlgorithmError
from joserfc.jwk import RSAKey

from adapters.fakes.keystore import FakeKeyStore
from adapters.fhir.assertion import ClientAssertionSigner
from adapters.keys.jwk import new_rsa_signing_key, public_jwk

TOKEN_URL = "https://staging-oauthserver.eclinicalworks.com/oauth/oauth2/token"
NOW = 1_795_000_000


async def _decoded(signer: ClientAssertionSigner, store: FakeKeyStore) -> jwt.Token:
    assertion = await signer.sign(TOKEN_URL)
    public = RSAKey.import_key(dict(public_jwk(await store.signing_key())))
    return jwt.decode(assertion, public, algorithms=["RS384"])


async def test_header_names_rs384_our_kid_and_jwt_type() -> None:
    store = FakeKeyStore()
    token = await _decoded(ClientAssertionSigner(store, "client-1", clock=lambda: NOW), store)
    assert token.header == {"alg": "RS384", "kid": (await store.signing_key()).kid, "typ": "JWT"}


async def test_claims_name_the_client_and_the_token_endpoint_for_five_minutes_at_most() -> None:
    store = FakeKeyStore()
    signer = ClientAssertionSigner(store, "client-1", lifetime_seconds=3600, clock=lambda: NOW)
    claims = (await _decoded(signer, store)).claims
    assert claims["iss"] == claims["sub"] == "client-1"
    assert claims["aud"] == TOKEN_URL
    assert claims["iat"] == NOW
    assert claims["exp"] == NOW + 300  # asked for an hour, capped at the SMART maximum


async def test_every_assertion_has_a_fresh_jti() -> None:
    store = FakeKeyStore()
    signer = ClientAssertionSigner(store, "client-1")
    jtis = {(await _decoded(signer, store)).claims["jti"] for _ in range(20)}
    assert len(jtis) == 20


async def test_rs384_must_be_allowed_explicitly_to_verify() -> None:
    store = FakeKeyStore()
    assertion = await ClientAssertionSigner(store, "client-1").sign(TOKEN_URL)
    public = RSAKey.import_key(dict(public_jwk(await store.signing_key())))
    with pytest.raises(UnsupportedAlgorithmError):
        jwt.decode(assertion, public)  # joserfc's default list leaves RS384 out


async def test_signature_does_not_verify_with_another_key() -> None:
    store = FakeKeyStore()
    assertion = await ClientAssertionSigner(store, "client-1").sign(TOKEN_URL)
    other = RSAKey.import_key(dict(public_jwk(new_rsa_signing_key("someone-else"))))
    with pytest.raises(BadSignatureError):
        jwt.decode(assertion, other, algorithms=["RS384"])


async def test_a_rotated_key_signs_without_a_restart() -> None:
    store = FakeKeyStore()
    signer = ClientAssertionSigner(store, "client-1")
    first = (await _decoded(signer, store)).header["kid"]
    await store.rotate(datetime.now(UTC) - timedelta(days=2))
    await store.promote(datetime.now(UTC), timedelta(hours=1))
    second = (await _decoded(signer, store)).header["kid"]
    assert first != second == (await store.signing_key()).kid


def test_a_client_id_is_required() -> None:
    with pytest.raises(ValueError, match="client id"):
        ClientAssertionSigner(FakeKeyStore(), "")
