"""Exact evaluation of compiled patterns on observations.

The semantics are those of the OASIS reference matcher ``stix2-matcher`` (see
docs/dev/stix2-matcher-semantics.md), so that the two agree on every match:

* inside ``[...]``, comparisons joined by AND hold on the same object, and a comparison
  holds when some value its path selects passes (NOT applies to each value);
* an observed-data with ``number_observed`` N stands for N instances, and observation
  expressions bind distinct instances (AND, FOLLOWEDBY, REPEATS).

Deliberate differences, where the reference raises: values that are not timestamps
compared with ``t'…'``, non-IP values for ISSUBSET/ISSUPERSET (IPv6 is supported here),
undecodable ``_hex``/``_bin`` values and references of the wrong shape are simply false.
"""

from __future__ import annotations

import base64
import binascii
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from accord.correlate.compiler import parse_cidr, parse_timestamp
from accord.correlate.model import (
    STAR,
    AllOf,
    Both,
    Comparison,
    CompiledPattern,
    Either,
    Expression,
    FollowedBy,
    ObjectPath,
    Observe,
    Op,
    Repeats,
    StartStop,
    Test,
    Within,
    key_text,
)

#: STIX 2.1 domain, relationship and meta object types: patterns never match them.
NOT_OBSERVABLE = frozenset(
    {
        "attack-pattern", "campaign", "course-of-action", "grouping", "identity",
        "incident", "indicator", "infrastructure", "intrusion-set", "location", "malware",
        "malware-analysis", "note", "observed-data", "opinion", "report", "threat-actor",
        "tool", "vulnerability", "relationship", "sighting", "marking-definition",
        "language-content", "extension-definition", "bundle",
    }
)  # fmt: skip


@dataclass
class Observation:
    """What was seen together: cyber-observable objects, when, and how many times."""

    objects: list[dict[str, Any]]
    first: datetime
    last: datetime
    count: int = 1
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: where it was read (a log file and line, an observed-data id), for reports
    source: str = ""

    def __post_init__(self) -> None:
        if not self.by_id:
            self.by_id = {obj["id"]: obj for obj in self.objects if "id" in obj}

    def roots(self, object_types: frozenset[str]) -> list[dict[str, Any]]:
        """The objects a test on these types starts from (never SDOs, SROs or meta)."""
        return [
            obj
            for obj in self.by_id.values()
            if obj.get("type") in object_types and obj.get("type") not in NOT_OBSERVABLE
        ]


def observations_from_stix(objects: Iterable[dict[str, Any]]) -> list[Observation]:
    """Each observed-data with the SCOs its ``object_refs`` name, as the reference reads."""
    pool: dict[str, dict[str, Any]] = {}
    observed = []
    for obj in objects:
        if obj.get("type") == "observed-data":
            observed.append(obj)
        elif "id" in obj:
            pool[obj["id"]] = obj
    found = []
    for sdo in observed:
        members = [pool[ref] for ref in sdo.get("object_refs", []) if ref in pool]
        found.append(
            Observation(
                members,
                parse_timestamp(sdo["first_observed"]),
                parse_timestamp(sdo["last_observed"]),
                int(sdo["number_observed"]),
                source=str(sdo.get("id", "")),
            )
        )
    return found


# -- one object ----------------------------------------------------------------------


def path_values(root: dict[str, Any], path: ObjectPath, observation: Observation) -> list[Any]:
    """The values ``path`` selects, starting from ``root`` (references resolved)."""
    current: list[Any] = [root]
    for step, is_index in zip(path.steps, path.index_steps, strict=True):
        current = _index(current, step) if is_index else _key(current, str(step), observation)
        if not current:
            break
    return current


def _index(current: list[Any], step: str | int) -> list[Any]:
    if step == STAR:
        return [item for value in current if isinstance(value, list) for item in value]
    assert isinstance(step, int)
    if step < 0:
        return []
    return [value[step] for value in current if isinstance(value, list) and step < len(value)]


def _key(current: list[Any], key: str, observation: Observation) -> list[Any]:
    selected = [value[key] for value in current if isinstance(value, dict) and key in value]
    if key.endswith("_hex"):
        selected = _decoded(selected, binascii.a2b_hex)
    elif key.endswith("_bin"):
        selected = _decoded(selected, base64.standard_b64decode)
    elif key.endswith("_ref"):
        selected = [
            observation.by_id[v] for v in selected if isinstance(v, str) and v in observation.by_id
        ]
    elif key.endswith("_refs"):
        resolved = []
        for refs in selected:
            if isinstance(refs, list):
                objects = [
                    observation.by_id[r]
                    for r in refs
                    if isinstance(r, str) and r in observation.by_id
                ]
                if objects:
                    resolved.append(objects)
        selected = resolved
    return selected


def _decoded(values: list[Any], decode: Any) -> list[Any]:
    out = []
    for value in values:
        try:
            out.append(decode(value))
        except (binascii.Error, ValueError, TypeError):
            continue
    return out


def passes(test: Test, root: dict[str, Any], observation: Observation) -> bool:
    """Does ``root`` (an object of the observation) pass ``test``?"""
    if isinstance(test, Comparison):
        if root.get("type") != test.path.object_type:
            return False
        values = path_values(root, test.path, observation)
        if test.op is Op.EXISTS:
            return bool(values)
        return any(_holds(test, value) != test.negated for value in values)
    if isinstance(test, AllOf):
        return all(passes(part, root, observation) for part in test.parts)
    return any(passes(part, root, observation) for part in test.parts)


def observed(test: Test, observation: Observation) -> bool:
    """Does some object of ``observation`` pass ``test``?"""
    return any(passes(test, root, observation) for root in observation.roots(types_of(test)))


def types_of(test: Test) -> frozenset[str]:
    """The object types a test's comparisons are about."""
    if isinstance(test, Comparison):
        return frozenset({test.path.object_type})
    return frozenset().union(*(types_of(part) for part in test.parts))


def _holds(test: Comparison, value: Any) -> bool:
    op, literal = test.op, test.literal
    if op is Op.EQ:
        return _equal(value, literal) is True
    if op is Op.NEQ:
        return _equal(value, literal) is False
    if op in (Op.LT, Op.LE, Op.GT, Op.GE):
        order = _order(value, literal)
        if order is None:
            return False
        if op is Op.LT:
            return order < 0
        if op is Op.LE:
            return order <= 0
        if op is Op.GT:
            return order > 0
        return order >= 0
    if op is Op.IN:
        if type(value) is str and any(isinstance(item, datetime) for item in literal):
            try:
                value = parse_timestamp(value)
            except ValueError:
                return False
        try:
            return value in literal
        except TypeError:  # lists and dicts are never members
            return False
    if op is Op.LIKE:
        text = _like_text(value, literal.pattern)
        return text is not None and literal.match(text) is not None
    if op is Op.MATCHES:
        if type(value) is str:
            return literal.search(unicodedata.normalize("NFC", value)) is not None
        if type(value) is bytes and test.bytes_regex is not None:
            return test.bytes_regex.search(value) is not None
        return False
    if op in (Op.ISSUBSET, Op.ISSUPERSET):
        if literal is None or type(value) is not str:
            return False
        network = parse_cidr(value)
        if network is None:
            return False
        return literal.contains(network) if op is Op.ISSUBSET else network.contains(literal)
    raise AssertionError(op)


def _as_timestamp(value: Any, literal: Any) -> Any:
    if isinstance(literal, datetime) and type(value) is str:
        try:
            return parse_timestamp(value)
        except ValueError:
            return None
    return value


_NUMBERS = (int, float)


def _equal(value: Any, literal: Any) -> bool | None:
    """True/False; None when a JSON string is no timestamp (neither = nor != holds)."""
    value = _as_timestamp(value, literal)
    if value is None and isinstance(literal, datetime):
        return None
    kinds = (type(value), type(literal))
    if kinds[0] in _NUMBERS and kinds[1] in _NUMBERS:
        return bool(value == literal)
    if kinds[0] is kinds[1] and kinds[0] in (str, bool, bytes, datetime):
        return bool(value == literal)
    if set(kinds) == {str, bytes}:
        text, raw = (value, literal) if kinds[0] is str else (literal, value)
        return all(ord(c) < 256 for c in text) and bytes(map(ord, text)) == raw
    return False


def _order(value: Any, literal: Any) -> int | None:
    value = _as_timestamp(value, literal)
    kinds = (type(value), type(literal))
    numbers = kinds[0] in _NUMBERS and kinds[1] in _NUMBERS
    if numbers or (kinds[0] is kinds[1] and kinds[0] in (str, bytes, datetime)):
        pass
    elif set(kinds) == {str, bytes}:
        if kinds[0] is str:
            if any(ord(c) >= 256 for c in value):
                return None
            value = bytes(map(ord, value))
        else:
            if any(ord(c) >= 256 for c in literal):
                return None
            literal = bytes(map(ord, literal))
    else:
        return None
    return int(value > literal) - int(value < literal)


def _like_text(value: Any, regex_source: str) -> str | None:
    if type(value) is str:
        return unicodedata.normalize("NFC", value)
    if type(value) is bytes and all(ord(c) < 256 for c in regex_source):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return None
    return None


# -- observation expressions ---------------------------------------------------------

#: A binding: how many instances of each observation it uses, as sorted (index, count).
Binding = tuple[tuple[int, int], ...]


def matches(pattern: CompiledPattern, observations: Sequence[Observation]) -> bool:
    """Does ``pattern`` match the ``observations`` taken together?"""
    return bool(_bindings(pattern.expression, observations))


def _bindings(expression: Expression, observations: Sequence[Observation]) -> set[Binding]:
    if isinstance(expression, Observe):
        return {
            ((index, 1),)
            for index, observation in enumerate(observations)
            if observed(expression.test, observation)
        }
    if isinstance(expression, Either):
        return _bindings(expression.left, observations) | _bindings(expression.right, observations)
    if isinstance(expression, Both | FollowedBy):
        left = _bindings(expression.left, observations)
        right = _bindings(expression.right, observations) if left else set()
        joined = set()
        for a in left:
            for b in right:
                union = _union(a, b, observations)
                if union is None:
                    continue
                if isinstance(expression, FollowedBy) and _latest_first(
                    a, observations
                ) > _earliest_last(b, observations):
                    continue
                joined.add(union)
        return joined
    if isinstance(expression, Repeats):
        single = _bindings(expression.expression, observations)
        found = single
        for _ in range(expression.times - 1):
            found = {
                union
                for a in found
                for b in single
                if (union := _union(a, b, observations)) is not None
            }
        return found
    if isinstance(expression, Within):
        return {
            b
            for b in _bindings(expression.expression, observations)
            if _latest_first(b, observations) <= _earliest_last(b, observations) + expression.window
        }
    assert isinstance(expression, StartStop)
    if expression.start >= expression.stop:
        return set()
    return {
        b
        for b in _bindings(expression.expression, observations)
        if all(
            observations[i].first < expression.stop and observations[i].last >= expression.start
            for i, _ in b
        )
    }


def _union(a: Binding, b: Binding, observations: Sequence[Observation]) -> Binding | None:
    """Both bindings at once, if enough distinct instances exist for it."""
    used = dict(a)
    for index, count in b:
        used[index] = used.get(index, 0) + count
        if used[index] > observations[index].count:
            return None
    return tuple(sorted(used.items()))


def _latest_first(binding: Binding, observations: Sequence[Observation]) -> datetime:
    return max(observations[i].first for i, _ in binding)


def _earliest_last(binding: Binding, observations: Sequence[Observation]) -> datetime:
    return min(observations[i].last for i, _ in binding)


# -- flattening ----------------------------------------------------------------------

_MAX_DEPTH = 4  # references followed from one object (guards against cycles)


def observation_fields(observation: Observation) -> Iterator[tuple[str, Any]]:
    """Every (object path, value) pair the observation holds, as index lookups use them.

    Lists appear as ``[*]`` steps and references are followed, so a pattern path
    without numeric index steps finds here the values the evaluator would select.
    """
    for obj in observation.by_id.values():
        object_type = obj.get("type")
        if isinstance(object_type, str) and object_type not in NOT_OBSERVABLE:
            yield from _walk(f"{object_type}:", obj, observation, True, 0)


def _walk(
    prefix: str, value: Any, observation: Observation, first: bool, depth: int
) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if first and key in ("type", "id", "spec_version"):
                continue
            path = prefix + ("" if first else ".") + key_text(key)
            if key.endswith(("_hex", "_bin")):
                continue  # bytes after decoding: not anchored by value
            if key.endswith("_ref") and isinstance(item, str):
                target = observation.by_id.get(item)
                if target is not None and depth < _MAX_DEPTH:
                    yield from _walk(path, target, observation, False, depth + 1)
            elif key.endswith("_refs") and isinstance(item, list):
                for ref in item:
                    target = observation.by_id.get(ref) if isinstance(ref, str) else None
                    if target is not None and depth < _MAX_DEPTH:
                        yield from _walk(path + "[*]", target, observation, False, depth + 1)
            else:
                yield from _walk(path, item, observation, False, depth)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(prefix + "[*]", item, observation, False, depth)
    else:
        yield prefix, value
