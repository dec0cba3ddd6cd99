"""Server-rendered pages (Jinja2, no CDN: every asset is served by the node)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from accord import __version__
from accord.attribution.attack import ATTACK_VERSION_SETTING
from accord.credentials import gate_for, optional_principal, store_of
from accord.store import count_by_type

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")

# Types shown first on the home page: what an analyst or a diplomat looks for.
HEADLINE_TYPES = (
    "intrusion-set",
    "campaign",
    "malware",
    "tool",
    "attack-pattern",
    "indicator",
    "incident",
    "report",
)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    """What the node holds, as far as the visitor may see."""
    caller = optional_principal(request)
    store = store_of(request)
    with store.read() as connection:
        counts = count_by_type(connection, gate_for(request, caller))
        attack_source = store.get_setting(connection, ATTACK_VERSION_SETTING)
    headline = [(kind, counts.get(kind, 0)) for kind in HEADLINE_TYPES]
    others = sorted((k, n) for k, n in counts.items() if k not in HEADLINE_TYPES)
    return templates.TemplateResponse(
        request,
        "home.html",
        {
            "node_name": request.app.state.settings.node_name,
            "version": __version__,
            "viewer": caller.org.name if caller else None,
            "total": sum(counts.values()),
            "headline": headline,
            "others": others,
            "attack_loaded": attack_source is not None,
            "default_marking": store.default_tlp.value.upper(),
        },
    )
