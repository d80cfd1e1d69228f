"""The webhook's 202 answer, built without ASGIResponse's header multi-dict, sends what ASGIResponse sends."""

from __future__ import annotations

from typing import Any

from litestar.response.base import ASGIResponse

from entrypoints.http.webhook_receiver import AckResponse


async def sent(response: ASGIResponse) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        messages.append(dict(message))

    async def receive() -> Any:
        raise AssertionError("an answer reads nothing")

    await response({"type": "http"}, receive, send)  # type: ignore[arg-type]
    return messages


async def test_the_ack_sends_the_same_messages_as_an_asgi_response_of_json() -> None:
    body = b'{"status":"accepted","delivery_id":"d-1","reading_id":"r-1","reason":null}'
    expected = await sent(ASGIResponse(body=body, status_code=202, media_type="application/json"))
    assert await sent(AckResponse(body)) == expected
    length = str(len(body)).encode()
    assert expected[0]["headers"] == [(b"content-type", b"application/json"), (b"content-length", length)]
