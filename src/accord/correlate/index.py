"""Indexes over compiled patterns: which patterns could match what an observation holds.

Every pattern gets *anchors*: lookups of which at least one must succeed for the pattern
to match. ``=`` and ``IN`` anchor in a hash table keyed by (object path, value);
ISSUBSET on an IP network anchors in a table per prefix length. A pattern whose every
way to match needs some other test (LIKE, MATCHES, ordering, NOT ...) anchors on its
object types instead and is evaluated on every observation holding one. Anchors only
choose candidates: the evaluator then decides exactly (``evaluate.py``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from accord.correlate.evaluate import types_of
from accord.correlate.model import (
    AllOf,
    AnyOf,
    Cidr,
    Comparison,
    CompiledPattern,
    Op,
    Test,
    leaves,
)

# Values whose equality the hash table decides like the evaluator does (bytes and
# timestamps compare across types, so they cannot be looked up by hash).
_HASHABLE = (str, int, float, bool)


@dataclass(frozen=True, slots=True)
class ValueAnchor:
    path: str
    value: Any


@dataclass(frozen=True, slots=True)
class NetworkAnchor:
    path: str
    network: Cidr


@dataclass(frozen=True, slots=True)
class TypeAnchor:
    object_type: str


Anchor = ValueAnchor | NetworkAnchor | TypeAnchor


def anchors(pattern: CompiledPattern) -> frozenset[Anchor]:
    """Lookups of which one at least succeeds on every observation that satisfies a
    ``[...]`` part of the pattern.

    All parts count, also for AND and FOLLOWEDBY: a pattern over several observations
    must see each observation that satisfies one of its parts to find its bindings.
    """
    return frozenset().union(*(_test(leaf.test) for leaf in leaves(pattern.expression)))


def _test(test: Test) -> frozenset[Anchor]:
    if isinstance(test, Comparison):
        return _comparison(test)
    if isinstance(test, AllOf):
        choices = [_test(part) for part in test.parts]
        best = choices[0]
        for choice in choices[1:]:
            best = _best(best, choice)
        return best
    assert isinstance(test, AnyOf)
    return frozenset().union(*(_test(part) for part in test.parts))


def _comparison(test: Comparison) -> frozenset[Anchor]:
    path = test.path
    indexable = all(step == "*" or not is_index for step, is_index in _steps(test))
    equality = (test.op is Op.EQ and not test.negated) or (test.op is Op.NEQ and test.negated)
    if indexable and equality and type(test.literal) in _HASHABLE:
        return frozenset({ValueAnchor(path.text, test.literal)})
    if (
        indexable
        and test.op is Op.IN
        and not test.negated
        and all(type(v) in _HASHABLE for v in test.literal)
    ):
        return frozenset(ValueAnchor(path.text, v) for v in test.literal)
    if indexable and test.op is Op.ISSUBSET and not test.negated and test.literal is not None:
        return frozenset({NetworkAnchor(path.text, test.literal)})
    return frozenset({TypeAnchor(path.object_type)})


def _steps(test: Comparison) -> Iterable[tuple[str | int, bool]]:
    return zip(test.path.steps, test.path.index_steps, strict=True)


def _best(a: frozenset[Anchor], b: frozenset[Anchor]) -> frozenset[Anchor]:
    """The more selective anchor set: value anchors beat type anchors, fewer beat more."""

    def cost(found: frozenset[Anchor]) -> tuple[int, int]:
        return (sum(isinstance(x, TypeAnchor) for x in found), len(found))

    return a if cost(a) <= cost(b) else b


@dataclass
class PatternIndex:
    """Compiled patterns (by slot) and the tables that find candidates for a record."""

    patterns: list[CompiledPattern] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # what each slot stands for (an id)
    by_value: dict[tuple[str, Any], list[int]] = field(default_factory=dict)
    #: path → (address width, prefix length) → network number → slots
    by_network: dict[str, dict[tuple[int, int], dict[int, list[int]]]] = field(default_factory=dict)
    by_type: dict[str, list[int]] = field(default_factory=dict)

    def add(self, key: str, pattern: CompiledPattern) -> int:
        slot = len(self.patterns)
        self.patterns.append(pattern)
        self.keys.append(key)
        for anchor in anchors(pattern):
            if isinstance(anchor, ValueAnchor):
                self.by_value.setdefault((anchor.path, anchor.value), []).append(slot)
            elif isinstance(anchor, NetworkAnchor):
                net = anchor.network
                tables = self.by_network.setdefault(anchor.path, {})
                table = tables.setdefault((net.bits, net.prefix), {})
                table.setdefault(net.address >> (net.bits - net.prefix), []).append(slot)
            else:
                self.by_type.setdefault(anchor.object_type, []).append(slot)
        return slot

    def candidates(self, fields: Iterable[tuple[str, Any]]) -> set[int]:
        """Slots of the patterns that might match a record with these (path, value) pairs."""
        found: set[int] = set()
        by_value, by_network, by_type = self.by_value, self.by_network, self.by_type
        types: set[str] = set()
        for path, value in fields:
            try:
                hit = by_value.get((path, value))
            except TypeError:  # unhashable values (lists, dicts) anchor nothing
                hit = None
            if hit:
                found.update(hit)
            if type(value) is str:
                tables = by_network.get(path)
                if tables:
                    _networks(tables, value, found)
            if by_type:
                types.add(path.partition(":")[0])
        for object_type in types:
            slots = by_type.get(object_type)
            if slots:
                found.update(slots)
        return found


def _networks(
    tables: dict[tuple[int, int], dict[int, list[int]]], value: str, found: set[int]
) -> None:
    """Slots of the networks (of one path) that contain the address ``value``."""
    try:
        address = ipaddress.ip_address(value.partition("/")[0])
    except ValueError:
        return
    number, bits = int(address), address.max_prefixlen
    for (table_bits, prefix), table in tables.items():
        if table_bits == bits:
            hit = table.get(number >> (bits - prefix))
            if hit:
                found.update(hit)


def object_types(pattern: CompiledPattern) -> frozenset[str]:
    """Every object type a pattern's comparisons name."""
    return frozenset().union(*(types_of(leaf.test) for leaf in leaves(pattern.expression)))
