"""Incidents in the store: importing datasets (linked, all or nothing), listing, reading.

Public datasets are public knowledge, so their incidents are stored as TLP:CLEAR. Every
read goes through the access gate: an organisation sees the incidents its peers shared
with it besides the public ones.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from accord.diplomacy.datasets import Problem, read_dataset
from accord.diplomacy.incidents import (
    DEFINITION,
    NAMESPACE,
    IncidentRecord,
    incident_object,
    record_of,
)
from accord.diplomacy.linking import link
from accord.errors import NotFound
from accord.stix.timestamps import now_timestamp
from accord.stix.tlp import Tlp
from accord.store import ImportOptions, ObjectQuery, Store, import_objects, visible
from accord.store.extensions import declare
from accord.store.identity import Organisation


@dataclass
class IncidentImport:
    dataset: str
    rows: int
    new: int
    changed: int
    unchanged: int
    linked: int
    problems: list[Problem]

    @property
    def skipped_rows(self) -> int:
        return sum(p.skipped for p in self.problems)

    def as_json(self) -> dict[str, object]:
        return {
            "dataset": self.dataset,
            "rows": self.rows,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "linked": self.linked,
            "skipped_rows": self.skipped_rows,
            "problems": [p.__dict__ for p in self.problems],
        }


def import_incidents(
    store: Store, org: Organisation, fmt: str, path: Path | None
) -> IncidentImport:
    """Read a dataset, link its rows to the incidents held, store what is new or more."""
    reading = read_dataset(fmt, path)
    # only public incidents this organisation imported may gain from a public dataset:
    # others' incidents are theirs to version, and marked ones must not turn public
    held = held_incidents(store, org, own_public=True)
    linked = link([h.record for h in held.values()], reading.records)
    stamp = now_timestamp()
    declare(store, org, [DEFINITION])
    objects = [incident_object(r, org.id, stamp) for r in linked.new]

    def created(record: IncidentRecord) -> str:  # a new version keeps the first one's
        key = record.id_for(org.id)
        return held[key].created if key in held else stamp

    objects += [incident_object(r, org.id, stamp) | {"created": created(r)} for r in linked.changed]
    actors = _intrusion_sets(store, org)
    for record in [*linked.new, *linked.changed]:
        objects += attributions(record, actors, org.id, created(record))
    options = ImportOptions(org=org, communities=frozenset(), unmarked_tlp=Tlp.CLEAR)
    import_objects(store, objects, f"{fmt} dataset {path.name if path else ''}".strip(), options)
    return IncidentImport(
        fmt,
        reading.rows,
        len(linked.new),
        len(linked.changed),
        linked.unchanged,
        linked.linked,
        reading.problems,
    )


def _intrusion_sets(store: Store, org: Organisation) -> dict[str, str]:
    """Lower-case name or alias (of four characters or more) → intrusion set id."""
    found: dict[str, str] = {}
    for version in visible(store, org.id, ObjectQuery(types=["intrusion-set"])):
        body = version.body
        if body.get("revoked") or body.get("x_mitre_deprecated"):
            continue
        for name in [body.get("name"), *(body.get("aliases") or [])]:
            if isinstance(name, str) and len(name) >= 4:
                found.setdefault(name.lower(), version.id)
    return found


def attributions(
    record: IncidentRecord, actors: dict[str, str], author: str, created: str
) -> list[dict[str, Any]]:
    """``attributed-to`` relationships from the incident to the intrusion sets its claims
    name (by name or alias, as a whole word), so that the attribution engine and the
    correlation graph see them. Ids and times are derived, so a re-import adds nothing."""
    found: dict[str, dict[str, Any]] = {}
    incident = record.id_for(author)
    for claim in record.claims:
        if not claim.actor:
            continue
        text = claim.actor.lower()
        for name, target in actors.items():
            if target in found or not re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text):
                continue
            relationship: dict[str, Any] = {
                "type": "relationship",
                "spec_version": "2.1",
                "id": f"relationship--{uuid.uuid5(NAMESPACE, incident + '|' + target)}",
                "created": created,
                "modified": created,
                "created_by_ref": author,
                "relationship_type": "attributed-to",
                "source_ref": incident,
                "target_ref": target,
                "description": f"claimed by {claim.by or 'an unnamed source'} ({claim.form})",
            }
            if claim.source:
                relationship["external_references"] = [
                    {"source_name": "claim", "url": claim.source}
                ]
            found[target] = relationship
    return list(found.values())


def incidents(store: Store, org: Organisation) -> dict[str, IncidentRecord]:
    """Every Accord incident ``org`` may see (latest versions), by STIX id."""
    return {key: held.record for key, held in held_incidents(store, org).items()}


class Held(NamedTuple):
    record: IncidentRecord
    created: str  # when the first version was made (a new version must keep it)
    tlp: Tlp


def held_incidents(store: Store, org: Organisation, own_public: bool = False) -> dict[str, Held]:
    """Accord incidents ``org`` may see (with ``own_public``: only the TLP:CLEAR ones it
    created), by STIX id, each with its first creation time and its TLP level."""
    found: dict[str, Held] = {}
    for version in visible(store, org.id, ObjectQuery(types=["incident"])):
        if own_public and (
            version.tlp != Tlp.CLEAR.value or version.body.get("created_by_ref") != org.id
        ):
            continue
        record = record_of(version.body)
        if record is not None:
            found[version.id] = Held(record, str(version.body["created"]), Tlp(version.tlp))
    return found


def incident(store: Store, org: Organisation, incident_id: str) -> IncidentRecord:
    for version in visible(store, org.id, ObjectQuery(types=["incident"], ids=[incident_id])):
        record = record_of(version.body)
        if record is not None:
            return record
    raise NotFound("incident", incident_id)
