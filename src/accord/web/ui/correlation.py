"""Correlation: the organisation's sightings, a log upload matched against its
indicators (the function behind ``POST /api/correlate``), and the correlation graph of
one object drawn as SVG with the same data as a table."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from accord.correlate.graph import Graph, build_graph
from accord.correlate.inputs import INPUT_FORMATS
from accord.credentials import gate_for, store_of
from accord.errors import InputError
from accord.store import ObjectQuery, visible
from accord.store.identity import Principal
from accord.web.analysis import Correlated, correlate_sent
from accord.web.ui.base import page, signed_in
from accord.web.ui.intel import names_of

router = APIRouter(include_in_schema=False)

#: the sightings listed, newest first
SHOWN = 100
#: neighbours drawn around the root; the table lists every one
DRAWN = 40
#: the SVG's size and the circle the neighbours sit on
SIZE, RADIUS, NODE = 640, 230, 16


@router.get("/correlation", response_class=HTMLResponse)
def correlation(request: Request) -> HTMLResponse:
    caller = signed_in(request)
    return _page(request, caller)


@router.post("/correlation", response_class=HTMLResponse)
async def upload(
    request: Request,
    log: Annotated[UploadFile, File()],
    log_format: Annotated[str, Form(alias="format")] = "",
    mapping: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """The uploaded log matched against the organisation's indicators; sightings stored."""
    caller = signed_in(request)
    values = {"format": log_format, "mapping": mapping}
    entries = [line.strip() for line in mapping.splitlines() if line.strip()]
    source = f"{log.filename or 'a log'} uploaded on the correlation page"
    try:
        done = await correlate_sent(
            request, caller.org, _chunks(log), log_format or None, entries, source
        )
    except InputError as error:
        return await run_in_threadpool(_page, request, caller, values, None, str(error))
    return await run_in_threadpool(_page, request, caller, values, done)


async def _chunks(log: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await log.read(64 * 1024):
        yield chunk


def _page(
    request: Request,
    caller: Principal,
    values: dict[str, str] | None = None,
    done: Correlated | None = None,
    problem: str | None = None,
) -> HTMLResponse:
    store = store_of(request)
    found = visible(store, caller.org.id, ObjectQuery(types=["sighting"]))
    found.sort(key=lambda v: (str(v.body.get("last_seen") or v.body["modified"]), v.date_added),
               reverse=True)  # fmt: skip
    shown = [v.body for v in found[:SHOWN]]
    with store.read() as connection:
        names = names_of(
            connection,
            gate_for(request, caller),
            [str(s.get("sighting_of_ref", "")) for s in shown]
            + [str(ref) for s in shown for ref in s.get("where_sighted_refs") or ()],
        )
    return page(
        request,
        "correlation.html",
        caller,
        422 if problem else 200,
        title="Correlation",
        sightings=shown,
        total=len(found),
        names=names,
        formats=INPUT_FORMATS,
        values=values or {},
        result=done,
        problem=problem,
    )


@dataclass(frozen=True)
class Drawn:
    """A node placed on the drawing."""

    id: str
    type: str
    name: str
    x: float
    y: float


@router.get("/correlation/graph", response_class=HTMLResponse)
def graph(
    request: Request, object_id: Annotated[str, Query(alias="id", max_length=200)] = ""
) -> HTMLResponse:
    caller = signed_in(request)
    if not object_id:
        return page(request, "graph.html", caller, title="Correlation graph", graph=None)
    with store_of(request).read() as connection:
        found = build_graph(connection, gate_for(request, caller), object_id)
    drawing = layout(found)
    root = found.nodes[found.root]
    return page(
        request,
        "graph.html",
        caller,
        title=f"Correlation graph of {root.get('name') or root['id']}",
        graph=found,
        root=root,
        drawing=drawing,
        size=SIZE,
        node_radius=NODE,
        lines=_lines(found, drawing),
        rows=_rows(found),
    )


def layout(graph: Graph) -> dict[str, Drawn]:
    """The root at the centre, up to ``DRAWN`` neighbours evenly on a circle around it,
    in a fixed order (type, name, id), so that the same graph is drawn the same way."""
    centre = SIZE / 2
    root = graph.nodes[graph.root]
    placed = {graph.root: Drawn(root["id"], root["type"], _label(root), centre, centre)}
    others = sorted(
        (n for key, n in graph.nodes.items() if key != graph.root),
        key=lambda n: (n["type"], str(n.get("name") or ""), n["id"]),
    )[:DRAWN]
    for i, node in enumerate(others):
        angle = 2 * math.pi * i / len(others) - math.pi / 2
        x = centre + RADIUS * math.cos(angle)
        y = centre + RADIUS * math.sin(angle)
        placed[node["id"]] = Drawn(node["id"], node["type"], _label(node), round(x, 1), round(y, 1))
    return placed


def _label(node: dict[str, Any]) -> str:
    return str(node.get("name") or node["id"])


def _edge_text(edge: dict[str, Any]) -> str:
    values = edge.get("values") or []
    if not values:
        return str(edge["kind"])
    shown = ", ".join(values[:2])
    return shown + (f" +{len(values) - 2}" if len(values) > 2 else "")


def _lines(graph: Graph, drawing: dict[str, Drawn]) -> list[dict[str, Any]]:
    """The edges between drawn nodes, with their labels at the middle."""
    lines = []
    for edge in graph.edges:
        a, b = drawing.get(edge["source"]), drawing.get(edge["target"])
        if a is None or b is None:
            continue
        lines.append(
            {
                "x1": a.x, "y1": a.y, "x2": b.x, "y2": b.y,
                "mx": round((a.x + b.x) / 2, 1), "my": round((a.y + b.y) / 2, 1),
                "text": _edge_text(edge), "title": ", ".join(edge.get("values") or [edge["kind"]]),
            }
        )  # fmt: skip
    return lines


def _rows(graph: Graph) -> list[dict[str, Any]]:
    """Every edge as a table row: the two objects, how they link, the values shared."""

    def node(key: str) -> dict[str, Any]:
        return graph.nodes.get(key, {"id": key, "type": key.split("--")[0], "name": None})

    return [
        {"source": node(e["source"]), "target": node(e["target"]), "kind": e["kind"],
         "values": e.get("values") or []}
        for e in graph.edges
    ]  # fmt: skip
