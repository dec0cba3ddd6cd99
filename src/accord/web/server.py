"""Running the node: the web app under uvicorn, and the federation scheduler beside it."""

from __future__ import annotations

import uvicorn

from accord.config import Settings
from accord.node import open_node_store
from accord.taxii.scheduler import SyncScheduler
from accord.web.app import create_app


def serve(settings: Settings) -> None:
    """Serve the node on settings.host:settings.port until interrupted."""
    # One store for the app and the scheduler, opened (and migrated) once, up front.
    store = open_node_store(settings)
    scheduler = SyncScheduler(settings, store) if settings.sync_interval > 0 else None
    try:
        if scheduler is not None:
            scheduler.start()
        app = create_app(settings, store)
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
    finally:
        if scheduler is not None:
            scheduler.stop()
        store.close()
