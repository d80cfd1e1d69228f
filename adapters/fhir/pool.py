"""httpcore's connection pool with bookkeeping that stays cheap as connections grow.

On every request and every response httpcore 1.0's pool (a) asks each idle connection's socket whether
the server closed it (a system call each) and (b) counts all connections once per idle connection, so
its work grows with the square of the connections: with 8 in flight it was a quarter of a push's CPU,
and 32 in flight were far worse. This pool makes the same decisions, but asks a socket only of the
connection it is about to reuse, and counts once. A connection the server closed while idle is still
never reused: it is found out when its turn comes; idle connections past their keep-alive are looked
for once a second, so none is kept open for long unused.
"""

from __future__ import annotations

import time

import httpcore
from httpcore._async.interfaces import AsyncConnectionInterface  # the pool's own element type

SWEEP_SECONDS = 1.0  # how often idle connections past their keep-alive are looked for and closed


class KeptAlivePool(httpcore.AsyncConnectionPool):
    """An httpcore AsyncConnectionPool (HTTP/1.1) whose assignment of requests is linear in its connections."""

    _next_sweep = float("-inf")

    def _assign_requests_to_connections(self) -> list[AsyncConnectionInterface]:
        closing: list[AsyncConnectionInterface] = []
        sweep = time.monotonic() >= self._next_sweep
        if sweep:
            self._next_sweep = time.monotonic() + SWEEP_SECONDS
        for connection in list(self._connections):
            if connection.is_closed():
                self._connections.remove(connection)
            elif connection.is_idle() and (len(self._connections) > self._max_keepalive_connections
                                           or (sweep and connection.has_expired())):
                self._connections.remove(connection)
                closing.append(connection)
        # a connection handed to a request stays idle until that request starts on it: not a second time
        taken = {id(request.connection) for request in self._requests if request.connection is not None}
        for pool_request in [request for request in self._requests if request.is_queued()]:
            origin = pool_request.request.url.origin
            reused = self._reusable(origin, closing, taken)
            if reused is not None:
                pool_request.assign_to_connection(reused)
                taken.add(id(reused))
                continue
            if len(self._connections) >= self._max_connections:
                idle = next((c for c in self._connections if c.is_idle()), None)
                if idle is None:
                    continue  # the request waits for a connection to come free
                self._connections.remove(idle)
                closing.append(idle)
            created = self.create_connection(origin)
            self._connections.append(created)
            pool_request.assign_to_connection(created)
            taken.add(id(created))
        return closing

    def _reusable(self, origin: httpcore.Origin, closing: list[AsyncConnectionInterface],
                  taken: set[int]) -> AsyncConnectionInterface | None:
        """The first free connection to `origin` that is still good; expired ones met on the way are closed."""
        for connection in list(self._connections):
            if id(connection) in taken or not (connection.can_handle_request(origin) and connection.is_available()):
                continue
            if connection.has_expired():  # its keep-alive ran out, or the server closed it while idle
                self._connections.remove(connection)
                closing.append(connection)
                continue
            return connection
        return None
