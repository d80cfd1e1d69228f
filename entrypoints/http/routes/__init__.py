"""Route handlers, one Litestar Controller per area of the provider app."""

from __future__ import annotations

from dishka.integrations.litestar import inject
from litestar import Controller
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler


class ApiController(Controller):
    """A Controller whose handlers get their `FromDishka[...]` parameters from the request's container.

    Injection is applied to the copies Litestar makes per application, never to the class itself,
    so building several applications (tests do) does not wrap a handler twice.
    """

    def get_route_handlers(self) -> list[BaseRouteHandler]:
        handlers = super().get_route_handlers()
        for handler in handlers:
            if isinstance(handler, HTTPRouteHandler):
                handler._fn = inject(handler._fn)
        return handlers
