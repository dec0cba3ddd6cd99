"""A learned linear ranker over a few interpretable features of (actor, evidence).

The naive-Bayes fit of each item (``scoring.py``) is one feature; the others say how rare
the matched techniques and software are, whether a related technique matched (parent,
sub-technique, or through the actor's software), how large the actor's profile is, what
share of it the evidence covers, and how well the evidence matches the actor's single
best report and best software. The weights are fitted on leave-one-report-out cases
(softmax log-likelihood, L2), never on the case being scored. Per-item features add up
per item, so each item's contribution stays explainable; the profile features are shown
as contributions of the profile.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from accord.attribution.knowledge import Actor, Knowledge

ITEM_FEATURES = (
    "evidence fit",  # the naive-Bayes term of the item
    "rare technique matched",  # idf of a technique the actor used
    "rare software matched",  # idf of software the actor used
    "technique matched",
    "software matched",
    "related technique",  # idf of a technique related to one the actor used
    "software only this actor uses",
    "reports behind the match",  # log(1 + reports of the actor citing it)
    "share of its reports",  # reports citing it / the actor's reports
    "rare match, squared",  # idf squared
    "report fit (a=1)",  # document-level naive Bayes: the share of the actor's reports
    "report fit (a=4)",  # that cite the item, smoothed towards all reports with a
    "report fit (a=16)",  # weight a (three strengths: the ranker picks)
    "similar software",  # unheld software sharing techniques with the actor's own
)
PROFILE_FEATURES = (
    "profile size",  # log(1 + techniques and software known of the actor)
    "share of profile matched",
    "best-matching report",  # idf cosine of the evidence with one report of the actor
    "best-matching software",  # idf cosine of the techniques with one of its software
    "reports known",  # log(1 + the actor's reports)
    "profile unexplained",  # how much of the actor's usual profile the evidence lacks
    "two best reports",  # sum of the two best report cosines
    "best report overlap",  # the best report's share of the evidence's weight
)
FEATURES = ITEM_FEATURES + PROFILE_FEATURES
L2 = 0.01


@dataclass(frozen=True)
class Shape:
    """What the ranker needs of one actor's profile."""

    direct: frozenset[str]  # techniques and software (ATT&CK ids) it is known to use
    related: frozenset[str]  # techniques related to those (parents, through software)
    reports: tuple[frozenset[str], ...]  # the techniques and software of each citation
    software: tuple[frozenset[str], ...]  # the techniques of each of its software
    cited: dict[str, int]  # how many of its reports cite each direct feature

    @classmethod
    def of(cls, actor: Actor, knowledge: Knowledge) -> Shape:
        direct = frozenset(f for f in actor.uses if _attack_feature(f))
        related: set[str] = set()
        software = []
        for feature in direct:
            if feature.startswith("T"):
                related.add(feature.split(".")[0])
            else:
                techniques = knowledge.software_techniques.get(feature, frozenset())
                software.append(techniques)
                related.update(techniques)
                related.update(t.split(".")[0] for t in techniques)
        by_report: dict[str, set[str]] = {}
        for feature in direct:
            for citation in actor.uses[feature]:
                by_report.setdefault(citation, set()).add(feature)
        return cls(
            direct,
            frozenset(related - direct),
            tuple(frozenset(r) for r in by_report.values()),
            tuple(software),
            {f: len(actor.uses[f]) for f in direct},
        )


def _attack_feature(feature: str) -> bool:
    return feature[:1] in ("T", "S") and feature[1:2].isdigit()


class Rarity:
    """idf of ATT&CK ids over the actors' profiles, and their share of all reports."""

    def __init__(
        self,
        shapes: Sequence[Shape],
        software_techniques: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        counts: dict[str, int] = {}
        cited: dict[str, int] = {}
        for shape in shapes:
            for feature in shape.direct:
                counts[feature] = counts.get(feature, 0) + 1
                cited[feature] = cited.get(feature, 0) + shape.cited.get(feature, 0)
        self.counts = counts
        self.cited = cited
        self.reports = sum(len(shape.reports) for shape in shapes)
        self.actors = len(shapes)
        self.software_techniques = software_techniques or {}
        self._norms: dict[frozenset[str], float] = {}

    def norm(self, features: frozenset[str]) -> float:
        """The idf-weighted length of a set of ids (remembered: reports recur per case)."""
        held = self._norms.get(features)
        if held is None:
            held = self._norms[features] = math.sqrt(sum(self.idf(f) ** 2 for f in features))
        return held

    def background(self, feature: str) -> float:
        """The share of all reports that cite ``feature`` (smoothed)."""
        return (self.cited.get(feature, 0) + 0.5) / (self.reports + 1)

    def idf(self, feature: str) -> float:
        return math.log((self.actors + 1) / (self.counts.get(feature, 0) + 1))


def item_terms(shape: Shape, rarity: Rarity, feature: str, fit: float) -> list[tuple[int, float]]:
    """The per-item features of one actor for one ATT&CK id, as (index, value) for the
    ones that are not zero (most actors hold few of the evidence's ids)."""
    terms = [(0, fit)]
    reports = len(shape.reports)
    cited = shape.cited.get(feature, 0)
    if feature in shape.direct:
        idf = rarity.idf(feature)
        if feature.startswith("T"):
            terms += [(1, idf), (3, 1.0)]
        else:
            terms += [(2, idf), (4, 1.0)]
            if rarity.counts.get(feature) == 1:
                terms.append((6, 1.0))
        terms += [(7, math.log1p(cited)), (8, cited / reports if reports else 0.0), (9, idf * idf)]
    elif feature.startswith("T") and (
        feature in shape.related or feature.split(".")[0] in shape.related
    ):
        terms.append((5, rarity.idf(feature)))
    elif feature.startswith("S"):
        terms.append((13, _similar_software(shape, rarity.software_techniques.get(feature))))
    background = rarity.background(feature)
    for k, alpha in ((10, 1.0), (11, 4.0), (12, 16.0)):
        terms.append((k, math.log((cited + alpha * background) / ((reports + alpha) * background))))
    return terms


def _similar_software(shape: Shape, techniques: frozenset[str] | None) -> float:
    """The most the techniques of an unheld software overlap one of the actor's own."""
    if not techniques:
        return 0.0
    return max(
        (len(techniques & kit) / len(techniques | kit) for kit in shape.software if kit),
        default=0.0,
    )


def profile_row(shape: Shape, rarity: Rarity, evidence: frozenset[str]) -> list[float]:
    """The profile features of one actor for a set of ATT&CK ids."""
    size = len(shape.direct)
    matched = len(evidence & shape.direct)
    weights = {f: rarity.idf(f) for f in evidence}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    cosines = sorted((_cosine(weights, norm, r, rarity) for r in shape.reports), reverse=True)
    best_report = cosines[0] if cosines else 0.0
    techniques = {f: w for f, w in weights.items() if f.startswith("T")}
    t_norm = math.sqrt(sum(w * w for w in techniques.values())) or 1.0
    best_software = max(
        (_cosine(techniques, t_norm, kit, rarity) for kit in shape.software), default=0.0
    )
    reports = len(shape.reports)
    unexplained = sum(
        math.log(1 - count / (reports + 1))
        for feature, count in shape.cited.items()
        if feature not in evidence
    )
    overlaps = [sum(w * w for f, w in weights.items() if f in r) for r in shape.reports]
    return [
        math.log1p(size),
        matched / size if size else 0.0,
        best_report,
        best_software,
        math.log1p(reports),
        unexplained,
        sum(cosines[:2]),
        max(overlaps, default=0.0) / (norm * norm),
    ]


def _cosine(weights: dict[str, float], norm: float, other: frozenset[str], rarity: Rarity) -> float:
    overlap = sum(w * w for f, w in weights.items() if f in other)
    if not overlap:
        return 0.0
    return overlap / (norm * (rarity.norm(other) or 1.0))


def train(cases: Sequence[tuple[list[list[float]], int]]) -> tuple[float, ...]:
    """Weights maximising the softmax likelihood of the right actor (L2-penalised).

    ``cases``: per case, each candidate actor's summed feature vector, and the index of
    the right one."""
    import numpy as np
    from scipy.optimize import minimize

    if not cases:
        return (1.0,) + (0.0,) * (len(FEATURES) - 1)
    width = len(FEATURES)
    most = max(len(x) for x, _ in cases)
    # one padded array (case, candidate, feature); padding never wins a softmax
    features = np.zeros((len(cases), most, width))
    present = np.zeros((len(cases), most), dtype=bool)
    for n, (x, _) in enumerate(cases):
        features[n, : len(x)] = x
        present[n, : len(x)] = True
    truths = np.array([t for _, t in cases])
    rows = np.arange(len(cases))
    right = features[rows, truths]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = np.where(present, features @ w, -np.inf)
        z = z - z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        total = -float(np.log(p[rows, truths]).sum()) + L2 * float(w @ w)
        grad = -(right.sum(axis=0) - np.einsum("nm,nmk->k", p, features)) + 2 * L2 * w
        return total / len(cases), grad / len(cases)

    start = np.zeros(width)
    start[0] = 1.0  # begin from the naive-Bayes model
    # an item's features may only speak for an actor, never against it, so that each
    # item's contribution reads as evidence does; the profile terms are free
    bounds = [(0.0, None)] * len(ITEM_FEATURES) + [(None, None)] * len(PROFILE_FEATURES)
    found = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds)
    return tuple(float(v) for v in found.x)
