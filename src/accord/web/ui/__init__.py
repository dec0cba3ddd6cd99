"""The web UI: server-rendered pages, one module per section, every asset served by the
node itself. Pages read through the same functions as the CLI and the API, so the
access gate holds here as everywhere."""

from __future__ import annotations

from fastapi import APIRouter

from accord.web.ui import (
    analytics,
    attribution,
    correlation,
    hotline,
    incidents,
    intel,
    norms,
    signin,
    situation,
)

ROUTERS: list[APIRouter] = [
    signin.router,
    situation.router,
    hotline.router,
    incidents.router,
    norms.router,
    analytics.router,
    attribution.router,
    intel.router,
    correlation.router,
]
