"""The EMR client's asyncio streams fail as httpcore's own AnyIO streams do: the same httpcore errors for a
refused connection, a read that waited too long and a write on a closed connection; a closed connection reads
as b"". TLS failures are covered with real certificates in test_fhir_tls.py."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import httpcore
import pytest

from adapters.fhir.streams import AsyncioBackend


class Peer:
    """A local server that keeps what it reads, and answers or hangs up when told."""

    def __init__(self) -> None:
        self.received = b""
        self.writer: asyncio.StreamWriter | None = None
        self.connected = asyncio.Event()
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.connected.set()
        while chunk := await reader.read(65536):
            self.received += chunk


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    state = Peer()
    listening = await asyncio.start_server(state.handle, "127.0.0.1", 0)
    state.port = listening.sockets[0].getsockname()[1]
    async with listening:
        yield state


async def test_bytes_go_both_ways_and_a_closed_connection_reads_empty(peer: Peer) -> None:
    stream = await AsyncioBackend().connect_tcp("127.0.0.1", peer.port, timeout=5)
    await stream.write(b"GET / HTTP/1.1\r\n\r\n", timeout=5)
    await peer.connected.wait()
    assert peer.writer is not None
    peer.writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
    assert await stream.read(65536, timeout=5) == b"HTTP/1.1 204 No Content\r\n\r\n"
    peer.writer.close()
    assert await stream.read(65536, timeout=5) == b""
    assert peer.received == b"GET / HTTP/1.1\r\n\r\n"
    assert stream.get_extra_info("server_addr") == ("127.0.0.1", peer.port)
    assert stream.get_extra_info("ssl_object") is None
    await stream.aclose()


async def test_a_read_past_its_timeout_is_a_read_timeout(peer: Peer) -> None:
    stream = await AsyncioBackend().connect_tcp("127.0.0.1", peer.port, timeout=5)
    with pytest.raises(httpcore.ReadTimeout):
        await stream.read(65536, timeout=0.01)  # the peer never answers
    await stream.aclose()


async def test_a_write_on_a_closed_connection_is_a_write_error(peer: Peer) -> None:
    stream = await AsyncioBackend().connect_tcp("127.0.0.1", peer.port, timeout=5)
    await stream.aclose()
    with pytest.raises(httpcore.WriteError):
        await stream.write(b"GET / HTTP/1.1\r\n\r\n", timeout=5)


async def test_a_refused_connection_is_a_connect_error() -> None:
    with socket.socket() as unused:  # a port nobody listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(httpcore.ConnectError):
        await AsyncioBackend().connect_tcp("127.0.0.1", port, timeout=5)
