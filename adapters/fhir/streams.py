"""httpcore's network streams on asyncio's own streams, for the EMR client's connections.

httpcore's AnyIO backend wraps every read and write of a request in a cancel scope with checkpoints, and
runs TLS in Python over memory BIOs; together about a tenth of a push's instructions. Here a read or a write
is the event loop's stream call under `asyncio.timeout`, and TLS is the event loop's own SSL protocol.
Connecting stays AnyIO's (Happy Eyeballs across a host's addresses, its errors); the connected socket is
then handed over to asyncio. Errors are httpcore's, as its AnyIO backend maps them.
"""

# httpcore's network-backend interface takes `timeout` parameters (ASYNC109 does not apply)
# ruff: noqa: ASYNC109
from __future__ import annotations

import asyncio
import ssl
import typing

import httpcore

SocketOptions = typing.Iterable[httpcore.SOCKET_OPTION] | None


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One connection as asyncio's reader and writer."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader, self._writer = reader, writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)  # b"" once the server closed the connection
        except TimeoutError as error:
            raise httpcore.ReadTimeout(error) from error
        except OSError as error:
            raise httpcore.ReadError(error) from error

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            self._writer.write(buffer)
            async with asyncio.timeout(timeout):
                await self._writer.drain()
        except TimeoutError as error:
            raise httpcore.WriteTimeout(error) from error
        except (OSError, RuntimeError) as error:  # RuntimeError: the transport was closed
            raise httpcore.WriteError(error) from error

    async def aclose(self) -> None:
        self._writer.transport.abort()  # as AnyIO's stream: no TLS close_notify, no waiting on the peer

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except Exception as error:  # noqa: BLE001 - closed whatever failed, as httpcore's AnyIO stream is
            failure = error
        else:
            return self
        await self.aclose()
        cause = _tls_cause(failure)
        if not isinstance(cause, OSError):  # TimeoutError and ssl.SSLError included
            raise failure
        mapped = (httpcore.ConnectTimeout if isinstance(cause, TimeoutError) else httpcore.ConnectError)(cause)
        # httpcore's pool raises it again `from None`: the caller finds the SSL error through the context
        mapped.__context__ = cause
        raise mapped from cause

    def get_extra_info(self, info: str) -> typing.Any:
        name = _EXTRA_INFO.get(info)
        return self._writer.get_extra_info(name) if name else None


def _tls_cause(error: Exception) -> Exception:
    """What failed a TLS start, as `ssl` reports it: the event loop's SSL protocol reports a server that hung
    up mid-handshake (no protocol version we accept, say) as a bare ConnectionResetError; `ssl`, and so
    AnyIO, as an SSL EOF. A reset by the peer (it has an errno) stays what it is."""
    if isinstance(error, ConnectionResetError) and error.errno is None:
        return ssl.SSLEOFError("EOF occurred in violation of protocol during the TLS handshake")
    return error


# httpcore's names for what asyncio's transports tell; "is_readable" is answered by `tls._PinnedStream`
_EXTRA_INFO = {"ssl_object": "ssl_object", "client_addr": "sockname", "server_addr": "peername", "socket": "socket"}


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Connects through httpcore's AnyIO backend, then reads and writes through asyncio's streams."""

    def __init__(self) -> None:
        self._connector = httpcore.AnyIOBackend()

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
        socket_options: SocketOptions = None,
    ) -> httpcore.AsyncNetworkStream:
        return await _handed_over(await self._connector.connect_tcp(host, port, timeout, local_address,
                                                                    socket_options))

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: SocketOptions = None,
    ) -> httpcore.AsyncNetworkStream:
        connected = await self._connector.connect_unix_socket(path, timeout, socket_options)
        return await _handed_over(connected, unix=True)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def _handed_over(connected: httpcore.AsyncNetworkStream, *, unix: bool = False) -> AsyncioStream:
    """The connection `connected` made, as an asyncio stream: its socket duplicated, AnyIO's copy closed."""
    try:
        socket = connected.get_extra_info("socket").dup()
    finally:
        await connected.aclose()
    try:
        opened = asyncio.open_unix_connection if unix else asyncio.open_connection
        reader, writer = await opened(sock=socket)
    except BaseException as error:
        socket.close()
        if isinstance(error, OSError):
            raise httpcore.ConnectError(error) from error
        raise
    return AsyncioStream(reader, writer)
