"""Evidence for an attribution: what was seen, each item with its source and grade.

Read from the JSON the CLI and the API take (every key optional)::

    {"id": "case-7",
     "techniques": ["T1566.001", {"id": "T1059.001", "source": "IR report", "reliability": "B"}],
     "software": ["S0154", "Cobalt Strike"],
     "infrastructure": ["198.51.100.7", "evil.example", {"value": "…", "source": "…"}],
     "victims": {"sectors": ["energy"], "countries": ["UA", "Georgia"]},
     "timestamps": ["2024-03-01T06:12:00Z"],
     "languages": ["ru"],
     "notes": ["free text, kept with the result but not scored"],
     "incident": "incident--…"}  # what is assessed, when it is in the store

or from STIX objects (``evidence_from_stix``). A grade is the source-reliability letter
of the Admiralty scale (A completely reliable … E unreliable, F cannot be judged). An
item that cannot be read is an ``InvalidObject`` naming the evidence and the property.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from accord.attribution.attack import external_id
from accord.attribution.places import country_code
from accord.errors import InvalidObject

TECHNIQUE_ID = re.compile(r"T\d{4}(?:\.\d{3})?")
SOFTWARE_ID = re.compile(r"S\d{4}")
#: source reliability (Admiralty scale) → how much an item counts
RELIABILITY: Mapping[str, float] = {
    "A": 1.0,  # completely reliable
    "B": 0.9,  # usually reliable
    "C": 0.75,  # fairly reliable
    "D": 0.5,  # not usually reliable
    "E": 0.25,  # unreliable
    "F": 0.6,  # reliability cannot be judged
}
UNGRADED = 0.8
KEYS = (
    "id",
    "incident",
    "techniques",
    "software",
    "infrastructure",
    "victims",
    "timestamps",
    "languages",
    "notes",
)


@dataclass(frozen=True)
class Item:
    """One piece of evidence: its kind, its value as scored, where it came from."""

    kind: str  # technique, software, infrastructure, sector, country, timestamp, language
    value: str
    source: str | None = None
    reliability: str | None = None  # A-F, None if not graded

    @property
    def weight(self) -> float:
        return RELIABILITY[self.reliability] if self.reliability else UNGRADED

    @property
    def label(self) -> str:
        return f"{self.kind} {self.value}"


@dataclass
class Evidence:
    id: str | None = None
    incident: str | None = None  # the STIX incident this evidence is about, if any
    items: list[Item] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Item]:
        return [item for item in self.items if item.kind == kind]


def parse_evidence(data: Any, where: str = "evidence") -> Evidence:
    """Evidence from its JSON form, or from a STIX bundle; InvalidObject names the first
    bad property."""
    if isinstance(data, dict) and data.get("type") == "bundle":
        objects = data.get("objects")
        if not isinstance(objects, list) or not all(isinstance(o, dict) for o in objects):
            raise InvalidObject(str(data.get("id", where)), "objects", "a list of STIX objects")
        return evidence_from_stix(objects, str(data.get("id", where)))
    if not isinstance(data, dict):
        raise InvalidObject(where, "(root)", f"evidence is a JSON object, not {_kind(data)}")
    case = data.get("id")
    name = str(case) if case is not None else where
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise InvalidObject(name, unknown[0], f"unknown key; evidence keys are {', '.join(KEYS)}")
    if case is not None and not isinstance(case, str | int):
        raise InvalidObject(name, "id", "an id is a string or a number")
    incident = data.get("incident")
    if incident is not None and not (
        isinstance(incident, str) and re.fullmatch(r"incident--[0-9a-f-]{36}", incident)
    ):
        raise InvalidObject(name, "incident", "the STIX id of the incident assessed")
    evidence = Evidence(id=None if case is None else str(case), incident=incident)
    reader = _Reader(name, evidence, data)
    reader.items("techniques", "technique", _technique)
    reader.items("software", "software", _software)
    reader.items("infrastructure", "infrastructure", _infrastructure)
    victims = data.get("victims")
    if victims is not None:
        if not isinstance(victims, dict):
            raise InvalidObject(name, "victims", "an object with 'sectors' and 'countries'")
        extra = sorted(set(victims) - {"sectors", "countries"})
        if extra:
            raise InvalidObject(name, f"victims.{extra[0]}", "victims has sectors and countries")
        reader.items("victims.sectors", "sector", _sector, victims.get("sectors"))
        reader.items("victims.countries", "country", _country, victims.get("countries"))
    reader.items("timestamps", "timestamp", _timestamp)
    reader.items("languages", "language", _language)
    notes = data.get("notes", [])
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        raise InvalidObject(name, "notes", "a list of strings")
    evidence.notes = list(notes)
    return evidence


class _Reader:
    def __init__(self, name: str, evidence: Evidence, data: dict[str, Any]) -> None:
        self.name = name
        self.evidence = evidence
        self.data = data

    def items(self, key: str, kind: str, read: Any, values: Any = ...) -> None:
        raw = self.data.get(key) if values is ... else values
        if raw is None:
            return
        if not isinstance(raw, list):
            raise InvalidObject(self.name, key, f"a list, not {_kind(raw)}")
        seen = set()
        for n, entry in enumerate(raw):
            where = f"{key}[{n}]"
            value, source, grade = _entry(self.name, where, entry)
            try:
                scored = read(value)
            except ValueError as exc:
                raise InvalidObject(self.name, where, str(exc)) from None
            if (kind, scored) in seen:
                continue  # the same thing twice is one piece of evidence
            seen.add((kind, scored))
            self.evidence.items.append(Item(kind, scored, source, grade))


def _entry(name: str, where: str, entry: Any) -> tuple[str, str | None, str | None]:
    """(value, source, grade) of a plain string or of {"id"|"value", "source", "reliability"}."""
    if isinstance(entry, str):
        return entry.strip(), None, None
    if not isinstance(entry, dict):
        raise InvalidObject(name, where, f"a string or an object, not {_kind(entry)}")
    extra = sorted(set(entry) - {"id", "value", "source", "reliability"})
    if extra:
        raise InvalidObject(name, f"{where}.{extra[0]}", "unknown key")
    value = entry.get("id", entry.get("value"))
    if not isinstance(value, str) or not value.strip():
        raise InvalidObject(name, f"{where}.value", "a non-empty string ('id' or 'value')")
    source = entry.get("source")
    if source is not None and not isinstance(source, str):
        raise InvalidObject(name, f"{where}.source", "a string")
    grade = entry.get("reliability")
    if grade is not None:
        grade = str(grade).strip().upper()
        if grade not in RELIABILITY:
            raise InvalidObject(
                name, f"{where}.reliability", "a source-reliability grade, A to F (Admiralty)"
            )
    return value.strip(), source, grade


def _technique(value: str) -> str:
    text = value.upper()
    if not TECHNIQUE_ID.fullmatch(text):
        raise ValueError(f"{value!r} is not an ATT&CK technique id (T1234 or T1234.001)")
    return text


def _software(value: str) -> str:
    """An ATT&CK software id, upper-cased; a name is kept as written (resolved later)."""
    return value.upper() if SOFTWARE_ID.fullmatch(value.upper()) else value


def _infrastructure(value: str) -> str:
    return value.lower().rstrip(".")


def _sector(value: str) -> str:
    return value.lower().replace(" ", "-")


def _country(value: str) -> str:
    code = country_code(value)
    if code is None:
        raise ValueError(f"{value!r} is no country (an ISO 3166 code or an English name)")
    return code


def _timestamp(value: str) -> str:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is not an RFC 3339 timestamp") from None
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone; activity times need one (Z or ±hh:mm)")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _language(value: str) -> str:
    text = value.strip().replace("_", "-").split("-")[0].lower()
    if not re.fullmatch(r"[a-z]{2,3}", text):
        raise ValueError(f"{value!r} is no language code (ISO 639, e.g. 'ru' or 'zh-CN')")
    return text


def _kind(value: Any) -> str:
    return "null" if value is None else f"a JSON {type(value).__name__}"


def evidence_from_stix(objects: Iterable[Mapping[str, Any]], case: str | None = None) -> Evidence:
    """Evidence from STIX: attack-patterns and malware/tools (by ATT&CK id or name),
    SCOs and indicators' values as infrastructure, identities' sectors, locations'
    countries, observed-data times; each object's ``created_by_ref`` is the source. An
    object that cannot be read is an InvalidObject naming it."""
    evidence = Evidence(id=case)
    seen: set[tuple[str, str]] = set()

    def add(kind: str, value: str, obj: Mapping[str, Any]) -> None:
        if (kind, value) not in seen:
            seen.add((kind, value))
            evidence.items.append(Item(kind, value, obj.get("created_by_ref")))

    for obj in objects:
        try:
            _from_object(obj, add, evidence)
        except (ValueError, TypeError, AttributeError) as exc:
            where = str(obj.get("id", "an object"))
            raise InvalidObject(
                case or "evidence", where, f"cannot be read as evidence: {exc}"
            ) from None
    return evidence


def _from_object(obj: Mapping[str, Any], add: Any, evidence: Evidence) -> None:
    from accord.correlate.compiler import PatternError, compile_pattern
    from accord.correlate.index import ValueAnchor, anchors

    kind = obj.get("type")
    attack_id = external_id(obj)
    if kind == "attack-pattern" and attack_id:
        add("technique", attack_id, obj)
    elif kind in ("malware", "tool"):
        add("software", attack_id or str(obj.get("name", "")), obj)
    elif kind in ("ipv4-addr", "ipv6-addr", "domain-name", "url") and "value" in obj:
        add("infrastructure", _infrastructure(str(obj["value"])), obj)
    elif kind == "file":
        hashes = obj.get("hashes") or {}
        if not isinstance(hashes, dict):
            raise TypeError("hashes is a dictionary of algorithm to value")
        for digest in hashes.values():
            add("infrastructure", _infrastructure(str(digest)), obj)
    elif kind == "indicator" and obj.get("pattern_type") == "stix":
        try:
            found = anchors(compile_pattern(str(obj.get("pattern", ""))))
        except PatternError:
            return
        for anchor in found:
            if isinstance(anchor, ValueAnchor) and isinstance(anchor.value, str):
                add("infrastructure", _infrastructure(anchor.value), obj)
    elif kind == "identity":
        sectors = obj.get("sectors") or []
        if not isinstance(sectors, list):
            raise TypeError("sectors is a list")
        for sector in sectors:
            add("sector", _sector(str(sector)), obj)
    elif kind == "location" and obj.get("country"):
        code = country_code(str(obj["country"]))
        if code:
            add("country", code, obj)
    elif kind == "observed-data":
        for key in ("first_observed", "last_observed"):
            if obj.get(key):
                add("timestamp", _timestamp(str(obj[key])), obj)
    elif kind == "note" and obj.get("content"):
        evidence.notes.append(str(obj["content"]))
