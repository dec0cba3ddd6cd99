"""TAXII 2.1 server routes under /taxii2/ (OASIS TAXII 2.1, section 4 and 5).

One API root, ``/taxii2/api/``. Every read is a store search narrowed by the
collection's filter and decided by the access gate for the caller's organisation;
paging cursors are positions in the store, so they survive restarts and work across
server processes. Over TAXII the objects leave the node as they are: an object without a
TLP marking that was imported at AMBER+STRICT or RED goes to the node's own organisation
only (``reading.travels``), since elsewhere it would take the receiver's default level.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool

from accord.config import Settings
from accord.credentials import gate_for, principal, store_of
from accord.errors import Forbidden, NotFound, PayloadTooLarge
from accord.node import HOME_ORG_SETTING, home_organisation
from accord.store import Page, iter_versions, search
from accord.store.identity import Principal
from accord.store.reading import ALL, LAST, StoredVersion, travels
from accord.store.versions import delete_versions
from accord.taxii.collections import Collection, Rights, collections_for, get_collection, rights_of
from accord.taxii.filters import Filters, taxii_filters
from accord.taxii.media import STIX, TAXII, TaxiiResponse, check_accept, check_content_type
from accord.taxii.posting import add_objects, get_status, parse_envelope

API_ROOT = "api"


def _accepts_taxii(request: Request) -> None:
    check_accept(request.headers.get("accept"))


router = APIRouter(prefix="/taxii2", tags=["TAXII 2.1"], dependencies=[Depends(_accepts_taxii)])
Caller = Annotated[Principal, Depends(principal)]
Query = Annotated[Filters, Depends(taxii_filters)]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _root_url(request: Request) -> str:
    return f"{str(request.base_url).rstrip('/')}/taxii2/{API_ROOT}/"


def _check_root(root: str) -> None:
    if root != API_ROOT:
        raise NotFound("API root", root)


def _open(
    connection: Connection, caller: Principal, collection_id: str
) -> tuple[Collection, Rights]:
    """The collection and the caller's rights; unknown or no rights at all: 404."""
    try:
        collection = get_collection(connection, collection_id)
    except NotFound:
        raise NotFound("collection", collection_id) from None
    rights = rights_of(connection, collection, caller.org.id)
    if not (rights.can_read or rights.can_write):
        raise NotFound("collection", collection_id)
    return collection, rights


def _readable(connection: Connection, caller: Principal, collection_id: str) -> Collection:
    collection, rights = _open(connection, caller, collection_id)
    if not rights.can_read:
        raise Forbidden(f"{caller.org.name} may not read collection {collection_id}")
    return collection


def _writable(connection: Connection, caller: Principal, collection_id: str) -> Collection:
    collection, rights = _open(connection, caller, collection_id)
    if not rights.can_write:
        raise Forbidden(f"{caller.org.name} may not write to collection {collection_id}")
    return collection


def _page(
    request: Request,
    caller: Principal,
    collection_id: str,
    filters: Filters,
    default_versions: tuple[str, ...] = (LAST,),
    object_id: str | None = None,
) -> Page:
    store = store_of(request)
    with store.read() as connection:
        collection = _readable(connection, caller, collection_id)
        query = filters.query(default_versions)
        if object_id is not None:
            query = dataclasses.replace(query, ids=(object_id,))
        scoped = collection.scope(query)
        page = (
            Page([], None)
            if scoped is None
            else search(connection, gate_for(request, caller), scoped, filters.limit, filters.after)
        )
        # a node set up without an organisation of its own filters for every caller
        if caller.org.id != store.get_setting(connection, HOME_ORG_SETTING):
            page = Page([v for v in page.items if travels(v)], page.next_cursor)
    if object_id is not None and not page.items and filters.after is None:
        raise NotFound("object", object_id)  # also when hidden: existence is not disclosed
    return page


def _headers(items: list[StoredVersion]) -> dict[str, str]:
    if not items:
        return {}
    return {
        "X-TAXII-Date-Added-First": items[0].date_added,
        "X-TAXII-Date-Added-Last": items[-1].date_added,
    }


def _envelope(page: Page) -> bytes:
    """The envelope, with the objects spliced in as stored (never decoded)."""
    head = orjson.dumps(_more(page))
    if not page.items:
        return head
    objects = b",".join(item.body_json.encode() for item in page.items)
    return head[:-1] + b',"objects":[' + objects + b"]}"


def _more(page: Page) -> dict[str, Any]:
    more: dict[str, Any] = {"more": page.next_cursor is not None}
    if page.next_cursor:
        more["next"] = page.next_cursor.encode()
    return more


@router.get("/", summary="Server discovery")
def discovery(request: Request, _caller: Caller) -> TaxiiResponse:
    settings = _settings(request)
    root = _root_url(request)
    return TaxiiResponse(
        {
            "title": f"{settings.node_name} (Accord)",
            "description": "STIX 2.1 shared under TLP 2.0; what you read is what your "
            "organisation may see.",
            "default": root,
            "api_roots": [root],
        }
    )


@router.get("/{root}/", summary="API root information")
def api_root(request: Request, _caller: Caller, root: str) -> TaxiiResponse:
    _check_root(root)
    settings = _settings(request)
    return TaxiiResponse(
        {
            "title": f"{settings.node_name} (Accord)",
            "description": "Collections are views over this node's store.",
            "versions": [TAXII],
            "max_content_length": settings.taxii_max_content_length,
        }
    )


@router.get("/{root}/status/{status_id}/", summary="Status of an add-objects request")
def status(request: Request, caller: Caller, root: str, status_id: str) -> TaxiiResponse:
    _check_root(root)
    with store_of(request).read() as connection:
        return TaxiiResponse(get_status(connection, status_id, caller.org))


def _collection_resource(collection: Collection, rights: Rights) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "can_read": rights.can_read,
        "can_write": rights.can_write,
        "media_types": [STIX],
    }
    if collection.alias:
        resource["alias"] = collection.alias
    return resource


@router.get("/{root}/collections/", summary="Collections the caller may read or write")
def collections(request: Request, caller: Caller, root: str) -> TaxiiResponse:
    _check_root(root)
    with store_of(request).read() as connection:
        found = collections_for(connection, caller.org.id)
    if not found:
        return TaxiiResponse({})
    return TaxiiResponse({"collections": [_collection_resource(c, r) for c, r in found]})


@router.get("/{root}/collections/{collection_id}/", summary="One collection")
def collection(request: Request, caller: Caller, root: str, collection_id: str) -> TaxiiResponse:
    _check_root(root)
    with store_of(request).read() as connection:
        found, rights = _open(connection, caller, collection_id)
    return TaxiiResponse(_collection_resource(found, rights))


@router.get("/{root}/collections/{collection_id}/manifest/", summary="Manifest")
def manifest(
    request: Request, caller: Caller, root: str, collection_id: str, filters: Query
) -> TaxiiResponse:
    _check_root(root)
    page = _page(request, caller, collection_id, filters)
    body = _more(page)
    if page.items:
        body["objects"] = [
            {"id": v.id, "date_added": v.date_added, "version": v.version, "media_type": STIX}
            for v in page.items
        ]
    return TaxiiResponse(body, headers=_headers(page.items))


@router.get("/{root}/collections/{collection_id}/objects/", summary="Get objects")
def get_objects(
    request: Request, caller: Caller, root: str, collection_id: str, filters: Query
) -> TaxiiResponse:
    _check_root(root)
    page = _page(request, caller, collection_id, filters)
    return TaxiiResponse(_envelope(page), headers=_headers(page.items))


@router.post("/{root}/collections/{collection_id}/objects/", summary="Add objects", status_code=202)
async def post_objects(
    request: Request, caller: Caller, root: str, collection_id: str
) -> TaxiiResponse:
    _check_root(root)
    check_content_type(request.headers.get("content-type"))
    limit = _settings(request).taxii_max_content_length
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the body has {declared} bytes; this server takes {limit}")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise PayloadTooLarge(f"the body is over {limit} bytes, the most this server takes")
    store = store_of(request)
    with store.read() as connection:
        target = _writable(connection, caller, collection_id)
        home = home_organisation(store, connection).id
    objects = parse_envelope(bytes(body))
    received_from = None if caller.org.id == home else caller.org.id
    # Validation and the write are CPU and disk work: run them off the event loop.
    status = await run_in_threadpool(add_objects, store, target, caller.org, objects, received_from)
    return TaxiiResponse(status, status_code=202)


@router.get("/{root}/collections/{collection_id}/objects/{object_id}/", summary="Get an object")
def get_object(
    request: Request,
    caller: Caller,
    root: str,
    collection_id: str,
    object_id: str,
    filters: Query,
) -> TaxiiResponse:
    _check_root(root)
    page = _page(request, caller, collection_id, filters, object_id=object_id)
    return TaxiiResponse(_envelope(page), headers=_headers(page.items))


@router.delete(
    "/{root}/collections/{collection_id}/objects/{object_id}/", summary="Delete an object"
)
def delete_object(
    request: Request,
    caller: Caller,
    root: str,
    collection_id: str,
    object_id: str,
    filters: Query,
) -> TaxiiResponse:
    """Delete the versions selected (default: all) that the caller's organisation created."""
    _check_root(root)
    store = store_of(request)
    with store.write() as connection:
        target = _writable(connection, caller, collection_id)
        scoped = target.scope(dataclasses.replace(filters.query((ALL,)), ids=(object_id,)))
        gate = gate_for(request, caller)
        versions = [] if scoped is None else list(iter_versions(connection, gate, scoped))
        if not versions:
            raise NotFound("object", object_id)
        own = [
            v.pk
            for v in versions
            if caller.is_admin or v.body.get("created_by_ref") == caller.org.id
        ]
        if not own:
            raise Forbidden(f"only the creator of {object_id} (or an administrator) may delete it")
        delete_versions(connection, object_id, own)
    return TaxiiResponse(b"", status_code=200)


@router.get(
    "/{root}/collections/{collection_id}/objects/{object_id}/versions/",
    summary="Versions of an object",
)
def object_versions(
    request: Request,
    caller: Caller,
    root: str,
    collection_id: str,
    object_id: str,
    filters: Query,
) -> TaxiiResponse:
    _check_root(root)
    page = _page(request, caller, collection_id, filters, (ALL,), object_id)
    body = _more(page)
    body["versions"] = [v.version for v in page.items]
    return TaxiiResponse(body, headers=_headers(page.items))
