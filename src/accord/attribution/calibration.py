"""Fitting the ranker's weights, the softmax temperature and the unknown actor on cases.

A *case* is one report's techniques and software for one actor, scored against the
knowledge without what that report says of the actor (leave-one-report-out). When the
report was all that was known of the actor, the actor is no candidate and the right
answer is "unknown actor": that is what an unknown actor is. The two parameters are
fitted by minimising the Brier score; the cases scored in earnest are never among those
fitted on.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from accord.attribution.evidence import Evidence, Item
from accord.attribution.knowledge import Knowledge
from accord.attribution.ranker import FEATURES, train
from accord.attribution.scoring import Params, Profiles, Scores, score

Case = tuple[str, str]  # (actor key, citation)


#: actors beyond the best this many add nothing measurable to a softmax's denominator
_KEPT = 40


@dataclass(frozen=True)
class Sample:
    """A scored case, reduced to what fitting needs: the best actor scores and the right
    answer's score (None when the right answer is the unknown actor)."""

    best: tuple[float, ...]
    truth: float | None
    novel: float = 0.0  # the unknown actor's part from the evidence

    @classmethod
    def of(cls, scores: Scores, truth: str | None) -> Sample:
        return cls.of_totals(scores.keys, scores.totals, truth, scores.novel)

    @classmethod
    def of_totals(
        cls, keys: Sequence[str], totals: Sequence[float], truth: str | None, novel: float
    ) -> Sample:
        best = sorted(totals, reverse=True)[:_KEPT]
        right = None if truth is None else totals[keys.index(truth)]
        if right is not None and right < best[-1]:
            best.append(right)
        return cls(tuple(best), right, novel)


@dataclass(frozen=True)
class Scored:
    """A case scored leave-one-report-out: each candidate's ranker features, the right
    answer (None: the unknown actor) and the unknown actor's evidence part."""

    case: Case
    keys: list[str]
    vectors: list[list[float]]
    truth: str | None
    novel: float

    def totals(self, weights: Sequence[float]) -> list[float]:
        return [sum(w * v for w, v in zip(weights, vector, strict=True)) for vector in self.vectors]

    def sample(self, weights: Sequence[float]) -> Sample:
        return Sample.of_totals(self.keys, self.totals(weights), self.truth, self.novel)


def case_evidence(features: Iterable[str], grade: str = "A") -> Evidence:
    """A case's techniques and software as evidence."""
    return Evidence(
        items=[
            Item("technique" if f.startswith("T") else "software", f, reliability=grade)
            for f in sorted(features)
        ]
    )


def fold_of(case: Case, folds: int) -> int:
    """A case's fold: stable across runs and machines."""
    digest = hashlib.blake2b(f"{case[0]}|{case[1]}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") % folds


def scored_cases(
    knowledge: Knowledge,
    params: Params,
    cases: dict[Case, frozenset[str]],
    novel: bool = False,
) -> list[Scored]:
    """Each case scored leave-one-report-out. When nothing else is known of the case's
    actor, it is no candidate, and the right answer is the unknown actor. With ``novel``,
    also one case per actor scored with the actor taken out entirely (its largest case;
    citation ``NOVEL``): an actor the knowledge does not know, whose right answer is the
    unknown actor."""
    found = []
    whole = Profiles.build(knowledge, params)
    for (actor, citation), features in sorted(cases.items()):
        profiles = whole.with_actor(knowledge.without(actor, citation), actor)
        scores = score(profiles, case_evidence(features))
        truth = actor if actor in scores.keys else None
        found.append(Scored((actor, citation), scores.keys, scores.vectors, truth, scores.novel))
    if novel:
        largest: dict[str, frozenset[str]] = {}
        for (actor, _), features in sorted(cases.items()):
            if len(features) > len(largest.get(actor, ())):
                largest[actor] = features
        for actor, features in sorted(largest.items()):
            rest = {k: a for k, a in knowledge.actors.items() if k != actor}
            profiles = Profiles.build(replace(knowledge, actors=rest), params)
            scores = score(profiles, case_evidence(features))
            found.append(Scored((actor, NOVEL), scores.keys, scores.vectors, None, scores.novel))
    return found


NOVEL = "(actor unknown to the knowledge)"


def samples(
    knowledge: Knowledge, params: Params, cases: dict[Case, frozenset[str]]
) -> list[Sample]:
    """The cases scored with ``params`` as they are (no weights learned)."""
    weights = params.weights or _NAIVE_BAYES
    return [case.sample(weights) for case in scored_cases(knowledge, params, cases)]


_NAIVE_BAYES = (1.0,) + (0.0,) * (len(FEATURES) - 1)


def learn(scored: Sequence[Scored], params: Params, folds: int = 4) -> Params:
    """Ranker weights fitted on every case, and the temperature and unknown actor fitted
    on scores each case got from weights fitted without it (inner folds)."""
    held_out: list[Sample] = []
    for fold in range(folds):  # by actor: no actor's cases on both sides
        inside = [c for c in scored if fold_of((c.case[0], ""), folds) != fold]
        weights = train(_training(inside))
        held_out += [c.sample(weights) for c in scored if fold_of((c.case[0], ""), folds) == fold]
    weights = train(_training(scored))
    return fit(held_out, replace(params, weights=weights))


def _training(scored: Sequence[Scored]) -> list[tuple[list[list[float]], int]]:
    return [(c.vectors, c.keys.index(c.truth)) for c in scored if c.truth is not None]


class _Batch:
    """Samples as arrays, so that a loss is a few array operations: each row the actor
    scores (padded), then the unknown actor's evidence part; the right answer's column."""

    def __init__(self, found: Sequence[Sample]) -> None:
        import numpy as np

        widest = max((len(s.best) for s in found), default=0)
        self.scores = np.full((len(found), widest), -np.inf)
        for n, sample in enumerate(found):
            self.scores[n, : len(sample.best)] = sample.best
        self.novel = np.array([s.novel for s in found])
        self.right = np.array(
            [widest if s.truth is None else s.best.index(s.truth) for s in found], dtype=int
        )

    def probabilities(self, temperature: float, bias: float, novelty: float) -> Any:
        import numpy as np

        unknown = (bias + novelty * self.novel)[:, None]
        logits = np.concatenate([self.scores, unknown], axis=1) / temperature
        logits -= logits.max(axis=1, keepdims=True)
        weights = np.exp(logits)
        return weights / weights.sum(axis=1, keepdims=True)

    def brier(self, temperature: float, bias: float, novelty: float) -> float:
        import numpy as np

        p = self.probabilities(temperature, bias, novelty)
        p[np.arange(len(p)), self.right] -= 1.0
        return float((p**2).sum(axis=1).mean()) if len(p) else 0.0

    def log_loss(self, temperature: float, bias: float, novelty: float) -> float:
        import numpy as np

        p = self.probabilities(temperature, bias, novelty)
        right = p[np.arange(len(p)), self.right]
        return float(-np.log(np.maximum(right, 1e-300)).mean()) if len(p) else 0.0


def log_loss(
    found: Sequence[Sample], temperature: float, bias: float, novelty: float = 1.0
) -> float:
    """Mean negative log probability of the right answers."""
    return _Batch(found).log_loss(temperature, bias, novelty)


def brier(found: Sequence[Sample], temperature: float, bias: float, novelty: float = 1.0) -> float:
    """Mean Brier score (squared error of every probability, the unknown's included)."""
    return _Batch(found).brier(temperature, bias, novelty)


def fit(found: Sequence[Sample], params: Params) -> Params:
    """The temperature, the unknown actor's bias and the weight of its evidence with the
    least Brier score on ``found`` (coordinate descent, a golden-section search along
    each). Brier, not log loss: the log loss is ruled by the cases whose right answer
    ranks low, and fitted on it the leading answers come out far less sure than they
    are right."""
    batch = _Batch(found)
    # the unknown actor's two parameters have flat regions (once it never wins, neither
    # moves anything), so a coarse grid finds their basin before the line searches
    log_t = _golden(lambda v: batch.brier(math.exp(v), -30.0, 0.0), -3.0, 3.0)
    grid = [(float(b), k / 4) for b in range(-12, 13, 2) for k in range(0, 9)]
    bias, novelty = min(grid, key=lambda bn: batch.brier(math.exp(log_t), *bn))
    for _ in range(3):
        log_t = _golden(_along(batch, "log_t", log_t, bias, novelty), -3.0, 3.0)
        bias = _golden(_along(batch, "bias", log_t, bias, novelty), bias - 4.0, bias + 4.0)
        novelty = _golden(_along(batch, "novelty", log_t, bias, novelty), 0.0, 3.0)
    return replace(params, temperature=math.exp(log_t), unknown_bias=bias, novelty_weight=novelty)


def _along(
    batch: _Batch, name: str, log_t: float, bias: float, novelty: float
) -> Callable[[float], float]:
    """The Brier score as a function of one parameter, the others held."""

    def loss(value: float) -> float:
        point = {"log_t": log_t, "bias": bias, "novelty": novelty, name: value}
        return batch.brier(math.exp(point["log_t"]), point["bias"], point["novelty"])

    return loss


def _golden(loss: Callable[[float], float], low: float, high: float, steps: int = 40) -> float:
    ratio = (math.sqrt(5) - 1) / 2
    a, b = low, high
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = loss(c), loss(d)
    for _ in range(steps):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = loss(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = loss(d)
    return (a + b) / 2
