"""What every page shares: the templates, the navigation, and who is signed in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from accord import __version__
from accord.credentials import optional_principal, store_of
from accord.diplomacy.pages import web_link
from accord.errors import NotAuthenticated
from accord.store.identity import Principal, list_organisations

templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")

#: (path, label): the sections of the UI, in the order of the navigation bar
NAVIGATION = (
    ("/", "Situation room"),
    ("/incidents", "Incidents"),
    ("/attribution", "Attribution"),
    ("/intel", "Intel"),
    ("/correlation", "Correlation"),
    ("/norms", "Norms & law"),
    ("/hotline", "Hotline"),
    ("/directory", "Directory"),
    ("/pings", "Ping tests"),
    ("/analytics", "Analytics"),
)

#: FIRST's TLP 2.0 colours (text on black), by the level as the store names it
TLP_CLASSES = {
    "red": "red",
    "amber+strict": "amber",
    "amber": "amber",
    "green": "green",
    "clear": "clear",
}


def when(stamp: object) -> str:
    """A STIX timestamp as people read it: 2026-11-24 06:30 UTC."""
    text = str(stamp or "")
    return f"{text[:10]} {text[11:16]} UTC" if len(text) >= 16 else text


@pass_context
def org_name(context: Any, identifier: object) -> str:
    """An organisation's name where the node knows it, else its id."""
    names: dict[str, str] = context.get("organisations", {})
    return names.get(str(identifier), str(identifier))


templates.env.filters.update(web_link=web_link, when=when, org_name=org_name)
templates.env.globals["TLP_CLASSES"] = TLP_CLASSES


def signed_in(request: Request) -> Principal:
    """The signed-in caller; a visitor is sent to the sign-in page (by the error handler)."""
    caller = optional_principal(request)
    if caller is None:
        raise NotAuthenticated("sign in to see this page")
    return caller


def page(
    request: Request, template: str, caller: Principal | None, status: int = 200, **context: Any
) -> HTMLResponse:
    """``template`` rendered in the common layout."""
    section = next(
        (path for path, _ in reversed(NAVIGATION) if request.url.path.startswith(path)), "/"
    )
    with store_of(request).read() as connection:
        organisations = {o.id: o.name for o in list_organisations(connection)}
    return templates.TemplateResponse(
        request,
        template,
        {
            "node_name": request.app.state.settings.node_name,
            "version": __version__,
            "caller": caller,
            "navigation": NAVIGATION,
            "section": section,
            "organisations": organisations,
            **context,
        },
        status_code=status,
    )
