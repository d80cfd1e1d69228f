"""The EMR client's pool asks every idle connection "is it readable?" on every request: answered from
the connection's socket, looked up once, with the same answer httpcore itself would give."""

from __future__ import annotations

import socket
import typing

import httpcore

from adapters.fhir.tls import PinningBackend


class _CountingStream(httpcore.AsyncNetworkStream):
    def __init__(self, sock: socket.socket) -> None:
        self.sock, self.asked = sock, []

    def get_extra_info(self, info: str) -> typing.Any:
        self.asked.append(info)
        return self.sock if info == "socket" else None


class _Backend(httpcore.AsyncNetworkBackend):
    def __init__(self, stream: _CountingStream) -> None:
        self.stream = stream

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,  # noqa: ASYNC109
                          local_address: str | None = None,
                          socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        return self.stream


async def test_readability_comes_from_the_socket_looked_up_once() -> None:
    ours, theirs = socket.socketpair()
    try:
        inner = _CountingStream(ours)
        stream = await PinningBackend((), _Backend(inner)).connect_tcp("emr.example", 443)
        assert [stream.get_extra_info("is_readable") for _ in range(3)] == [False, False, False]
        theirs.close()  # the server closed the kept-alive connection: readable (EOF)
        assert stream.get_extra_info("is_readable") is True
        assert inner.asked == ["socket"]
    finally:
        ours.close()
