"""Figures over the incidents held: by year, effect and attributed state; the time from
an incident to its first public attribution; responses by state; and a dyadic tension
index per pair of states over time.

The tension of a pair (attributed state, victim state) in a year is the sum, over the
incidents of that year between them in either direction, of ``1 + severity / 10``
(severity on its 0-10 scale, 0 when unknown): each incident counts, a severe one up to
twice. It is a reading aid for trends, not a measure of hostility.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from accord.diplomacy.incidents import IncidentRecord


def analytics(records: Iterable[IncidentRecord]) -> dict[str, Any]:
    held = list(records)
    by_year: Counter[int] = Counter()
    by_effect: Counter[str] = Counter()
    by_state: Counter[str] = Counter()
    delays: list[int] = []
    responses: dict[str, Counter[str]] = defaultdict(Counter)
    tension: dict[tuple[str, str], dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for record in held:
        year = int(record.start[:4]) if record.start else None
        if year:
            by_year[year] += 1
        by_effect.update(set(record.effects))
        states = record.attributed_states
        by_state.update(states)
        dated = sorted(c.date for c in record.claims if c.date)
        if record.start and dated:
            days = (date.fromisoformat(dated[0]) - date.fromisoformat(record.start)).days
            if days >= 0:
                delays.append(days)
        for response in record.responses:
            responses[response.by or "unknown"][response.kind] += 1
        if year:
            weight = 1 + (record.severity or 0.0) / 10
            for state in states:
                for victim in record.victim_countries:
                    if victim != state:
                        pair = tuple(sorted((state, victim)))
                        tension[(pair[0], pair[1])][year] += weight
    top_pairs = sorted(tension, key=lambda p: -sum(tension[p].values()))[:15]
    return {
        "incidents": len(held),
        "by_year": {str(y): n for y, n in sorted(by_year.items())},
        "by_effect": dict(by_effect.most_common()),
        "by_attributed_state": dict(by_state.most_common(25)),
        "days_to_first_attribution": {
            "incidents": len(delays),
            "median": statistics.median(delays) if delays else None,
            "within_30_days": sum(d <= 30 for d in delays),
            "within_a_year": sum(d <= 365 for d in delays),
        },
        "responses_by_state": {k: dict(v.most_common()) for k, v in sorted(responses.items())},
        "tension": {
            f"{a}-{b}": {str(y): round(v, 2) for y, v in sorted(tension[(a, b)].items())}
            for a, b in top_pairs
        },
    }
