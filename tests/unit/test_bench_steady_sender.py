"""The end-to-end runs' sender: answers parsed off kept-alive connections, and a connection the server
closed while idle replaced rather than written to (which would wait for an answer forever)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from benchmarks.steady import SteadySender, at_steady_rate

ANSWER = b'HTTP/1.1 202 Accepted\r\ncontent-length: 12\r\ncontent-type: application/json\r\n\r\n{"n": "%03d"}'
REQUEST = b"POST /hook HTTP/1.1\r\nHost: test\r\nContent-Length: 2\r\n\r\n{}"


class Server:
    """Answers each request on a connection, then closes the connection after `keep` answers."""

    def __init__(self, keep: int) -> None:
        self.keep, self.answered, self.connections = keep, 0, 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        for _ in range(self.keep):
            await reader.readuntil(b"\r\n\r\n")
            await reader.readexactly(2)
            self.answered += 1
            writer.write(ANSWER % self.answered)
            await writer.drain()
        writer.close()


@pytest.fixture
async def server() -> AsyncIterator[tuple[Server, int]]:
    state = Server(keep=2)
    listening = await asyncio.start_server(state.handle, "127.0.0.1", 0)
    async with listening:
        yield state, listening.sockets[0].getsockname()[1]


async def test_answers_come_back_in_order_on_a_kept_alive_connection(server: tuple[Server, int]) -> None:
    state, port = server
    sender = SteadySender(port)
    first, second = await sender.post(REQUEST), await sender.post(REQUEST)
    assert (first.status, bytes(first.body), bytes(second.body)) == (202, b'{"n": "001"}', b'{"n": "002"}')
    assert state.connections == 1
    sender.close()


async def test_a_connection_the_server_closed_while_idle_is_replaced(server: tuple[Server, int]) -> None:
    state, port = server
    sender = SteadySender(port)
    await sender.post(REQUEST)
    await sender.post(REQUEST)  # the server closes this connection after its second answer
    await asyncio.sleep(0.05)
    third = await asyncio.wait_for(sender.post(REQUEST), 5)
    assert (third.status, bytes(third.body), state.connections) == (202, b'{"n": "003"}', 2)
    sender.close()


async def test_sends_start_at_a_steady_rate_without_waiting_for_answers() -> None:
    started: list[float] = []
    loop = asyncio.get_running_loop()

    async def slow(i: int) -> None:
        started.append(loop.time())
        await asyncio.sleep(0.2)  # longer than the interval: an open loop does not wait for it

    await at_steady_rate(5, 50.0, slow)
    assert len(started) == 5
    assert started[-1] - started[0] < 0.2
