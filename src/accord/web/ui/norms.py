"""The norms and law library: what the catalogue behind every assessment holds, each
entry with its source (``data/norms.json``, read through ``assessment.catalogue``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from accord.diplomacy.assessment import catalogue
from accord.web.ui.base import page, signed_in

router = APIRouter(include_in_schema=False)


@dataclass
class Section:
    anchor: str
    title: str
    entries: list[dict[str, Any]]
    held: int  # entries before the text filter


def _text(value: object) -> str:
    """Every string (and number) a catalogue entry holds, for the text filter."""
    if isinstance(value, dict):
        return " ".join(_text(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    return "" if value is None else str(value)


def sections(q: str = "") -> list[Section]:
    """The library's sections, in the order of the page, narrowed to entries that say ``q``."""
    data = catalogue()
    sanctions = data.get("eu_sanctions") or {}
    budapest = data.get("budapest") or {}
    treaty = data.get("un_cybercrime_convention")
    paris, positions = data.get("paris_call", []), data.get("national_positions", [])
    parts: list[tuple[str, str, list[dict[str, Any]]]] = [
        ("norms", "UN GGE norms of responsible state behaviour (2015)", data.get("norms", [])),
        ("law", "International law", data.get("law", [])),
        ("paris-call", "Paris Call for Trust and Security in Cyberspace", paris),
        ("osce", "OSCE confidence-building measures", data.get("osce_cbms", [])),
        ("eu-toolbox", "EU Cyber Diplomacy Toolbox", data.get("eu_toolbox", [])),
        ("eu-sanctions", "EU cyber-sanctions listings", sanctions.get("listings", [])),
        ("budapest-articles", "Budapest Convention: articles", budapest.get("articles", [])),
        ("budapest-parties", "Budapest Convention: parties", budapest.get("parties", [])),
        ("un-convention", "UN Convention against Cybercrime", [treaty] if treaty else []),
        ("tallinn", "Tallinn Manual 2.0", data.get("tallinn_manual", [])),
        ("positions", "National positions on international law", positions),
    ]  # fmt: skip
    words = q.strip().lower()
    return [
        Section(
            anchor,
            title,
            [e for e in entries if not words or words in _text(e).lower()],
            len(entries),
        )
        for anchor, title, entries in parts
    ]


@router.get("/norms", response_class=HTMLResponse)
def norms_library(request: Request, q: str = "") -> HTMLResponse:
    caller = signed_in(request)
    data = catalogue()
    return page(
        request,
        "norms.html",
        caller,
        title="Norms & law",
        q=q.strip(),
        sections={s.anchor: s for s in sections(q)},
        gge=data.get("source") or {},
        regime=(data.get("eu_sanctions") or {}).get("regime") or {},
    )
