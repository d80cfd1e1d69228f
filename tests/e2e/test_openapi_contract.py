"""The OpenAPI document names every operation once, in a stable camelCase id a client generator can use."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from litestar import Litestar

HTTP_METHODS = {"get", "put", "post", "delete", "patch"}
CAMEL_CASE = re.compile(r"^[a-z][a-zA-Z]+$")
PAGE_FIELDS = ("page", "page_size", "total", "items")
SEED_PAGES = {("get", "/api/v1/ecw/patients")}  # the eCW tutorial's browse keeps its own shape


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


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def test_every_answer_with_a_body_has_a_typed_schema(app: Litestar) -> None:
    document = app.openapi_schema.to_schema()
    untyped = []
    for method, path, operation in _operations(app):
        for status, response in operation["responses"].items():  # type: ignore[attr-defined]
            for media_type, content in (response.get("content") or {}).items():
                schema = _resolve(document, content.get("schema", {}))
                if schema.get("type") == "array":
                    schema = _resolve(document, schema.get("items", {}))
                if not (schema.get("properties") or schema.get("oneOf") or schema.get("anyOf")):
                    untyped.append((method, path, status, media_type))
    assert untyped == []


def test_every_paged_list_has_the_one_page_shape(app: Litestar) -> None:
    document = app.openapi_schema.to_schema()
    shapes = {}
    for method, path, operation in _operations(app):
        content = operation["responses"].get("200", {}).get("content", {})  # type: ignore[attr-defined]
        schema = _resolve(document, content.get("application/json", {}).get("schema", {}))
        if "page" in schema.get("properties", {}):
            shapes[(method, path)] = sorted(schema["properties"])
    assert len(shapes) >= 5
    assert {key: shape for key, shape in shapes.items() if key not in SEED_PAGES} == {
        key: sorted(PAGE_FIELDS) for key in shapes if key not in SEED_PAGES
    }


def test_schema_components_have_plain_names(app: Litestar) -> None:
    names = app.openapi_schema.to_schema()["components"]["schemas"]
    assert [name for name in names if not re.fullmatch(r"[A-Z][A-Za-z]+", name)] == []  # no module paths
