"""STIX 2.1: identifiers, timestamps, TLP, indicator patterns and object validation.

The public surface is named here; the modules behind it are:

    ids          identifiers ``type--UUID``
    timestamps   RFC 3339 UTC timestamps in one fixed, sortable width
    tlp          TLP levels and the marking definitions that carry them
    patterns     STIX pattern checking (fast path + stix2-patterns)
    spec         the STIX 2.1 object types and property rules, as data
    validation   ``validate(obj) -> ValidatedObject``
    reader       reading objects from bundles, arrays and JSON lines
    upgrade      lifting STIX 2.0 objects (as ATT&CK ships them) to 2.1
"""

from accord.stix.ids import check_identifier, is_identifier, is_type_name, object_type_of
from accord.stix.patterns import check_pattern
from accord.stix.spec import TYPES, TypeSpec
from accord.stix.timestamps import format_timestamp, normalize_timestamp, now_timestamp
from accord.stix.tlp import (
    TLP_BY_MARKING_ID,
    TLP_EXTENSION_DEFINITION,
    TLP_MARKING_DEFINITIONS,
    Tlp,
    marking_definition_for,
    tlp_of,
)
from accord.stix.validation import ValidatedObject, validate

__all__ = [
    "TLP_BY_MARKING_ID",
    "TLP_EXTENSION_DEFINITION",
    "TLP_MARKING_DEFINITIONS",
    "TYPES",
    "Tlp",
    "TypeSpec",
    "ValidatedObject",
    "check_identifier",
    "check_pattern",
    "format_timestamp",
    "is_identifier",
    "is_type_name",
    "marking_definition_for",
    "normalize_timestamp",
    "now_timestamp",
    "object_type_of",
    "tlp_of",
    "validate",
]
