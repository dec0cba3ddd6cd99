"""Scores of every actor, and of an unknown one, for a body of evidence.

The model is a smoothed naive Bayes over features. For actor *a* and feature *f* (a
technique, a software, an infrastructure value, a victim sector or country, a language),
``x[a][f]`` is how strongly the profile holds *f* (1 used, ``parent_credit`` through a
sub-technique or its parent, ``software_credit`` through software *a* uses), and
``q[f]`` the share of actors holding it. Then

    P(f | a)       = (x[a][f] + alpha * q[f]) / (1 + alpha)
    P(f | unknown) = q[f]

and each evidence item adds ``weight * log(P(f | a) / q[f])`` to *a*'s score: a feature
many actors share moves little, one only *a* holds moves a lot, and evidence *a* does not
explain counts against it. The unknown actor is taken to hold every feature no known
actor holds (it brought them), and scores that plus a bias. Activity times add a
working-hours term for actors whose origin is known. Scores become probabilities by a
softmax at a temperature; the temperature and the unknown bias are fitted on held-out
cases (``calibration.py``), never on the case being scored.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from accord.attribution.evidence import Evidence, Item
from accord.attribution.knowledge import Knowledge
from accord.attribution.places import languages_of, utc_offsets
from accord.attribution.ranker import (
    FEATURES,
    ITEM_FEATURES,
    PROFILE_FEATURES,
    Rarity,
    Shape,
    item_terms,
    profile_row,
)

#: how much an item of each kind counts, before its source's reliability
KIND_WEIGHTS = {
    "technique": 1.0,
    "software": 1.0,
    "infrastructure": 1.0,
    "sector": 0.3,
    "country": 0.3,
    "language": 0.5,
}
#: working hours (local time, Monday to Friday) and how much of a group's activity
#: falls in them, for the time-zone signal
WORK_START, WORK_END = 8, 19
IN_HOURS = 0.75
_WEEK_SHARE = 5 * (WORK_END - WORK_START) / (7 * 24)
MAX_TIME_TERM = 2.0  # nats: timestamps are correlated; many do not make one strong


@dataclass(frozen=True)
class Params:
    alpha: float = 8.0
    parent_credit: float = 0.5
    software_credit: float = 0.3
    temperature: float = 1.0
    unknown_bias: float = 0.0
    novelty_weight: float = 1.0  # how much evidence no known actor holds counts
    #: the learned ranker's weights (ranker.FEATURES); None: the naive-Bayes fit alone
    weights: tuple[float, ...] | None = None


@dataclass
class Profiles:
    """What the scorer needs of the knowledge, computed once per knowledge."""

    knowledge: Knowledge
    params: Params
    keys: list[str] = field(default_factory=list)
    #: per actor: feature → how surely it holds it (1 used; less through a related one)
    strength: list[dict[str, float]] = field(default_factory=list)
    background: dict[str, float] = field(default_factory=dict)
    unseen: float = 0.0  # q of a feature no actor holds
    shapes: list[Shape] = field(default_factory=list)
    rarity: Rarity = field(default_factory=lambda: Rarity([]))

    @classmethod
    def build(cls, knowledge: Knowledge, params: Params) -> Profiles:
        profiles = cls(knowledge, params)
        for key, actor in knowledge.actors.items():
            if actor.uses:  # an actor nothing is known of is the unknown actor's part
                profiles.keys.append(key)
                profiles.strength.append(_held(knowledge, params, key))
                profiles.shapes.append(Shape.of(actor, knowledge))
        profiles._background()
        return profiles

    def with_actor(self, knowledge: Knowledge, key: str) -> Profiles:
        """These profiles over ``knowledge``, which differs from theirs in actor ``key``
        and at most in what some software is known to do (``Knowledge.without``): the
        actors using that software are profiled again, the others kept (cheaper than
        building them again)."""
        keys, strength, shapes = list(self.keys), list(self.strength), list(self.shapes)
        for at in self._using_changed_software(knowledge):
            strength[at] = _held(knowledge, self.params, keys[at])
            shapes[at] = Shape.of(knowledge.actors[keys[at]], knowledge)
        at = keys.index(key)
        if knowledge.actors[key].uses:
            strength[at] = _held(knowledge, self.params, key)
            shapes[at] = Shape.of(knowledge.actors[key], knowledge)
        else:
            del keys[at], strength[at], shapes[at]
        changed = Profiles(knowledge, self.params, keys, strength, shapes=shapes)
        changed._background()
        return changed

    def _using_changed_software(self, knowledge: Knowledge) -> list[int]:
        """The actors using software whose techniques differ in ``knowledge``."""
        before, after = self.knowledge.software_techniques, knowledge.software_techniques
        if before is after:
            return []
        changed = {s for s, t in after.items() if before.get(s) is not t}
        return [
            at
            for at, key in enumerate(self.keys)
            if not changed.isdisjoint(knowledge.actors[key].uses)
        ]

    def _background(self) -> None:
        totals: dict[str, float] = defaultdict(float)
        for held in self.strength:
            for feature, x in held.items():
                totals[feature] += x
        n = len(self.keys)
        self.background = {f: (t + 0.5) / (n + 1) for f, t in totals.items()}
        self.unseen = 0.5 / (n + 1)
        self.rarity = Rarity(self.shapes, self.knowledge.software_techniques)


def _held(knowledge: Knowledge, params: Params, key: str) -> dict[str, float]:
    """An actor's features, with partial credit for related techniques."""
    actor = knowledge.actors[key]
    held: dict[str, float] = {}

    def give(feature: str, x: float) -> None:
        if held.get(feature, 0.0) < x:
            held[feature] = x

    for feature in actor.uses:
        give(feature, 1.0)
        if feature.startswith("T") and "." in feature:
            give(feature.split(".")[0], params.parent_credit)
        if feature.startswith("S"):
            for technique in knowledge.software_techniques.get(feature, ()):
                give(technique, params.software_credit)
                if "." in technique:
                    give(technique.split(".")[0], params.software_credit * params.parent_credit)
    if actor.origin:
        for language in languages_of(actor.origin):
            held[f"language:{language}"] = 1.0
    return held


def item_features(knowledge: Knowledge, params: Params, item: Item) -> list[tuple[str, float]]:
    """(feature, share of the item's weight) that an evidence item stands for."""
    if item.kind == "technique":
        if "." in item.value:  # a sub-technique also says its parent was used
            return [(item.value, 1.0), (item.value.split(".")[0], params.parent_credit)]
        return [(item.value, 1.0)]
    if item.kind == "software":
        resolved = knowledge.resolve_software(item.value)
        return [(resolved, 1.0)] if resolved else []
    if item.kind == "infrastructure":
        return [(f"infra:{item.value}", 1.0)]
    if item.kind in ("sector", "country", "language"):
        return [(f"{item.kind}:{item.value}", 1.0)]
    return []


@dataclass
class Scores:
    """Each actor's score and each item's part in it (by actor index)."""

    keys: list[str]
    totals: list[float]
    parts: dict[int, list[float]]  # item index → contribution per actor
    unknown: float  # the unknown actor's bias (calibrated)
    #: the unknown actor's part from the evidence: it holds what no known actor holds
    novel: float = 0.0
    novel_parts: dict[int, float] = field(default_factory=dict)
    #: the learned ranker's profile terms: name → contribution per actor
    profile_parts: dict[str, list[float]] = field(default_factory=dict)
    #: per actor, the ranker's features summed over the evidence (for training)
    vectors: list[list[float]] = field(default_factory=list)


def score(profiles: Profiles, evidence: Evidence) -> Scores:
    params, knowledge = profiles.params, profiles.knowledge
    n = len(profiles.keys)
    totals = [0.0] * n
    parts: dict[int, list[float]] = {}
    novel_parts: dict[int, float] = {}
    norm = 1.0 + params.alpha
    for index, item in enumerate(evidence.items):
        if item.kind == "timestamp":
            continue
        features = item_features(knowledge, params, item)
        if not features:
            continue
        weight = item.weight * KIND_WEIGHTS.get(item.kind, 1.0)
        row = [0.0] * n
        for feature, share in features:
            q = profiles.background.get(feature, profiles.unseen)
            if feature not in profiles.background:
                gain = weight * share * math.log((1.0 + params.alpha * q) / (norm * q))
                novel_parts[index] = novel_parts.get(index, 0.0) + gain
            for a, held in enumerate(profiles.strength):
                x = held.get(feature, 0.0)
                row[a] += weight * share * math.log((x + params.alpha * q) / (norm * q))
        parts[index] = row
    profile_parts, vectors = _ranked(profiles, evidence, parts)
    for row in parts.values():
        for a in range(n):
            totals[a] += row[a]
    for row in profile_parts.values():
        for a in range(n):
            totals[a] += row[a]
    times = [(i, it) for i, it in enumerate(evidence.items) if it.kind == "timestamp"]
    if times:
        for a, key in enumerate(profiles.keys):
            origin = knowledge.actors[key].origin
            if origin is None:
                continue
            terms = [(i, _time_term(origin, it)) for i, it in times]
            total = sum(t for _, t in terms)
            scale = min(1.0, MAX_TIME_TERM / abs(total)) if total else 1.0
            for i, term in terms:
                parts.setdefault(i, [0.0] * n)[a] = term * scale
            totals[a] += total * scale
    return Scores(
        profiles.keys,
        totals,
        parts,
        params.unknown_bias,
        sum(novel_parts.values()),
        novel_parts,
        profile_parts,
        vectors,
    )


def _ranked(
    profiles: Profiles, evidence: Evidence, parts: dict[int, list[float]]
) -> tuple[dict[str, list[float]], list[list[float]]]:
    """The ranker's features of every actor, summed over the evidence (for training);
    with learned weights, the item parts become weighted sums of their features (in
    place) and the profile terms are made."""
    params, knowledge = profiles.params, profiles.knowledge
    weights = params.weights
    n = len(profiles.keys)
    width = len(ITEM_FEATURES)
    vectors = [[0.0] * len(FEATURES) for _ in range(n)]
    attack: set[str] = set()
    for index, row in parts.items():
        item = evidence.items[index]
        found = item_features(knowledge, params, item)
        feature = found[0][0] if found and item.kind in ("technique", "software") else None
        if feature is not None:
            attack.add(feature)
        weighted = [0.0] * n
        for a in range(n):
            terms = (
                item_terms(profiles.shapes[a], profiles.rarity, feature, row[a])
                if feature is not None
                else [(0, row[a])]
            )
            vector = vectors[a]
            for k, value in terms:
                vector[k] += value
            if weights is not None:
                weighted[a] = sum(weights[k] * value for k, value in terms)
        if weights is not None:
            parts[index] = weighted
    evidence_ids = frozenset(attack)
    profile_rows = [
        profile_row(profiles.shapes[a], profiles.rarity, evidence_ids) for a in range(n)
    ]
    for a in range(n):
        vectors[a][width:] = profile_rows[a]
    if weights is None:
        return {}, vectors
    named = {
        name: [weights[width + k] * profile_rows[a][k] for a in range(n)]
        for k, name in enumerate(PROFILE_FEATURES)
    }
    return named, vectors


def _time_term(origin: str, item: Item) -> float:
    """Log-likelihood ratio of an activity time for an actor from ``origin`` against one
    from anywhere; a country with several time zones counts each zone alike."""
    moment = datetime.fromisoformat(item.value.replace("Z", "+00:00"))
    offsets = utc_offsets(origin, moment) or [timedelta(0)]
    working = sum(_working(moment + offset) for offset in offsets) / len(offsets)
    chance = working * IN_HOURS / _WEEK_SHARE + (1 - working) * (1 - IN_HOURS) / (1 - _WEEK_SHARE)
    return item.weight * math.log(chance)


def _working(local: datetime) -> bool:
    return local.weekday() < 5 and WORK_START <= local.hour < WORK_END


def probabilities(scores: Scores, params: Params) -> tuple[list[float], float]:
    """(probability per actor, probability of an unknown actor): a tempered softmax."""
    t = params.temperature
    logits = [s / t for s in scores.totals]
    unknown = (scores.unknown + params.novelty_weight * scores.novel) / t
    top = max([*logits, unknown])
    weights = [math.exp(v - top) for v in logits]
    other = math.exp(unknown - top)
    total = sum(weights) + other
    return [w / total for w in weights], other / total
