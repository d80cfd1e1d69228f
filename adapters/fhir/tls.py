"""TLS for EMR connections: TLS 1.2+, an optional extra CA bundle, and leaf-certificate SPKI pinning.

Pins are checked right after the handshake and before any request byte is written, by a network
backend that wraps httpcore's own (httpx 0.28 has no public option for it, hence `PinnedTransport`).
"""

# httpcore's network-backend interface takes `timeout` parameters (ASYNC109 does not apply)
# ruff: noqa: ASYNC109
from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import ssl
import typing
from collections.abc import Collection, Iterable

import certifi
import httpcore
import httpx
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from httpcore._utils import is_socket_readable  # the pool's own readability check (no public name)

from adapters.fhir.pool import KeptAlivePool

# idle connections are dropped before the 5 s idle timeout common servers have (uvicorn, for one), so a
# request seldom meets a connection the server is closing
KEEPALIVE_SECONDS = 4.0


class PinMismatch(ConnectionError):
    """The server's certificate matches none of the configured pins (names the host only)."""

    def __init__(self, host: str) -> None:
        super().__init__(f"the TLS certificate of {host} matches none of the configured pins: connection refused")
        self.host = host


def tls_context(ca_bundle: str | None = None, ca_pem: str | None = None) -> ssl.SSLContext:
    """Verified TLS 1.2+: the system and certifi trust stores, plus `ca_bundle` (a PEM file) and `ca_pem`
    (PEM text, as an EMR connection stores it) if given."""
    context = ssl.create_default_context()
    context.load_verify_locations(cafile=certifi.where())
    if ca_bundle:
        context.load_verify_locations(cafile=ca_bundle)
    if ca_pem:
        context.load_verify_locations(cadata=ca_pem)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def spki_pin(der_certificate: bytes) -> str:
    """base64(SHA-256(SubjectPublicKeyInfo)) of a DER certificate (the HPKP pin format)."""
    public_key = x509.load_der_x509_certificate(der_certificate).public_key()
    spki = public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


def parse_pins(values: Iterable[str]) -> frozenset[str]:
    """Validated pins: each must be base64 of a 32-byte SHA-256 digest."""
    pins = frozenset(value.strip() for value in values if value.strip())
    for pin in pins:
        try:
            digest = base64.b64decode(pin, validate=True)
        except binascii.Error:
            digest = b""
        if len(digest) != hashlib.sha256().digest_size:
            raise ValueError("a TLS pin is not base64 of a SHA-256 digest")
    return pins


class _PinnedStream(httpcore.AsyncNetworkStream):
    """httpcore's stream, pin-checked at TLS start, answering "is_readable" from its socket directly:
    the pool asks it of every idle connection on every request, and the AnyIO stream rebuilds its
    attribute table for each answer (a quarter of a push's CPU with 50 connections).

    Writes are held until the next read, so a request's head and body leave in one send (one system
    call, one TLS record) instead of one each: HTTP/1.1 always writes a whole request before reading."""

    def __init__(self, inner: httpcore.AsyncNetworkStream, host: str, pins: frozenset[str]) -> None:
        self._inner, self._host, self._pins = inner, host, pins
        self._socket: typing.Any = None
        self._pending: list[bytes] = []
        self._write_timeout: float | None = None

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if self._pending:
            await self._flush()
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if buffer:
            self._pending.append(buffer)
            self._write_timeout = timeout

    async def _flush(self) -> None:
        data, self._pending = b"".join(self._pending), []
        with contextlib.suppress(httpcore.WriteError):  # as httpcore does: the read tells what the server did
            await self._inner.write(data, self._write_timeout)

    async def aclose(self) -> None:
        self._pending = []
        await self._inner.aclose()

    def get_extra_info(self, info: str) -> typing.Any:
        if info != "is_readable":
            return self._inner.get_extra_info(info)
        if self._socket is None:
            self._socket = self._inner.get_extra_info("socket")
        return is_socket_readable(self._socket)

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        if self._pending:
            await self._flush()
        stream = await self._inner.start_tls(ssl_context, server_hostname, timeout)
        if self._pins:
            ssl_object = stream.get_extra_info("ssl_object")
            der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
            if not der or spki_pin(der) not in self._pins:
                await stream.aclose()
                raise PinMismatch(server_hostname or self._host)
        return _PinnedStream(stream, server_hostname or self._host, self._pins)


class PinningBackend(httpcore.AsyncNetworkBackend):
    """httpcore's AnyIO backend whose TLS streams must present a pinned leaf public key (any, without pins)."""

    def __init__(self, pins: Collection[str], inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._pins = frozenset(pins)
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _PinnedStream(stream, host, self._pins)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._inner.connect_unix_socket(path, timeout, socket_options)
        return _PinnedStream(stream, path, self._pins)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (its error mapping included) over a pool with the pinning backend."""

    def __init__(self, context: ssl.SSLContext, pins: Collection[str], max_connections: int = 20) -> None:
        # every connection may stay kept alive: a pool that keeps fewer than the calls in flight closes and
        # reopens connections on every round of them (idle ones still go after KEEPALIVE_SECONDS)
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections,
                              keepalive_expiry=KEEPALIVE_SECONDS)
        super().__init__(verify=context, limits=limits)
        self._pool = KeptAlivePool(
            ssl_context=context, max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry, network_backend=PinningBackend(pins),
        )
