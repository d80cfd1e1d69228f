"""The end-to-end runs' sender: pre-signed raw requests sent open-loop at a steady rate over kept-alive
connections, answers parsed with httptools. It is the load generator of those runs, so it must cost
little CPU on the machine it shares with what it measures (an httpx client took a third of a core at
200 requests per second; this takes a few percent)."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import httptools

from benchmarks.procs import HOST


@dataclass
class Answer:
    status: int = 0
    body: bytearray = field(default_factory=bytearray)


class _Client(asyncio.Protocol):
    """One kept-alive connection: a request at a time, its answer parsed as bytes arrive."""

    def __init__(self, lost: asyncio.Future[None]) -> None:
        self._parser = httptools.HttpResponseParser(self)
        self._waiting: deque[tuple[asyncio.Future[Answer], Answer]] = deque()
        self._lost = lost
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._fail(error)

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(exc if isinstance(exc, ConnectionError) else ConnectionResetError("the server closed it"))
        if not self._lost.done():
            self._lost.set_result(None)

    # httptools callbacks
    def on_body(self, body: bytes) -> None:
        self._waiting[0][1].body.extend(body)

    def on_message_complete(self) -> None:
        future, answer = self._waiting.popleft()
        answer.status = self._parser.get_status_code()
        if not future.done():
            future.set_result(answer)

    def send(self, request: bytes) -> asyncio.Future[Answer]:
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        if self.transport is None or self.transport.is_closing():
            future.set_exception(ConnectionResetError("the connection is closed"))
            return future
        self._waiting.append((future, Answer()))
        self.transport.write(request)
        return future

    def _fail(self, error: Exception) -> None:
        while self._waiting:
            future, _ = self._waiting.popleft()
            if not future.done():
                future.set_exception(error)


class SteadySender:
    """`await sender.post(raw)` over a pool of at most `connections` kept-alive connections."""

    def __init__(self, port: int, connections: int = 32) -> None:
        self._port = port
        self._idle: list[_Client] = []
        self._slots = asyncio.Semaphore(connections)

    async def post(self, raw: bytes) -> Answer:
        """The answer; a kept-alive connection the server had just closed is replaced once."""
        async with self._slots:
            client = self._kept_alive() or await self._connect()
            try:
                answer = await client.send(raw)
            except ConnectionError:
                client = await self._connect()
                answer = await client.send(raw)
            if client.transport is not None and not client.transport.is_closing():
                self._idle.append(client)
            return answer

    def _kept_alive(self) -> _Client | None:
        """An idle connection the server has not closed meanwhile (uvicorn closes them after 5 s)."""
        while self._idle:
            client = self._idle.pop()
            if client.transport is not None and not client.transport.is_closing():
                return client
        return None

    async def _connect(self) -> _Client:
        lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        _, client = await asyncio.get_running_loop().create_connection(lambda: _Client(lost), HOST, self._port)
        return client

    def close(self) -> None:
        for client in self._idle:
            if client.transport is not None:
                client.transport.close()
        self._idle.clear()


async def at_steady_rate(count: int, rate: float, send: Callable[[int], Coroutine[Any, Any, None]]) -> float:
    """Start send(i) at start + i/rate, whatever came back before; returns the sender's CPU share."""
    started, cpu, tasks = time.perf_counter(), time.process_time(), []
    for i in range(count):
        await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(send(i)))
    await asyncio.gather(*tasks)
    return (time.process_time() - cpu) / max(time.perf_counter() - started, 1e-9)
