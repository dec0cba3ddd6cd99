"""Running the node: the web app under uvicorn, and the federation scheduler beside it."""

from __future__ import annotations

import uvicorn

from accord.config import Settings
from accord.taxii.scheduler import SyncScheduler
from accord.web.app import create_app


def serve(settings: Settings) -> None:
    """Serve the node on settings.host:settings.port until interrupted."""
    scheduler = SyncScheduler(settings) if settings.sync_interval > 0 else None
    if scheduler is not None:
        scheduler.start()
    try:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
    finally:
        if scheduler is not None:
            scheduler.stop()
