"""Indexes over compiled patterns: which patterns could match what an observation holds.

Every pattern gets *anchors*: lookups of which at least one must succeed for the pattern
to match. ``=`` and ``IN`` anchor in a hash table keyed by (object path, value);
ISSUBSET on an IP network anchors in a table per prefix length; LIKE and MATCHES anchor
on the fixed text they require at the start or end of a value, in a table per length
(``affixes.py``). A pattern whose every way to match needs some other test (ordering,
NOT, a regular expression with no fixed end ...) anchors on its object types instead and
is evaluated on every observation holding one. Anchors only choose candidates: the
evaluator then decides exactly (``evaluate.py``).
"""

from __future__ import annotations

import ipaddress
import socket
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from accord.correlate.affixes import like_affixes, regex_affixes
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
class AffixAnchor:
    """Values at ``path`` that start (or end) with ``text``, once NFC-normalised."""

    path: str
    text: str
    at_end: bool


@dataclass(frozen=True, slots=True)
class TypeAnchor:
    object_type: str


Anchor = ValueAnchor | NetworkAnchor | AffixAnchor | TypeAnchor


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
    # the values observation_fields gives: no numeric index steps, no decoded bytes
    indexable = all(
        step == "*" if is_index else not str(step).endswith(("_hex", "_bin"))
        for step, is_index in _steps(test)
    )
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
    if indexable and test.op in (Op.LIKE, Op.MATCHES) and not test.negated:
        affixes = like_affixes if test.op is Op.LIKE else regex_affixes
        prefix, suffix = affixes(test.literal)
        if prefix or suffix:
            at_end = len(suffix) > len(prefix)
            return frozenset({AffixAnchor(path.text, suffix if at_end else prefix, at_end)})
    return frozenset({TypeAnchor(path.object_type)})


def _steps(test: Comparison) -> Iterable[tuple[str | int, bool]]:
    return zip(test.path.steps, test.path.index_steps, strict=True)


def _best(a: frozenset[Anchor], b: frozenset[Anchor]) -> frozenset[Anchor]:
    """The more selective anchor set: value anchors beat affixes, affixes beat type
    anchors, fewer beat more."""

    def cost(found: frozenset[Anchor]) -> tuple[int, int, int]:
        types = sum(isinstance(x, TypeAnchor) for x in found)
        return (types, sum(isinstance(x, AffixAnchor) for x in found), len(found))

    return a if cost(a) <= cost(b) else b


#: length → fixed text → slots, for the affixes of one path and one end
_AffixTables = dict[int, dict[str, list[int]]]
#: (address width, prefix length) → network number → slots, for one path
_NetworkTables = dict[tuple[int, int], dict[int, list[int]]]


@dataclass(frozen=True, slots=True)
class _Plan:
    """What to look up for a value at one path, beyond the value itself."""

    networks: tuple[tuple[int, int, dict[int, list[int]]], ...]
    prefixes: tuple[tuple[int, dict[str, list[int]]], ...]  # shortest first
    suffixes: tuple[tuple[int, dict[str, list[int]]], ...]
    typed: list[int]  # slots anchored on the path's object type


@dataclass
class PatternIndex:
    """Compiled patterns (by slot) and the tables that find candidates for a record."""

    patterns: list[CompiledPattern] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # what each slot stands for (an id)
    by_value: dict[tuple[str, Any], list[int]] = field(default_factory=dict)
    by_network: dict[str, _NetworkTables] = field(default_factory=dict)
    by_prefix: dict[str, _AffixTables] = field(default_factory=dict)
    by_suffix: dict[str, _AffixTables] = field(default_factory=dict)
    by_type: dict[str, list[int]] = field(default_factory=dict)
    #: per path, made on first use and dropped when a pattern is added
    _plans: dict[str, _Plan | None] = field(default_factory=dict, init=False, repr=False)

    def add(self, key: str, pattern: CompiledPattern) -> int:
        slot = len(self.patterns)
        self.patterns.append(pattern)
        self.keys.append(key)
        self._plans.clear()
        for anchor in anchors(pattern):
            if isinstance(anchor, ValueAnchor):
                self.by_value.setdefault((anchor.path, anchor.value), []).append(slot)
            elif isinstance(anchor, NetworkAnchor):
                net = anchor.network
                tables = self.by_network.setdefault(anchor.path, {})
                table = tables.setdefault((net.bits, net.prefix), {})
                table.setdefault(net.address >> (net.bits - net.prefix), []).append(slot)
            elif isinstance(anchor, AffixAnchor):
                by_end = self.by_suffix if anchor.at_end else self.by_prefix
                texts = by_end.setdefault(anchor.path, {}).setdefault(len(anchor.text), {})
                texts.setdefault(anchor.text, []).append(slot)
            else:
                self.by_type.setdefault(anchor.object_type, []).append(slot)
        return slot

    def candidates(self, fields: Iterable[tuple[str, Any]]) -> set[int]:
        """Slots of the patterns that might match a record with these (path, value) pairs."""
        found: set[int] = set()
        by_value, plans = self.by_value, self._plans
        for path, value in fields:
            try:
                hit = by_value.get((path, value))
            except TypeError:  # unhashable values (lists, dicts) anchor nothing
                hit = None
            if hit:
                found.update(hit)
            plan = plans.get(path, _UNPLANNED)
            if plan is _UNPLANNED:
                plan = plans[path] = self._plan(path)
            if plan is None:
                continue
            if plan.typed:
                found.update(plan.typed)
            if type(value) is str:
                if plan.networks:
                    _networks(plan.networks, value, found)
                if plan.prefixes or plan.suffixes:
                    _affixes(plan, value, found)
        return found

    def _plan(self, path: str) -> _Plan | None:
        networks = tuple(
            (bits, prefix, table) for (bits, prefix), table in self.by_network.get(path, {}).items()
        )
        prefixes = tuple(sorted(self.by_prefix.get(path, {}).items()))
        suffixes = tuple(sorted(self.by_suffix.get(path, {}).items()))
        typed = self.by_type.get(path.partition(":")[0], [])
        if networks or prefixes or suffixes or typed:
            return _Plan(networks, prefixes, suffixes, typed)
        return None


_UNPLANNED = _Plan((), (), (), [])


def _networks(
    tables: tuple[tuple[int, int, dict[int, list[int]]], ...], value: str, found: set[int]
) -> None:
    """Slots of the networks (of one path) that contain the address ``value``."""
    located = _address(value.partition("/")[0])
    if located is None:
        return
    number, bits = located
    for table_bits, prefix, table in tables:
        if table_bits == bits:
            hit = table.get(number >> (bits - prefix))
            if hit:
                found.update(hit)


def _address(text: str) -> tuple[int, int] | None:
    """(number, width) of an IP address; None if it is none."""
    try:  # the common case in C; anything it refuses goes the careful way
        return int.from_bytes(socket.inet_pton(socket.AF_INET, text)), 32
    except OSError:
        pass
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return int(address), address.max_prefixlen


def _affixes(plan: _Plan, value: str, found: set[int]) -> None:
    """Slots whose fixed start or end text ``value`` has (as LIKE and MATCHES see it:
    NFC-normalised, and ``$`` allows one trailing newline)."""
    text = value if value.isascii() else unicodedata.normalize("NFC", value)
    size = len(text)
    for length, texts in plan.prefixes:
        if length > size:
            break
        hit = texts.get(text[:length])
        if hit:
            found.update(hit)
    ends = (text, text[:-1]) if text.endswith("\n") else (text,)
    for end in ends:
        size = len(end)
        for length, texts in plan.suffixes:
            if length > size:
                break
            hit = texts.get(end[size - length :])
            if hit:
                found.update(hit)


def object_types(pattern: CompiledPattern) -> frozenset[str]:
    """Every object type a pattern's comparisons name."""
    return frozenset().union(*(types_of(leaf.test) for leaf in leaves(pattern.expression)))
