"""A kept-alive connection the server closes just as we reuse it (its idle timeout racing ours).

The stand-in is a raw HTTP/1.1 server: on each connection it answers the first request and keeps the
connection open, then reads the next request and closes without answering, as a server does when its idle
timeout fires while the request is on the wire. A request that is safe to repeat goes again on a new
connection; a plain POST (which the server might have processed) is not repeated.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from adapters.fakes.keystore import FakeKeyStore
from adapters.fhir.assertion import ClientAssertionSigner
from adapters.fhir.ratelimit import RateLimiter
from adapters.fhir.secure_client import secure_client
from adapters.fhir.session import FhirSession
from adapters.fhir.smart import SmartTokenClient
from domain.ports.emr import EmrUnavailable


@dataclass
class ClosingServer:
    """Answers one request per connection, then drops the connection on the next one unanswered."""

    answered: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    port: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        served = 0
        while request_line := await self._request(reader):
            if served:
                self.dropped.append(request_line)
                break
            served += 1
            self.answered.append(request_line)
            body = json.dumps({"resourceType": "Observation", "id": str(len(self.answered))}).encode()
            writer.write(b"HTTP/1.1 201 Created\r\ncontent-type: application/fhir+json\r\n"
                         b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
            await writer.drain()
        writer.close()

    @staticmethod
    async def _request(reader: asyncio.StreamReader) -> str:
        head = await reader.readuntil(b"\r\n\r\n") if not reader.at_eof() else b""
        if not head:
            return ""
        lines = head.decode().split("\r\n")
        length = next((int(v) for k, _, v in (line.partition(":") for line in lines)
                       if k.lower() == "content-length"), 0)
        await reader.readexactly(length)
        return lines[0]


@pytest.fixture
async def server() -> AsyncIterator[ClosingServer]:
    state = ClosingServer()
    listening = await asyncio.start_server(state.handle, "127.0.0.1", 0)
    state.port = listening.sockets[0].getsockname()[1]
    async with listening:
        yield state


def session_for(server: ClosingServer) -> FhirSession:
    base = f"http://127.0.0.1:{server.port}/fhir"
    http = secure_client(timeout_seconds=5)
    tokens = SmartTokenClient(http, ClientAssertionSigner(FakeKeyStore(), "client"), fhir_base_url=base,
                              token_url=f"{base}/token")
    return FhirSession(http, tokens, RateLimiter(), base)


async def test_a_conditional_create_on_a_connection_the_server_closed_goes_again_on_a_new_one(
    server: ClosingServer,
) -> None:
    session = session_for(server)
    first = await session.request("POST", "Observation", action="create Observation", json={"n": 1},
                                  headers={"If-None-Exist": "identifier=urn:x|1"}, authorized=False)
    second = await session.request("POST", "Observation", action="create Observation", json={"n": 2},
                                   headers={"If-None-Exist": "identifier=urn:x|2"}, authorized=False)
    await session.http.aclose()

    assert (first.status_code, second.status_code) == (201, 201)
    assert server.dropped == ["POST /fhir/Observation HTTP/1.1"]  # the reused connection, closed unanswered
    assert len(server.answered) == 2  # ...and the request answered on a new connection


async def test_a_plain_post_is_not_repeated_it_fails_as_a_temporary_error(server: ClosingServer) -> None:
    session = session_for(server)
    await session.request("GET", "metadata", action="read CapabilityStatement", authorized=False)
    with pytest.raises(EmrUnavailable, match=r"create Observation: could not reach 127\.0\.0\.1"):
        await session.request("POST", "Observation", action="create Observation", json={"n": 1},
                              authorized=False)
    await session.http.aclose()

    assert server.dropped == ["POST /fhir/Observation HTTP/1.1"]
    assert server.answered == ["GET /fhir/metadata HTTP/1.1"]  # the POST was not sent a second time
