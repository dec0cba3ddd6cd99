"""Accord's own curated incidents (``data/incidents.json``): every fact with its source.

Each value in the file is ``{"value": ..., "source": URL}`` (or, for a claim or a
response, an object with its own ``source``), so that a reader can check any fact where
it was published. What could not be sourced is not in the file.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from accord.diplomacy.datasets import Reading
from accord.diplomacy.incidents import EFFECTS, FORMS, Claim, IncidentRecord, Provenance, Response
from accord.errors import MalformedInput

PACKAGED = "data/incidents.json"


def curated_entries(path: Path | None = None) -> list[dict[str, Any]]:
    """The entries of the curated file (the packaged one unless ``path`` names another)."""
    if path is None:
        text = resources.files("accord").joinpath(PACKAGED).read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    entries = json.loads(text)
    if not isinstance(entries, list):
        raise MalformedInput(str(path or PACKAGED), "a JSON array of incidents")
    return entries


def unsourced(entry: dict[str, Any]) -> list[str]:
    """The facts of an entry that carry no source URL (empty when all do)."""
    missing = []
    if entry.get("description") and not _url(entry.get("description_source")):
        missing.append("description")
    for key in ("start", "critical_infrastructure"):
        fact = entry.get(key)
        if fact is not None and not _url(fact.get("source")):
            missing.append(key)
    for key in ("victim_countries", "victim_sectors", "effects", "claims", "responses"):
        for n, fact in enumerate(entry.get(key) or []):
            if not _url(fact.get("source")):
                missing.append(f"{key}[{n}]")
    return missing


def _url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://"))


def read_curated(path: Path | None = None) -> Reading:
    """Records of the curated entries; an entry with an unsourced fact is refused."""
    reading = Reading()
    where_file = path.name if path else PACKAGED
    for n, entry in enumerate(curated_entries(path)):
        reading.rows += 1
        where = f"{where_file}[{n}]"
        key, name = entry.get("key"), entry.get("name")
        if not key or not name:
            reading.skip(where, "key" if not key else "name", "empty")
            continue
        missing = unsourced(entry)
        if missing:
            reading.skip(where, missing[0], "no source URL: unsourced facts are not taken")
            continue
        reading.records.append(_record(entry))
    return reading


def _record(entry: dict[str, Any]) -> IncidentRecord:
    def listed(key: str) -> list[Any]:
        return [fact["value"] for fact in entry.get(key) or []]

    sources = [entry["description_source"]] if entry.get("description_source") else []
    for key in ("start", "critical_infrastructure"):
        if entry.get(key):
            sources.append(entry[key]["source"])
    for key in ("victim_countries", "victim_sectors", "effects", "claims", "responses"):
        sources += [fact["source"] for fact in entry.get(key) or []]
    claims = [
        Claim(
            by=c.get("by"),
            by_country=c.get("by_country"),
            date=c.get("date"),
            actor=c.get("actor"),
            state=c.get("state"),
            form=c.get("form") if c.get("form") in FORMS else "other",
            wording=c.get("wording"),
            source=c["source"],
        )
        for c in entry.get("claims") or []
    ]
    responses = [
        Response(kind=r["kind"], date=r.get("date"), by=r.get("by"), source=r["source"])
        for r in entry.get("responses") or []
    ]
    return IncidentRecord(
        name=entry["name"],
        provenance=[Provenance("curated", entry["key"])],
        description=entry.get("description"),
        start=(entry.get("start") or {}).get("value"),
        victim_countries=listed("victim_countries"),
        victim_sectors=listed("victim_sectors"),
        critical_infrastructure=bool((entry.get("critical_infrastructure") or {}).get("value")),
        effects=[e for e in listed("effects") if e in EFFECTS],
        claims=claims,
        responses=responses,
        sources=list(dict.fromkeys(sources)),
    )
