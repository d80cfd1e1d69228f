"""RSA signing keys as JWKs (joserfc), and their public halves for the JWKS endpoint."""

from __future__ import annotations

from collections.abc import Mapping

from joserfc.jwk import RSAKey

from domain.ports.keys import SigningKey

SIGNING_ALG = "RS384"
JWKS_MAX_AGE_SECONDS = 3600  # verifiers may cache our JWKS this long: promote a new key only after it
_PUBLIC_MEMBERS = ("kty", "kid", "use", "alg", "n", "e")


def new_rsa_signing_key(kid: str, bits: int = 2048) -> SigningKey:
    """A fresh RSA key for RS384 client assertions."""
    key = RSAKey.generate_key(bits, parameters={"kid": kid, "use": "sig", "alg": SIGNING_ALG})
    jwk = {name: str(value) for name, value in key.as_dict(private=True).items()}
    return SigningKey(kid=kid, jwk=jwk)


def public_jwk(key: SigningKey) -> Mapping[str, str]:
    """The publishable members only (never `d`, `p`, `q`, ...)."""
    return {name: key.jwk[name] for name in _PUBLIC_MEMBERS if name in key.jwk}


def import_rsa(key: SigningKey) -> RSAKey:
    return RSAKey.import_key(dict(key.jwk))
