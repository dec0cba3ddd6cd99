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
from collections.abc import Sequence
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
)
PROFILE_FEATURES = (
    "profile size",  # log(1 + techniques and software known of the actor)
    "share of profile matched",
    "best-matching report",  # idf cosine of the evidence with one report of the actor
    "best-matching software",  # idf cosine of the techniques with one of its software
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
        )


def _attack_feature(feature: str) -> bool:
    return feature[:1] in ("T", "S") and feature[1:2].isdigit()


class Rarity:
    """idf of ATT&CK ids over the actors' profiles."""

    def __init__(self, shapes: Sequence[Shape]) -> None:
        counts: dict[str, int] = {}
        for shape in shapes:
            for feature in shape.direct:
                counts[feature] = counts.get(feature, 0) + 1
        self.counts = counts
        self.actors = len(shapes)

    def idf(self, feature: str) -> float:
        return math.log((self.actors + 1) / (self.counts.get(feature, 0) + 1))


def item_row(shape: Shape, rarity: Rarity, feature: str, fit: float) -> list[float]:
    """The per-item features of one actor for one ATT&CK id."""
    row = [fit, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    if feature in shape.direct:
        idf = rarity.idf(feature)
        if feature.startswith("T"):
            row[1], row[3] = idf, 1.0
        else:
            row[2], row[4] = idf, 1.0
            row[6] = 1.0 if rarity.counts.get(feature) == 1 else 0.0
    elif feature.startswith("T") and (
        feature in shape.related or feature.split(".")[0] in shape.related
    ):
        row[5] = rarity.idf(feature)
    return row


def profile_row(shape: Shape, rarity: Rarity, evidence: frozenset[str]) -> list[float]:
    """The profile features of one actor for a set of ATT&CK ids."""
    size = len(shape.direct)
    matched = len(evidence & shape.direct)
    weights = {f: rarity.idf(f) for f in evidence}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    best_report = max(
        (_cosine(weights, norm, report, rarity) for report in shape.reports), default=0.0
    )
    techniques = {f: w for f, w in weights.items() if f.startswith("T")}
    t_norm = math.sqrt(sum(w * w for w in techniques.values())) or 1.0
    best_software = max(
        (_cosine(techniques, t_norm, kit, rarity) for kit in shape.software), default=0.0
    )
    return [math.log1p(size), matched / size if size else 0.0, best_report, best_software]


def _cosine(weights: dict[str, float], norm: float, other: frozenset[str], rarity: Rarity) -> float:
    overlap = sum(w * w for f, w in weights.items() if f in other)
    if not overlap:
        return 0.0
    other_norm = math.sqrt(sum(rarity.idf(f) ** 2 for f in other)) or 1.0
    return overlap / (norm * other_norm)


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
    found = minimize(loss, start, jac=True, method="L-BFGS-B")
    return tuple(float(v) for v in found.x)
