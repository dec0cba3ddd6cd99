"""A validated object made ready for storage: its canonical JSON and content digest.

Preparing is the last step that needs no database, so an importer can do it in another
process. A ``PreparedVersion`` is a flat tuple of strings and bytes: cheap to pickle.
"""

from __future__ import annotations

from hashlib import blake2b
from typing import Any, NamedTuple

import orjson

from accord.stix.validation import ValidatedObject

__all__ = ["PreparedVersion", "canonical_json", "content_hash", "prepare"]


class PreparedVersion(NamedTuple):
    id: str
    type: str
    spec_version: str
    created: str | None
    modified: str | None
    created_by_ref: str | None
    tlp: str | None
    revoked: bool
    name: str | None
    #: object_marking_refs, then granular marking refs (as ValidatedObject.marking_refs).
    marking_refs: tuple[str, ...]
    #: the granular ones only, to name the property when a reference is unknown
    granular_refs: tuple[str, ...]
    canonical: bytes
    digest: bytes

    def body(self) -> dict[str, Any]:
        """The object itself, decoded again from its canonical form."""
        decoded: dict[str, Any] = orjson.loads(self.canonical)
        return decoded


def canonical_json(body: dict[str, Any]) -> bytes:
    """The stored form of an object: JSON with sorted keys, so equal content hashes equal."""
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)


def content_hash(canonical: bytes) -> bytes:
    return blake2b(canonical, digest_size=16).digest()


def prepare(obj: ValidatedObject) -> PreparedVersion:
    canonical = canonical_json(obj.body)
    own = obj.body.get("object_marking_refs", ())
    granular = tuple(ref for ref in obj.marking_refs if ref not in own) if obj.marking_refs else ()
    return PreparedVersion(
        obj.id,
        obj.type,
        obj.spec_version,
        obj.created,
        obj.modified,
        obj.created_by_ref,
        obj.tlp.value if obj.tlp else None,
        obj.revoked,
        obj.name,
        obj.marking_refs,
        granular,
        canonical,
        content_hash(canonical),
    )
