"""`/api/v1/emr/connections/`: each practice's EMR connection, kept by administrators (never a secret out)."""

from __future__ import annotations

from dishka import FromDishka
from litestar import Response, get, post, put
from litestar.datastructures import ResponseHeader
from litestar.params import FromPath, JSONBody

from application.context import Actor
from application.emr_connection_queries import EmrConnectionQueries
from application.emr_connections import (
    AddEmrConnection,
    AddEmrConnectionCommand,
    ChangeEmrConnection,
    ChangeEmrConnectionCommand,
    EmrConnectionFields,
)
from domain.emr_connections import EmrVendor
from domain.errors import AlreadyExists, InvalidInput
from domain.users import Role
from entrypoints.http import dto
from entrypoints.http.mapping import emr_connection_out
from entrypoints.http.paging import Page, PageSize
from entrypoints.http.problems import already_exists_at, invalid_field
from entrypoints.http.routes import ApiController
from entrypoints.http.security import requires_role

COLLECTION = "/api/v1/emr/connections"
ADMINS = [requires_role(Role.ADMIN)]  # on each route: Litestar's own OPTIONS answer has no user to check
CONFLICT = ("One connection per practice: a second answers 409 with the first's `id` and its URL in "
            "`Location` (for the `default` practice while the ECW_* settings make its connection: `settings`).")


class EmrConnectionController(ApiController):
    """Administrators add, change and read each practice's EMR connection."""

    exception_handlers = {AlreadyExists: already_exists_at(COLLECTION), InvalidInput: invalid_field}
    tags = ["emr"]

    @post(COLLECTION, operation_id="addEmrConnection", guards=ADMINS, summary="Connect a practice to its EMR (admins)",
          description=CONFLICT + " A `client_secret` goes to the key store and is never answered.",
          response_headers=[ResponseHeader(name="Location", description="The new connection's URL",
                                                  documentation_only=True)])
    async def add(
        self, actor: FromDishka[Actor], data: JSONBody[dto.EmrConnectionRequest], add: FromDishka[AddEmrConnection],
    ) -> Response[dto.EmrConnectionOut]:
        connection = await add(AddEmrConnectionCommand(actor, _fields(data), data.client_secret))
        return Response(emr_connection_out(connection), status_code=201,
                        headers={"Location": f"{COLLECTION}/{connection.id}"})

    @get(COLLECTION, operation_id="listEmrConnections", guards=ADMINS,
         summary="Every practice's EMR connection (admins)",
         description="Stored connections (`source: stored`) and the `default` practice's made of the ECW_* "
                     "settings (`source: settings`, id `settings`), by practice.")
    async def list_connections(
        self, actor: FromDishka[Actor], queries: FromDishka[EmrConnectionQueries], page: int = Page,
        page_size: int = PageSize,
    ) -> dto.EmrConnectionsPage:
        connections = await queries.list(actor)
        start = (page - 1) * page_size
        return dto.Page(page, page_size, len(connections),
                        [emr_connection_out(c) for c in connections[start:start + page_size]])

    @get(COLLECTION + "/{connection_id:str}", operation_id="getEmrConnection", guards=ADMINS,
         summary="One EMR connection (admins)")
    async def get_connection(
        self, actor: FromDishka[Actor], connection_id: FromPath[str], queries: FromDishka[EmrConnectionQueries],
    ) -> dto.EmrConnectionOut:
        return emr_connection_out(await queries.get(actor, connection_id))

    @put(COLLECTION + "/{connection_id:str}", operation_id="changeEmrConnection", guards=ADMINS,
         summary="Replace an EMR connection's settings (admins); its version grows",
         description="The body replaces every field; `client_secret`, when given, replaces the stored one. "
                     "The connection made of the ECW_* settings answers 409: change those settings instead.")
    async def change(
        self, actor: FromDishka[Actor], connection_id: FromPath[str], data: JSONBody[dto.EmrConnectionRequest],
        change: FromDishka[ChangeEmrConnection],
    ) -> dto.EmrConnectionOut:
        connection = await change(ChangeEmrConnectionCommand(actor, connection_id, _fields(data), data.client_secret))
        return emr_connection_out(connection)


def _fields(data: dto.EmrConnectionRequest) -> EmrConnectionFields:
    return EmrConnectionFields(
        practice_id=data.practice_id, vendor=EmrVendor(data.vendor), fhir_base_url=data.fhir_base_url,
        client_id=data.client_id, token_url=data.token_url, scopes=data.scopes, practice_code=data.practice_code,
        rate_limit_per_minute=data.rate_limit_per_minute, max_in_flight=data.max_in_flight,
        tls_pins=tuple(data.tls_pins), ca_bundle_pem=data.ca_bundle_pem, active=data.active,
    )
