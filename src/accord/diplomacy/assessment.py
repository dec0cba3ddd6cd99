"""Which norms and rules of international law an incident implicates, and which
responses fit it.

Norms are the eleven of the 2015 UN GGE report; the rules of law those the same report
and the UN Charter name (``data/norms.json``, each with its source). A rule fires on
facts of the incident (critical infrastructure hit and disrupted → 13(f); an emergency
response team targeted → 13(k); a supply chain used → 13(i); activity attributed to a
state → 13(c) and the law of state responsibility; an election targeted →
non-intervention; destruction at high severity → the threshold of the use of force),
and says which facts and how strongly. These are the readings an analyst starts from,
not legal advice: the rationale says what each rests on.

Responses climb a ladder from a private démarche to sanctions. The options proposed
rise with the incident's severity, the norms it breaches and how firmly it is
attributed; the precedent is what was done in held incidents like it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from accord.diplomacy.incidents import IncidentRecord

#: the escalation ladder, lowest first, with the EU Cyber Diplomacy Toolbox family each
#: belongs to (Accord's reading of the toolbox's categories)
LADDER = (
    ("private démarche", "cooperative measures"),
    ("public statement", "stability measures"),
    ("joint attribution", "stability measures"),
    ("summoning the ambassador", "stability measures"),
    ("suspension of cooperation", "lawful responses"),
    ("expulsion of diplomats", "lawful responses"),
    ("indictments", "lawful responses"),
    ("sanctions", "restrictive measures"),
)
STRENGTHS = ("weak", "moderate", "strong")
_OFFICIAL_FORMS = ("statement", "joint-statement", "indictment", "sanctions")
_CI_WORDS = ("critical infrastructure", "energy", "utilities", "health", "hospital",
             "transport", "water", "electric", "power grid", "telecom")  # fmt: skip
_CERT_WORDS = ("cert", "csirt", "emergency response team")
_SUPPLY_WORDS = ("supply chain", "software update", "update server", "third-party software",
                 "compromised update")  # fmt: skip
_ELECTION_WORDS = ("election", "electoral", "campaign staff", "ballot", "referendum")
_RIGHTS_WORDS = ("journalist", "dissident", "activist", "human rights", "civil society")


@dataclass
class Finding:
    id: str
    strength: str
    rationale: str
    facts: list[str]
    summary: str = ""
    source: str = ""


@dataclass
class Assessment:
    norms: list[Finding] = field(default_factory=list)
    law: list[Finding] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    precedent: dict[str, int] = field(default_factory=dict)
    #: persons and entities the EU listed under its cyber-sanctions regime for this incident
    eu_listings: list[dict[str, Any]] = field(default_factory=list)
    #: published national positions on international law in cyberspace of the victim
    #: states and of the states that attributed the incident
    positions: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "norms": [asdict(f) for f in self.norms],
            "law": [asdict(f) for f in self.law],
            "responses": self.responses,
            "precedent": self.precedent,
            "eu_listings": self.eu_listings,
            "national_positions": self.positions,
        }


@cache
def catalogue() -> dict[str, Any]:
    text = resources.files("accord").joinpath("data/norms.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _entry(kind: str, key: str) -> dict[str, Any]:
    return next(e for e in catalogue()[kind] if e["id"] == key)


def assess(record: IncidentRecord, others: Iterable[IncidentRecord] = ()) -> Assessment:
    text = " ".join([record.name, record.description or "", *record.victim_sectors]).lower()
    facts = _Facts(record, text)
    result = Assessment()
    result.norms = _norms(facts)
    result.law = _law(facts)
    for finding in result.norms:
        entry = _entry("norms", finding.id)
        finding.summary, finding.source = entry["summary"], entry["url"]
    for finding in result.law:
        entry = _entry("law", finding.id)
        finding.summary, finding.source = entry["summary"], entry["url"]
    result.precedent = _precedent(record, others)
    result.responses = _responses(facts, result)
    result.eu_listings = _listings(record)
    result.positions = _positions(record)
    return result


def _positions(record: IncidentRecord) -> list[dict[str, Any]]:
    states = set(record.victim_countries) | {c.by_country for c in record.claims if c.by_country}
    return [p for p in catalogue().get("national_positions", []) if p.get("state") in states]


def _listings(record: IncidentRecord) -> list[dict[str, Any]]:
    """EU cyber-sanctions listings that name this incident (by its name, as a word)."""
    text = f" {record.name} ".lower()
    found = []
    for listing in (catalogue().get("eu_sanctions") or {}).get("listings", []):
        for incident in listing.get("incidents", []):
            if re.search(rf"(?<![\w]){re.escape(incident.lower())}(?![\w])", text):
                found.append(
                    {k: listing[k] for k in ("name", "kind", "listed", "source") if k in listing}
                )
                break
    return found


class _Facts:
    def __init__(self, record: IncidentRecord, text: str) -> None:
        self.record = record
        self.text = text
        self.critical = record.critical_infrastructure or bool(self.said(_CI_WORDS))
        self.damaging = bool({"disruption", "destruction"} & set(record.effects))
        self.states = record.attributed_states
        self.official = sorted(
            {c.by or c.by_country or "" for c in record.claims if c.form in _OFFICIAL_FORMS}
        )

    def said(self, words: Iterable[str]) -> list[str]:
        """The words the text says as words ("cert" is not "certificate", "water" not
        "watering hole", "energy" not "BlackEnergy")."""
        return [w for w in words if re.search(rf"\b{re.escape(w)}s?\b", self.text)]


def _norms(f: _Facts) -> list[Finding]:
    r = f.record
    found: list[Finding] = []
    if f.critical:
        facts = ["critical infrastructure among the victims"] + [f"effect: {e}" for e in r.effects]
        found.append(
            Finding(
                "13(f)",
                "strong" if f.damaging else "weak",
                "critical infrastructure was "
                + ("disrupted or damaged" if f.damaging else "hit, with no damage reported"),
                facts,
            )
        )
        found.append(
            Finding(
                "13(h)",
                "moderate",
                "the victim state may request assistance, which others should answer",
                facts[:1],
            )
        )
    if certs := f.said(_CERT_WORDS):
        found.append(Finding("13(k)", "strong", "an emergency response team was targeted", certs))
    supply = f.said(_SUPPLY_WORDS)
    if supply or r.details.get("dcid", {}).get("Supply Ch") == 1:
        found.append(
            Finding(
                "13(i)", "strong", "the supply chain was used", supply or ["DCID: supply chain"]
            )
        )
    if f.states:
        strength = "strong" if f.official else "moderate"
        found.append(
            Finding(
                "13(c)",
                strength,
                "the activity is attributed to a state or to actors on its territory",
                [f"attributed to {s}" for s in f.states] + [f"by {o}" for o in f.official if o],
            )
        )
    if rights := f.said(_RIGHTS_WORDS):
        found.append(
            Finding("13(e)", "moderate", "people protected by human rights were targeted", rights)
        )
    return found


def _law(f: _Facts) -> list[Finding]:
    r = f.record
    found: list[Finding] = []
    if election := f.said(_ELECTION_WORDS):
        found.append(
            Finding(
                "non-intervention",
                "strong" if f.states else "moderate",
                "an election or political process was targeted",
                election,
            )
        )
    if f.states:
        found.append(
            Finding(
                "sovereignty",
                "moderate" if f.damaging else "weak",
                "a state's systems were entered by or for another state"
                + (" with effects" if f.damaging else " (espionage: contested as a breach)"),
                [f"attributed to {s}" for s in f.states],
            )
        )
        found.append(
            Finding(
                "state-responsibility",
                "strong" if f.official else "weak",
                "attribution by states" if f.official else "attribution without a state's claim",
                [f"by {o}" for o in f.official if o] or ["no official attribution held"],
            )
        )
    if "destruction" in r.effects and (r.severity or 0) >= 7:
        found.append(
            Finding(
                "use-of-force",
                "weak",
                "destructive effects at high severity may approach the threshold of force",
                [f"severity {r.severity}", "effect: destruction"],
            )
        )
    return found


def _precedent(record: IncidentRecord, others: Iterable[IncidentRecord]) -> dict[str, int]:
    """What was done in held incidents attributed to the same state with a shared effect."""
    states = {c.state for c in record.claims if c.state}
    effects = set(record.effects)
    kinds: Counter[str] = Counter()
    for other in others:
        if other is record or other.provenance == record.provenance:
            continue
        if states & {c.state for c in other.claims} and (
            not effects or effects & set(other.effects)
        ):
            for response in other.responses:
                kinds[response.kind] += 1
    return dict(kinds.most_common(10))


def _responses(f: _Facts, assessment: Assessment) -> list[dict[str, Any]]:
    """The ladder's rungs that fit: higher with severity, breaches and firm attribution."""
    breached = max((STRENGTHS.index(x.strength) for x in assessment.norms), default=-1)
    severity = f.record.severity or 0.0
    level = 1 + breached + (1 if f.damaging else 0) + (1 if severity >= 5 else 0)
    level += 2 if f.official else (1 if f.states else -2)
    top = max(0, min(level, len(LADDER) - 1))
    return [
        {
            "option": option,
            "toolbox": family,
            "rung": rung,
            "fits": rung <= top,
            "why": "proportionate to the severity, breaches and attribution held"
            if rung <= top
            else "beyond what the facts held support",
        }
        for rung, (option, family) in enumerate(LADDER)
    ]
