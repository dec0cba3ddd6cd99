"""The correlator: a stream of observations against every indexed pattern.

For each observation the index names candidate patterns from the (path, value) pairs
it holds; only candidates are evaluated, and only then is the observation's object graph
built. A pattern that spans several observations (AND, FOLLOWEDBY, REPEATS, WITHIN ...)
keeps the recent observations that satisfied one of its parts, for ``retention``, and
is evaluated over them when a new one arrives; after a match it starts afresh, so each
match is reported once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from accord.correlate.evaluate import Observation, matches, observed
from accord.correlate.index import PatternIndex
from accord.correlate.model import CompiledPattern, Observe, leaves


@dataclass(frozen=True)
class Match:
    """Pattern ``key`` (an indicator id) matched these observations."""

    key: str
    observations: tuple[Observation, ...]


@dataclass
class _Pending:
    """Recent observations that satisfied a part of a multi-observation pattern."""

    leaves: list[Observe]
    observations: list[Observation] = field(default_factory=list)


class Correlator:
    def __init__(self, index: PatternIndex, retention: timedelta = timedelta(days=1)) -> None:
        self.index = index
        self.retention = retention
        self.observations = 0
        self._pending: dict[int, _Pending] = {}

    def feed(
        self, fields: Iterable[tuple[str, Any]], build: Callable[[], Observation]
    ) -> list[Match]:
        """One observation, given by its (path, value) pairs and how to build it."""
        self.observations += 1
        slots = self.index.candidates(fields)
        if not slots:
            return []
        observation = build()
        found = []
        for slot in sorted(slots):
            pattern = self.index.patterns[slot]
            if self._matches(slot, pattern, observation):
                found.append(self._match(slot, pattern, observation))
        return found

    def _matches(self, slot: int, pattern: CompiledPattern, observation: Observation) -> bool:
        expression = pattern.expression
        if isinstance(expression, Observe):
            return observed(expression.test, observation)
        pending = self._pending.get(slot)
        if pending is None:
            pending = self._pending[slot] = _Pending(leaves(expression))
        if not any(observed(leaf.test, observation) for leaf in pending.leaves):
            return False
        horizon = observation.first - self.retention
        pending.observations = [o for o in pending.observations if o.last >= horizon]
        pending.observations.append(observation)
        return matches(pattern, pending.observations)

    def _match(self, slot: int, pattern: CompiledPattern, observation: Observation) -> Match:
        key = self.index.keys[slot]
        if pattern.single_observation:
            return Match(key, (observation,))
        pending = self._pending.pop(slot)
        return Match(key, tuple(pending.observations))
