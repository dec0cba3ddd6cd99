"""The JSON API under /api. Every read of STIX objects goes through the access gate."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from accord import __version__
from accord.attribution.evidence import parse_evidence
from accord.correlate.graph import build_graph
from accord.credentials import gate_for, principal, store_of
from accord.errors import MalformedInput, NotFound, PayloadTooLarge
from accord.store import ObjectQuery, count_by_type, iter_versions, search
from accord.store.identity import Principal, list_organisations
from accord.store.reading import ALL, LAST, Cursor
from accord.web.analysis import attribute_evidence, correlate_sent

router = APIRouter(prefix="/api")
Caller = Annotated[Principal, Depends(principal)]


class Health(BaseModel):
    status: str = Field(description="'ok' when the store answers")
    version: str
    store: str = Field(description="database backend: sqlite or postgresql")


class ObjectPage(BaseModel):
    objects: list[dict[str, Any]] = Field(description="STIX 2.1 objects, storage order")
    next: str | None = Field(description="pass as ?next= for the following page; null at the end")


class WhoAmI(BaseModel):
    organisation: str
    organisation_id: str
    username: str | None


class Stats(BaseModel):
    by_type: dict[str, int] = Field(description="objects (latest versions) the caller may see")


@router.get("/health", tags=["node"])
def health(request: Request) -> Health:
    """Liveness: the node answers and its store is reachable."""
    store = store_of(request)
    with store.read() as connection:
        connection.exec_driver_sql("SELECT 1")
    return Health(status="ok", version=__version__, store=store.dialect)


@router.get("/whoami", tags=["node"])
def whoami(caller: Caller) -> WhoAmI:
    """The organisation and user the credentials act for."""
    return WhoAmI(
        organisation=caller.org.name, organisation_id=caller.org.id, username=caller.username
    )


@router.get("/objects", tags=["objects"])
def list_objects(
    request: Request,
    caller: Caller,
    type_: Annotated[list[str] | None, Query(alias="type", description="STIX type(s)")] = None,
    id_: Annotated[list[str] | None, Query(alias="id", description="STIX id(s)")] = None,
    q: Annotated[
        str | None, Query(min_length=1, max_length=200, description="text in name or description")
    ] = None,
    all_versions: Annotated[bool, Query(description="every version, not only the latest")] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    next_: Annotated[
        str | None, Query(alias="next", description="cursor from a previous page")
    ] = None,
) -> ObjectPage:
    """Search the STIX objects the caller's organisation may see."""
    query = ObjectQuery(
        types=type_ or (), ids=id_ or (), text=q, versions=(ALL,) if all_versions else (LAST,)
    )
    store = store_of(request)
    with store.read() as connection:
        after = Cursor.decode(next_) if next_ else None
        page = search(connection, gate_for(request, caller), query, limit, after)
    return ObjectPage(
        objects=[version.body for version in page.items],
        next=page.next_cursor.encode() if page.next_cursor else None,
    )


@router.get("/objects/{object_id}", tags=["objects"])
def get_object(request: Request, caller: Caller, object_id: str) -> dict[str, Any]:
    """The newest version of one object that the caller may see."""
    store = store_of(request)
    with store.read() as connection:
        page = search(connection, gate_for(request, caller), ObjectQuery(ids=[object_id]), 1)
    if not page.items:
        raise NotFound("object", object_id)  # also when hidden: existence is not disclosed
    return page.items[0].body


class VersionProvenance(BaseModel):
    version: str
    date_added: str
    tlp: str
    received_from: str | None = Field(description="organisation whose node sent it; null: local")
    received_from_id: str | None


class Provenance(BaseModel):
    id: str
    versions: list[VersionProvenance]


@router.get("/objects/{object_id}/provenance", tags=["objects"])
def provenance(request: Request, caller: Caller, object_id: str) -> Provenance:
    """Where each version of an object the caller may see came from."""
    store = store_of(request)
    query = ObjectQuery(ids=[object_id], versions=(ALL,))
    with store.read() as connection:
        versions = list(iter_versions(connection, gate_for(request, caller), query))
        names = {org.id: org.name for org in list_organisations(connection)}
    if not versions:
        raise NotFound("object", object_id)
    return Provenance(
        id=object_id,
        versions=[
            VersionProvenance(
                version=v.version,
                date_added=v.date_added,
                tlp=v.tlp,
                received_from=names.get(v.received_from, v.received_from)
                if v.received_from
                else None,
                received_from_id=v.received_from,
            )
            for v in versions
        ],
    )


class CorrelationResult(BaseModel):
    observations: int
    matches: int
    indicators_matched: int
    sightings: list[str] = Field(description="ids of the sightings stored")
    skipped: dict[str, int] = Field(description="log lines skipped, by reason")


@router.post("/correlate", tags=["correlation"])
async def correlate_log(
    request: Request,
    caller: Caller,
    log_format: Annotated[
        str | None, Query(alias="format", description="zeek, suricata, jsonl, csv or stix")
    ] = None,
    map_: Annotated[
        list[str] | None, Query(alias="map", description="FIELD=OBJECT-PATH (repeatable)")
    ] = None,
) -> CorrelationResult:
    """Match the posted log against the caller's indicators; sightings are stored."""
    done = await correlate_sent(
        request, caller.org, request.stream(), log_format, map_ or [], "a log posted to the API"
    )
    return CorrelationResult(**done.as_json())


@router.post("/attribute", tags=["attribution"])
async def attribute(
    request: Request,
    caller: Caller,
    top: Annotated[int, Query(ge=1, le=50, description="hypotheses to return")] = 5,
    save: Annotated[bool, Query(description="store the assessment as STIX")] = True,
    layer: Annotated[bool, Query(description="add an ATT&CK Navigator layer")] = False,
) -> dict[str, Any]:
    """Ranked, calibrated hypotheses for the posted evidence (the CLI's evidence JSON);
    when saved, ``report`` is the id of the stored assessment report."""
    body = await request.body()
    limit = request.app.state.settings.taxii_max_content_length
    if len(body) > limit:
        raise PayloadTooLarge(f"the evidence is over {limit} bytes")
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise MalformedInput("request body", f"not JSON: {exc}") from None
    evidence = parse_evidence(data, "request body")
    done = await run_in_threadpool(
        attribute_evidence, request, caller.org, evidence, top, save, layer,
        "attribution via the API",
    )  # fmt: skip
    return done.as_json()


@router.get("/objects/{object_id}/graph", tags=["correlation"])
def correlation_graph(request: Request, caller: Caller, object_id: str) -> dict[str, Any]:
    """Objects linked to this one through shared observables: nodes, and edges with the
    values they share (or the relationship or containment that links them)."""
    with store_of(request).read() as connection:
        return build_graph(connection, gate_for(request, caller), object_id).as_json()


@router.get("/stats", tags=["objects"])
def stats(request: Request, caller: Caller) -> Stats:
    """How many objects of each type the caller may see."""
    store = store_of(request)
    with store.read() as connection:
        return Stats(by_type=count_by_type(connection, gate_for(request, caller)))
