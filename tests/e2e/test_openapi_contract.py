"""The OpenAPI document names every operation once, in a stable camelCase id a client generator can use."""

from __future__ import annotations

import re
from collections import Counter

from litestar import Litestar

HTTP_METHODS = {"get", "put", "post", "delete", "patch"}
CAMEL_CASE = re.compile(r"^[a-z][a-zA-Z]+$")


def _operations(app: Litestar) -> list[tuple[str, str, dict[str, object]]]:
    paths = app.openapi_schema.to_schema()["paths"]
    return [(method, path, operation) for path, item in paths.items() for method, operation in item.items()
            if method in HTTP_METHODS]


def test_every_operation_has_a_unique_declared_operation_id(app: Litestar) -> None:
    operations = _operations(app)
    ids = [str(operation.get("operationId", "")) for _, _, operation in operations]
    assert len(operations) >= 36  # every operation of the API (none may go missing)
    undeclared = [(method, path, op_id) for (method, path, _), op_id in zip(operations, ids, strict=True)
                  if not CAMEL_CASE.fullmatch(op_id)]
    assert undeclared == []  # Litestar's generated ids ("ApiV1Patients…") change with the path
    assert [op_id for op_id, count in Counter(ids).items() if count > 1] == []


def test_every_route_handler_declares_its_operation_id(app: Litestar) -> None:
    handlers = [handler for route in app.routes if not route.path.startswith("/schema")
                for handler in route.route_handlers  # type: ignore[attr-defined]
                if handler.http_methods != {"OPTIONS"}]  # Litestar's own CORS preflight answer
    assert handlers
    assert [handler.handler_name for handler in handlers if not isinstance(handler.operation_id, str)] == []
