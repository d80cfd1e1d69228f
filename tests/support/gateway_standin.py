"""A local stand-in of the MioConnect REST API (Litestar), with paging and injected failures."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import Litestar, Request, Response, get

API_KEY = "test-gateway-key"


@dataclass
class GatewayState:
    messages: list[dict[str, Any]] = field(default_factory=list)
    failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)


def gateway_standin(state: GatewayState) -> Litestar:
    """Serves GET /telemetry with limit/nextToken paging behind x-api-key."""

    def page(request: Request[Any, Any, Any], items: list[dict[str, Any]]) -> Response[Any]:
        state.requests.append((request.url.path, dict(request.query_params)))
        if request.headers.get("x-api-key") != API_KEY:
            return Response({"message": "Forbidden"}, status_code=403)
        if state.failures:
            status, headers = state.failures.pop(0)
            return Response({"message": "try later"}, status_code=status, headers=headers)
        start = int(request.query_params.get("nextToken") or 0)
        limit = int(request.query_params.get("limit") or 100)
        end = start + limit
        return Response({"items": items[start:end], "nextToken": str(end) if end < len(items) else None})

    @get("/telemetry", sync_to_thread=False)
    def telemetry(request: Request[Any, Any, Any]) -> Response[Any]:
        return page(request, state.messages)

    return Litestar(route_handlers=[telemetry])
