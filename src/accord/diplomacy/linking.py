"""One incident, several datasets: linking records instead of doubling them.

A record is the same incident as one held already when it is the same row of the same
dataset (a re-import), or, for a row of another dataset, when both bear the same name and
their start dates (when both are known) lie within a year, or when both cite the same
specific source URL and also share a distinctive word of their names or start within
sixty days of each other. A URL that several held incidents cite is too general to link by.
Linked records are merged: the held name and description stay, lists are joined, and
every provenance is kept.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from urllib.parse import urlsplit

from accord.diplomacy.incidents import IncidentRecord

MAX_DAYS_APART = 366


@dataclass
class Linked:
    """What an import changes: new incidents, and held ones with more to them."""

    new: list[IncidentRecord] = field(default_factory=list)
    changed: list[IncidentRecord] = field(default_factory=list)
    unchanged: int = 0
    linked: int = 0  # rows of this import merged into an incident from another dataset


def link(held: list[IncidentRecord], incoming: list[IncidentRecord]) -> Linked:
    by_key: dict[str, IncidentRecord] = {}
    by_url: dict[str, list[IncidentRecord]] = defaultdict(list)
    by_name: dict[str, list[IncidentRecord]] = defaultdict(list)
    for record in held:
        _index(record, by_key, by_url, by_name)
    before = {id(r): asdict(r) for r in held}
    result = Linked()
    touched: dict[int, IncidentRecord] = {}
    for record in incoming:
        same = by_key.get(record.provenance[0].key)
        if same is not None:
            _replace_row(same, record)
            touched[id(same)] = same
            continue
        match = _match(record, by_url, by_name)
        if match is not None:
            _merge(match, record)
            result.linked += 1
            touched[id(match)] = match
        else:
            result.new.append(record)
        _index(match or record, by_key, by_url, by_name)
    for key, record in touched.items():
        if key in before and asdict(record) == before[key]:
            result.unchanged += 1
        elif key in before:
            result.changed.append(record)
    return result


def _index(
    record: IncidentRecord,
    by_key: dict[str, IncidentRecord],
    by_url: dict[str, list[IncidentRecord]],
    by_name: dict[str, list[IncidentRecord]],
) -> None:
    for provenance in record.provenance:
        by_key[provenance.key] = record
    for url in record.sources:
        key = _url_key(url)
        if key and record not in by_url[key]:
            by_url[key].append(record)
    name = _name_key(record.name)
    if record not in by_name[name]:
        by_name[name].append(record)


def _match(
    record: IncidentRecord,
    by_url: dict[str, list[IncidentRecord]],
    by_name: dict[str, list[IncidentRecord]],
) -> IncidentRecord | None:
    dataset = record.provenance[0].dataset
    by_source: list[IncidentRecord] = []
    for url in record.sources:
        held = by_url.get(_url_key(url) or "", [])
        if len(held) == 1:  # cited by one incident only: specific enough
            by_source.append(held[0])
    named = by_name.get(_name_key(record.name), [])
    for candidate in [*named, *by_source]:
        if dataset in {p.dataset for p in candidate.provenance}:
            continue  # rows of one dataset are distinct incidents by its own account
        if candidate in named and _close(candidate.start, record.start):
            return candidate
        # a shared source alone is not enough (one report covers several operations):
        # the names must share a distinctive word, or the dates be known and near
        if candidate in by_source and (
            _share_a_word(candidate.name, record.name) or _near(candidate.start, record.start)
        ):
            return candidate
    return None


_COMMON = frozenset(
    [
        "attack",
        "attacks",
        "campaign",
        "hack",
        "hackers",
        "group",
        "targeting",
        "targeted",
        "against",
        "operation",
        "compromise",
        "breach",
        "cyber",
        "state",
        "sponsored",
        "actors",
        "espionage",
        "malware",
        "networks",
    ]
)


def _share_a_word(a: str, b: str) -> bool:
    words = [set(re.findall(r"[a-z0-9]{5,}", n.lower())) - _COMMON for n in (a, b)]
    return bool(words[0] & words[1])


def _near(a: str | None, b: str | None, days: int = 60) -> bool:
    if not a or not b:
        return False
    return abs((date.fromisoformat(a) - date.fromisoformat(b)).days) <= days


def _close(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return True
    return abs((date.fromisoformat(a) - date.fromisoformat(b)).days) <= MAX_DAYS_APART


def _url_key(url: str) -> str | None:
    """Scheme, ``www.`` and trailing slashes do not matter; a bare host links nothing."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    if not host or len(path) < 2:
        return None
    return f"{host}{path}" + (f"?{parts.query}" if parts.query else "")


def _name_key(name: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", name.lower()))


def _replace_row(held: IncidentRecord, row: IncidentRecord) -> None:
    """A re-imported row: its dataset's contribution is read afresh into the record."""
    if len(held.provenance) == 1:  # the record is this row alone
        held.__dict__.update(row.__dict__)
        return
    _merge(held, row)


def _merge(held: IncidentRecord, other: IncidentRecord) -> None:
    for provenance in other.provenance:
        if provenance.key not in {p.key for p in held.provenance}:
            held.provenance.append(provenance)
    held.description = held.description or other.description
    held.start = held.start or other.start
    held.end = held.end or other.end
    held.critical_infrastructure = held.critical_infrastructure or other.critical_infrastructure
    held.severity = held.severity if held.severity is not None else other.severity
    for name in ("victim_countries", "victim_sectors", "effects", "sources", "claims", "responses"):
        mine = getattr(held, name)
        for value in getattr(other, name):
            if value not in mine:
                mine.append(value)
    held.details.update(other.details)
