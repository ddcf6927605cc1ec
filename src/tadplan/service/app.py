"""The FastAPI application: ``create_app(settings)``.

Open without login: ``/health``, ``/login`` and ``POST /api/auth/token``; everything else,
the OpenAPI document (``/openapi.json``, ``/docs``) included, needs a session or a bearer
token (:mod:`tadplan.service.auth`). Errors are JSON
``{"detail", "problems": [{"field", "message"}]}``: an invalid case or malformed input 422
with every problem named as the CLI names it, an unknown (or another clinic's) id 404, an
over-size body 413; an unexpected error is 500 without details."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse

from tadplan import __version__
from tadplan.errors import InputError
from tadplan.service import api, auth, web
from tadplan.service.db import Database
from tadplan.service.schemas import Health
from tadplan.service.settings import Settings
from tadplan.service.store import NotFound

log = logging.getLogger("tadplan.service")


def _case_schemas() -> dict[str, Any]:
    """The case's JSON Schema as OpenAPI components (``Case`` and its parts)."""
    from tadplan.case import Case

    schema = Case.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = schema.pop("$defs", {})
    return {**defs, "Case": schema}


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service on ``settings`` (default: :meth:`Settings.from_env`); the database is
    migrated to the newest revision at start unless ``settings.migrate`` is false."""
    settings = settings or Settings.from_env()
    db = Database(settings)
    if settings.migrate:
        db.upgrade()

    from tadplan.service.jobs import make_runner

    runner = make_runner(db)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runner.start()
        try:
            yield
        finally:
            runner.shutdown()
            db.dispose()

    app = FastAPI(
        title="tadplan clinic service",
        version=__version__,
        description="Cases, plan versions, reports and uploads of one clinic's patients. "
        "Decision support for a clinician, not a medical device.",
        lifespan=lifespan,
        openapi_url=None,  # served below, to logged-in users only
        docs_url=None,
        redoc_url=None,
    )
    app.state.db = db
    app.state.settings = settings
    app.state.jobs = runner

    _limit_bodies(app, settings)
    _answer_errors(app)

    @app.get("/health", response_model=Health, tags=["service"])
    def health() -> Health:
        """Open without login: the service is up."""
        return Health(status="ok", version=__version__)

    web.install(app)  # the clinic web app's pages and /static (before /login of auth)
    app.include_router(auth.router)
    app.include_router(api.router)

    _serve_openapi(app)
    return app


def _limit_bodies(app: FastAPI, settings: Settings) -> None:
    """Refuse an over-size body from its Content-Length before reading it."""
    upload_limit = max(settings.max_mesh_bytes, settings.max_cbct_bytes) + 1024 * 1024
    body_limit = max(settings.max_case_bytes, 1_000_000) + 64 * 1024

    @app.middleware("http")
    async def limit_body(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """A body larger than the route's limit is refused from its Content-Length (413)
        before it is read; an upload must say its length (411)."""
        if request.method in ("POST", "PUT", "PATCH"):
            is_upload = request.url.path.endswith("/uploads")
            length = request.headers.get("content-length")
            limit = upload_limit if is_upload else body_limit
            if length is None:
                if is_upload and "chunked" in request.headers.get("transfer-encoding", ""):
                    return JSONResponse({"detail": "give the upload's Content-Length"}, 411)
            elif not length.isdigit():
                return JSONResponse({"detail": "bad Content-Length"}, 400)
            elif int(length) > limit:
                return JSONResponse({"detail": f"larger than {limit} bytes"}, 413)
        return await call_next(request)


def _answer_errors(app: FastAPI) -> None:
    """Bad input is a 422 naming the field, an unknown or other clinic's id a 404."""

    @app.exception_handler(InputError)
    async def _input_error(request: Request, exc: InputError) -> JSONResponse:
        return JSONResponse(api.input_error_body(exc), 422)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "problems": []}, 404)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = api.problem_list(exc.errors())
        return JSONResponse(
            {
                "detail": "invalid request",
                "problems": [{"field": p.field, "message": p.message} for p in problems],
            },
            422,
        )


def _serve_openapi(app: FastAPI) -> None:
    """The OpenAPI document (with the case's schema and the two ways to log in) and its
    browsable page, to logged-in users only."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            doc.setdefault("components", {}).setdefault("schemas", {}).update(_case_schemas())
            doc["components"]["securitySchemes"] = {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": auth.SESSION_COOKIE},
            }
            doc["security"] = [{"bearer": []}, {"session": []}]
            for path in ("/health", "/api/auth/token"):
                for op in doc["paths"].get(path, {}).values():
                    op["security"] = []
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_document(who: auth.Viewer) -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    def api_docs(who: auth.Viewer) -> HTMLResponse:
        return get_swagger_ui_html(  # Swagger UI vendored with the web app: nothing from a CDN
            openapi_url="/openapi.json",
            title=f"{app.title}: API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="data:,",
        )


def app_from_env() -> FastAPI:
    """The factory ``tadplan serve`` gives uvicorn (settings from ``TADPLAN_*``)."""
    return create_app(Settings.from_env())
