"""Accord's curated incidents: every fact carries its source, and nothing else is taken."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import orjson
import pycountry

from accord.diplomacy.curated import curated_entries, read_curated, unsourced
from accord.diplomacy.incidents import EFFECTS, FORMS


def test_every_curated_fact_has_a_source() -> None:
    entries = curated_entries()
    keys = [e["key"] for e in entries]
    assert len(keys) == len(set(keys))
    for entry in entries:
        assert unsourced(entry) == [], entry["key"]
        for fact in entry.get("victim_countries", []):
            assert pycountry.countries.get(alpha_2=fact["value"]), (entry["key"], fact)
        for fact in entry.get("effects", []):
            assert fact["value"] in EFFECTS, (entry["key"], fact)
        for claim in entry.get("claims", []):
            assert claim["form"] in FORMS, (entry["key"], claim)
            if claim.get("date"):
                date.fromisoformat(claim["date"])
        if entry.get("start"):
            date.fromisoformat(entry["start"]["value"])
    reading = read_curated()
    assert len(reading.records) == len(entries) and not reading.problems


def test_an_unsourced_fact_keeps_its_incident_out(tmp_path: Path) -> None:
    source = "https://example.org/report"
    good = {
        "key": "a",
        "name": "A",
        "claims": [{"by": "X", "state": "RU", "form": "statement", "source": source}],
    }
    bad = {"key": "b", "name": "B", "start": {"value": "2017-06-27"}}
    path = tmp_path / "incidents.json"
    path.write_bytes(orjson.dumps([good, bad]))
    reading = read_curated(path)
    assert [r.name for r in reading.records] == ["A"]
    assert reading.records[0].claims[0].source == source
    assert reading.problems[0].column == "start" and reading.problems[0].skipped
