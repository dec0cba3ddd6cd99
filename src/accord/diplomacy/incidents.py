"""Incidents as STIX 2.1: an ``incident`` with Accord's property extension.

The extension (declared by ``DEFINITION``) carries what a diplomat asks of an
incident: when, whom it hit (countries, sectors, critical infrastructure), its effects,
its severity, the public attribution claims (who said it, when, about whom, in what form
and words, with the source), the responses taken, the sources, and where each record
came from (dataset and row), so that one incident reported by several datasets is one
object with several provenances.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from accord.store.extensions import definition

EXTENSION_ID = "extension-definition--5d3b7a2c-9e41-4f6a-8c0d-2b7e9f1a4c63"
#: STIX allows the schema as text; the properties are those of IncidentRecord below
EXTENSION_SCHEMA = (
    "Properties: start, end (YYYY-MM-DD); victim_countries (ISO 3166 alpha-2); "
    "victim_sectors; critical_infrastructure (boolean); effects (espionage, disruption, "
    "destruction, data-theft, influence); severity (0-10); claims (by, by_country, date, "
    "actor, state, form, wording, source); responses (kind, date, by, source); sources "
    "(URLs); provenance (dataset, record); details (per dataset, as read)."
)
NAMESPACE = uuid.UUID("a0c5e7d2-3b19-5f48-9e6a-1d2c3b4a5f60")
EFFECTS = ("espionage", "disruption", "destruction", "data-theft", "influence")
FORMS = (
    "statement", "joint-statement", "indictment", "sanctions", "technical-report",
    "media-report", "self-attribution", "dataset-assessment", "other",
)  # fmt: skip


@dataclass
class Claim:
    """A public attribution: who said, when, about whom, how, in what words, where."""

    by: str | None = None  # the attributing state or organisation, as named
    by_country: str | None = None  # ISO 3166 code when the attributor is or acts for a state
    date: str | None = None  # YYYY-MM-DD
    actor: str | None = None  # the group or organisation attributed to
    state: str | None = None  # ISO 3166 code of the state attributed to
    form: str = "other"
    wording: str | None = None
    source: str | None = None


@dataclass
class Response:
    kind: str
    date: str | None = None
    by: str | None = None  # ISO 3166 code or a name
    source: str | None = None


@dataclass
class Provenance:
    dataset: str  # eurepoc, cfr, dcid, curated
    record: str  # the row's id in that dataset

    @property
    def key(self) -> str:
        return f"{self.dataset}:{self.record}"


@dataclass
class IncidentRecord:
    name: str
    provenance: list[Provenance]
    description: str | None = None
    start: str | None = None  # YYYY-MM-DD
    end: str | None = None
    victim_countries: list[str] = field(default_factory=list)
    victim_sectors: list[str] = field(default_factory=list)
    critical_infrastructure: bool = False
    effects: list[str] = field(default_factory=list)
    severity: float | None = None  # 0 (none) to 10 (the worst), normalised per dataset
    claims: list[Claim] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    #: what a dataset says that the model has no field for, by dataset
    details: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def attributed_states(self) -> list[str]:
        """The states its claims attribute it to (ISO codes), sorted."""
        return sorted({c.state for c in self.claims if c.state})

    def id_for(self, author: str) -> str:
        """The incident's id as ``author`` holds it: derived from the author and the first
        provenance, so a re-import finds the same object, and two organisations importing
        one dataset on a node each hold their own."""
        return f"incident--{uuid.uuid5(NAMESPACE, author + '|' + self.provenance[0].key)}"


DEFINITION = definition(
    EXTENSION_ID,
    "Accord incident",
    EXTENSION_SCHEMA,
    ["property-extension"],
)


def incident_object(record: IncidentRecord, author: str, stamp: str) -> dict[str, Any]:
    """The STIX incident for ``record`` (``stamp``: its created and modified time)."""
    body = {k: v for k, v in asdict(record).items() if k not in ("name", "description")}
    extension = {"extension_type": "property-extension"}
    # leave out what is empty; 0 and false are values (0.0 == False, so test by kind)
    extension.update({k: v for k, v in body.items() if v is not None and v != [] and v != {}})
    obj: dict[str, Any] = {
        "type": "incident",
        "spec_version": "2.1",
        "id": record.id_for(author),
        "created": stamp,
        "modified": stamp,
        "created_by_ref": author,
        "name": record.name,
        "extensions": {EXTENSION_ID: extension},
    }
    if record.description:
        obj["description"] = record.description
    if record.sources:
        obj["external_references"] = [
            {"source_name": "source", "url": url} for url in record.sources[:50]
        ]
    return obj


def record_of(obj: dict[str, Any]) -> IncidentRecord | None:
    """The record an Accord incident object carries; None for other incidents."""
    data = (obj.get("extensions") or {}).get(EXTENSION_ID)
    if not isinstance(data, dict) or not data.get("provenance"):
        return None
    try:
        return _checked(_record(obj, data))
    except (TypeError, ValueError, KeyError, AttributeError):
        return None  # written by another node in a shape this one cannot read: left out


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _checked(record: IncidentRecord) -> IncidentRecord:
    """The record, if every field has the type the pages, briefs and analytics rely on
    (a peer's malformed incident must not break them); ValueError otherwise."""
    for day in (record.start, record.end, *(c.date for c in record.claims),
                *(r.date for r in record.responses)):  # fmt: skip
        if day is not None and not (isinstance(day, str) and _DAY.fullmatch(day)):
            raise ValueError(f"not a YYYY-MM-DD date: {day!r}")
    texts = [record.name, record.description, *record.victim_countries, *record.victim_sectors,
             *record.effects, *record.sources]  # fmt: skip
    parts: list[Claim | Response | Provenance] = [*record.claims, *record.responses,
                                                  *record.provenance]  # fmt: skip
    for part in parts:
        texts += [getattr(part, f.name) for f in fields(part) if f.name != "date"]
    if any(text is not None and not isinstance(text, str) for text in texts):
        raise ValueError("a text field holds something else")
    if record.severity is not None and not isinstance(record.severity, int | float):
        raise ValueError("severity is not a number")
    return record


def _known(kind: type, data: Any) -> Any:
    """An instance of dataclass ``kind`` from the keys of ``data`` it has (others dropped)."""
    names = {f.name for f in fields(kind)}
    return kind(**{k: v for k, v in dict(data).items() if k in names})


def _record(obj: dict[str, Any], data: dict[str, Any]) -> IncidentRecord:
    return IncidentRecord(
        name=str(obj.get("name", "")),
        description=obj.get("description"),
        provenance=[_known(Provenance, p) for p in data["provenance"]],
        start=data.get("start"),
        end=data.get("end"),
        victim_countries=list(data.get("victim_countries", [])),
        victim_sectors=list(data.get("victim_sectors", [])),
        critical_infrastructure=bool(data.get("critical_infrastructure", False)),
        effects=list(data.get("effects", [])),
        severity=data.get("severity"),
        claims=[_known(Claim, c) for c in data.get("claims", [])],
        responses=[_known(Response, r) for r in data.get("responses", [])],
        sources=list(data.get("sources", [])),
        details=dict(data.get("details", {})),
    )
