"""A TCP proxy a test controls: forward to a server, then cut every connection and refuse new ones, then resume.

It runs its own asyncio loop in a daemon thread, so that it keeps forwarding whatever the test's
loop (or the app's) is doing; `cut`, `resume` and `close` may be called from any thread.

    with TcpProxy("127.0.0.1", 5432) as proxy:   # listens on 127.0.0.1:<proxy.port>
        ...                                     # clients connect to proxy.port
        proxy.cut()                             # established connections reset, new ones refused (RST)
        proxy.resume()                          # new connections are forwarded again
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, Self, TypeVar

T = TypeVar("T")
_CHUNK = 65_536


class TcpProxy:
    """Forwards 127.0.0.1:`port` to `target_host`:`target_port`; counts what it did."""

    def __init__(self, target_host: str, target_port: int, *, listen_host: str = "127.0.0.1") -> None:
        self._target = (target_host, target_port)
        self._listen_host = listen_host
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="tcp-proxy", daemon=True)
        self._server: asyncio.Server | None = None
        self._pairs: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self._pumps: set[asyncio.Task[None]] = set()
        self._refusing = False
        self.port = 0
        self.accepted = 0  # connections forwarded
        self.refused = 0  # connections reset on arrival while cut
        self.cut_connections = 0  # established connections reset by `cut`

    # -- control (any thread) -------------------------------------------------------------------

    def start(self) -> Self:
        self._thread.start()
        self._server = self._call(asyncio.start_server(self._accept, self._listen_host, 0))
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    @property
    def down(self) -> bool:
        return self._refusing

    @property
    def open_connections(self) -> int:
        return len(self._pairs)

    def cut(self) -> int:
        """Reset every established connection and refuse new ones; returns how many were cut."""
        return self._call(self._cut())

    def resume(self) -> None:
        """Forward new connections again (connections cut earlier stay dead, as after a real outage)."""
        self._call(self._set_refusing(False))

    def close(self) -> None:
        if not self._thread.is_alive():
            return
        with contextlib.suppress(Exception):
            self._call(self._shutdown(), timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        if not self._thread.is_alive():
            self._loop.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 10) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    # -- the proxy's loop ----------------------------------------------------------------------

    async def _set_refusing(self, refusing: bool) -> None:
        self._refusing = refusing

    async def _cut(self) -> int:
        self._refusing = True
        pairs, self._pairs = list(self._pairs), set()
        for client, upstream in pairs:
            _reset(client)
            _reset(upstream)
        self.cut_connections += len(pairs)
        return len(pairs)

    async def _shutdown(self) -> None:
        await self._cut()
        if self._server is not None:
            self._server.close()
        for task in list(self._pumps):
            task.cancel()
        await asyncio.gather(*self._pumps, return_exceptions=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._refusing:
            self.refused += 1
            _reset(writer)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        except OSError:
            _reset(writer)
            return
        if self._refusing:  # cut while we were connecting upstream
            _reset(writer)
            _reset(up_writer)
            return
        self.accepted += 1
        pair = (writer, up_writer)
        self._pairs.add(pair)
        pumps = [asyncio.create_task(_pump(reader, up_writer)), asyncio.create_task(_pump(up_reader, writer))]
        self._pumps.update(pumps)
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in pumps:
                task.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            self._pumps.difference_update(pumps)
            self._pairs.discard(pair)
            for side in pair:
                side.close()


async def _pump(source: asyncio.StreamReader, target: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, asyncio.IncompleteReadError):
        while data := await source.read(_CHUNK):
            target.write(data)
            await target.drain()
    with contextlib.suppress(OSError, RuntimeError):
        if target.can_write_eof():
            target.write_eof()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with SO_LINGER 0: the peer gets a TCP RST, as when a network path or server dies."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
