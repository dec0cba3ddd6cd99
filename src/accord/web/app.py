"""The app factory: no global app; each app owns its store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import swagger_ui
from fastapi import FastAPI, Request
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from accord import __version__
from accord.config import Settings
from accord.node import open_node_store
from accord.store import Store
from accord.taxii import server as taxii_server
from accord.throttle import SignInThrottle
from accord.web import api, hotline_api
from accord.web.errors import install_error_handlers
from accord.web.ui import ROUTERS

STATIC = Path(__file__).parent / "static"
#: Swagger UI 5 (it reads OpenAPI 3.1) as the swagger-ui-py package ships it
SWAGGER = Path(swagger_ui.__file__).parent / "static"
#: only the node's own scripts, styles, images and forms; inline <style> is allowed
#: because the charts and the map are SVG with their own style elements
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """A FastAPI app serving ``store`` (opened from ``settings`` when not given)."""
    node_store = store or open_node_store(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if store is None:  # we opened it, we close it
            node_store.close()

    app = FastAPI(
        title="Accord node API",
        version=__version__,
        summary="STIX 2.1 objects shared under TLP 2.0, read through the access gate.",
        docs_url=None,  # served below from the node's own copy of Swagger UI (no CDN)
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = node_store
    app.state.throttle = SignInThrottle()
    install_error_handlers(app)
    app.include_router(api.router)
    app.include_router(hotline_api.router)
    app.include_router(taxii_server.router)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static/swagger", StaticFiles(directory=SWAGGER), name="swagger")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="Accord node API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    @app.middleware("http")
    async def page_headers(request: Request, call_next: Any) -> Response:
        declared = request.headers.get("content-length", "")
        limit = settings.taxii_max_content_length
        if (
            declared.isdigit()
            and int(declared) > limit
            and not request.url.path.startswith(
                "/taxii2"  # which answers in TAXII's own error format
            )
        ):  # refused before a byte of it is read (a form's file would be spooled first)
            return JSONResponse(
                {"error": "payload-too-large", "message": f"over {limit} bytes"}, status_code=413
            )
        answer: Response = await call_next(request)
        if not request.url.path.startswith(("/static", "/api/docs", "/taxii2")):
            # Pages and API answers may hold TLP:RED: no caching, no framing, and only
            # the node's own scripts (objects from peers are text, never code).
            answer.headers.setdefault("Content-Security-Policy", CSP)
            answer.headers.setdefault("Cache-Control", "no-store")
            answer.headers.setdefault("X-Frame-Options", "DENY")
            answer.headers.setdefault("X-Content-Type-Options", "nosniff")
        return answer

    # Pages, API answers and TAXII envelopes are text that compresses well (the analytics
    # page's map is most of a megabyte, a few hundred KB gzipped); clients say if they take it.
    # No BREACH-style guessing: the session cookie is SameSite=Strict, so another site
    # cannot make a signed-in browser fetch a page that echoes its input beside secrets.
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    return app
