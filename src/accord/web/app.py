"""The app factory: no global app; each app owns its store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from accord import __version__
from accord.config import Settings
from accord.node import open_node_store
from accord.store import Store
from accord.taxii import server as taxii_server
from accord.web import api, hotline_api
from accord.web.errors import install_error_handlers
from accord.web.ui import ROUTERS

STATIC = Path(__file__).parent / "static"


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
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = node_store
    install_error_handlers(app)
    app.include_router(api.router)
    app.include_router(hotline_api.router)
    app.include_router(taxii_server.router)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
