"""An attribution assessment: ranked hypotheses, what each rests on, and how sure.

``Assessor`` holds the knowledge, its profiles and the calibrated parameters; ``assess``
turns one body of evidence into an ``Assessment``: hypotheses with a probability and its
ICD 203 term, an unknown-actor probability, a confidence level, each item's contribution,
an Analysis of Competing Hypotheses matrix, flags, and the groups that this evidence
cannot tell apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from accord.attribution.calibration import learn, scored_cases
from accord.attribution.evidence import Evidence
from accord.attribution.knowledge import Actor, Knowledge
from accord.attribution.scoring import Params, Profiles, item_features, probabilities, score
from accord.attribution.wording import Confidence, likelihood_term

#: a contribution (nats) beyond which an item is consistent or inconsistent with a
#: hypothesis, and beyond which it is diagnostic between two
CONSISTENT = 0.25
STRONG = 1.0
#: actors whose scores lie this close (nats) to the leader's cannot be told apart
INDISTINCT = 0.5
#: software that this many actors use says little: "shared tooling"
SHARED_BY = 5


@dataclass
class Hypothesis:
    actor: Actor
    probability: float
    contributions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def term(self) -> str:
        return likelihood_term(self.probability)

    def as_json(self) -> dict[str, Any]:
        return {
            "actor": self.actor.as_json(),
            "probability": round(self.probability, 4),
            "term": self.term,
            "origin": self.actor.origin,
            "origin_source": self.actor.origin_source,
            "url": self.actor.url,
            "contributions": self.contributions,
        }


@dataclass
class Assessment:
    id: str | None
    hypotheses: list[Hypothesis]
    unknown_probability: float
    confidence: Confidence
    confidence_reasons: list[str]
    ach: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    indistinguishable: list[str]
    unrecognised: list[str]
    notes: list[str]
    evidence: Evidence

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "hypotheses": [h.as_json() for h in self.hypotheses],
            "unknown_probability": round(self.unknown_probability, 4),
            "unknown_term": likelihood_term(self.unknown_probability),
            "confidence": self.confidence.value,
            "confidence_reasons": self.confidence_reasons,
            "ach": self.ach,
            "flags": self.flags,
            "indistinguishable": self.indistinguishable,
            "unrecognised": self.unrecognised,
            "notes": self.notes,
        }


def _verdict(value: float, best: float) -> str:
    """An item is consistent with a hypothesis it supports, and inconsistent with one
    it does not support when it strongly supports another: absence alone is weak."""
    if value >= CONSISTENT:
        return "consistent"
    if value < 0 and best - value >= STRONG:
        return "inconsistent"
    return "neutral"


class Assessor:
    """Scores evidence against one body of knowledge, calibrated once."""

    def __init__(self, knowledge: Knowledge, params: Params | None = None) -> None:
        self.knowledge = knowledge
        base = params or Params()
        if params is None:  # calibrate on every case the knowledge holds
            base = learn(scored_cases(knowledge, base, knowledge.cases(), novel=True), base)
        self.params = base
        self.profiles = Profiles.build(knowledge, base)
        counts: dict[str, int] = {}
        for actor in knowledge.actors.values():
            for feature in actor.uses:
                counts[feature] = counts.get(feature, 0) + 1
        self.users = counts

    def assess(self, evidence: Evidence, top: int = 5) -> Assessment:
        scores = score(self.profiles, evidence)
        actors, unknown = probabilities(scores, self.params)
        order = sorted(range(len(actors)), key=lambda a: -scores.totals[a])
        shown = order[: max(top, 1)]
        hypotheses = []
        for a in shown:
            actor = self.knowledge.actors[scores.keys[a]]
            found = [
                (row[a], evidence.items[i].label, evidence.items[i].kind, evidence.items[i].value)
                for i, row in scores.parts.items()
            ]
            found += [
                (row[a], f"profile: {name}", "profile", name)
                for name, row in scores.profile_parts.items()
            ]
            parts = [
                {"evidence": label, "kind": kind, "value": value, "weight": round(weight, 3)}
                for weight, label, kind, value in sorted(found, key=lambda f: -abs(f[0]))
                if abs(weight) >= 0.005
            ]
            hypotheses.append(Hypothesis(actor, actors[a], parts))
        leader = shown[0] if shown else None
        tied = [
            self.knowledge.actors[scores.keys[a]].name
            for a in order[:10]
            if leader is not None and scores.totals[leader] - scores.totals[a] < INDISTINCT
        ]
        unrecognised = self._unrecognised(evidence)
        flags = self._flags(evidence, scores.parts, order, scores.keys)
        confidence, reasons = self._confidence(evidence, unrecognised, flags, tied)
        return Assessment(
            id=evidence.id,
            hypotheses=hypotheses,
            unknown_probability=unknown,
            confidence=confidence,
            confidence_reasons=reasons,
            ach=self._ach(evidence, scores.parts, shown, scores.keys),
            flags=flags,
            indistinguishable=tied if len(tied) > 1 else [],
            unrecognised=unrecognised,
            notes=list(evidence.notes),
            evidence=evidence,
        )

    def _unrecognised(self, evidence: Evidence) -> list[str]:
        """Items no actor's profile holds: they weigh only toward an unknown actor."""
        found = []
        for item in evidence.items:
            if item.kind == "timestamp":
                continue
            features = item_features(self.knowledge, self.params, item)
            if not features:
                found.append(f"{item.label}: not in the knowledge base")
            elif not any(f in self.profiles.background for f, _ in features):
                found.append(f"{item.label}: no known actor is linked to it")
        return found

    def _ach(
        self, evidence: Evidence, parts: dict[int, list[float]], shown: list[int], keys: list[str]
    ) -> list[dict[str, Any]]:
        """Evidence × hypotheses: consistent, inconsistent or neutral, with how much the
        item tells the hypotheses apart (the spread of its contributions)."""
        rows = []
        for i, row in sorted(parts.items()):
            cells = {}
            best = max(row[a] for a in shown) if shown else 0.0
            for a in shown:
                cells[self.knowledge.actors[keys[a]].name] = _verdict(row[a], best)
            spread = max(row[a] for a in shown) - min(row[a] for a in shown) if shown else 0.0
            rows.append(
                {
                    "evidence": evidence.items[i].label,
                    "hypotheses": cells,
                    "diagnosticity": "high"
                    if spread >= STRONG
                    else "medium"
                    if spread >= CONSISTENT
                    else "low",
                }
            )
        return rows

    def _flags(
        self, evidence: Evidence, parts: dict[int, list[float]], order: list[int], keys: list[str]
    ) -> list[dict[str, Any]]:
        flags: list[dict[str, Any]] = []
        if not order:
            return flags
        leader = order[0]
        leader_name = self.knowledge.actors[keys[leader]].name
        for i, row in sorted(parts.items()):
            item = evidence.items[i]
            strongest = max(range(len(row)), key=lambda a: row[a])
            if item.kind == "timestamp":
                if row[leader] <= -CONSISTENT:
                    flags.append(
                        {
                            "kind": "time-zone",
                            "evidence": item.label,
                            "detail": f"outside working hours where {leader_name} is said to "
                            "operate from",
                        }
                    )
            elif strongest != leader and _verdict(row[leader], row[strongest]) == "inconsistent":
                other = self.knowledge.actors[keys[strongest]].name
                flags.append(
                    {
                        "kind": "contradicts-leader",
                        "evidence": item.label,
                        "detail": f"{item.label} fits {other}, not {leader_name}: "
                        "a false flag, shared or stolen tooling, or a wrong lead",
                    }
                )
            if item.kind == "software":
                resolved = self.knowledge.resolve_software(item.value)
                users = self.users.get(resolved or "", 0)
                if users >= SHARED_BY:
                    flags.append(
                        {
                            "kind": "shared-tooling",
                            "evidence": item.label,
                            "detail": f"{item.label}: {users} known actors use it, weak evidence "
                            "of any one",
                        }
                    )
        return flags

    def _confidence(
        self,
        evidence: Evidence,
        unrecognised: list[str],
        flags: list[dict[str, Any]],
        tied: list[str],
    ) -> tuple[Confidence, list[str]]:
        """Low, moderate or high, from how much graded, recognised evidence there is, how
        many kinds it spans, and whether it conflicts."""
        usable = [
            item
            for item in evidence.items
            if not any(text.startswith(item.label + ":") for text in unrecognised)
        ]
        weight = sum(item.weight for item in usable)
        kinds = {item.kind for item in usable}
        reasons = [f"{len(usable)} usable items (weight {weight:.1f}) of {len(kinds)} kinds"]
        level = 0
        if weight >= 4:
            level = 1
        if weight >= 8 and len(kinds) >= 2:
            level = 2
        graded = [item for item in usable if item.reliability]
        if usable and len(graded) < len(usable) / 2:
            reasons.append("most items carry no source-reliability grade")
            level = min(level, 1)
        if any(f["kind"] == "contradicts-leader" for f in flags):
            reasons.append("some evidence contradicts the leading hypothesis")
            level = max(level - 1, 0)
        if len(tied) > 1:
            reasons.append("the leading groups cannot be told apart with this evidence")
            level = min(level, 1)
        return (Confidence.LOW, Confidence.MODERATE, Confidence.HIGH)[level], reasons
