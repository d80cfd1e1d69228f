"""The EMR client's connections: one per call in flight and kept, a request's bytes in one send, and a
connection the server closed while it was idle never reused (not even for a POST that may not be repeated).

The stand-in is a raw HTTP/1.1 server that counts the connections it was given.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpcore
import pytest

from adapters.fhir.pool import KeptAlivePool
from adapters.fhir.secure_client import SecureClient, secure_client
from adapters.fhir.tls import PinningBackend

BODY = b'{"resourceType":"Observation","id":"1"}'
ANSWER = (b"HTTP/1.1 201 Created\r\ncontent-type: application/fhir+json\r\ncontent-length: "
          + str(len(BODY)).encode() + b"\r\n\r\n" + BODY)


@dataclass
class CountingServer:
    """Answers every request after `delay`; with `close_after_answer` it then closes the connection."""

    delay: float = 0.05
    close_after_answer: bool = False
    connections: int = 0
    closed: int = 0  # connections the client closed
    port: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        buffer = b""
        while chunk := await reader.read(65536):
            buffer += chunk
            while b"\r\n\r\n" in buffer:
                head, _, rest = buffer.partition(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                if len(rest) < length:
                    break
                buffer = rest[length:]
                await asyncio.sleep(self.delay)
                writer.write(ANSWER)
                await writer.drain()
                if self.close_after_answer:
                    writer.close()
                    return
        self.closed += 1
        writer.close()


@pytest.fixture
async def server() -> AsyncIterator[CountingServer]:
    state = CountingServer()
    listening = await asyncio.start_server(state.handle, "127.0.0.1", 0)
    state.port = listening.sockets[0].getsockname()[1]
    async with listening:
        yield state


async def post(client: SecureClient, server: CountingServer) -> int:
    response = await client.post(f"http://127.0.0.1:{server.port}/fhir/Observation", content=b'{"n":1}',
                                 headers={"content-type": "application/fhir+json"})
    return response.status_code


async def test_calls_in_flight_each_get_a_connection_and_keep_it_for_the_next_round(server: CountingServer) -> None:
    async with secure_client(timeout_seconds=5) as client:
        for _ in range(3):
            assert await asyncio.gather(*(post(client, server) for _ in range(32))) == [201] * 32
    assert server.connections == 32  # none opened twice, none closed between rounds


async def test_a_connection_the_server_closed_while_idle_is_not_reused(server: CountingServer) -> None:
    server.close_after_answer = True
    async with secure_client(timeout_seconds=5) as client:
        assert await post(client, server) == 201
        await asyncio.sleep(0.1)  # the server's close reaches our idle connection
        assert await post(client, server) == 201  # a plain POST: it would not be repeated after a failure
    assert server.connections == 2


async def test_idle_connections_past_their_keep_alive_are_closed_even_when_not_reused(
    server: CountingServer,
) -> None:
    server.delay = 0.0
    url = f"http://127.0.0.1:{server.port}/fhir/metadata"
    async with KeptAlivePool(keepalive_expiry=0.1) as pool:
        await asyncio.gather(*(pool.request("GET", url) for _ in range(8)))
        for _ in range(60):  # one call at a time keeps reusing the first connection
            await pool.request("GET", url)
            await asyncio.sleep(0.02)
        assert server.connections == 8
        assert server.closed == 7  # the other seven, idle past their keep-alive


class RecordingStream(httpcore.AsyncNetworkStream):
    """A network stream that records each write it is asked for."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        self.writes.append(buffer)

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        return b""


class RecordingBackend(httpcore.AsyncNetworkBackend):
    def __init__(self) -> None:
        self.stream = RecordingStream()

    async def connect_tcp(self, *args: object, **kwargs: object) -> httpcore.AsyncNetworkStream:
        return self.stream


async def test_writes_are_held_until_the_answer_is_read() -> None:
    backend = RecordingBackend()
    stream = await PinningBackend((), inner=backend).connect_tcp("emr.example", 443)
    await stream.write(b"POST / HTTP/1.1\r\n\r\n")
    await stream.write(b"{}")
    assert backend.stream.writes == []
    await stream.read(4096)
    assert backend.stream.writes == [b"POST / HTTP/1.1\r\n\r\n{}"]
