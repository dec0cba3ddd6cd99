"""Adding objects to a collection (TAXII POST), and the status resources that answer it.

A POST goes through the same validator and store as ``accord import``: each object is
stored or reported with its reason (TAXII reports per object, so the envelope is not
all-or-nothing). The objects are given to the poster's organisation and to the
collection's readers, except that what another organisation posts marked AMBER+STRICT
or RED goes to the node's own organisation only (see ``add_objects``). The status
resource is kept in the store so that any server process can answer for it later.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from accord.errors import MalformedInput, NotFound
from accord.node import HOME_ORG_SETTING
from accord.stix.timestamps import normalize_timestamp, now_timestamp
from accord.stix.tlp import Tlp, tlp_of
from accord.store import ImportOptions, Store, import_objects
from accord.store.identity import Organisation
from accord.store.schema import stix_object, taxii_status
from accord.taxii.collections import Collection, readers


def parse_envelope(body: bytes) -> list[Any]:
    """The ``objects`` of a TAXII envelope; MalformedInput when it is not one."""
    try:
        envelope = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise MalformedInput("envelope", f"not JSON: {exc}") from None
    if not isinstance(envelope, dict):
        raise MalformedInput("envelope", "must be a JSON object with an 'objects' list")
    objects = envelope.get("objects", [])
    if not isinstance(objects, list):
        raise MalformedInput("envelope", "'objects' must be a list")
    return objects


def add_objects(
    store: Store,
    collection: Collection,
    poster: Organisation,
    objects: list[Any],
    received_from: str | None,
) -> dict[str, Any]:
    """Import ``objects`` into ``collection``; returns the (stored) status resource."""
    requested = now_timestamp()
    with store.read() as connection:
        recipients = readers(connection, collection)
        own = store.get_setting(connection, HOME_ORG_SETTING)
    # AMBER+STRICT and RED name their audience, and a POST cannot. When another
    # organisation posts (a peer's node pushing, or a client), it addressed this node's
    # own organisation: that is who receives them here, not every reader of the
    # collection, who could pull them on to a third node. The node's own organisation
    # may give its posts to its collection's readers.
    strict_recipients = frozenset({own}) & recipients if own else frozenset()
    batches: dict[bool, list[int]] = {False: [], True: []}
    for index, obj in enumerate(objects):
        batches[received_from is not None and _strict(obj)].append(index)
    rejected = {}
    for strict, indices in batches.items():
        if not indices:
            continue
        options = ImportOptions(
            org=poster,
            recipients=strict_recipients if strict else recipients,
            communities=frozenset(collection.communities) or None,
            skip_invalid=True,
            received_from=received_from,
            admit=collection.refusal,
        )
        batch = [objects[index] for index in indices]
        report = import_objects(store, batch, f"TAXII POST to {collection.title}", options)
        rejected.update({indices[reject.index]: reject for reject in report.rejects})
    failures = [
        _details(objects[index], str(reject.error)) for index, reject in sorted(rejected.items())
    ]
    accepted = [obj for index, obj in enumerate(objects) if index not in rejected]
    status = {
        "id": str(uuid.uuid4()),
        "status": "complete",
        "request_timestamp": requested,
        "total_count": len(objects),
        "success_count": len(accepted),
        "failure_count": len(failures),
        "pending_count": 0,
    }
    with store.write() as connection:
        successes = _successes(connection, accepted)
        if successes:
            status["successes"] = successes
        if failures:
            status["failures"] = failures
        connection.execute(
            taxii_status.insert().values(
                id=status["id"],
                collection_id=collection.id,
                org_id=poster.id,
                request_timestamp=requested,
                resource=orjson.dumps(status).decode(),
            )
        )
    return status


def get_status(connection: Connection, status_id: str, org: Organisation) -> dict[str, Any]:
    """A status resource, for the organisation that posted only."""
    resource = connection.execute(
        select(taxii_status.c.resource).where(
            taxii_status.c.id == status_id, taxii_status.c.org_id == org.id
        )
    ).scalar_one_or_none()
    if resource is None:
        raise NotFound("status", status_id)
    found: dict[str, Any] = orjson.loads(resource)
    return found


def _strict(obj: Any) -> bool:
    """Marked TLP:AMBER+STRICT or TLP:RED (an unreadable marking is the validator's to
    report)."""
    refs = obj.get("object_marking_refs") if isinstance(obj, dict) else None
    if not isinstance(refs, list):
        return False
    return tlp_of(str(ref) for ref in refs) in (Tlp.AMBER_STRICT, Tlp.RED)


def _details(obj: Any, message: str) -> dict[str, str]:
    record = obj if isinstance(obj, dict) else {}
    details = {"id": str(record.get("id", "")), "message": message}
    version = _version(record)
    if version:
        details["version"] = version
    return details


def _version(obj: dict[str, Any]) -> str | None:
    stamp = obj.get("modified") or obj.get("created")
    if not isinstance(stamp, str):
        return None
    try:
        return normalize_timestamp(stamp)
    except ValueError:
        return None


def _successes(connection: Connection, accepted: list[dict[str, Any]]) -> list[dict[str, str]]:
    # Objects without modified or created (most SCOs) are versioned by when they were
    # first added; the store knows that version. Their ids derive from their content,
    # so the newest stored version is the one just posted.
    unversioned = {obj["id"] for obj in accepted if _version(obj) is None}
    stored: dict[str, str] = {}
    if unversioned:
        rows = connection.execute(
            select(stix_object.c.id, func.max(stix_object.c.version))
            .where(stix_object.c.id.in_(sorted(unversioned)))
            .group_by(stix_object.c.id)
        )
        stored = {object_id: version for object_id, version in rows}
    return [
        {"id": obj["id"], "version": _version(obj) or stored.get(obj["id"], "")} for obj in accepted
    ]
