"""The STIX 2.1 object types and their property rules, as data.

Source: STIX Version 2.1, OASIS Standard, 10 June 2021,
https://docs.oasis-open.org/cti/stix/v2.1/os/stix-v2.1-os.html
sections 3.2 (common properties), 4 (SDOs), 5 (SROs), 6 (SCOs) and 7 (meta objects).
Each type's section anchor is in its ``TypeSpec.section``.

Only facts live here; ``accord.stix.validation`` turns them into checks.  Rules that
relate several properties ("at least one of …", "MUST NOT be present if …") are code
in validation.py, each next to a quote of the spec.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "CUSTOM_SCO",
    "CUSTOM_SDO",
    "PREDEFINED_EXTENSIONS",
    "SPEC_URL",
    "TYPES",
    "Category",
    "TypeSpec",
]

SPEC_URL = "https://docs.oasis-open.org/cti/stix/v2.1/os/stix-v2.1-os.html"

Category = Literal["sdo", "sro", "sco", "meta"]
Range = tuple[float | None, float | None]
#: Referenced types a ``_ref``/``_refs`` property may point at; None means any type.
Targets = frozenset[str] | None

_MAX_COUNT = 999_999_999


@dataclass(frozen=True, slots=True)
class TypeSpec:
    """What STIX 2.1 says about the properties of one object type."""

    name: str
    category: Category
    section: str
    required: tuple[str, ...]
    timestamps: frozenset[str] = frozenset()
    booleans: frozenset[str] = frozenset()
    integers: Mapping[str, Range] = field(default_factory=dict)
    floats: Mapping[str, Range] = field(default_factory=dict)
    strings: frozenset[str] = frozenset()
    #: Lists of strings.  STIX 2.1 section 2.7 prohibits empty lists everywhere.
    string_lists: frozenset[str] = frozenset()
    dicts: frozenset[str] = frozenset()
    #: Lists whose items are objects (dicts).
    dict_lists: frozenset[str] = frozenset()
    refs: Mapping[str, Targets] = field(default_factory=dict)
    #: (earlier, later, strictly): ``later`` must be ≥ ``earlier`` (> if strictly).
    ordered: tuple[tuple[str, str, bool], ...] = ()

    @property
    def url(self) -> str:
        return f"{SPEC_URL}#{self.section}"


_ANY: Targets = None
_IDENTITY = frozenset({"identity"})
_MARKING = frozenset({"marking-definition"})
_SOFTWARE = frozenset({"software"})
_EMAIL_ADDR = frozenset({"email-addr"})
_USER = frozenset({"user-account"})
_ARTIFACT = frozenset({"artifact"})
_TRAFFIC = frozenset({"network-traffic"})
_ADDRESSES = frozenset({"ipv4-addr", "ipv6-addr", "mac-addr", "domain-name"})


@dataclass(frozen=True, slots=True)
class _Common:
    """The common properties (section 3.2) one category of objects shares."""

    required: tuple[str, ...]
    timestamps: frozenset[str] = frozenset()
    booleans: frozenset[str] = frozenset()
    integers: Mapping[str, Range] = field(default_factory=dict)
    strings: frozenset[str] = frozenset()
    string_lists: frozenset[str] = frozenset()
    refs: Mapping[str, Targets] = field(default_factory=dict)


_MARKING_REFS: Mapping[str, Targets] = {
    "created_by_ref": _IDENTITY,
    "object_marking_refs": _MARKING,
}
_SDO_COMMON = _Common(
    required=("type", "spec_version", "id", "created", "modified"),
    timestamps=frozenset({"created", "modified"}),
    booleans=frozenset({"revoked"}),
    integers={"confidence": (0, 100)},
    strings=frozenset({"lang"}),
    string_lists=frozenset({"labels"}),
    refs=_MARKING_REFS,
)
# A marking definition has no modified: it can never be versioned (section 7.2.1).
_MARKING_COMMON = _Common(
    required=("type", "spec_version", "id", "created"),
    timestamps=frozenset({"created"}),
    refs=_MARKING_REFS,
)
_SCO_COMMON = _Common(
    required=("type", "id"),
    booleans=frozenset({"defanged"}),
    refs={"object_marking_refs": _MARKING},
)


def _make(
    name: str,
    category: Category,
    section: str,
    required: Iterable[str] = (),
    *,
    timestamps: Iterable[str] = (),
    booleans: Iterable[str] = (),
    integers: Mapping[str, Range] | None = None,
    floats: Mapping[str, Range] | None = None,
    strings: Iterable[str] = (),
    string_lists: Iterable[str] = (),
    dicts: Iterable[str] = (),
    dict_lists: Iterable[str] = (),
    refs: Mapping[str, Targets] | None = None,
    ordered: tuple[tuple[str, str, bool], ...] = (),
    named: bool = True,
) -> TypeSpec:
    """One type's spec, with its category's common properties merged in.

    ``named``: the type defines string ``name`` and ``description`` (all but custom types).
    """
    if category == "sco":
        common = _SCO_COMMON
    elif name == "marking-definition":
        common = _MARKING_COMMON
    else:
        common = _SDO_COMMON
    return TypeSpec(
        name=name,
        category=category,
        section=section,
        required=common.required + tuple(required),
        timestamps=common.timestamps | frozenset(timestamps),
        booleans=common.booleans | frozenset(booleans),
        integers={**common.integers, **(integers or {})},
        floats=dict(floats or {}),
        strings=(common.strings | frozenset(strings) | _NAMED) if named else common.strings,
        string_lists=common.string_lists | frozenset(string_lists),
        dicts=frozenset(dicts),
        dict_lists=frozenset(dict_lists),
        refs={**common.refs, **(refs or {})},
        ordered=ordered,
    )


_NAMED = frozenset({"name", "description"})
_SEEN = (("first_seen", "last_seen", False),)

_ALL: tuple[TypeSpec, ...] = (
    # --- Section 4: STIX Domain Objects -------------------------------------------------
    _make("attack-pattern", "sdo", "_axjijf603msy", ["name"], string_lists=["aliases"]),
    _make(
        "campaign",
        "sdo",
        "_pcpvfz4ik6d6",
        ["name"],
        timestamps=["first_seen", "last_seen"],
        strings=["objective"],
        string_lists=["aliases"],
        ordered=_SEEN,
    ),
    _make("course-of-action", "sdo", "_a925mpw39txn", ["name"]),
    _make(
        "grouping",
        "sdo",
        "_t56pn7elv6u7",
        ["context", "object_refs"],
        strings=["context"],
        refs={"object_refs": _ANY},
    ),
    _make(
        "identity",
        "sdo",
        "_wh296fiwpklp",
        ["name"],
        strings=["identity_class", "contact_information"],
        string_lists=["roles", "sectors"],
    ),
    _make("incident", "sdo", "_sczfhw64pjxt", ["name"]),
    _make(
        "indicator",
        "sdo",
        "_muftrcpnf89v",
        ["pattern", "pattern_type", "valid_from"],
        timestamps=["valid_from", "valid_until"],
        strings=["pattern", "pattern_type", "pattern_version"],
        string_lists=["indicator_types"],
        ordered=(("valid_from", "valid_until", True),),
    ),
    _make(
        "infrastructure",
        "sdo",
        "_jo3k1o6lr9",
        ["name"],
        timestamps=["first_seen", "last_seen"],
        string_lists=["infrastructure_types", "aliases"],
        ordered=_SEEN,
    ),
    _make(
        "intrusion-set",
        "sdo",
        "_5ol9xlbbnrdn",
        ["name"],
        timestamps=["first_seen", "last_seen"],
        strings=["resource_level", "primary_motivation"],
        string_lists=["aliases", "goals", "secondary_motivations"],
        ordered=_SEEN,
    ),
    _make(
        "location",
        "sdo",
        "_th8nitr8jb4k",
        strings=[
            "region",
            "country",
            "administrative_area",
            "city",
            "street_address",
            "postal_code",
        ],
        floats={"latitude": (-90.0, 90.0), "longitude": (-180.0, 180.0), "precision": (0, None)},
    ),
    _make(
        "malware",
        "sdo",
        "_s5l7katgbp09",
        ["is_family"],
        timestamps=["first_seen", "last_seen"],
        booleans=["is_family"],
        string_lists=[
            "malware_types",
            "aliases",
            "architecture_execution_envs",
            "implementation_languages",
            "capabilities",
        ],
        refs={"operating_system_refs": _SOFTWARE, "sample_refs": frozenset({"file", "artifact"})},
        ordered=_SEEN,
    ),
    _make(
        "malware-analysis",
        "sdo",
        "_6hdrixb3ua4j",
        ["product"],
        timestamps=["submitted", "analysis_started", "analysis_ended"],
        strings=[
            "product",
            "version",
            "configuration_version",
            "analysis_engine_version",
            "analysis_definition_version",
            "result_name",
            "result",
        ],
        string_lists=["modules"],
        refs={
            "host_vm_ref": _SOFTWARE,
            "operating_system_ref": _SOFTWARE,
            "installed_software_refs": _SOFTWARE,
            "analysis_sco_refs": _ANY,
            "sample_ref": frozenset({"file", "network-traffic", "artifact"}),
        },
    ),
    _make(
        "note",
        "sdo",
        "_gudodcg1sbb9",
        ["content", "object_refs"],
        strings=["abstract", "content"],
        string_lists=["authors"],
        refs={"object_refs": _ANY},
    ),
    _make(
        "observed-data",
        "sdo",
        "_p49j1fwoxldc",
        ["first_observed", "last_observed", "number_observed"],
        timestamps=["first_observed", "last_observed"],
        integers={"number_observed": (1, _MAX_COUNT)},
        dicts=["objects"],
        refs={"object_refs": _ANY},
        ordered=(("first_observed", "last_observed", False),),
    ),
    _make(
        "opinion",
        "sdo",
        "_ht1vtzfbtzda",
        ["opinion", "object_refs"],
        strings=["explanation", "opinion"],
        string_lists=["authors"],
        refs={"object_refs": _ANY},
    ),
    _make(
        "report",
        "sdo",
        "_n8bjzg1ysgdq",
        ["name", "published", "object_refs"],
        timestamps=["published"],
        string_lists=["report_types"],
        refs={"object_refs": _ANY},
    ),
    _make(
        "threat-actor",
        "sdo",
        "_k017w16zutw",
        ["name"],
        timestamps=["first_seen", "last_seen"],
        strings=["sophistication", "resource_level", "primary_motivation"],
        string_lists=[
            "threat_actor_types",
            "aliases",
            "roles",
            "goals",
            "personal_motivations",
            "secondary_motivations",
        ],
        ordered=_SEEN,
    ),
    _make(
        "tool",
        "sdo",
        "_z4voa9ndw8v",
        ["name"],
        strings=["tool_version"],
        string_lists=["tool_types", "aliases"],
    ),
    _make("vulnerability", "sdo", "_q5ytzmajn6re", ["name"]),
    # --- Section 5: STIX Relationship Objects -------------------------------------------
    _make(
        "relationship",
        "sro",
        "_e2e1szrqfoan",
        ["relationship_type", "source_ref", "target_ref"],
        timestamps=["start_time", "stop_time"],
        strings=["relationship_type"],
        refs={"source_ref": _ANY, "target_ref": _ANY},
        ordered=(("start_time", "stop_time", True),),
    ),
    _make(
        "sighting",
        "sro",
        "_a795guqsap3r",
        ["sighting_of_ref"],
        timestamps=["first_seen", "last_seen"],
        booleans=["summary"],
        integers={"count": (0, _MAX_COUNT)},
        refs={
            "sighting_of_ref": _ANY,  # "an SDO": checked against the category in validation
            "observed_data_refs": frozenset({"observed-data"}),
            "where_sighted_refs": frozenset({"identity", "location"}),
        },
        ordered=_SEEN,
    ),
    # --- Section 6: STIX Cyber-observable Objects ---------------------------------------
    _make(
        "artifact",
        "sco",
        "_4jegwl6ojbes",
        strings=["mime_type", "payload_bin", "url", "encryption_algorithm", "decryption_key"],
        dicts=["hashes"],
    ),
    _make(
        "autonomous-system",
        "sco",
        "_27gux0aol9e3",
        ["number"],
        integers={"number": (None, None)},
        strings=["rir"],
    ),
    _make(
        "directory",
        "sco",
        "_lyvpga5hlw52",
        ["path"],
        timestamps=["ctime", "mtime", "atime"],
        strings=["path", "path_enc"],
        refs={"contains_refs": frozenset({"file", "directory"})},
    ),
    _make(
        "domain-name",
        "sco",
        "_prhhksbxbg87",
        ["value"],
        strings=["value"],
        refs={"resolves_to_refs": frozenset({"ipv4-addr", "ipv6-addr", "domain-name"})},
    ),
    _make(
        "email-addr",
        "sco",
        "_wmenahkvqmgj",
        ["value"],
        strings=["value", "display_name"],
        refs={"belongs_to_ref": _USER},
    ),
    _make(
        "email-message",
        "sco",
        "_grboc7sq5514",
        ["is_multipart"],
        timestamps=["date"],
        booleans=["is_multipart"],
        strings=["content_type", "message_id", "subject", "body"],
        string_lists=["received_lines"],
        dicts=["additional_header_fields"],
        dict_lists=["body_multipart"],
        refs={
            "from_ref": _EMAIL_ADDR,
            "sender_ref": _EMAIL_ADDR,
            "to_refs": _EMAIL_ADDR,
            "cc_refs": _EMAIL_ADDR,
            "bcc_refs": _EMAIL_ADDR,
            "raw_email_ref": _ARTIFACT,
        },
    ),
    _make(
        "file",
        "sco",
        "_99bl2dibcztv",
        timestamps=["ctime", "mtime", "atime"],
        integers={"size": (0, None)},
        strings=["name_enc", "magic_number_hex", "mime_type"],
        dicts=["hashes"],
        refs={
            "parent_directory_ref": frozenset({"directory"}),
            "contains_refs": _ANY,
            "content_ref": _ARTIFACT,
        },
    ),
    _make(
        "ipv4-addr",
        "sco",
        "_ki1ufj1ku8s0",
        ["value"],
        strings=["value"],
        refs={
            "resolves_to_refs": frozenset({"mac-addr"}),
            "belongs_to_refs": frozenset({"autonomous-system"}),
        },
    ),
    _make(
        "ipv6-addr",
        "sco",
        "_oeggeryskriq",
        ["value"],
        strings=["value"],
        refs={
            "resolves_to_refs": frozenset({"mac-addr"}),
            "belongs_to_refs": frozenset({"autonomous-system"}),
        },
    ),
    _make("mac-addr", "sco", "_f92nr9plf58y", ["value"], strings=["value"]),
    _make("mutex", "sco", "_84hwlkdmev1w", ["name"]),
    _make(
        "network-traffic",
        "sco",
        "_rgnc3w40xy",
        ["protocols"],
        timestamps=["start", "end"],
        booleans=["is_active"],
        integers={
            "src_port": (0, 65535),
            "dst_port": (0, 65535),
            "src_byte_count": (0, None),
            "dst_byte_count": (0, None),
            "src_packets": (0, None),
            "dst_packets": (0, None),
        },
        string_lists=["protocols"],
        dicts=["ipfix"],
        refs={
            "src_ref": _ADDRESSES,
            "dst_ref": _ADDRESSES,
            "src_payload_ref": _ARTIFACT,
            "dst_payload_ref": _ARTIFACT,
            "encapsulates_refs": _TRAFFIC,
            "encapsulated_by_ref": _TRAFFIC,
        },
        ordered=(("start", "end", False),),
    ),
    _make(
        "process",
        "sco",
        "_hpppnm86a1jm",
        timestamps=["created_time"],
        booleans=["is_hidden"],
        integers={"pid": (None, None)},
        strings=["cwd", "command_line"],
        dicts=["environment_variables"],
        refs={
            "opened_connection_refs": _TRAFFIC,
            "creator_user_ref": _USER,
            "image_ref": frozenset({"file"}),
            "parent_ref": frozenset({"process"}),
            "child_refs": frozenset({"process"}),
        },
    ),
    _make(
        "software",
        "sco",
        "_7rkyhtkdthok",
        ["name"],
        strings=["cpe", "swid", "vendor", "version"],
        string_lists=["languages"],
    ),
    _make("url", "sco", "_ah3hict2dez0", ["value"], strings=["value"]),
    _make(
        "user-account",
        "sco",
        "_azo70vgj1vm2",
        timestamps=[
            "account_created",
            "account_expires",
            "credential_last_changed",
            "account_first_login",
            "account_last_login",
        ],
        booleans=["is_service_account", "is_privileged", "can_escalate_privs", "is_disabled"],
        strings=["user_id", "credential", "account_login", "account_type", "display_name"],
    ),
    _make(
        "windows-registry-key",
        "sco",
        "_luvw8wjlfo3y",
        timestamps=["modified_time"],
        integers={"number_of_subkeys": (0, None)},
        strings=["key"],
        dict_lists=["values"],
        refs={"creator_user_ref": _USER},
    ),
    _make(
        "x509-certificate",
        "sco",
        "_8abcy1o5x9w1",
        timestamps=["validity_not_before", "validity_not_after"],
        booleans=["is_self_signed"],
        integers={"subject_public_key_exponent": (None, None)},
        strings=[
            "version",
            "serial_number",
            "signature_algorithm",
            "issuer",
            "subject",
            "subject_public_key_algorithm",
            "subject_public_key_modulus",
        ],
        dicts=["hashes", "x509_v3_extensions"],
    ),
    # --- Section 7: meta objects ---------------------------------------------------------
    _make(
        "marking-definition",
        "meta",
        "_k5fndj2c7c1k",
        strings=["definition_type"],
        dicts=["definition"],
    ),
    _make(
        "language-content",
        "meta",
        "_z9r1cwtu8jja",
        ["object_ref", "contents"],
        timestamps=["object_modified"],
        dicts=["contents"],
        refs={"object_ref": _ANY},
    ),
    _make(
        "extension-definition",
        "meta",
        "_32j232tfvtly",
        ["created_by_ref", "name", "schema", "version", "extension_types"],
        strings=["schema", "version"],
        string_lists=["extension_types", "extension_properties"],
    ),
)

#: Every STIX 2.1 object type by name (a bundle is not an object, so it is absent).
TYPES: Mapping[str, TypeSpec] = {spec.name: spec for spec in _ALL}

#: What a custom (non-STIX) object type must at least follow: its category's common
#: properties.  Custom observables are those declared "new-sco" by an extension
#: (section 7.3); any other custom type is held to the SDO common properties.
CUSTOM_SDO = _make("(custom)", "sdo", "_32j232tfvtly", named=False)
CUSTOM_SCO = _make("(custom)", "sco", "_32j232tfvtly", named=False)

#: Names of the extensions STIX 2.1 itself defines (section 6), usable without an
#: extension-definition object.
PREDEFINED_EXTENSIONS = frozenset(
    {
        "archive-ext",
        "ntfs-ext",
        "pdf-ext",
        "raster-image-ext",
        "windows-pebinary-ext",
        "http-request-ext",
        "icmp-ext",
        "socket-ext",
        "tcp-ext",
        "windows-process-ext",
        "windows-service-ext",
        "unix-account-ext",
    }
)
