"""STIX identifiers: ``type--UUID``.

STIX 2.1 section 2.9 (identifier) and 2.9's type-name rules:
https://docs.oasis-open.org/cti/stix/v2.1/os/stix-v2.1-os.html#_64yvzeku5a5c

A type name is 3-250 characters of ``a-z``, ``0-9`` and ``-``, starts with a letter and
never contains ``--`` (so the last ``--`` of an identifier always separates type from
UUID).  The UUID is written in the canonical 8-4-4-4-12 hex form and carries the
RFC 4122 variant bits, which is what the ``stix2`` library checks for 2.1 identifiers.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from accord.errors import InvalidObject

__all__ = [
    "check_identifier",
    "identifier_problem",
    "identifier_type",
    "is_identifier",
    "is_type_name",
    "object_type_of",
]

_TYPE_NAME = re.compile(r"[a-z][a-z0-9-]{2,249}")
# The fourth group's first digit holds the RFC 4122 variant bits (10xx): 8, 9, a or b.
_HEX = "[0-9a-fA-F]"
_UUID = rf"{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-[89abAB]{_HEX}{{3}}-{_HEX}{{12}}"
# Lazy, so the type part is found without backtracking over the UUID; with the UUID's
# fixed length there is only one way to split a full match anyway.
_IDENTIFIER = re.compile(rf"([a-z][a-z0-9-]{{2,249}}?)--{_UUID}")
_ANY_UUID_SHAPE = re.compile(rf"{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}")


def is_type_name(value: object) -> bool:
    """True if ``value`` is a valid STIX type name (``indicator``, ``x-mitre-tactic``)."""
    return isinstance(value, str) and _TYPE_NAME.fullmatch(value) is not None and "--" not in value


def identifier_type(value: str) -> str | None:
    """The type part of ``value`` if it is a well-formed identifier, else None."""
    match = _IDENTIFIER.fullmatch(value)
    if match is None:
        return None
    type_part = match.group(1)
    # The regex lets the type part swallow a '--'; the spec forbids it in type names.
    if "--" in type_part:
        return None
    return type_part


def is_identifier(value: object) -> bool:
    """True if ``value`` is a STIX identifier string ``type--UUID``."""
    return isinstance(value, str) and identifier_type(value) is not None


def object_type_of(identifier: str) -> str:
    """The object type named by an identifier: ``indicator--…`` → ``indicator``.

    Raises ValueError (with the reason) if ``identifier`` is not a STIX identifier.
    """
    type_part = identifier_type(identifier) if isinstance(identifier, str) else None
    if type_part is None:
        raise ValueError(identifier_problem(identifier))
    return type_part


def identifier_problem(value: object) -> str:
    """Say, for a human, why ``value`` is not a STIX identifier.

    Only called on the error path, so it may take its time.
    """
    if not isinstance(value, str):
        return f"must be an identifier string 'type--UUID', not {type(value).__name__}"
    type_part, sep, uuid_part = value.rpartition("--")
    if not sep:
        return f"{value!r} is not an identifier: expected 'type--UUID'"
    if not is_type_name(type_part):
        return (
            f"{value!r} is not an identifier: {type_part!r} is not a STIX type name "
            "(3-250 characters of a-z, 0-9 and '-', starting with a letter, no '--')"
        )
    if _ANY_UUID_SHAPE.fullmatch(uuid_part) is None:
        return (
            f"{value!r} is not an identifier: {uuid_part!r} is not a UUID in the "
            "8-4-4-4-12 hex form"
        )
    if identifier_type(value) is None:
        return (
            f"{value!r} is not an identifier: the UUID does not have the RFC 4122 "
            "variant (its 17th hex digit must be 8, 9, a or b)"
        )
    return f"{value!r} is an identifier"  # not reached by callers; keeps the function total


def check_identifier(
    object_id: str | None,
    prop: str,
    value: object,
    targets: Collection[str] | None = None,
) -> str:
    """Check that ``value`` is an identifier, optionally of one of ``targets``' types.

    Returns the referenced object type.  Raises InvalidObject naming ``prop``.
    """
    type_part = identifier_type(value) if isinstance(value, str) else None
    if type_part is None:
        raise InvalidObject(object_id, prop, identifier_problem(value))
    if targets is not None and type_part not in targets:
        allowed = " or ".join(sorted(targets))
        raise InvalidObject(
            object_id, prop, f"must reference a {allowed} object, not {type_part} ({value})"
        )
    return type_part
