"""The attribution workbench: pick what was seen, read the ranked hypotheses.

The page works without JavaScript: the form posts here and the assessment is drawn on
the server. With ``workbench.js`` the chosen techniques and software become removable
chips and every change is assessed at once through ``POST /api/attribute``. Both ways run
``accord.web.analysis.attribute_evidence``, the function behind the API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from accord.attribution.attack import external_id
from accord.attribution.evidence import RELIABILITY, TECHNIQUE_ID, parse_evidence
from accord.credentials import store_of
from accord.diplomacy.registry import incidents
from accord.errors import InputError
from accord.store import ObjectQuery, Store, visible
from accord.store.identity import Organisation, Principal
from accord.web.analysis import attribute_evidence
from accord.web.ui.base import page, signed_in

router = APIRouter(include_in_schema=False)

#: hypotheses the workbench shows
TOP = 5
#: what a "Download Navigator layer" file is called
LAYER_FILE = "accord-layer.json"
_LIST = re.compile(r"[,\n]")


@dataclass
class Catalogue:
    """The ATT&CK techniques and software the organisation may see, to pick from."""

    techniques: list[tuple[str, str]] = field(default_factory=list)  # (T-id, name)
    software: list[tuple[str, str]] = field(default_factory=list)  # (S-id or name, name)

    def technique_id(self, text: str) -> str:
        """A technique's id from its id or its name (as written when not known)."""
        if TECHNIQUE_ID.fullmatch(text.upper()):
            return text.upper()
        wanted = text.casefold()
        return next((key for key, name in self.techniques if name.casefold() == wanted), text)


def catalogue(store: Store, org: Organisation) -> Catalogue:
    """Techniques (with sub-techniques) and software from the ATT&CK objects ``org`` may
    see; revoked and deprecated ones are left out."""
    found = Catalogue()
    kinds = ObjectQuery(types=["attack-pattern", "malware", "tool"])
    for version in visible(store, org.id, kinds):
        body = version.body
        if body.get("revoked") or body.get("x_mitre_deprecated"):
            continue
        key, name = external_id(body), str(body.get("name", ""))
        if version.type == "attack-pattern":
            if key and TECHNIQUE_ID.fullmatch(key):
                found.techniques.append((key, name))
        elif name:
            found.software.append((key or name, name))
    found.techniques.sort()
    found.software.sort(key=lambda item: item[1].casefold())
    return found


@router.get("/attribution", response_class=HTMLResponse)
def workbench(request: Request, incident: str = "") -> HTMLResponse:
    caller = signed_in(request)
    return _page(request, caller, {"incident": incident})


@router.post("/attribution", response_model=None)
def assess(
    request: Request,
    techniques: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies defaults
    software: Annotated[list[str], Form()] = [],  # noqa: B006
    countries: Annotated[str, Form()] = "",
    sectors: Annotated[str, Form()] = "",
    timestamps: Annotated[str, Form()] = "",
    reliability: Annotated[str, Form()] = "",
    incident: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "assess",
) -> Response:
    """The form without JavaScript: assess, save, or download the Navigator layer."""
    caller = signed_in(request)
    store = store_of(request)
    known = catalogue(store, caller.org)
    values = {
        "techniques": ", ".join(_split(techniques)),
        "software": ", ".join(_split(software)),
        "countries": countries,
        "sectors": sectors,
        "timestamps": timestamps,
        "reliability": reliability,
        "incident": incident,
    }
    data = _evidence(
        [known.technique_id(t) for t in _split(techniques)],
        _split(software),
        _split([countries]),
        _split([sectors]),
        _split([timestamps]),
        reliability,
        incident,
    )
    try:
        evidence = parse_evidence(data, "the form")
    except InputError as error:
        return _page(request, caller, values, known, problem=str(error))
    if not evidence.items:
        problem = "Give at least one technique, piece of software, victim or time of activity."
        return _page(request, caller, values, known, problem=problem)
    done = attribute_evidence(
        request, caller.org, evidence, TOP, action == "save", action == "layer",
        "attribution on the workbench",
    )  # fmt: skip
    if done.layer is not None:
        return Response(
            orjson.dumps(done.layer, option=orjson.OPT_INDENT_2),
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="{LAYER_FILE}"'},
        )
    return _page(request, caller, values, known, result=done.as_json())


def _split(entries: list[str]) -> list[str]:
    """Values from form fields that may each hold several, separated by commas or lines."""
    return [part.strip() for entry in entries for part in _LIST.split(entry) if part.strip()]


def _evidence(
    techniques: list[str],
    software: list[str],
    countries: list[str],
    sectors: list[str],
    timestamps: list[str],
    reliability: str,
    incident: str,
) -> dict[str, Any]:
    """The evidence JSON (as the CLI and the API take it) of what the form holds."""
    grade = reliability.strip().upper()

    def graded(values: list[str]) -> list[Any]:
        return [{"id": v, "reliability": grade} for v in values] if grade else list(values)

    data: dict[str, Any] = {"techniques": graded(techniques), "software": graded(software)}
    if countries or sectors:
        data["victims"] = {"countries": countries, "sectors": sectors}
    if timestamps:
        data["timestamps"] = timestamps
    if incident:
        data["incident"] = incident
    return data


def _page(
    request: Request,
    caller: Principal,
    values: dict[str, str],
    known: Catalogue | None = None,
    problem: str | None = None,
    result: dict[str, Any] | None = None,
) -> HTMLResponse:
    store = store_of(request)
    known = known or catalogue(store, caller.org)
    held = sorted(
        incidents(store, caller.org).items(), key=lambda item: item[1].start or "", reverse=True
    )
    return page(
        request,
        "attribution.html",
        caller,
        422 if problem else 200,
        title="Attribution workbench",
        catalogue=known,
        incidents=held,
        grades=list(RELIABILITY),
        values=values,
        problem=problem,
        result=result,
    )
