"""Attribution accuracy and calibration, leave-one-report-out on ATT&CK v15.

    python benchmarks/attribution.py [--folds 5] [--attack PATH]

Cases: every (group, cited report) pair whose facts about the group (its own ``uses``
relationships and those of campaigns attributed to it) cite that report for at least
three techniques or software. For a case, the evidence is those techniques and
software; the group's profile is rebuilt without the facts that only that report
supports (a fact another report also supports stays: it is known without this report).

Calibration (softmax temperature and the unknown actor's bias) is fitted on the other
folds' cases, never on the fold being scored. Folds are a stable hash of the group, so
all of a group's cases share a fold, and calibration also sees, per group of the other
folds, its largest case scored with the group taken out of the knowledge entirely (the
right answer: an unknown actor).

Beside Accord's model, in the same run and on the same leave-one-report-out profiles:
overlap count, Jaccard, and TF-IDF cosine over the techniques and software (ranks only:
they give no probabilities). Timing: ``Assessor.assess`` (scores, probabilities, ACH,
flags, contributions) over all actors, per case.
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from accord.attribution.assess import Assessor
from accord.attribution.calibration import (
    NOVEL,
    Scored,
    case_evidence,
    fit,
    fold_of,
    learn,
    scored_cases,
)
from accord.attribution.knowledge import Knowledge
from accord.attribution.ranker import FEATURES
from accord.attribution.scoring import Params, Scores, probabilities
from accord.attribution.sources import load_knowledge

Case = tuple[str, str]


@dataclass
class Outcome:
    """One case's result for one method: the rank of the right group, and for Accord
    the probabilities (of every group, and of an unknown actor)."""

    rank: int
    probabilities: dict[str, float] | None = None
    unknown: float = 0.0


def features_of(knowledge: Knowledge) -> dict[str, set[str]]:
    """Each actor's techniques and software (the baselines' profiles)."""
    return {
        key: {f for f in actor.uses if f[0] in "TS" and f[1:2].isdigit()}
        for key, actor in knowledge.actors.items()
    }


def rank_of(scores: dict[str, float], truth: str) -> int:
    """Rank of the truth; ties count against it (the worst place among equals), and an
    actor with no profile left ranks last."""
    mine = scores[truth]
    return 1 + sum(1 for key, value in scores.items() if key != truth and value >= mine)


def overlap(profiles: dict[str, set[str]], evidence: set[str]) -> dict[str, float]:
    return {k: float(len(p & evidence)) for k, p in profiles.items()}


def jaccard(profiles: dict[str, set[str]], evidence: set[str]) -> dict[str, float]:
    return {k: len(p & evidence) / (len(p | evidence) or 1) for k, p in profiles.items()}


def tfidf(profiles: dict[str, set[str]], evidence: set[str]) -> dict[str, float]:
    n = len(profiles)
    df: dict[str, int] = defaultdict(int)
    for p in profiles.values():
        for f in p:
            df[f] += 1
    idf = {f: math.log(n / c) + 1 for f, c in df.items()}
    query = {f: idf.get(f, math.log(n) + 1) for f in evidence}
    qn = math.sqrt(sum(v * v for v in query.values())) or 1.0
    out = {}
    for key, p in profiles.items():
        dn = math.sqrt(sum(idf[f] ** 2 for f in p)) or 1.0
        out[key] = sum(query[f] * idf[f] for f in evidence if f in p) / (qn * dn)
    return out


BASELINES: dict[str, Callable[[dict[str, set[str]], set[str]], dict[str, float]]] = {
    "overlap count": overlap,
    "Jaccard": jaccard,
    "TF-IDF cosine": tfidf,
}


def metrics(cases: list[Case], outcomes: dict[Case, Outcome]) -> dict[str, float]:
    ranks = [outcomes[c].rank for c in cases]
    n = len(ranks)
    per_group: dict[str, list[int]] = defaultdict(list)
    for case in cases:
        per_group[case[0]].append(outcomes[case].rank)
    found = {
        "top-1": sum(r == 1 for r in ranks) / n,
        "top-5": sum(r <= 5 for r in ranks) / n,
        "MRR": sum(1 / r for r in ranks) / n,
        "top-1 per group": statistics.mean(
            sum(r == 1 for r in rs) / len(rs) for rs in per_group.values()
        ),
    }
    if all(outcomes[c].probabilities is not None for c in cases):
        found["Brier"] = statistics.mean(_brier(case, outcomes[case]) for case in cases)
        found["ECE"] = _ece([outcomes[c] for c in cases], cases)
    return found


def _brier(case: Case, outcome: Outcome) -> float:
    assert outcome.probabilities is not None
    total = outcome.unknown**2
    for key, p in outcome.probabilities.items():
        total += (p - (1.0 if key == case[0] else 0.0)) ** 2
    if case[0] not in outcome.probabilities:  # no candidate: its probability was 0
        total += 1.0
    return total


def _ece(outcomes: list[Outcome], cases: list[Case], bins: int = 10) -> float:
    """Expected calibration error of the top answer's probability (unknown included)."""
    binned: list[list[tuple[float, bool]]] = [[] for _ in range(bins)]
    for outcome, case in zip(outcomes, cases, strict=True):
        assert outcome.probabilities is not None
        chances = outcome.probabilities
        best_key = max(chances, key=lambda k: chances[k])
        best = chances[best_key]
        if outcome.unknown > best:
            best, right = outcome.unknown, False
        else:
            right = best_key == case[0]
        binned[min(int(best * bins), bins - 1)].append((best, right))
    total = len(outcomes)
    return sum(
        len(b) / total * abs(statistics.mean(p for p, _ in b) - statistics.mean(r for _, r in b))
        for b in binned
        if b
    )


NAIVE_BAYES = (1.0,) + (0.0,) * (len(FEATURES) - 1)


def _outcome(case: Scored, params: Params, last: int) -> Outcome:
    """Rank and probabilities of one held-out case under fitted parameters."""
    assert params.weights is not None
    totals = case.totals(params.weights)
    result = Scores(case.keys, totals, {}, params.unknown_bias, case.novel)
    found, unknown = probabilities(result, params)
    by_actor = dict(zip(case.keys, totals, strict=True))
    reachable = case.case[0] in by_actor  # else the report was all that was known of it
    return Outcome(
        rank_of(by_actor, case.case[0]) if reachable else last,
        dict(zip(case.keys, found, strict=True)),
        unknown,
    )


def _top(outcome: Outcome, truth: str | None) -> tuple[float, bool]:
    """(probability of the top answer, whether it is right); None: the unknown actor."""
    assert outcome.probabilities is not None
    chances = outcome.probabilities
    best_key = max(chances, key=lambda k: chances[k]) if chances else None
    best = chances[best_key] if best_key else 0.0
    if outcome.unknown > best:
        return outcome.unknown, truth is None
    return best, truth is not None and best_key == truth


def _ece_of(pairs: list[tuple[float, bool]], bins: int = 10) -> float:
    binned: list[list[tuple[float, bool]]] = [[] for _ in range(bins)]
    for p, right in pairs:
        binned[min(int(p * bins), bins - 1)].append((p, right))
    return sum(
        len(b)
        / len(pairs)
        * abs(statistics.mean(p for p, _ in b) - statistics.mean(r for _, r in b))
        for b in binned
        if b
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--attack", type=Path, default=None)
    args = parser.parse_args()
    head = subprocess.run(
        ["git", "describe", "--always", "--dirty"], capture_output=True, text=True, check=False
    ).stdout.strip()
    print(f"# accord attribution benchmark (accord at {head or 'unknown'})")
    start = time.perf_counter()
    knowledge = load_knowledge(None, None, args.attack)
    cases = knowledge.cases()
    keys = sorted(cases)
    print(
        f"knowledge: {len(knowledge.actors)} groups ({knowledge.origin}), built in "
        f"{time.perf_counter() - start:.1f} s; {len(keys)} cases over "
        f"{len({c[0] for c in keys})} groups; {args.folds} folds"
    )

    params = Params()
    t0 = time.perf_counter()
    scored = {c.case: c for c in scored_cases(knowledge, params, cases, novel=True)}
    novel = [c for c in scored if c[1] == NOVEL]
    baseline_outcomes: dict[str, dict[Case, Outcome]] = {name: {} for name in BASELINES}
    for case in keys:
        actor, citation = case
        plain = features_of(knowledge.without(actor, citation))
        for name, method in BASELINES.items():
            ranked = method(plain, set(cases[case]))
            place = rank_of(ranked, actor) if plain[actor] else len(knowledge.actors)
            baseline_outcomes[name][case] = Outcome(place)
    print(f"scored every case and baseline in {time.perf_counter() - t0:.1f} s")

    accord: dict[Case, Outcome] = {}
    naive: dict[Case, Outcome] = {}
    fitted = []
    unknown_on_novel: list[float] = []
    novel_outcomes: dict[Case, Outcome] = {}
    for fold in range(args.folds):
        # a fold holds an actor's novel case with its cases, so no fold trains on the
        # actor it is tested as unknown on
        train = [scored[c] for c in [*keys, *novel] if fold_of((c[0], ""), args.folds) != fold]
        test = [c for c in keys if fold_of((c[0], ""), args.folds) == fold]
        learned = learn(train, params)
        calibrated_nb = fit([c.sample(NAIVE_BAYES) for c in train], params)
        fitted.append(learned)
        for case in test:
            accord[case] = _outcome(scored[case], learned, len(knowledge.actors))
            naive[case] = _outcome(
                scored[case], replace(calibrated_nb, weights=NAIVE_BAYES), len(knowledge.actors)
            )
        for case in novel:
            if fold_of((case[0], ""), args.folds) == fold:
                novel_outcomes[case] = _outcome(scored[case], learned, 0)
                unknown_on_novel.append(novel_outcomes[case].unknown)
    print(
        "calibration per fold (temperature, unknown bias, novelty weight): "
        + "; ".join(
            f"{p.temperature:.2f}, {p.unknown_bias:.2f}, {p.novelty_weight:.2f}" for p in fitted
        )
    )
    weights = [
        statistics.mean(p.weights[k] for p in fitted if p.weights) for k in range(len(FEATURES))
    ]
    print(
        "mean weights: "
        + ", ".join(f"{n} {w:+.2f}" for n, w in zip(FEATURES, weights, strict=True))
    )

    print(
        f"unknown actor: mean probability {statistics.mean(o.unknown for o in accord.values()):.3f}"
        f" on the cases above, {statistics.mean(unknown_on_novel):.3f} on {len(unknown_on_novel)}"
        f" cases of actors taken out of the knowledge (top answer on "
        f"{sum(u > 0.5 for u in unknown_on_novel)})"
    )
    mixed = [_top(accord[c], c[0]) for c in keys] + [_top(o, None) for o in novel_outcomes.values()]
    print(
        f"ECE over those cases and the {len(novel_outcomes)} unknown-actor cases together: "
        f"{_ece_of(mixed):.3f}"
    )

    assessor = Assessor(knowledge, fitted[0])
    timings = []
    for case in keys:
        evidence = case_evidence(cases[case])
        t = time.perf_counter()
        assessor.assess(evidence, top=5)
        timings.append((time.perf_counter() - t) * 1000)
    timings.sort()

    rows = [
        ("**accord**: learned ranker, calibrated on held-out folds", metrics(keys, accord)),
        ("accord, naive-Bayes fit alone (calibrated likewise)", metrics(keys, naive)),
    ]
    rows += [(name, metrics(keys, outcomes)) for name, outcomes in baseline_outcomes.items()]
    columns = ["top-1", "top-5", "MRR", "top-1 per group", "Brier", "ECE"]
    print()
    print("| method | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for name, found in rows:
        cells = [f"{found[c]:.3f}" if c in found else "-" for c in columns]
        print(f"| {name} | " + " | ".join(cells) + " |")
    p50 = timings[len(timings) // 2]
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    print(
        f"\nAssessor.assess over {len(knowledge.actors)} groups: p50 {p50:.1f} ms, "
        f"p99 {p99:.1f} ms (target < 50 ms); whole run {time.perf_counter() - start:.0f} s"
    )
    ours = rows[0][1]
    print(
        f"targets: top-1 ≥ 0.65 ({ours['top-1']:.3f}), top-5 ≥ 0.85 ({ours['top-5']:.3f}), "
        f"ECE ≤ 0.05 ({ours['ECE']:.3f}), p99 < 50 ms ({p99:.1f})"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
