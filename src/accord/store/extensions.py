"""Accord's STIX extension definitions, the same on every node.

An extension definition is one object shared by every node that uses it, so that
federation meets the same id with the same content and stores nothing twice. Accord's
are therefore authored by one fixed identity (the Accord project), carry fixed times,
and are stored as TLP:CLEAR when first needed (``declare``).
"""

from __future__ import annotations

from typing import Any

from accord.stix.tlp import Tlp
from accord.store.database import Store
from accord.store.identity import Organisation
from accord.store.importer import ImportOptions, import_objects
from accord.store.reading import ObjectQuery, visible

DEFINED = "2026-11-25T00:00:00.000Z"
ACCORD_IDENTITY: dict[str, Any] = {
    "type": "identity",
    "spec_version": "2.1",
    "id": "identity--a0c0d0e0-0000-4000-8000-acc0d0000001",
    "created": DEFINED,
    "modified": DEFINED,
    "name": "Accord",
    "identity_class": "organization",
    "description": "Author of the STIX extension definitions Accord nodes share.",
}


def definition(
    definition_id: str, name: str, schema: str, extension_types: list[str]
) -> dict[str, Any]:
    return {
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": definition_id,
        "created": DEFINED,
        "modified": DEFINED,
        "created_by_ref": ACCORD_IDENTITY["id"],
        "name": name,
        "schema": schema,
        "version": "1.0.0",
        "extension_types": extension_types,
    }


def declare(store: Store, org: Organisation, definitions: list[dict[str, Any]]) -> None:
    """Store the definitions (and their author) that ``org`` does not see yet, public."""
    wanted = [ACCORD_IDENTITY, *definitions]
    held = {v.id for v in visible(store, org.id, ObjectQuery(ids=[d["id"] for d in wanted]))}
    missing = [d for d in wanted if d["id"] not in held]
    if missing:
        options = ImportOptions(org=org, communities=frozenset(), unmarked_tlp=Tlp.CLEAR)
        import_objects(store, missing, "Accord extension definitions", options)
