"""Rules of STIX 2.1 that tie several properties of one object type together.

Each rule runs after every single property has passed its own check, so it may rely on
their types.  The quotes are from STIX 2.1 (OASIS Standard, 10 June 2021),
https://docs.oasis-open.org/cti/stix/v2.1/os/stix-v2.1-os.html, in the type's section.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from accord.errors import InvalidObject
from accord.stix.ids import object_type_of
from accord.stix.patterns import check_pattern
from accord.stix.spec import TYPES

__all__ = ["RULES", "Rule"]

Rule = Callable[[str, dict[str, Any]], None]

_NOT_SDO = frozenset(name for name, spec in TYPES.items() if spec.category != "sdo")
_NOT_SDO_OR_SCO = frozenset(
    name for name, spec in TYPES.items() if spec.category in ("sro", "meta")
)
_SCO_COMMON = frozenset(
    {
        "type",
        "id",
        "spec_version",
        "object_marking_refs",
        "granular_markings",
        "defanged",
    }
)


def _missing(object_id: str, prop: str, why: str) -> InvalidObject:
    return InvalidObject(object_id, prop, f"required property is missing: {why}")


def _indicator(object_id: str, obj: dict[str, Any]) -> None:
    # Other pattern languages (sigma, yara, snort, suricata, pcre, …) are opaque strings.
    if obj["pattern_type"] == "stix":
        problem = check_pattern(obj["pattern"])
        if problem is not None:
            raise InvalidObject(object_id, "pattern", f"not a valid STIX 2.1 pattern: {problem}")


def _location(object_id: str, obj: dict[str, Any]) -> None:
    has_lat, has_long = "latitude" in obj, "longitude" in obj
    if has_lat != has_long:
        # "If the latitude property is present, the longitude property MUST be present."
        prop = "longitude" if has_lat else "latitude"
        raise _missing(object_id, prop, "latitude and longitude go together")
    if "precision" in obj and not has_lat:
        raise _missing(object_id, "latitude", "precision needs latitude and longitude")
    if not (has_lat or "region" in obj or "country" in obj):
        # "At least one of the following properties/sets of properties MUST be provided:
        # region, country, latitude and longitude"
        raise _missing(
            object_id, "region", "a location needs region, country, or latitude and longitude"
        )


def _malware(object_id: str, obj: dict[str, Any]) -> None:
    # name: "If is_family is true, then this property MUST be present."
    if obj["is_family"] and "name" not in obj:
        raise _missing(object_id, "name", "a malware family (is_family true) needs a name")


def _malware_analysis(object_id: str, obj: dict[str, Any]) -> None:
    # "One of result or analysis_sco_refs properties MUST be provided."
    if "result" not in obj and "analysis_sco_refs" not in obj:
        raise _missing(object_id, "result", "give result or analysis_sco_refs")


def _observed_data(object_id: str, obj: dict[str, Any]) -> None:
    # objects (deprecated) "MUST NOT be present if object_refs is provided"; one is needed.
    has_refs, has_objects = "object_refs" in obj, "objects" in obj
    if has_refs and has_objects:
        raise InvalidObject(object_id, "objects", "must not be present with object_refs")
    if not (has_refs or has_objects):
        raise _missing(object_id, "object_refs", "observed-data needs object_refs")


def _sighting(object_id: str, obj: dict[str, Any]) -> None:
    # sighting_of_ref: "An ID reference to the SDO that was sighted".  Unknown (custom)
    # types may be custom SDOs, so only the known non-SDO types are refused.
    target = object_type_of(obj["sighting_of_ref"])
    if target in _NOT_SDO:
        raise InvalidObject(
            object_id, "sighting_of_ref", f"must reference an SDO, not a {target} object"
        )


def _relationship(object_id: str, obj: dict[str, Any]) -> None:
    # source_ref/target_ref: "MUST be an ID reference to an SDO or SCO".
    for prop in ("source_ref", "target_ref"):
        target = object_type_of(obj[prop])
        if target in _NOT_SDO_OR_SCO:
            raise InvalidObject(
                object_id, prop, f"must reference an SDO or SCO, not a {target} object"
            )


def _artifact(object_id: str, obj: dict[str, Any]) -> None:
    # payload_bin "MUST NOT be present if url is provided"; url: "If the url property is
    # present, the hashes property MUST also be present"; one of the two is needed.
    has_payload, has_url = "payload_bin" in obj, "url" in obj
    if has_payload and has_url:
        raise InvalidObject(object_id, "url", "must not be present with payload_bin")
    if not (has_payload or has_url):
        raise _missing(object_id, "payload_bin", "an artifact needs payload_bin or url")
    if has_url and "hashes" not in obj:
        raise _missing(object_id, "hashes", "an artifact given by url needs hashes")


def _file(object_id: str, obj: dict[str, Any]) -> None:
    # "A File object MUST contain at least one of hashes or name."
    if "hashes" not in obj and "name" not in obj:
        raise _missing(object_id, "hashes", "a file needs hashes or name")


def _network_traffic(object_id: str, obj: dict[str, Any]) -> None:
    # "A Network Traffic object MUST contain the protocols property and at least one of
    # the src_ref or dst_ref properties"; end: "If the is_active property is true, then
    # the end property MUST NOT be included."
    if "src_ref" not in obj and "dst_ref" not in obj:
        raise _missing(object_id, "src_ref", "network traffic needs src_ref or dst_ref")
    if obj.get("is_active") is True and "end" in obj:
        raise InvalidObject(object_id, "end", "must not be present while is_active is true")


def _email_message(object_id: str, obj: dict[str, Any]) -> None:
    # body "MAY only be used if is_multipart is false"; body_multipart "MAY only be used
    # if is_multipart is true".
    if obj["is_multipart"]:
        if "body" in obj:
            raise InvalidObject(
                object_id,
                "body",
                "must not be present when is_multipart is true; use body_multipart",
            )
    elif "body_multipart" in obj:
        raise InvalidObject(
            object_id, "body_multipart", "must not be present when is_multipart is false; use body"
        )


def _some_own_property(object_id: str, obj: dict[str, Any]) -> None:
    # process, user-account, windows-registry-key, x509-certificate: "MUST contain at
    # least one property (other than type) from this object (or one of its extensions)."
    if all(key in _SCO_COMMON for key in obj):
        raise _missing(
            object_id,
            "(object)",
            f"a {obj['type']} needs at least one of its own properties or an extension",
        )


def _marking_definition(object_id: str, obj: dict[str, Any]) -> None:
    # definition_type and definition: "If the extensions property is not present, this
    # property MUST be present."
    if "extensions" not in obj:
        for prop in ("definition_type", "definition"):
            if prop not in obj:
                raise _missing(
                    object_id,
                    prop,
                    "a marking definition without extensions needs definition_type and definition",
                )


#: Cross-property rule for each type that has one.
RULES: Mapping[str, Rule] = {
    "indicator": _indicator,
    "location": _location,
    "malware": _malware,
    "malware-analysis": _malware_analysis,
    "observed-data": _observed_data,
    "sighting": _sighting,
    "relationship": _relationship,
    "artifact": _artifact,
    "file": _file,
    "network-traffic": _network_traffic,
    "email-message": _email_message,
    "process": _some_own_property,
    "user-account": _some_own_property,
    "windows-registry-key": _some_own_property,
    "x509-certificate": _some_own_property,
    "marking-definition": _marking_definition,
}
