"""Cyber-observable objects from flat (object path, value) fields, with STIX 2.1 ids.

A log record is a list of fields such as ``("network-traffic:dst_ref.value",
"10.0.0.5")``. This module checks such paths (``field_path``), and turns a record's
fields into the SCOs they describe (``objects_from_fields``): one object per type
unless a value would overwrite another, ``*_ref`` steps creating the referenced object,
``[*]`` steps building lists and quoted steps nested dictionaries.

Ids are deterministic, as STIX 2.1 section 2.9 asks of SCOs: a UUIDv5 in the SCO
namespace over the canonical JSON (RFC 8785) of the type's ID contributing properties,
listed in section 6 for each type:
https://docs.oasis-open.org/cti/stix/v2.1/os/stix-v2.1-os.html#_64yvzeku5a5c
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from itertools import pairwise
from typing import Any

from accord.correlate.compiler import PatternError, parse_pattern
from accord.correlate.model import Comparison, ObjectPath, Observe, Op
from accord.stix.spec import TYPES

__all__ = [
    "ID_CONTRIBUTING_PROPERTIES",
    "SCO_NAMESPACE",
    "FieldPath",
    "address_path",
    "canonical_json",
    "field_path",
    "implied_fields",
    "objects_from_fields",
    "sco_id",
    "stix_timestamp",
]

#: STIX 2.1 section 2.9: the namespace of every SCO's deterministic UUIDv5.
SCO_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")

#: Each SCO type's ID contributing properties (STIX 2.1 section 6, per type).
ID_CONTRIBUTING_PROPERTIES: Mapping[str, tuple[str, ...]] = {
    "artifact": ("hashes", "payload_bin"),
    "autonomous-system": ("number",),
    "directory": ("path",),
    "domain-name": ("value",),
    "email-addr": ("value",),
    "email-message": ("from_ref", "subject", "body"),
    "file": ("hashes", "name", "extensions", "parent_directory_ref"),
    "ipv4-addr": ("value",),
    "ipv6-addr": ("value",),
    "mac-addr": ("value",),
    "mutex": ("name",),
    "network-traffic": (
        "start", "end", "src_ref", "dst_ref", "src_port", "dst_port", "protocols", "extensions",
    ),
    "process": (),
    "software": ("name", "cpe", "swid", "vendor", "version"),
    "url": ("value",),
    "user-account": ("account_type", "user_id", "account_login"),
    "windows-registry-key": ("key", "values"),
    "x509-certificate": ("hashes", "serial_number"),
}  # fmt: skip

#: Section 2.9: when ``hashes`` contributes to an id, only one hash does, the first of these.
_HASH_PREFERENCE = ("MD5", "SHA-1", "SHA-256", "SHA-512")
_SET_BY_ACCORD = frozenset({"type", "id", "spec_version"})
_ADDRESS_TYPES = frozenset({"ipv4-addr", "ipv6-addr", "mac-addr", "domain-name"})
#: A reference whose target type the referenced value decides (an IP, a MAC, a name).
_BY_VALUE = "(address)"
_MAC = re.compile(r"[0-9a-fA-F]{2}(?:[:-][0-9a-fA-F]{2}){5}")


@dataclass(frozen=True, slots=True)
class _Hop:
    """A reference step: ``key`` (``[*]`` after it when ``many``) to an object of ``target``."""

    key: str
    many: bool
    target: str


@dataclass(frozen=True, slots=True)
class FieldPath:
    """A checked object path that a record's field may use, and what value it takes."""

    path: ObjectPath
    #: the canonical text (``ObjectPath.text``), as the pattern index keys its lookups
    text: str
    #: reference steps from the path's object to the object that holds the value
    hops: tuple[_Hop, ...]
    #: the steps inside that object: (key or index, is an index step)
    rest: tuple[tuple[str | int, bool], ...]
    #: "integer", "boolean", "timestamp", "string" or "any" (nested properties)
    kind: str
    bounds: tuple[float | None, float | None]
    object_type: str
    #: the value decides the referenced object's type (``src_ref.value``)
    picks_address: bool

    def coerce(self, value: Any) -> Any:
        """``value`` as the property holds it; ValueError (with the reason) if it cannot."""
        if self.kind == "integer":
            return self._integer(value)
        if self.kind == "boolean":
            return _boolean(value)
        if self.kind == "timestamp":
            if isinstance(value, datetime):
                return stix_timestamp(value)
            raise ValueError(f"{value!r} is not a time")
        if isinstance(value, dict | list):
            raise ValueError(f"a JSON {type(value).__name__}, not a single value")
        if self.kind == "string" and type(value) is not str:
            if isinstance(value, bool):
                raise ValueError(f"{value!r} is not a string")
            return str(value)
        return value

    def _integer(self, value: Any) -> int:
        if type(value) is int:
            number = value
        elif (type(value) is float and value.is_integer()) or (
            type(value) is str and value.strip().lstrip("-").isdigit()
        ):
            number = int(value)
        else:
            raise ValueError(f"{value!r} is not an integer")
        low, high = self.bounds
        if (low is not None and number < low) or (high is not None and number > high):
            raise ValueError(f"{number} is outside {_range_text(low, high)}")
        return number


def _boolean(value: Any) -> bool:
    if type(value) is bool:
        return value
    text = str(value).strip().lower()
    if text in ("t", "true", "1", "yes"):
        return True
    if text in ("f", "false", "0", "no"):
        return False
    raise ValueError(f"{value!r} is not a boolean")


def _range_text(low: float | None, high: float | None) -> str:
    if high is None:
        return f"{low:g} or more"
    if low is None:
        return f"{high:g} or less"
    return f"{low:g}-{high:g}"


@lru_cache(maxsize=4096)
def field_path(text: str) -> FieldPath:
    """Check ``text`` as a path a field may set; ValueError says why it cannot be used."""
    try:
        compiled = parse_pattern(f"[EXISTS {text}]")
    except PatternError as exc:
        raise ValueError(f"not a STIX object path (type:property.property...): {exc}") from None
    test = compiled.expression.test if isinstance(compiled.expression, Observe) else None
    if not (isinstance(test, Comparison) and test.op is Op.EXISTS and not test.negated):
        raise ValueError("not a single STIX object path (type:property.property...)")
    path = test.path
    spec = TYPES.get(path.object_type)
    if spec is None or spec.category != "sco":
        raise ValueError(f"{path.object_type!r} is not a STIX 2.1 cyber-observable type")
    if path.steps[0] in _SET_BY_ACCORD:
        raise ValueError(f"{path.steps[0]!r} is set when the object is built, not read from logs")
    steps = tuple(zip(path.steps, path.index_steps, strict=True))
    if any(a and b for a, b in pairwise(path.index_steps)):
        raise ValueError("lists of lists are not supported")
    hops, rest, final_type = _hops(path.object_type, steps)
    kind, bounds = _kind(final_type, rest)
    picks_address = final_type == _BY_VALUE
    return FieldPath(path, path.text, hops, rest, kind, bounds, path.object_type, picks_address)


def _hops(
    object_type: str, steps: tuple[tuple[str | int, bool], ...]
) -> tuple[tuple[_Hop, ...], tuple[tuple[str | int, bool], ...], str]:
    """Split ``steps`` at the references among each object's own properties."""
    hops: list[_Hop] = []
    current = object_type
    while True:
        key = str(steps[0][0])
        many = key.endswith("_refs")
        if not (key.endswith("_ref") or many):
            return tuple(hops), steps, current
        if current == _BY_VALUE:
            raise ValueError("only 'value' can follow a reference to an address")
        inner = steps[2:] if many else steps[1:]
        if many and (len(steps) < 2 or not steps[1][1]):
            raise ValueError(f"{key!r} is a list of references: write {key}[*].property")
        if not inner:
            raise ValueError(
                f"{key!r} holds an object id; name a property of the object it refers to "
                f"(e.g. {key}{'[*]' if many else ''}.value)"
            )
        target = _reference_target(current, key)
        if target == _BY_VALUE and [step for step, _ in inner] != ["value"]:
            raise ValueError(f"only 'value' can follow {key!r}, which refers to an address")
        hops.append(_Hop(key, many, target))
        current, steps = target, inner


def _reference_target(object_type: str, key: str) -> str:
    targets = TYPES[object_type].refs.get(key) if object_type in TYPES else None
    if targets and len(targets) == 1:
        return next(iter(targets))
    if targets and targets <= _ADDRESS_TYPES:
        return _BY_VALUE
    raise ValueError(f"cannot tell which object type {object_type} {key!r} refers to")


def _kind(
    object_type: str, rest: tuple[tuple[str | int, bool], ...]
) -> tuple[str, tuple[float | None, float | None]]:
    prop = str(rest[0][0])
    if object_type == _BY_VALUE:
        return "string", (None, None)
    spec = TYPES[object_type]
    if prop in spec.dicts and len(rest) == 1:
        raise ValueError(f"{prop!r} holds a dictionary; name one of its keys")
    if prop in spec.string_lists:
        if len(rest) == 1:
            raise ValueError(f"{prop!r} is a list: write {prop}[*]")
        return "string", (None, None)
    if len(rest) > 1:
        return ("string" if prop == "hashes" else "any"), (None, None)
    if prop in spec.integers:
        return "integer", spec.integers[prop]
    if prop in spec.booleans:
        return "boolean", (None, None)
    if prop in spec.timestamps:
        return "timestamp", (None, None)
    if prop in spec.strings or prop == "value":
        return "string", (None, None)
    return "any", (None, None)


# -- values --------------------------------------------------------------------------


def _address_type(value: str) -> str:
    try:  # the common case, in C; whatever it refuses is looked at carefully
        socket.inet_pton(socket.AF_INET, value)
    except OSError:
        return _other_address_type(value)
    return "ipv4-addr"


@lru_cache(maxsize=65536)
def _other_address_type(value: str) -> str:
    try:
        return "ipv6-addr" if ipaddress.ip_address(value).version == 6 else "ipv4-addr"
    except ValueError:
        return "mac-addr" if _MAC.fullmatch(value) else "domain-name"


def address_path(value: str) -> str:
    """The plain path of an address: ``ipv4-addr:value``, ``ipv6-addr:value``, ... by value."""
    return f"{_address_type(value)}:value"


def stix_timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with no trailing zeros in the fraction, as the stix2 library writes
    it, so that both derive the same id from the same time."""
    utc = moment.astimezone(UTC)
    text = (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}"
        f"T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}"
    )
    fraction = f"{utc.microsecond:06d}".rstrip("0")
    return f"{text}.{fraction}Z" if fraction else f"{text}Z"


def implied_fields(fields: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """Network-traffic fields that STIX requires and the others imply.

    ``protocols`` is required: without one, the IP version of the addresses says it.
    An ``end`` means the traffic is over: ``is_active`` false (the stix2 library refuses
    an ``end`` otherwise).
    """
    paths = {path for path, _ in fields}
    implied: list[tuple[str, Any]] = []
    if _PROTOCOLS not in paths:
        for path, value in fields:
            if path in _ENDPOINTS and isinstance(value, str):
                version = _IP_VERSIONS.get(_address_type(value))
                if version is not None and (_PROTOCOLS, version) not in implied:
                    implied.append((_PROTOCOLS, version))
    if "network-traffic:end" in paths and "network-traffic:is_active" not in paths:
        implied.append(("network-traffic:is_active", False))
    return implied


_PROTOCOLS = "network-traffic:protocols[*]"
_ENDPOINTS = ("network-traffic:src_ref.value", "network-traffic:dst_ref.value")
_IP_VERSIONS = {"ipv4-addr": "ipv4", "ipv6-addr": "ipv6"}


# -- objects -------------------------------------------------------------------------


@dataclass(slots=True)
class _Draft:
    """An object being built: its properties (references still drafts) and set leaves."""

    type: str
    props: dict[str, Any] = field(default_factory=dict)
    leaves: dict[str, Any] = field(default_factory=dict)


def objects_from_fields(fields: Iterable[tuple[str, Any]]) -> list[dict[str, Any]]:
    """The SCOs that fields (as the log readers make them) describe, with their ids.

    Referenced objects come before the objects that refer to them; objects with the same
    id (the same address reached by a reference and as a plain value) appear once.
    """
    by_type: dict[str, list[_Draft]] = {}
    drafts: list[_Draft] = []
    for text, value in fields:
        target = field_path(text)
        draft = _draft_for(by_type, drafts, target, value)
        if draft is not None:
            _place(draft, target.hops, target.rest, value)
    objects: dict[str, dict[str, Any]] = {}
    for draft in drafts:
        _finish(draft, objects)
    return list(objects.values())


def _draft_for(
    by_type: dict[str, list[_Draft]], drafts: list[_Draft], target: FieldPath, value: Any
) -> _Draft | None:
    """The object a field goes to: the type's latest, unless the field would overwrite one
    of its values (then a new object). None: the latest holds this very value already."""
    same_type = by_type.setdefault(target.object_type, [])
    single = not any(is_index for _, is_index in target.rest) and not any(
        hop.many for hop in target.hops
    )
    if same_type:
        latest = same_type[-1]
        if not single:
            return latest
        held = latest.leaves.get(target.text, _ABSENT)
        if held is _ABSENT:
            latest.leaves[target.text] = value
            return latest
        if held == value and type(held) is type(value):
            return None
    draft = _Draft(target.object_type)
    if single:
        draft.leaves[target.text] = value
    same_type.append(draft)
    drafts.append(draft)
    return draft


_ABSENT = object()


def _place(
    draft: _Draft, hops: tuple[_Hop, ...], rest: tuple[tuple[str | int, bool], ...], value: Any
) -> None:
    if not hops:
        _set(draft.props, rest, value)
        return
    hop = hops[0]
    target = _address_type(str(value)) if hop.target == _BY_VALUE else hop.target
    if hop.many:
        child = _Draft(target)
        draft.props.setdefault(hop.key, []).append(child)
    else:
        existing = draft.props.get(hop.key)
        child = existing if isinstance(existing, _Draft) else _Draft(target)
        draft.props[hop.key] = child
    _place(child, hops[1:], rest, value)


def _set(node: dict[str, Any], rest: tuple[tuple[str | int, bool], ...], value: Any) -> None:
    """Set ``value`` at ``rest`` inside ``node``: index steps append to lists."""
    for position, (step, is_index) in enumerate(rest):
        if is_index:
            continue  # taken with the key step before it
        key, last = str(step), position == len(rest) - 1
        if last:
            node[key] = value
        elif rest[position + 1][1]:
            items = node.get(key)
            if not isinstance(items, list):
                items = node[key] = []
            if position + 1 == len(rest) - 1:
                items.append(value)
                return
            child: dict[str, Any] = {}
            items.append(child)
            node = child
        else:
            inner = node.get(key)
            if not isinstance(inner, dict):
                inner = node[key] = {}
            node = inner


def _finish(draft: _Draft, objects: dict[str, dict[str, Any]]) -> str:
    """Give ``draft`` (and what it refers to) ids; add them to ``objects``; return its id."""
    props: dict[str, Any] = {}
    for key, value in draft.props.items():
        if isinstance(value, _Draft):
            props[key] = _finish(value, objects)
        elif key.endswith("_refs") and isinstance(value, list):
            ids = [_finish(item, objects) if isinstance(item, _Draft) else item for item in value]
            props[key] = list(dict.fromkeys(ids))
        else:
            props[key] = value
    object_id = sco_id(draft.type, props)
    objects.setdefault(
        object_id, {"type": draft.type, "spec_version": "2.1", "id": object_id, **props}
    )
    return object_id


def sco_id(object_type: str, props: Mapping[str, Any]) -> str:
    """The id of an SCO with these properties (STIX 2.1 section 2.9).

    With none of its ID contributing properties present, the spec asks for a UUIDv4.
    """
    contributing = {}
    for prop in ID_CONTRIBUTING_PROPERTIES.get(object_type, ()):
        if prop in props:
            value = props[prop]
            contributing[prop] = _one_hash(value) if prop == "hashes" else value
    if not contributing:
        return f"{object_type}--{uuid.uuid4()}"
    return f"{object_type}--{uuid.uuid5(SCO_NAMESPACE, canonical_json(contributing))}"


def _one_hash(hashes: Mapping[str, Any]) -> dict[str, Any]:
    for name in _HASH_PREFERENCE:
        if name in hashes:
            return {name: hashes[name]}
    # None of the preferred ones: the first by name, so insertion order does not matter.
    first = min(hashes, default=None)
    return {} if first is None else {first: hashes[first]}


def canonical_json(value: Any) -> str:
    """RFC 8785 canonical JSON for the values SCO properties hold.

    Keys sorted, no spaces, non-ASCII written as is; integral floats written as integers,
    as ECMAScript does. (Other floats use Python's repr, which differs from RFC 8785 only
    outside 1e-6..1e21; no ID contributing property Accord builds holds such a number.)
    """
    return json.dumps(_integral(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _integral(value: Any) -> Any:
    if type(value) is float and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {key: _integral(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_integral(item) for item in value]
    return value
