"""The clinic console: server-rendered pages under /console/ in the API's own Litestar app (DESIGN §10).

How to add a page (18-B, 18-C: follow this, keep your files to your own modules):

1. A controller in `entrypoints/console/pages/<area>.py` subclassing `ConsoleController` (dishka injection
   like the API's handlers; kept out of the OpenAPI document). Every route gets an `operation_id`
   ("console…"). Call the use cases directly with `FromDishka[Actor]` — the Actor comes from the
   session cookie, so roles and practice scoping are the API's. Admin pages: `guards=[requires_role(
   Role.ADMIN)]` (entrypoints.http.security); a refusal renders the 403 page. Then add the class to
   `PAGES` in `entrypoints/console/app.py` (one line; the session middleware and HTML error pages apply).

       class DevicePages(ConsoleController):
           @get("/console/devices", operation_id="consoleDevices")
           async def devices(self, request: AnyRequest, actor: FromDishka[Actor],
                             queries: FromDishka[DeviceQueries]) -> Template:
               found, total = await queries.list(PageQuery(actor, 1, 50))
               return page(request, "console/devices.html", "Devices", devices=found, total=total)

   `page(request, template, title, **context)` renders inside the layout (nav, "Sign out", flash message);
   the title must hold no PHI ("Patient", never a name). `fragment(template, **context)` is a piece for
   htmx to swap in (no layout). A domain `NotFound` raised by a use case renders the one 404 page ("not
   found" and "not yours" look the same). Paths carry our ids only.

2. A form: POST, with `{{ csrf_field() }}` inside it (Litestar's CSRFConfig, /console only; without the
   token: 403 and nothing changes). Read it as
   `data: Annotated[MyForm, Body(media_type=RequestEncodingType.URL_ENCODED)]` (a msgspec Struct with
   defaults). On success `return done("/console/devices/" + device_id, "Device registered.")` (303 and a
   one-time message; no PHI in it); on a refused input re-render with `page(..., status_code=422,
   error=str(error))`. htmx requests carry the token as a header (set on <body> in base.html).

3. A template in `entrypoints/console/templates/console/<area>.html`:

       {% extends "console/base.html" %}
       {% block content %}<h1>Devices</h1> … {% endblock %}

   Real `<label for>`s, real `<button>` texts (the issue's wording is the contract), no inline `<script>`
   or `style=""` (CSP: script-src/style-src 'self'); styles go to static/console.css.

4. A browser test in `tests/browser/test_<area>.py` (Playwright's sync API; fixtures in
   tests/browser/conftest.py): `console` (a live server on the World's fakes: `.url`, `.world`, `.api(...)`
   and `.api_session(role)` to arrange data through the HTTP API), `page` (desktop; a broken CSP fails the
   test), `phone` (390x844), `axe_page` (CSP bypassed, for `axe_violations(page)`), and
   `signed_in(page, role=Role.ADMIN, practice="north")` (a new user signed in through the form). Append
   your pages to `PAGES_TO_CHECK` in tests/browser/test_accessibility.py (axe-core: no serious or critical
   violations). A failing browser test leaves screenshots under test-output/browser/. Cheaper checks
   (CSRF, 404s, scoping) go through the test client: tests/support/console.py (`console_sign_in`,
   `post_form`), as in tests/e2e/test_console_session.py.
"""
