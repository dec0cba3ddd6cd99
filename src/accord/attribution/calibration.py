"""Fitting the softmax temperature and the unknown actor's bias on held-out cases.

A *case* is one report's techniques and software for one actor, scored against the
knowledge without what only that report says of the actor (leave-one-report-out). A
*novel* case is the same evidence scored with the actor taken out entirely: the right
answer is then "unknown actor". Both kinds train the two parameters by minimising the
log loss; the cases scored in earnest are never among those fitted on.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import partial

from accord.attribution.evidence import Evidence, Item
from accord.attribution.knowledge import Knowledge
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

    @classmethod
    def of(cls, scores: Scores, truth: str | None) -> Sample:
        best = sorted(scores.totals, reverse=True)[:_KEPT]
        right = None if truth is None else scores.totals[scores.keys.index(truth)]
        if right is not None and right < best[-1]:
            best.append(right)
        return cls(tuple(best), right)


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


def samples(
    knowledge: Knowledge,
    params: Params,
    cases: dict[Case, frozenset[str]],
    novel: bool = True,
) -> list[Sample]:
    """Each case scored leave-one-report-out; with ``novel``, also with its actor gone
    (one novel sample per actor, from its largest case)."""
    found = []
    whole = Profiles.build(knowledge, params)
    for (actor, citation), features in cases.items():
        profiles = whole.with_actor(knowledge.without(actor, citation), actor)
        found.append(Sample.of(score(profiles, case_evidence(features)), actor))
    if novel:
        largest: dict[str, tuple[Case, frozenset[str]]] = {}
        for case, features in cases.items():
            held = largest.get(case[0])
            if held is None or len(features) > len(held[1]):
                largest[case[0]] = (case, features)
        for actor, (_, features) in sorted(largest.items()):
            rest = {k: a for k, a in knowledge.actors.items() if k != actor}
            profiles = Profiles.build(replace(knowledge, actors=rest), params)
            found.append(Sample.of(score(profiles, case_evidence(features)), None))
    return found


def log_loss(found: Sequence[Sample], temperature: float, bias: float) -> float:
    """Mean negative log probability of the right answers."""
    total = 0.0
    for sample in found:
        logits = [v / temperature for v in sample.best]
        unknown = bias / temperature
        top = max(max(logits), unknown)
        norm = top + math.log(sum(math.exp(v - top) for v in logits) + math.exp(unknown - top))
        right = unknown if sample.truth is None else sample.truth / temperature
        total += norm - right
    return total / max(len(found), 1)


def fit(found: Sequence[Sample], params: Params) -> Params:
    """The temperature and unknown bias with the least log loss on ``found``
    (coordinate descent, a golden-section search along each)."""
    log_t, bias = 0.0, 0.0
    for _ in range(4):
        log_t = _golden(partial(_loss_of_log_t, found, bias), -3.0, 3.0)
        bias = _golden(partial(_loss_of_bias, found, math.exp(log_t)), -30.0, 30.0)
    return replace(params, temperature=math.exp(log_t), unknown_bias=bias)


def _loss_of_log_t(found: Sequence[Sample], bias: float, log_t: float) -> float:
    return log_loss(found, math.exp(log_t), bias)


def _loss_of_bias(found: Sequence[Sample], temperature: float, bias: float) -> float:
    return log_loss(found, temperature, bias)


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
