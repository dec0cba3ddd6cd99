"""Validating one STIX 2.1 object, fast enough for bulk imports.

``validate(obj)`` checks a decoded JSON object against STIX 2.1 (OASIS Standard,
10 June 2021, https://docs.oasis-open.org/cti/stix/v2.1/os/stix-v2.1-os.html) and returns
the facts the store indexes.  It raises InvalidObject on the first problem, naming the
object id, the property (dotted/indexed for nested ones) and the reason.

Speed: the rules in spec.py are compiled at import into one dict per type mapping each
property name to its check, so validating is one pass over the object's own properties
with a dict look-up each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from accord.errors import InvalidObject
from accord.stix import properties as p
from accord.stix.ids import identifier_problem, is_identifier, is_type_name
from accord.stix.rules import RULES, Rule
from accord.stix.spec import CUSTOM_SCO, CUSTOM_SDO, TYPES, TypeSpec
from accord.stix.timestamps import normalize_timestamp
from accord.stix.tlp import Tlp, tlp_of

__all__ = ["ValidatedObject", "validate"]

_NOT_20 = "STIX 2.0 objects are not accepted; convert to 2.1"


class ValidatedObject(NamedTuple):
    """A STIX object that passed validation, with the facts the store indexes.

    A NamedTuple rather than a frozen dataclass: building one is about four times
    cheaper, and an importer builds one per object.
    """

    id: str
    type: str
    spec_version: str
    #: Normalised (``YYYY-MM-DDTHH:MM:SS.ffffffZ``); SCOs may have neither.
    created: str | None
    modified: str | None
    created_by_ref: str | None
    #: object_marking_refs, then every granular_markings[].marking_ref; no duplicates.
    marking_refs: tuple[str, ...]
    #: The most restrictive TLP among all marking refs, granular ones included: until
    #: readers get per-property redaction, a part's marking binds the whole object.
    tlp: Tlp | None
    name: str | None
    description: str | None
    revoked: bool
    #: The validated input dict itself (not a copy).
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class _Table:
    """One type's rules, compiled for dispatch."""

    category: str
    required: tuple[str, ...]
    #: property → the JSON type it must have, for properties with no further rule.
    simple: dict[str, type]
    #: property → check; None for properties validate() handles itself.
    checks: dict[str, p.Check | None]
    rule: Rule | None
    ordered: tuple[tuple[str, str, bool], ...]


_HANDLED = ("type", "id", "spec_version", "created", "modified")


def _compile(spec: TypeSpec) -> _Table:
    # Plain type checks run inline in validate(): a function call each would cost more.
    simple: dict[str, type] = {}
    for prop in spec.booleans:
        simple[prop] = bool
    for prop in spec.strings:
        simple[prop] = str
    for prop in spec.dicts:
        simple[prop] = dict
    checks: dict[str, p.Check | None] = {}
    for prop in spec.timestamps:
        checks[prop] = p.check_timestamp
    for prop, bounds in spec.integers.items():
        checks[prop] = p.number_check(bounds, integer=True)
    for prop, bounds in spec.floats.items():
        checks[prop] = p.number_check(bounds, integer=False)
    for prop in spec.string_lists:
        checks[prop] = p.check_string_list
    for prop in spec.dict_lists:
        checks[prop] = p.check_dict_list
    for prop, targets in spec.refs.items():
        checks[prop] = p.refs_check(targets) if prop.endswith("_refs") else p.ref_check(targets)
    checks["granular_markings"] = p.check_granular_markings
    checks["extensions"] = p.check_extensions
    if spec.category != "sco":
        checks["external_references"] = p.check_external_references
        checks["kill_chain_phases"] = p.check_kill_chain_phases
    for prop in _HANDLED:
        checks[prop] = None
    rule = RULES.get(spec.name)
    return _Table(spec.category, spec.required, simple, checks, rule, spec.ordered)


_TABLES: dict[str, _Table] = {name: _compile(spec) for name, spec in TYPES.items()}
_CUSTOM_SDO = _compile(CUSTOM_SDO)
_CUSTOM_SCO = _compile(CUSTOM_SCO)


def _custom_table(obj: dict[str, Any]) -> _Table:
    extensions = obj.get("extensions")
    if type(extensions) is dict:
        for extension in extensions.values():
            if type(extension) is dict and extension.get("extension_type") == "new-sco":
                return _CUSTOM_SCO
    return _CUSTOM_SDO


def _spec_version_problem(table: _Table, obj: dict[str, Any]) -> str | None:
    if "spec_version" not in obj:
        if table.category == "sco":
            return None  # optional on observables; absent means the bundle's, i.e. 2.1
        return f"required property is missing; without it this is a STIX 2.0 object. {_NOT_20}"
    version = obj["spec_version"]
    if version == "2.0":
        return _NOT_20
    return f"must be '2.1', not {version!r}"


def validate(obj: object) -> ValidatedObject:
    """Check one STIX 2.1 object; return its indexed facts or raise InvalidObject."""
    if type(obj) is not dict:
        raise InvalidObject(
            None, "(object)", f"a STIX object must be a JSON object, not {type(obj).__name__}"
        )
    object_id = obj.get("id")
    known_id = object_id if type(object_id) is str else None
    object_type = obj.get("type")
    if type(object_type) is not str:
        why = "required property is missing" if object_type is None else "must be a string"
        raise InvalidObject(known_id, "type", why)
    if object_id is None:
        raise InvalidObject(None, "id", "required property is missing")
    if known_id is None or not (
        known_id.startswith(object_type)
        and known_id[len(object_type) : len(object_type) + 2] == "--"
        and is_identifier(known_id)
    ):
        raise InvalidObject(known_id, "id", _id_problem(object_type, object_id))
    object_id = known_id

    table = _TABLES.get(object_type) or _custom_table(obj)
    version = obj.get("spec_version", "2.1")
    if version != "2.1" or ("spec_version" not in obj and table.category != "sco"):
        problem = _spec_version_problem(table, obj)
        if problem is not None:
            raise InvalidObject(object_id, "spec_version", problem)
    for prop in table.required:
        if prop not in obj:
            raise InvalidObject(object_id, prop, "required property is missing")

    simple, checks, custom = table.simple, table.checks, p.custom_property
    for prop, value in obj.items():
        kind = simple.get(prop)
        if kind is not None:
            if type(value) is not kind:
                raise InvalidObject(object_id, prop, p.wrong_type(kind, value))
            continue
        check = checks.get(prop, custom)
        if check is not None:
            check(object_id, prop, value)
    if table.rule is not None:
        table.rule(object_id, obj)

    created = modified = None
    if "created" in obj:
        try:
            created = normalize_timestamp(obj["created"])
        except ValueError as exc:
            raise InvalidObject(object_id, "created", str(exc)) from None
    if "modified" in obj:
        try:
            modified = normalize_timestamp(obj["modified"])
        except ValueError as exc:
            raise InvalidObject(object_id, "modified", str(exc)) from None
        if created is not None and modified < created:
            raise InvalidObject(
                object_id,
                "modified",
                f"{obj['modified']} is earlier than created ({obj['created']})",
            )
    for earlier, later, strictly in table.ordered:
        if earlier in obj and later in obj:
            _check_order(object_id, obj, earlier, later, strictly=strictly)

    marking_refs: tuple[str, ...] = ()
    tlp = None
    object_markings = obj.get("object_marking_refs")
    if object_markings is not None:
        # One marking is the common case; spare it the de-duplication.
        if len(object_markings) == 1:
            marking_refs = (object_markings[0],)
        else:
            marking_refs = tuple(dict.fromkeys(object_markings))
        tlp = tlp_of(marking_refs)
    if "granular_markings" in obj:
        granular = [m["marking_ref"] for m in obj["granular_markings"] if "marking_ref" in m]
        marking_refs = tuple(dict.fromkeys((*marking_refs, *granular)))
        # The store hands out whole objects: a part marked RED makes the whole RED.
        tlp = tlp_of(marking_refs)

    name = obj.get("name")
    description = obj.get("description")
    return ValidatedObject(
        id=object_id,
        type=object_type,
        spec_version="2.1",
        created=created,
        modified=modified,
        created_by_ref=obj.get("created_by_ref"),
        marking_refs=marking_refs,
        tlp=tlp,
        name=name if type(name) is str else None,
        description=description if type(description) is str else None,
        revoked=obj.get("revoked") is True,
        body=obj,
    )


def _id_problem(object_type: str, object_id: object) -> str:
    if not is_type_name(object_type):
        return (
            f"type {object_type!r} is not a STIX type name (3-250 characters of a-z, "
            "0-9 and '-', starting with a letter, no '--')"
        )
    if isinstance(object_id, str) and is_identifier(object_id):
        return f"{object_id!r} names another type than this object's type {object_type!r}"
    return identifier_problem(object_id)


def _check_order(
    object_id: str, obj: dict[str, Any], earlier: str, later: str, *, strictly: bool
) -> None:
    first = p.timestamp(object_id, earlier, obj[earlier])
    last = p.timestamp(object_id, later, obj[later])
    if last < first or (strictly and last == first):
        relation = "later than" if strictly else "the same as or later than"
        raise InvalidObject(
            object_id, later, f"{obj[later]} must be {relation} {earlier} ({obj[earlier]})"
        )
