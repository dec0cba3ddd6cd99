"""Running the web app under uvicorn."""

from __future__ import annotations

import uvicorn

from accord.config import Settings
from accord.web.app import create_app


def serve(settings: Settings) -> None:
    """Serve the node on settings.host:settings.port until interrupted."""
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
