"""Norms and law an incident implicates, from its facts; responses that fit; sources."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import orjson

from accord.diplomacy.assessment import LADDER, assess, catalogue
from accord.diplomacy.incidents import Claim, IncidentRecord, Provenance, Response
from tests.cli_runner import accord_env, run_accord
from tests.diplomacy.test_incidents import DCID


def _incident(**facts: object) -> IncidentRecord:
    record = IncidentRecord(name="x", provenance=[Provenance("curated", "x")])
    for key, value in facts.items():
        setattr(record, key, value)
    return record


def _entries(value: object) -> list[dict[str, object]]:
    """Every catalogue entry: the dicts in lists, at any depth."""
    if isinstance(value, list):
        return [e for item in value for e in ([item] if isinstance(item, dict) else [])]
    if isinstance(value, dict):  # an entry itself, unless it only groups others
        grouping = all(isinstance(v, dict | list) for v in value.values())
        return ([] if grouping else [value]) + [e for v in value.values() for e in _entries(v)]
    return []


def test_every_catalogue_entry_has_a_source() -> None:
    data = catalogue()
    assert [n["id"] for n in data["norms"]] == [f"13({c})" for c in "abcdefghijk"]
    for part, value in data.items():
        if part == "source":
            continue
        entries = _entries(value)
        assert entries, part
        for entry in entries:
            url = entry.get("source") or entry.get("url")
            assert isinstance(url, str) and url.startswith(("https://", "http://")), (part, entry)


def test_every_budapest_party_has_a_date_once() -> None:
    parties = catalogue()["budapest"]["parties"]
    states = [party["state"] for party in parties]
    assert len(states) == len(set(states))
    for party in parties:
        dates = [date.fromisoformat(party[key]) for key in ("ratified", "in_force") if key in party]
        assert dates, party  # a party with no sourced date is left out
        assert dates == sorted(dates), party  # in force after ratification


def test_facts_implicate_norms_with_their_strength() -> None:
    grid = _incident(
        name="Power grid outage",
        critical_infrastructure=True,
        effects=["disruption"],
        severity=8.0,
        claims=[Claim(by="United Kingdom", by_country="GB", state="RU", form="statement")],
    )
    found = assess(grid)
    norms = {f.id: f for f in found.norms}
    assert (
        norms["13(f)"].strength == "strong" and "critical infrastructure" in norms["13(f)"].facts[0]
    )
    assert norms["13(c)"].strength == "strong"  # a state said so
    assert norms["13(f)"].source.startswith("https://undocs.org/")
    law = {f.id: f for f in found.law}
    assert law["state-responsibility"].strength == "strong"
    assert "use-of-force" not in law  # disruption, not destruction
    espionage = assess(_incident(critical_infrastructure=True, effects=["espionage"]))
    assert {f.id: f.strength for f in espionage.norms}["13(f)"] == "weak"
    assert not any(f.id == "13(c)" for f in espionage.norms)  # attributed to no one


def test_words_of_the_description_count() -> None:
    found = assess(
        _incident(
            description="Attackers hit the national CERT and a software update server "
            "before the election.",
            claims=[Claim(state="KP", form="technical-report")],
        )
    )
    ids = {f.id for f in found.norms} | {f.id for f in found.law}
    assert {"13(k)", "13(i)", "13(c)", "non-intervention", "sovereignty"} <= ids


def test_responses_climb_with_the_facts_and_precedent_is_counted() -> None:
    light = assess(_incident(effects=["espionage"]))
    heavy = assess(
        _incident(
            critical_infrastructure=True,
            effects=["destruction"],
            severity=9.0,
            claims=[Claim(by="GB", state="RU", form="joint-statement")],
        )
    )
    fits = lambda a: [r["option"] for r in a.responses if r["fits"]]  # noqa: E731
    assert len(fits(heavy)) > len(fits(light))
    assert fits(heavy)[-1] == LADDER[-1][0] and fits(light) == [LADDER[0][0]]
    similar = _incident(
        name="y",
        provenance=[Provenance("curated", "y")],
        effects=["destruction"],
        claims=[Claim(state="RU")],
        responses=[Response("Sanctions"), Response("Denouncement")],
    )
    record = _incident(effects=["destruction"], claims=[Claim(state="RU")])
    found = assess(record, [similar, record])
    assert found.precedent == {"Sanctions": 1, "Denouncement": 1}


def test_assess_from_the_command_line(tmp_path: Path) -> None:
    env = accord_env(tmp_path / "home")
    assert run_accord(["init", "--org", "CERT-A"], env).returncode == 0
    assert run_accord(["incidents", "import", "--format", "dcid", str(DCID)], env).returncode == 0
    listed = orjson.loads(run_accord(["incidents", "list", "--format", "json"], env).stdout)
    target = next(i for i in listed if i["critical_infrastructure"] and i["claims"])
    done = run_accord(["incidents", "assess", target["id"], "--format", "json"], env)
    assert done.returncode == 0, done.stderr
    result = orjson.loads(done.stdout)
    assert {"norms", "law", "responses"} <= set(result)
    norm = next(n for n in result["norms"] if n["id"] == "13(f)")
    assert {"id", "strength", "rationale", "facts"} <= set(norm)
    missing = run_accord(
        ["incidents", "assess", "incident--00000000-0000-4000-8000-000000000000"], env
    )
    assert missing.returncode != 0


def test_analytics_over_held_incidents() -> None:
    from accord.diplomacy.analytics import analytics

    records = [
        _incident(
            start="2017-06-27",
            effects=["destruction"],
            severity=10.0,
            victim_countries=["UA"],
            claims=[Claim(state="RU", date="2018-02-15")],
            responses=[Response("sanctions", by="US")],
        ),
        _incident(start="2017-05-12", effects=["disruption"], claims=[Claim(state="KP")]),
        _incident(start="2015-12-23", victim_countries=["UA"], claims=[Claim(state="RU")]),
    ]
    figures = analytics(records)
    assert figures["by_year"] == {"2015": 1, "2017": 2}
    assert figures["by_attributed_state"] == {"RU": 2, "KP": 1}
    assert figures["days_to_first_attribution"]["median"] == 233
    assert figures["responses_by_state"] == {"US": {"sanctions": 1}}
    assert figures["tension"]["RU-UA"] == {"2015": 1.0, "2017": 2.0}


def test_eu_listings_for_the_incident_are_named() -> None:
    found = assess(_incident(name="NotPetya"))
    assert found.eu_listings and all(e["source"].startswith("http") for e in found.eu_listings)
    assert assess(_incident(name="Something unlisted")).eu_listings == []


def test_national_positions_of_the_states_involved() -> None:
    found = assess(_incident(victim_countries=["EE"], claims=[Claim(by="France", by_country="FR")]))
    states = {p["state"] for p in found.positions}
    assert states == {"EE", "FR"}
    assert all(p["source"].startswith("http") for p in found.positions)


def test_rules_read_words_not_parts_of_words() -> None:
    certificate = assess(_incident(name="DigiNotar certificate authority compromise"))
    watering = assess(_incident(description="A watering hole on a news site; BlackEnergy"))
    assert not any(f.id == "13(k)" for f in certificate.norms)
    assert not any(f.id in ("13(f)", "13(h)") for f in watering.norms)
    national_cert = assess(_incident(description="The national CERT was targeted."))
    assert any(f.id == "13(k)" for f in national_cert.norms)


def test_the_curated_notpetya_used_the_supply_chain() -> None:
    from accord.diplomacy.curated import read_curated

    notpetya = next(r for r in read_curated().records if r.name.startswith("NotPetya"))
    ids = {f.id for f in assess(notpetya).norms}
    assert "13(i)" in ids  # a compromised update of M.E.Doc, in the curated description
