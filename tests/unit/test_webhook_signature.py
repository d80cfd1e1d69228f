"""Standard Webhooks verification: every malformed or wrong header is an InvalidSignature, never a crash."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from adapters.mioconnect.webhook import InvalidSignature, WebhookSigner, WebhookVerifier, new_webhook_secret

CURRENT = new_webhook_secret()
PREVIOUS = new_webhook_secret()
BODY = b'{"deviceId": "860013045678901", "data": {}}'


def _headers(secret: str = CURRENT, at: datetime | None = None, body: bytes = BODY) -> dict[str, str]:
    return WebhookSigner(secret).headers("msg_1", body, at or datetime.now(UTC))


def test_a_correct_signature_gives_the_webhook_id() -> None:
    assert WebhookVerifier([CURRENT]).verify(_headers(), BODY) == "msg_1"


def test_header_names_are_case_insensitive() -> None:
    upper = {k.upper(): v for k, v in _headers().items()}
    assert WebhookVerifier([CURRENT]).verify(upper, BODY) == "msg_1"


def test_the_previous_secret_is_accepted_during_rotation() -> None:
    verifier = WebhookVerifier([CURRENT, PREVIOUS])
    assert verifier.verify(_headers(PREVIOUS), BODY) == "msg_1"
    with pytest.raises(InvalidSignature):
        WebhookVerifier([CURRENT]).verify(_headers(PREVIOUS), BODY)


def test_several_space_separated_signatures_are_accepted() -> None:
    headers = _headers()
    headers["webhook-signature"] = "v1,AAAA " + headers["webhook-signature"]
    assert WebhookVerifier([CURRENT]).verify(headers, BODY) == "msg_1"


def test_a_tampered_body_is_refused() -> None:
    with pytest.raises(InvalidSignature, match="does not match"):
        WebhookVerifier([CURRENT]).verify(_headers(), BODY.replace(b"86", b"87"))


@pytest.mark.parametrize(("shift", "words"), [(timedelta(minutes=-6), "older"), (timedelta(minutes=6), "future")])
def test_timestamps_outside_five_minutes_are_refused(shift: timedelta, words: str) -> None:
    with pytest.raises(InvalidSignature, match=words):
        WebhookVerifier([CURRENT]).verify(_headers(at=datetime.now(UTC) + shift), BODY)


def test_timestamps_within_tolerance_pass() -> None:
    assert WebhookVerifier([CURRENT]).verify(_headers(at=datetime.now(UTC) - timedelta(minutes=4)), BODY) == "msg_1"


@pytest.mark.parametrize(
    "changes",
    [
        {"webhook-signature": "v1,%%%"}, {"webhook-signature": "garbage"}, {"webhook-signature": "v2,abc"},
        {"webhook-signature": ""}, {"webhook-signature": "v1,"}, {"webhook-signature": "v1,a,b"},
        {"webhook-timestamp": "soon"}, {"webhook-timestamp": "1e400"}, {"webhook-id": ""},
        {"webhook-signature": "v1," + base64.b64encode(b"\x00" * 32).decode()},
    ],
)
def test_malformed_headers_are_invalid_signatures(changes: dict[str, str]) -> None:
    with pytest.raises(InvalidSignature):
        WebhookVerifier([CURRENT]).verify({**_headers(), **changes}, BODY)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_headers_are_invalid_signatures(missing: str) -> None:
    headers = _headers()
    del headers[missing]
    with pytest.raises(InvalidSignature, match="missing"):
        WebhookVerifier([CURRENT]).verify(headers, BODY)


def test_a_body_that_is_not_utf8_is_an_invalid_signature() -> None:
    with pytest.raises(InvalidSignature):
        WebhookVerifier([CURRENT]).verify(_headers(), b"\xff\xfe")


def test_a_verifier_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="secret"):
        WebhookVerifier(["", ""])
