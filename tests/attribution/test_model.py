"""Evidence, knowledge, scoring, calibration and the assessment on a world whose answers
are known by construction (plus the real ATT&CK v15 where the facts are public)."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from accord.attribution.assess import Assessor
from accord.attribution.calibration import Sample, brier, fit, log_loss, scored_cases
from accord.attribution.evidence import Evidence, Item, evidence_from_stix, parse_evidence
from accord.attribution.knowledge import build_knowledge
from accord.attribution.navigator import navigator_layer
from accord.attribution.places import utc_offsets
from accord.attribution.ranker import FEATURES, train
from accord.attribution.report import assessment_objects
from accord.attribution.scoring import Params, Profiles, probabilities, score
from accord.attribution.wording import likelihood_term
from accord.errors import InvalidObject
from accord.stix.validation import validate
from tests.attribution.world import attack_object, small_world, uses

FIXED = Params(temperature=1.0, unknown_bias=0.0)


@pytest.mark.parametrize(
    ("p", "term"),
    [
        (0.0, "almost no chance"),
        (0.05, "almost no chance"),
        (0.051, "very unlikely"),
        (0.2, "very unlikely"),
        (0.3, "unlikely"),
        (0.5, "roughly even chance"),
        (0.56, "likely"),
        (0.9, "very likely"),
        (0.96, "almost certain"),
        (1.0, "almost certain"),
    ],
)
def test_icd_203_terms(p: float, term: str) -> None:
    assert likelihood_term(p) == term


def test_evidence_reads_every_kind_and_grades() -> None:
    evidence = parse_evidence(
        {
            "id": 7,
            "techniques": ["t1059.001", {"id": "T1566", "source": "IR", "reliability": "b"}],
            "software": ["S0154", "Cobalt Strike", "S0154"],
            "infrastructure": ["Evil.Example.", "198.51.100.7"],
            "victims": {"sectors": ["Financial Services"], "countries": ["ua", "Georgia"]},
            "timestamps": ["2024-03-04T10:00:00+03:00"],
            "languages": ["ru-RU"],
            "notes": ["seen by a partner"],
        }
    )
    labels = [item.label for item in evidence.items]
    assert evidence.id == "7"
    assert labels == [
        "technique T1059.001",
        "technique T1566",
        "software S0154",
        "software Cobalt Strike",
        "infrastructure evil.example",
        "infrastructure 198.51.100.7",
        "sector financial-services",
        "country UA",
        "country GE",
        "timestamp 2024-03-04T07:00:00Z",
        "language ru",
    ]
    graded = evidence.items[1]
    assert (graded.source, graded.reliability, graded.weight) == ("IR", "B", 0.9)


@pytest.mark.parametrize(
    ("data", "prop"),
    [
        ({"techniques": ["T1059", "T15"]}, "techniques[1]"),
        ({"techniques": "T1059"}, "techniques"),
        ({"software": [{"id": "S0154", "reliability": "Z"}]}, "software[0].reliability"),
        ({"victims": {"countries": ["Atlantis"]}}, "victims.countries[0]"),
        ({"victims": {"regions": []}}, "victims.regions"),
        ({"timestamps": ["2024-03-04 10:00"]}, "timestamps[0]"),
        ({"tactics": []}, "tactics"),
        ({"incident": "report--1"}, "incident"),
    ],
)
def test_bad_evidence_names_the_property(data: dict[str, Any], prop: str) -> None:
    with pytest.raises(InvalidObject) as caught:
        parse_evidence({"id": "case-1", **data})
    assert caught.value.prop == prop
    assert caught.value.object_id == "case-1"


def test_knowledge_from_attack_objects() -> None:
    knowledge, _ = small_world()
    a = knowledge.actors["G0001"]
    assert a.origin == "RU" and knowledge.actors["G0002"].origin == "CN"
    assert knowledge.actors["G0003"].origin is None
    assert {"T1000", "S0002", "S0001", "T1059.001", "sector:government", "sector:energy"} <= set(
        a.uses
    )
    assert "country:UA" in a.uses and "country:RU" not in a.uses  # origin is no victim
    assert knowledge.resolve_software("sk") == "S0001"
    assert knowledge.software_techniques["S0004"] == {"T1059"}
    # leave-one-report-out: a fact only "A report 2" supports goes; one also in report 3 stays
    without = knowledge.without("G0001", "A report 2")
    assert "S0001" not in without.actors["G0001"].uses
    assert "T1059.001" in without.actors["G0001"].uses
    assert knowledge.cases()[("G0001", "A report 1")] == {"T1000", "T1001", "T1002", "S0002"}


def test_unique_tooling_outweighs_common_techniques() -> None:
    knowledge, _ = small_world()
    profiles = Profiles.build(knowledge, FIXED)
    evidence = parse_evidence({"techniques": ["T1000", "T1001"], "software": ["B-implant"]})
    scores = score(profiles, evidence)
    by_actor = dict(zip(scores.keys, scores.totals, strict=True))
    assert max(by_actor, key=lambda k: by_actor[k]) == "G0002"
    common = scores.parts[0]
    assert max(common) - min(common) < 1e-9  # everyone uses it: it tells no one apart
    actors, unknown = probabilities(scores, FIXED)
    assert math.isclose(sum(actors) + unknown, 1.0)


def test_sub_technique_informs_its_parent_and_software_its_techniques() -> None:
    knowledge, _ = small_world()
    profiles = Profiles.build(knowledge, FIXED)
    parent = score(profiles, parse_evidence({"techniques": ["T1059"]}))
    by_actor = dict(zip(parent.keys, parent.totals, strict=True))
    # A used the sub-technique (parent credit), C's malware implements the parent
    assert by_actor["G0001"] > by_actor["G0002"] and by_actor["G0003"] > by_actor["G0002"]


def test_unexplained_evidence_points_to_an_unknown_actor() -> None:
    knowledge, _ = small_world()
    assessor = Assessor(knowledge, FIXED)
    unknown = assessor.assess(
        parse_evidence({"software": ["S9999", "NewRAT"], "techniques": ["T1999", "T1998"]})
    )
    known = assessor.assess(parse_evidence({"software": ["A-implant"], "techniques": ["T1000"]}))
    assert unknown.unknown_probability > max(h.probability for h in unknown.hypotheses)
    assert known.hypotheses[0].actor.key == "G0001"
    assert known.unknown_probability < unknown.unknown_probability
    assert any("not in the knowledge base" in text for text in unknown.unrecognised)


def test_working_hours_follow_the_origin_time_zone() -> None:
    knowledge, _ = small_world()
    profiles = Profiles.build(knowledge, FIXED)
    # 07:00 UTC on a Tuesday: 10:00 in Moscow, 15:00 in Beijing; a Sunday: rest everywhere
    morning = score(profiles, parse_evidence({"timestamps": ["2024-03-05T07:00:00Z"]}))
    night = score(profiles, parse_evidence({"timestamps": ["2024-03-10T12:00:00Z"]}))
    a, c = morning.keys.index("G0001"), morning.keys.index("G0003")
    assert morning.totals[a] > 0 > night.totals[a]
    assert morning.totals[c] == 0 == night.totals[c]  # no origin: no signal
    assert utc_offsets("RU", datetime(2024, 3, 5, tzinfo=UTC))


def test_assessment_explains_itself() -> None:
    knowledge, _ = small_world()
    assessor = Assessor(knowledge, FIXED)
    evidence = parse_evidence(
        {
            "id": "case-9",
            "techniques": ["T1000", "T1001", {"id": "T1002", "reliability": "A"}],
            "software": [{"id": "SharedKit", "reliability": "B"}, "B-implant"],
        }
    )
    result = assessor.assess(evidence, top=3)
    lead = result.hypotheses[0]
    assert lead.actor.key == "G0002"
    assert lead.term == likelihood_term(lead.probability)
    weights = {c["value"]: c["weight"] for c in lead.contributions}
    assert weights["B-implant"] > weights["SharedKit"] > 0
    rows = {row["evidence"]: row for row in result.ach}
    assert rows["software B-implant"]["hypotheses"]["Actor B"] == "consistent"
    assert rows["software B-implant"]["hypotheses"]["Actor A"] == "inconsistent"
    assert rows["software B-implant"]["diagnosticity"] == "high"
    assert rows["technique T1000"]["diagnosticity"] == "low"
    as_json = result.as_json()
    assert as_json["id"] == "case-9" and len(as_json["hypotheses"]) == 3
    assert {"actor", "probability", "term", "contributions"} <= set(as_json["hypotheses"][0])


def test_a_contradiction_and_a_tie_are_said() -> None:
    knowledge, _ = small_world()
    assessor = Assessor(knowledge, FIXED)
    # A's implant, but with B's: a tie between A and B, each item contradicting the other
    mixed = assessor.assess(parse_evidence({"software": ["A-implant", "B-implant"]}))
    assert set(mixed.indistinguishable) == {"Actor A", "Actor B"}
    assert any(f["kind"] == "contradicts-leader" for f in mixed.flags)
    assert mixed.confidence.value == "low"
    only_common = assessor.assess(parse_evidence({"techniques": ["T1000", "T1001"]}))
    assert len(only_common.indistinguishable) >= 3


def test_calibration_recovers_a_known_temperature() -> None:
    rng = random.Random(5)  # noqa: S311 - reproducible test data, not secrets
    truth_t, truth_bias = 2.5, 1.0
    found = []
    for _ in range(600):
        scores = [rng.gauss(0, 4) for _ in range(6)]
        logits = [s / truth_t for s in scores] + [truth_bias / truth_t]
        top = max(logits)
        weights = [math.exp(v - top) for v in logits]
        pick = rng.choices(range(7), weights)[0]
        found.append(
            Sample(tuple(sorted(scores, reverse=True)), None if pick == 6 else scores[pick])
        )
    fitted = fit(found, Params())
    assert fitted.temperature == pytest.approx(truth_t, rel=0.25)
    assert fitted.unknown_bias == pytest.approx(truth_bias, abs=1.5)
    assert brier(found, fitted.temperature, fitted.unknown_bias) <= brier(found, 1.0, 0.0)
    assert log_loss(found, fitted.temperature, fitted.unknown_bias) < log_loss(found, 1.0, 0.0)


def test_the_assessment_as_stix_and_as_a_navigator_layer() -> None:
    knowledge, _ = small_world()
    result = Assessor(knowledge, FIXED).assess(
        parse_evidence({"id": "c1", "techniques": ["T1000"], "software": ["A-implant"]}), top=2
    )
    author = "identity--00000000-0000-4000-8000-0000000000aa"
    moment = datetime(2026, 11, 25, tzinfo=UTC)
    objects = assessment_objects(result, author, now=moment)
    for obj in objects:
        validate(obj)
    kinds = [obj["type"] for obj in objects]
    assert kinds == ["campaign", "relationship", "relationship", "report", "note"]
    rel = objects[1]
    assert rel["relationship_type"] == "attributed-to"
    assert rel["target_ref"] == knowledge.actors["G0001"].stix_id
    assert rel["confidence"] == round(result.hypotheses[0].probability * 100)
    again = assessment_objects(result, author, now=moment)
    assert [o["id"] for o in again] == [o["id"] for o in objects]  # derived, not random
    later = assessment_objects(result, author, now=moment + timedelta(seconds=1))
    assert not {o["id"] for o in later} & {o["id"] for o in objects}  # a new save: new objects
    assert objects[1]["labels"] == ["accord-hypothesis"]  # never read back as a fact
    layer = navigator_layer(result, knowledge)
    assert layer["versions"]["layer"] == "4.5" and layer["domain"] == "enterprise-attack"
    scores = {t["techniqueID"]: t["score"] for t in layer["techniques"]}
    assert scores["T1000"] == 3 and scores["T1059.001"] == 1


def test_evidence_from_stix_objects() -> None:
    software = attack_object("malware", "S0002", "A-implant")
    objects = [
        attack_object("attack-pattern", "T1000", "common 0"),
        software,
        {"type": "ipv4-addr", "id": "ipv4-addr--00000000-0000-4000-8000-000000000001",
         "value": "198.51.100.7"},
        {"type": "indicator", "id": "indicator--00000000-0000-4000-8000-000000000001",
         "pattern_type": "stix", "pattern": "[domain-name:value = 'Evil.example']"},
        {"type": "identity", "id": "identity--00000000-0000-4000-8000-000000000001",
         "sectors": ["energy"]},
        {"type": "location", "id": "location--00000000-0000-4000-8000-000000000001",
         "country": "ua"},
    ]  # fmt: skip
    evidence = evidence_from_stix(objects, "stix-case")
    bundled = parse_evidence({"type": "bundle", "id": "bundle--1", "objects": objects})
    assert bundled.items == evidence.items and bundled.id == "bundle--1"
    assert [i.label for i in evidence.items] == [
        "technique T1000",
        "software S0002",
        "infrastructure 198.51.100.7",
        "infrastructure evil.example",
        "sector energy",
        "country UA",
    ]


def test_store_knowledge_links_infrastructure_and_victims_to_an_actor() -> None:
    _, objects = small_world()
    actor = next(o for o in objects if o.get("name") == "Actor C")
    incident = {"type": "incident", "id": "incident--00000000-0000-4000-8000-000000000077"}
    indicator = {
        "type": "indicator",
        "id": "indicator--00000000-0000-4000-8000-000000000077",
        "pattern_type": "stix",
        "pattern": "[ipv4-addr:value = '203.0.113.9']",
    }
    victim = {"type": "location", "id": "location--00000000-0000-4000-8000-000000000077",
              "country": "EE"}  # fmt: skip

    def rel(kind: str, source: dict[str, Any], target: dict[str, Any]) -> dict[str, Any]:
        number = len(kind) * 1000 + len(target["type"])
        return {
            "type": "relationship",
            "id": f"relationship--00000000-0000-4000-9000-{number:012d}",
            "relationship_type": kind,
            "source_ref": source["id"],
            "target_ref": target["id"],
        }

    extra = [
        incident,
        indicator,
        victim,
        rel("attributed-to", incident, actor),
        rel("indicates", indicator, incident),
        rel("targets", incident, victim),
    ]
    knowledge = build_knowledge([*objects, *extra])
    uses = knowledge.actors["G0003"].uses
    assert "infra:203.0.113.9" in uses and "country:EE" in uses
    assessor = Assessor(knowledge, FIXED)
    result = assessor.assess(parse_evidence({"infrastructure": ["203.0.113.9"]}))
    assert result.hypotheses[0].actor.key == "G0003"


def test_reliability_scales_an_items_weight() -> None:
    knowledge, _ = small_world()
    profiles = Profiles.build(knowledge, FIXED)
    strong = score(profiles, Evidence(items=[Item("software", "S0003", reliability="A")]))
    weak = score(profiles, Evidence(items=[Item("software", "S0003", reliability="E")]))
    b = strong.keys.index("G0002")
    assert strong.totals[b] == pytest.approx(4 * weak.totals[b])
    assert replace(FIXED, temperature=2.0).temperature == 2.0


def test_learned_weights_keep_every_contribution_additive() -> None:
    knowledge, _ = small_world()
    scored = scored_cases(knowledge, FIXED, knowledge.cases())
    weights = train([(c.vectors, c.keys.index(c.truth)) for c in scored if c.truth])
    assert len(weights) == len(FEATURES)
    profiles = Profiles.build(knowledge, replace(FIXED, weights=weights))
    scores = score(profiles, parse_evidence({"techniques": ["T1000"], "software": ["C-implant"]}))
    for a in range(len(scores.keys)):
        parts = sum(row[a] for row in scores.parts.values())
        parts += sum(row[a] for row in scores.profile_parts.values())
        assert parts == pytest.approx(scores.totals[a])


def test_victims_of_attributed_incidents_join_the_profile() -> None:
    _, objects = small_world()
    actor = next(o for o in objects if o.get("name") == "Actor B")
    incident = {
        "type": "incident",
        "id": "incident--00000000-0000-4000-8000-0000000000b1",
        "extensions": {
            "extension-definition--5d3b7a2c-9e41-4f6a-8c0d-2b7e9f1a4c63": {
                "extension_type": "property-extension",
                "victim_countries": ["TW"],
                "victim_sectors": ["Semiconductors"],
            }
        },
    }
    link = {
        "type": "relationship",
        "id": "relationship--00000000-0000-4000-8000-0000000000b2",
        "relationship_type": "attributed-to",
        "source_ref": incident["id"],
        "target_ref": actor["id"],
    }
    knowledge = build_knowledge([*objects, incident, link])
    uses = knowledge.actors["G0002"].uses
    assert uses["country:TW"] == {incident["id"]} and "sector:semiconductors" in uses


def test_stix_evidence_that_cannot_be_read_is_named() -> None:
    bad = {"type": "observed-data", "id": "observed-data--00000000-0000-4000-8000-000000000001",
           "first_observed": "yesterday"}  # fmt: skip
    with pytest.raises(InvalidObject) as caught:
        evidence_from_stix([bad], "case-3")
    assert caught.value.prop == bad["id"]
    listed = {"type": "file", "id": "file--00000000-0000-4000-8000-000000000001", "hashes": ["x"]}
    with pytest.raises(InvalidObject):
        evidence_from_stix([listed])


def test_hypotheses_are_not_taken_for_facts() -> None:
    _, objects = small_world()
    actor = next(o for o in objects if o.get("name") == "Actor B")
    incident = {
        "type": "incident",
        "id": "incident--00000000-0000-4000-8000-0000000000c1",
        "extensions": {"x": {"victim_countries": ["NO"]}},
    }
    guess = {
        "type": "relationship",
        "id": "relationship--00000000-0000-4000-8000-0000000000c2",
        "relationship_type": "attributed-to",
        "labels": ["accord-hypothesis"],
        "source_ref": incident["id"],
        "target_ref": actor["id"],
    }
    knowledge = build_knowledge([*objects, incident, guess])
    assert "country:NO" not in knowledge.actors["G0002"].uses


def test_a_held_out_report_is_dropped_from_what_software_does() -> None:
    tools = {n: attack_object("malware", f"S090{n}", f"tool {n}") for n in range(2)}
    technique = [attack_object("attack-pattern", f"T120{n}", f"t {n}") for n in range(3)]
    group = attack_object("intrusion-set", "G0901", "Group")
    other = attack_object("intrusion-set", "G0902", "Other group")
    objects = [*tools.values(), *technique, group, other]
    objects += [
        uses(group, tools[0], "report 1", "report 2"),
        uses(other, tools[0], "report 4"),
        uses(group, technique[0], "report 2"),
        # report 1 says what tool 0 does (alone, then with report 3); report 2, tool 1
        uses(tools[0], technique[1], "report 1"),
        uses(tools[0], technique[2], "report 1", "report 3"),
        uses(tools[1], technique[2], "report 2"),
    ]
    knowledge = build_knowledge(objects)
    assert knowledge.software_techniques["S0900"] == {"T1201", "T1202"}
    without = knowledge.without("G0901", "report 1")
    # a report held out is not known: neither what it says of the group nor of its tools
    assert without.software_techniques["S0900"] == {"T1202"}
    assert without.software_sources["S0900"] == {"T1202": {"report 3"}}
    assert without.software_techniques["S0901"] is knowledge.software_techniques["S0901"]
    # the profiles of every actor using tool 0 forget it too, not only the held-out one's
    profiles = Profiles.build(knowledge, FIXED)
    again = profiles.with_actor(without, "G0901")
    before = profiles.shapes[profiles.keys.index("G0902")].software
    after = again.shapes[again.keys.index("G0902")].software
    assert before == (frozenset({"T1201", "T1202"}),) and after == (frozenset({"T1202"}),)
