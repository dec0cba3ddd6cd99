"""The intel browser: the STIX objects the organisation may see, one object's page, an
export of what a filter shows, and a form to create and share an indicator or a report.

Every read goes through the caller's access gate, as ``GET /api/objects`` does; an
object the caller may not see is "not found", never "forbidden".
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import IO, Annotated, Any
from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from sqlalchemy.engine import Connection

from accord.credentials import gate_for, store_of
from accord.errors import BatchRejected, InvalidParameter, NotFound
from accord.stix.timestamps import now_timestamp
from accord.stix.tlp import Tlp, marking_definition_for
from accord.store import (
    AccessGate,
    ImportOptions,
    ObjectQuery,
    StoredVersion,
    count_by_type,
    import_objects,
    iter_versions,
    search,
)
from accord.store.exporting import write_bundle
from accord.store.identity import (
    Principal,
    get_community,
    list_communities,
    list_organisations,
)
from accord.store.reading import Cursor
from accord.web.api import provenance
from accord.web.ui.base import page, signed_in

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
#: what an object page lists first, when the object has it
KEY_PROPERTIES = (
    "name", "abstract", "description", "content", "pattern", "pattern_type", "valid_from",
    "valid_until", "indicator_types", "published", "report_types", "object_refs",
    "relationship_type", "source_ref", "target_ref", "sighting_of_ref", "where_sighted_refs",
    "first_seen", "last_seen", "count", "aliases", "labels", "confidence", "created_by_ref",
    "created", "modified",
)  # fmt: skip
#: what the form creates
KINDS = ("indicator", "report")


def title_of(body: dict[str, Any]) -> str:
    """What people call an object: its name, else its abstract, else what kind of link it
    is (relationships and sightings have no name), else its id."""
    if body.get("name") or body.get("abstract"):
        return str(body.get("name") or body.get("abstract"))
    if body.get("type") == "relationship":
        return f"{body.get('relationship_type', 'related-to')} (relationship)"
    if body.get("type") == "sighting":
        return f"sighting ×{body.get('count', 1)}"
    return str(body.get("id", ""))


def names_of(connection: Connection, gate: AccessGate, ids: Iterable[str]) -> dict[str, str]:
    """The titles of the objects among ``ids`` that the gate's viewer may see."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    found = search(connection, gate, ObjectQuery(ids=wanted), len(wanted)).items
    return {version.id: title_of(version.body) for version in found}


@dataclass(frozen=True)
class Filter:
    """The list's filters, as the query string carries them (and the export link)."""

    type: str = ""
    q: str = ""
    tlp: str = ""

    def query(self) -> ObjectQuery:
        levels: tuple[str, ...] = ()
        if self.tlp:
            try:
                levels = (Tlp.parse(self.tlp).value,)
            except ValueError as exc:
                raise InvalidParameter("tlp", str(exc)) from None
        return ObjectQuery(
            types=[self.type] if self.type else (), text=self.q or None, tlp_levels=levels
        )

    def link(self, **more: str) -> str:
        given = {"type": self.type, "q": self.q, "tlp": self.tlp, **more}
        return urlencode({key: value for key, value in given.items() if value})

    @property
    def active(self) -> bool:
        return bool(self.type or self.q or self.tlp)


Type = Annotated[str, Query(alias="type", max_length=100)]
Text = Annotated[str, Query(max_length=200)]
Level = Annotated[str, Query(max_length=20)]


@router.get("/intel", response_class=HTMLResponse)
def intel(
    request: Request,
    type_: Type = "",
    q: Text = "",
    tlp: Level = "",
    next: str = "",
    limit: Annotated[int, Query(ge=1, le=500)] = PAGE_SIZE,
) -> HTMLResponse:
    caller = signed_in(request)
    chosen = Filter(type_.strip(), q.strip(), tlp.strip())
    paging = {"limit": str(limit)} if limit != PAGE_SIZE else {}
    gate = gate_for(request, caller)
    with store_of(request).read() as connection:
        after = Cursor.decode(next) if next else None
        found = search(connection, gate, chosen.query(), limit, after, newest_first=True)
        counts = count_by_type(connection, gate)
        authors = names_of(
            connection, gate, (str(v.body["created_by_ref"]) for v in found.items
                               if v.body.get("created_by_ref"))
        )  # fmt: skip
    return page(
        request,
        "intel.html",
        caller,
        title="Intel",
        rows=[_row(version, authors) for version in found.items],
        counts=counts,
        filters=chosen,
        levels=[level.value for level in Tlp],
        next_link=chosen.link(next=found.next_cursor.encode(), **paging)
        if found.next_cursor
        else None,
        first_link=chosen.link(**paging) if next else None,
    )


def _row(version: StoredVersion, authors: dict[str, str]) -> dict[str, Any]:
    author = version.body.get("created_by_ref")
    return {
        "id": version.id,
        "type": version.type,
        "name": title_of(version.body),
        "tlp": version.tlp,
        "author": author,
        "author_name": authors.get(author) if author else None,
        "added": version.date_added,
        "received_from": version.received_from,
    }


@router.get("/intel/export")
def export(
    request: Request,
    type_: Type = "",
    q: Text = "",
    tlp: Level = "",
    id_: Annotated[list[str] | None, Query(alias="id")] = None,
) -> StreamingResponse:
    """A STIX 2.1 bundle of what the filter shows (latest versions, through the gate)."""
    caller = signed_in(request)
    query = Filter(type_.strip(), q.strip(), tlp.strip()).query()
    if id_:
        query = replace(query, ids=id_)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - streamed
    write_bundle(store_of(request), caller.org, spool, query)
    spool.seek(0)
    return StreamingResponse(
        _chunks(spool),
        media_type="application/stix+json;version=2.1",
        headers={"Content-Disposition": 'attachment; filename="accord-export.json"'},
    )


def _chunks(spool: IO[bytes]) -> Iterator[bytes]:
    with spool:
        while chunk := spool.read(64 * 1024):
            yield chunk


@router.get("/intel/new", response_class=HTMLResponse)
def new_object(request: Request, kind: str = "indicator") -> HTMLResponse:
    caller = signed_in(request)
    with store_of(request).read() as connection:
        ours = [name for name, members in list_communities(connection)
                if caller.org.name in members]  # fmt: skip
    values: dict[str, Any] = {
        "kind": kind if kind in KINDS else KINDS[0],
        "tlp": store_of(request).default_tlp.value,
        "published": now_timestamp(),
        "orgs": [],
        "communities": ours,
    }
    return _form(request, caller, values, [])


@router.post("/intel/new", response_model=None)
def create_object(
    request: Request,
    kind: Annotated[str, Form()] = "indicator",
    name: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    pattern: Annotated[str, Form()] = "",
    published: Annotated[str, Form()] = "",
    object_refs: Annotated[str, Form()] = "",
    tlp: Annotated[str, Form()] = "",
    orgs: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies defaults
    communities: Annotated[list[str], Form()] = [],  # noqa: B006
) -> Response:
    """Store the object, marked with the chosen TLP and given to the chosen organisations
    and communities; a rejected object is said on the form (422) and nothing is stored."""
    caller = signed_in(request)
    store = store_of(request)
    values: dict[str, Any] = {
        "kind": kind, "name": name, "description": description, "pattern": pattern,
        "published": published, "object_refs": object_refs, "tlp": tlp, "orgs": orgs,
        "communities": communities,
    }  # fmt: skip
    problems: list[str] = []
    if kind not in KINDS:
        problems.append(f"kind: one of {', '.join(KINDS)}")
    level = Tlp.RED
    try:
        level = Tlp.parse(tlp)
    except ValueError as exc:
        problems.append(f"TLP: {exc}")
    with store.read() as connection:
        known = {org.id for org in list_organisations(connection)}
        community_ids = set()
        for community in communities:
            try:
                community_ids.add(get_community(connection, community))
            except NotFound as error:
                problems.append(f"communities: {error}")
    problems += [f"organisations: no organisation {org!r} on this node"
                 for org in orgs if org not in known]  # fmt: skip
    if problems:
        return _form(request, caller, values, problems)
    obj = _stix_object(caller, values, level)
    options = ImportOptions(
        org=caller.org,
        recipients=frozenset(orgs) - {caller.org.id},
        communities=frozenset(community_ids),
    )
    try:
        import_objects(store, [obj], f"the intel form ({caller.username or 'token'})", options)
    except BatchRejected as rejected:
        found = [f"{error.prop}: {error.reason}" for error in rejected.errors]
        return _form(request, caller, values, found)
    return RedirectResponse(f"/intel/{obj['id']}", status_code=303)


def _stix_object(caller: Principal, values: dict[str, Any], level: Tlp) -> dict[str, Any]:
    """The object the form describes; the validator judges it when it is imported."""
    kind = values["kind"]
    now = now_timestamp()
    obj: dict[str, Any] = {
        "type": kind,
        "spec_version": "2.1",
        "id": f"{kind}--{uuid.uuid4()}",
        "created": now,
        "modified": now,
        "created_by_ref": caller.org.id,
        "object_marking_refs": [marking_definition_for(level)["id"]],
    }
    for key in ("name", "description"):
        if values[key].strip():
            obj[key] = values[key].strip()
    if kind == "indicator":
        obj.update(pattern=values["pattern"].strip(), pattern_type="stix", valid_from=now)
    else:
        refs = values["object_refs"].replace(",", " ").split()
        # STIX asks a report for at least one reference: with none, the author's identity
        obj.update(published=values["published"].strip() or now,
                   object_refs=refs or [caller.org.id])  # fmt: skip
    return obj


def _form(
    request: Request, caller: Principal, values: dict[str, Any], problems: list[str]
) -> HTMLResponse:
    with store_of(request).read() as connection:
        others = [org for org in list_organisations(connection) if org.id != caller.org.id]
        communities = [name for name, _ in list_communities(connection)]
    return page(
        request,
        "intel_new.html",
        caller,
        422 if problems else 200,
        title="Create and share",
        values=values,
        problems=problems,
        kinds=KINDS,
        levels=[level.value for level in Tlp],
        others=others,
        communities=communities,
    )


@router.get("/intel/{object_id}", response_class=HTMLResponse)
def intel_object(request: Request, object_id: str) -> HTMLResponse:
    caller = signed_in(request)
    gate = gate_for(request, caller)
    with store_of(request).read() as connection:
        found = search(connection, gate, ObjectQuery(ids=[object_id]), 1).items
        if not found:
            raise NotFound("object", object_id)  # also when hidden: existence is not disclosed
        version = found[0]
        links = _links(connection, gate, object_id)
        refs = [str(r) for key in KEY_PROPERTIES if key.endswith("_refs")
                for r in version.body.get(key) or ()]  # fmt: skip
        refs += [str(version.body[key]) for key in KEY_PROPERTIES
                 if key.endswith("_ref") and version.body.get(key)]  # fmt: skip
        names = names_of(connection, gate, [*refs, *(link["other"] for link in links)])
    body = version.body
    return page(
        request,
        "intel_object.html",
        caller,
        title=title_of(body),
        stored=version,  # not "version": the layout shows Accord's version under that name
        name=title_of(body),
        properties=[(key, body[key]) for key in KEY_PROPERTIES if key in body],
        links=links,
        names=names,
        history=provenance(request, caller, object_id).versions,
        raw=orjson.dumps(body, option=orjson.OPT_INDENT_2).decode(),
    )


def _links(connection: Connection, gate: AccessGate, object_id: str) -> list[dict[str, Any]]:
    """The relationships and sightings the viewer may see that have ``object_id`` at one
    end: their kind, direction and the object at the other end."""
    found = []
    query = ObjectQuery(types=["relationship", "sighting"])
    for version in iter_versions(connection, gate, query):
        body = version.body
        if version.type == "sighting":
            if body.get("sighting_of_ref") == object_id:
                for where in body.get("where_sighted_refs") or [body.get("created_by_ref", "")]:
                    found.append({"id": version.id, "kind": f"sighted ×{body.get('count', 1)}",
                                  "direction": "from", "other": str(where)})  # fmt: skip
            continue
        source, target = body.get("source_ref"), body.get("target_ref")
        if object_id not in (source, target):
            continue
        outward = source == object_id
        found.append(
            {
                "id": version.id,
                "kind": str(body.get("relationship_type", "related-to")),
                "direction": "to" if outward else "from",
                "other": str(target if outward else source),
            }
        )
    return found
