"""Incident datasets in: every row stored or named in the report, one incident per event."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest
from stix2validator import ValidationOptions, validate_instance

from accord.diplomacy.cells import country, day, urls, values
from accord.diplomacy.datasets import read_dataset
from accord.diplomacy.incidents import (
    DEFINITION,
    Claim,
    IncidentRecord,
    Provenance,
    incident_object,
    record_of,
)
from accord.diplomacy.linking import link
from accord.diplomacy.registry import import_incidents, incidents
from accord.store import Store
from accord.store import identity as ids
from accord.store.extensions import ACCORD_IDENTITY
from tests.cli_runner import accord_env, run_accord

#: the third-party datasets, read where they are (``../shared/data`` beside the repository)
DATA = (
    Path(os.environ.get("ACCORD_SHARED_DATA", Path(__file__).parents[2].parent / "shared" / "data"))
    / "incidents"
)
assert DATA.is_dir(), f"the incident datasets are not at {DATA} (set ACCORD_SHARED_DATA)"
EUREPOC = DATA / "EuRepoC_Global_Database_1.1.csv"
CFR = DATA / "cfr-cyber-operations-incidents.csv"
DCID = DATA / "DCID_2.0_Release_update_February_2023.xlsx"


def test_cells_as_the_datasets_write_them() -> None:
    assert values("[['ASIA', 'SCS'], ['NEA']]") == ["ASIA", "SCS", "NEA"]
    assert values("Espionage; Disruption") == ["Espionage", "Disruption"]
    assert country("Korea, Republic of") == "KR"
    assert country("Korea (Democratic People's Republic of)") == "KP"
    assert country("Iran (Islamic Republic of)") == "IR"
    assert country("N Korea") == "KP" and country("Turkey") == "TR"
    assert country("Unknown") is None
    assert day("1/20/2022") == "2022-01-20" and day("2000-05-20") == "2000-05-20"
    assert day("sometime") is None
    assert urls("Denial   https://a.example/x.html, https://b.example/y") == [
        "https://a.example/x.html",
        "https://b.example/y",
    ]


def test_eurepoc_every_row_is_an_incident_with_its_tables() -> None:
    reading = read_dataset("eurepoc", EUREPOC)
    skipped = sum(p.skipped for p in reading.problems)
    assert reading.rows == 1643 and len(reading.records) == reading.rows - skipped
    by_id = {r.provenance[0].record: r for r in reading.records}
    textbook = by_id["7"]  # a 2001 DDoS by South Korean hacktivists on Japan
    assert textbook.victim_countries == ["JP"] and textbook.effects == ["disruption"]
    assert textbook.claims[0].actor == "Antijapan" and textbook.claims[0].state == "KR"
    assert textbook.claims[0].form == "self-attribution"
    with_claims = sum(1 for r in reading.records if r.claims)
    assert with_claims > 1000
    for problem in reading.problems:  # what was left out is named, with the reason
        assert problem.row.startswith(EUREPOC.name) and problem.column and problem.reason


def test_cfr_reports_shifted_and_repeated_rows() -> None:
    reading = read_dataset("cfr", CFR)
    skipped = [p for p in reading.problems if p.skipped]
    assert reading.rows == 768 and len(reading.records) == reading.rows - len(skipped)
    assert any("shifted" in p.reason for p in skipped)
    assert any("same title and date" in p.reason for p in skipped)
    sponsored = [r for r in reading.records if any(c.state == "CN" for c in r.claims)]
    assert len(sponsored) > 200


def test_dcid_names_the_initiator_of_each_dyad() -> None:
    reading = read_dataset("dcid", DCID)
    assert reading.rows == 429 and len(reading.records) == 429
    regin = next(r for r in reading.records if r.name == "Regin malware campaign")
    assert regin.claims[0].state == "US" and regin.victim_countries == ["RU"]
    assert regin.start == "2008-02-01" and regin.sources


def _record(dataset: str, key: str, name: str, start: str | None, *sources: str) -> IncidentRecord:
    return IncidentRecord(
        name=name, provenance=[Provenance(dataset, key)], start=start, sources=list(sources)
    )


def test_linking_joins_datasets_but_not_rows_of_one() -> None:
    held = [
        _record("eurepoc", "1", "NotPetya", "2017-06-27", "https://a.example/notpetya"),
        _record("eurepoc", "2", "Other", "2017-06-27", "https://hub.example/list"),
        _record("eurepoc", "3", "Other 2", "2017-07-01", "https://hub.example/list"),
    ]
    incoming = [
        _record("cfr", "x", "A wiper in Ukraine", "2017-06-28", "https://www.a.example/notpetya/"),
        _record("cfr", "y", "Hub-sourced", "2017-06-27", "https://hub.example/list"),
        _record("cfr", "z", "NotPetya", "2012-01-01"),  # same name, years apart
        _record("eurepoc", "4", "NotPetya", "2017-06-27"),  # same dataset: its own row
    ]
    linked = link(held, incoming)
    assert [r.provenance[0].key for r in linked.changed] == ["eurepoc:1"]
    assert [p.key for p in held[0].provenance] == ["eurepoc:1", "cfr:x"]
    assert {r.provenance[0].key for r in linked.new} == {"cfr:y", "cfr:z", "eurepoc:4"}
    again = link(held, incoming[:1])
    assert again.unchanged == 1 and not again.new and not again.changed


def test_incidents_are_valid_stix_and_read_back() -> None:
    author = "identity--00000000-0000-4000-8000-0000000000aa"
    record = _record("curated", "notpetya", "NotPetya", "2017-06-27", "https://a.example/n")
    record.claims = [Claim(by="United Kingdom", by_country="GB", state="RU", form="statement")]
    record.severity = 0.0
    stamp = "2026-11-25T00:00:00.000Z"
    objects = [ACCORD_IDENTITY, DEFINITION, incident_object(record, author, stamp)]
    bundle = {
        "type": "bundle",
        "id": "bundle--00000000-0000-4000-8000-000000000001",
        "objects": objects,
    }
    assert validate_instance(bundle, ValidationOptions(version="2.1")).is_valid
    assert record_of(objects[2]) == record


@pytest.fixture
def org(store: Store) -> ids.Organisation:
    with store.write() as connection:
        return ids.add_organisation(connection, "CERT-A")


def test_three_datasets_into_one_store(store: Store, org: ids.Organisation) -> None:
    first = import_incidents(store, org, "eurepoc", EUREPOC)
    assert first.new == first.rows - sum(p.skipped for p in first.problems)
    cfr = import_incidents(store, org, "cfr", CFR)
    dcid = import_incidents(store, org, "dcid", DCID)
    assert cfr.linked > 0 and dcid.linked > 0
    held = incidents(store, org)
    assert len(held) == first.new + cfr.new + dcid.new  # linked rows are not doubled
    eurepoc_rows = {p.record for r in held.values() for p in r.provenance if p.dataset == "eurepoc"}
    assert len(eurepoc_rows) == first.rows  # every row of the file is held
    again = import_incidents(store, org, "cfr", CFR)
    assert again.new == 0 and not again.changed
    with store.write() as connection:
        other = ids.add_organisation(connection, "CERT-B")
    assert len(incidents(store, other)) == len(held)  # public datasets: TLP:CLEAR


def test_incidents_from_the_command_line(tmp_path: Path) -> None:
    env = accord_env(tmp_path / "home")
    assert run_accord(["init", "--org", "CERT-A"], env).returncode == 0
    report = tmp_path / "report.json"
    done = run_accord(
        ["incidents", "import", "--format", "dcid", str(DCID), "--report", str(report)], env
    )
    assert done.returncode == 0, done.stderr
    assert "429 rows; 429 new incidents" in done.stdout.replace("\n", " ")
    assert orjson.loads(report.read_bytes())["rows"] == 429
    listed = orjson.loads(run_accord(["incidents", "list", "--format", "json"], env).stdout)
    assert len(listed) == 429
    regin = next(i for i in listed if i["name"] == "Regin malware campaign")
    shown = run_accord(["incidents", "show", regin["id"], "--format", "json"], env)
    assert orjson.loads(shown.stdout)["claims"][0]["state"] == "US"
    bad = run_accord(["incidents", "import", "--format", "cfr", str(DCID)], env)
    assert bad.returncode != 0 and "cfr" not in bad.stdout


def test_claims_naming_a_known_group_become_attributed_to_relationships(
    store: Store, org: ids.Organisation, tmp_path: Path
) -> None:
    from accord.stix.tlp import Tlp
    from accord.store import ImportOptions, import_objects

    group = {
        "type": "intrusion-set",
        "spec_version": "2.1",
        "id": "intrusion-set--bef4c620-0787-42a8-a96d-b7eb6e85917c",
        "created": "2017-05-31T21:31:48.664Z",
        "modified": "2017-05-31T21:31:48.664Z",
        "name": "APT28",
        "aliases": ["APT28", "Fancy Bear"],
    }
    options = ImportOptions(org=org, communities=frozenset(), unmarked_tlp=Tlp.CLEAR)
    import_objects(store, [group], "groups", options)
    curated = tmp_path / "incidents.json"
    source = "https://example.org/statement"
    entry = {
        "key": "spd-2023",
        "name": "SPD email accounts",
        "claims": [{"by": "Germany", "actor": "APT28 (Fancy Bear)", "state": "RU",
                    "form": "statement", "source": source}],
    }  # fmt: skip
    curated.write_bytes(orjson.dumps([entry]))
    import_incidents(store, org, "curated", curated)
    from accord.store import AccessGate, ObjectQuery, Viewer, iter_versions

    with store.read() as connection:
        query = ObjectQuery(types=["relationship"])
        found = [v.body for v in iter_versions(connection, AccessGate(Viewer(org.id)), query)]
    assert [(r["relationship_type"], r["target_ref"]) for r in found] == [
        ("attributed-to", group["id"])
    ]
    assert found[0]["external_references"][0]["url"] == source
    again = import_incidents(store, org, "curated", curated)
    assert again.new == 0 and again.unchanged == 1


def test_public_imports_leave_marked_and_others_incidents_alone(
    store: Store, org: ids.Organisation, tmp_path: Path
) -> None:
    from accord.stix.tlp import Tlp
    from accord.store import ImportOptions, Viewer, import_objects

    with store.write() as connection:
        peer = ids.add_organisation(connection, "CERT-Y")
    internal = _record("internal", "yak", "Yak Op", "2024-01-01")
    internal.description = "INTERNAL detail"
    marked = incident_object(internal, peer.id, "2024-02-01T00:00:00.000Z")
    options = ImportOptions(
        org=peer, recipients=frozenset({org.id}), communities=frozenset(), unmarked_tlp=Tlp.AMBER
    )
    import_objects(store, [marked], "peer", options)
    curated = tmp_path / "incidents.json"
    claim = {"by": "X", "state": "RU", "form": "statement", "source": "https://example.org/x"}
    curated.write_bytes(orjson.dumps([{"key": "yak", "name": "Yak Op", "claims": [claim]}]))
    done = import_incidents(store, org, "curated", curated)  # no version conflict
    assert done.new == 1 and done.linked == 0
    from accord.store import AccessGate, ObjectQuery, iter_versions

    with store.read() as connection:
        seen = [
            v.body.get("description")
            for v in iter_versions(
                connection, AccessGate(Viewer.public()), ObjectQuery(types=["incident"])
            )
        ]
    assert "INTERNAL detail" not in seen


def test_records_written_by_others_are_read_leniently() -> None:
    record = _record("curated", "x", "X", "2020-01-01")
    record.claims = [Claim(by="A", state="RU")]
    obj = incident_object(
        record, "identity--00000000-0000-4000-8000-0000000000aa", "2026-01-01T00:00:00.000Z"
    )
    extension = next(iter(obj["extensions"].values()))
    extension["claims"][0]["confidence"] = "high"  # a key this version does not know
    read = record_of(obj)
    assert read is not None and read.claims[0].state == "RU"
    extension["claims"] = "not a list"
    assert record_of(obj) is None


def test_regions_are_no_countries_and_one_shared_source_is_not_enough() -> None:
    assert country("Africa") is None and country("nan") is None
    held = [_record("eurepoc", "1", "Turla attacks G-20", "2017-07-01", "https://unit42.example/r")]
    other = _record("dcid", "9", "Fake Fundraiser", "2014-03-01", "https://unit42.example/r")
    assert link(held, [other]).new == [other]  # nothing in common but the report
    same = _record("dcid", "8", "Turla and the G-20 summit", None, "https://unit42.example/r")
    assert link(held, [same]).linked == 1
