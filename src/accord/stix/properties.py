"""Checks for single STIX property values, each raising InvalidObject naming the property.

Every check has the same shape, ``check(object_id, prop, value) -> None``, so the
validator can dispatch on property name with one dict look-up.  Checks for nested values
name the exact place, e.g. ``external_references[2].source_name``.

Spec: STIX 2.1 sections 2 (data types) and 3.2 (common properties),
https://docs.oasis-open.org/cti/stix/v2.1/os/stix-v2.1-os.html#_xzbicbtscatx
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import lru_cache
from typing import Any

from accord.errors import InvalidObject
from accord.stix.ids import check_identifier, identifier_type, is_identifier, object_type_of
from accord.stix.spec import PREDEFINED_EXTENSIONS, Range
from accord.stix.timestamps import normalize_timestamp

__all__ = [
    "Check",
    "check_boolean",
    "check_dict",
    "check_dict_list",
    "check_extensions",
    "check_external_references",
    "check_granular_markings",
    "check_kill_chain_phases",
    "check_string",
    "check_string_list",
    "check_timestamp",
    "custom_property",
    "number_check",
    "ref_check",
    "refs_check",
    "timestamp",
    "wrong_type",
]

Check = Callable[[str | None, str, Any], None]

_MARKING = frozenset({"marking-definition"})
_REFERENCE_CACHE = 4096


def _kind(value: object) -> str:
    """A JSON-ish name for a value's type, for messages."""
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


_WANTED = {bool: "true or false", str: "a string", dict: "an object", list: "a list"}


def wrong_type(wanted: type, value: object) -> str:
    """The reason for a value of the wrong JSON type."""
    return f"must be {_WANTED.get(wanted, wanted.__name__)}, not {_kind(value)}"


def timestamp(object_id: str | None, prop: str, value: object) -> str:
    """The normalised timestamp, or InvalidObject naming ``prop``."""
    try:
        return normalize_timestamp(value)
    except ValueError as exc:
        raise InvalidObject(object_id, prop, str(exc)) from None


def check_timestamp(object_id: str | None, prop: str, value: object) -> None:
    timestamp(object_id, prop, value)


def check_boolean(object_id: str | None, prop: str, value: object) -> None:
    if value is not True and value is not False:
        raise InvalidObject(object_id, prop, f"must be true or false, not {_kind(value)}")


def check_string(object_id: str | None, prop: str, value: object) -> None:
    if type(value) is not str:
        raise InvalidObject(object_id, prop, f"must be a string, not {_kind(value)}")


def check_dict(object_id: str | None, prop: str, value: object) -> None:
    if type(value) is not dict:
        raise InvalidObject(object_id, prop, f"must be an object, not {_kind(value)}")


def _non_empty_list(object_id: str | None, prop: str, value: object) -> list[Any]:
    if type(value) is not list:
        raise InvalidObject(object_id, prop, f"must be a list, not {_kind(value)}")
    if not value:
        # STIX 2.1 section 2.7: "An empty list is prohibited in STIX".
        raise InvalidObject(object_id, prop, "must not be an empty list; omit the property")
    return value


def check_string_list(object_id: str | None, prop: str, value: object) -> None:
    for index, item in enumerate(_non_empty_list(object_id, prop, value)):
        if type(item) is not str:
            where = f"{prop}[{index}]"
            raise InvalidObject(object_id, where, f"must be a string, not {_kind(item)}")


def check_dict_list(object_id: str | None, prop: str, value: object) -> None:
    for index, item in enumerate(_non_empty_list(object_id, prop, value)):
        if type(item) is not dict:
            where = f"{prop}[{index}]"
            raise InvalidObject(object_id, where, f"must be an object, not {_kind(item)}")


def number_check(bounds: Range, *, integer: bool) -> Check:
    """A check for an integer (or, if not ``integer``, any number) within ``bounds``."""
    low, high = bounds
    wanted = "an integer" if integer else "a number"
    allowed: tuple[type, ...] = (int,) if integer else (int, float)

    def check(object_id: str | None, prop: str, value: Any) -> None:
        # bool is a subclass of int in Python but not a number in JSON.
        if type(value) not in allowed:
            raise InvalidObject(object_id, prop, f"must be {wanted}, not {_kind(value)}")
        if (low is not None and value < low) or (high is not None and value > high):
            span = f"{'' if low is None else low}..{'' if high is None else high}"
            raise InvalidObject(object_id, prop, f"{value} is out of range {span}")

    return check


# The same few identifiers (the producer's identity, its marking definitions, popular
# targets) are referenced by object after object; remembering them spares the regex.
referenced_type = lru_cache(maxsize=_REFERENCE_CACHE)(identifier_type)


def ref_check(targets: Collection[str] | None) -> Check:
    """A check for a ``_ref`` property: one identifier, of ``targets``' types if given."""

    def check(object_id: str | None, prop: str, value: Any) -> None:
        found = referenced_type(value) if type(value) is str else None
        if found is None or (targets is not None and found not in targets):
            check_identifier(object_id, prop, value, targets)  # raises, with the reason

    return check


def refs_check(targets: Collection[str] | None) -> Check:
    """A check for a ``_refs`` property: a non-empty list of identifiers."""

    def check(object_id: str | None, prop: str, value: object) -> None:
        for index, item in enumerate(_non_empty_list(object_id, prop, value)):
            found = referenced_type(item) if type(item) is str else None
            if found is None or (targets is not None and found not in targets):
                check_identifier(object_id, f"{prop}[{index}]", item, targets)  # raises

    return check


_any_ref = ref_check(None)
_any_refs = refs_check(None)


def custom_property(object_id: str | None, prop: str, value: object) -> None:
    """A property the spec does not define for this type: only the naming rule applies.

    STIX 2.1 section 3.1: names ending in ``_ref`` hold an identifier, ``_refs`` a list.
    """
    if prop.endswith("_ref"):
        _any_ref(object_id, prop, value)
    elif prop.endswith("_refs"):
        _any_refs(object_id, prop, value)


_REFERENCE_STRINGS = ("source_name", "description", "url", "external_id")


def check_external_references(object_id: str | None, prop: str, value: object) -> None:
    """Section 2.5: each has a string source_name and one of description/url/external_id."""
    # Place names are built only on the error path: most objects carry references.
    for index, ref in enumerate(_non_empty_list(object_id, prop, value)):
        if type(ref) is not dict:
            where = f"{prop}[{index}]"
            raise InvalidObject(object_id, where, f"must be an object, not {_kind(ref)}")
        if "source_name" not in ref:
            where = f"{prop}[{index}].source_name"
            raise InvalidObject(object_id, where, "required property is missing")
        for key in _REFERENCE_STRINGS:
            if key in ref and type(ref[key]) is not str:
                where = f"{prop}[{index}].{key}"
                raise InvalidObject(object_id, where, wrong_type(str, ref[key]))
        if "hashes" in ref and type(ref["hashes"]) is not dict:
            where = f"{prop}[{index}].hashes"
            raise InvalidObject(object_id, where, wrong_type(dict, ref["hashes"]))
        if "description" not in ref and "url" not in ref and "external_id" not in ref:
            raise InvalidObject(
                object_id,
                f"{prop}[{index}]",
                "needs at least one of description, url or external_id",
            )


def check_granular_markings(object_id: str | None, prop: str, value: object) -> None:
    """Section 7.2.3: selectors, and exactly one of marking_ref and lang."""
    for index, marking in enumerate(_non_empty_list(object_id, prop, value)):
        where = f"{prop}[{index}]"
        if type(marking) is not dict:
            raise InvalidObject(object_id, where, f"must be an object, not {_kind(marking)}")
        if "selectors" not in marking:
            raise InvalidObject(object_id, f"{where}.selectors", "required property is missing")
        check_string_list(object_id, f"{where}.selectors", marking["selectors"])
        has_ref, has_lang = "marking_ref" in marking, "lang" in marking
        if has_ref == has_lang:
            raise InvalidObject(object_id, where, "must have exactly one of marking_ref and lang")
        if has_ref:
            check_identifier(object_id, f"{where}.marking_ref", marking["marking_ref"], _MARKING)
        else:
            check_string(object_id, f"{where}.lang", marking["lang"])


def check_extensions(object_id: str | None, prop: str, value: object) -> None:
    """Section 7.3: keys are extension-definition ids or predefined extension names."""
    if type(value) is not dict:
        raise InvalidObject(object_id, prop, f"must be an object, not {_kind(value)}")
    for key, extension in value.items():
        where = f"{prop}.{key}"
        if key not in PREDEFINED_EXTENSIONS and not (
            is_identifier(key) and object_type_of(key) == "extension-definition"
        ):
            raise InvalidObject(
                object_id,
                where,
                "an extension key must be the id of an extension-definition or the name "
                "of an extension STIX 2.1 defines (such as 'ntfs-ext')",
            )
        if type(extension) is not dict:
            raise InvalidObject(object_id, where, f"must be an object, not {_kind(extension)}")


def check_kill_chain_phases(object_id: str | None, prop: str, value: object) -> None:
    """Section 2.8: each phase has string kill_chain_name and phase_name."""
    for index, phase in enumerate(_non_empty_list(object_id, prop, value)):
        where = f"{prop}[{index}]"
        if type(phase) is not dict:
            raise InvalidObject(object_id, where, f"must be an object, not {_kind(phase)}")
        for key in ("kill_chain_name", "phase_name"):
            if key not in phase:
                raise InvalidObject(object_id, f"{where}.{key}", "required property is missing")
            check_string(object_id, f"{where}.{key}", phase[key])
