"""Valid STIX 2.1 objects of every type, built with the stix2 library.

Built by the field's reference library and serialised to plain JSON, so the validator is
tested against objects it did not make itself.  Ids and timestamps are fixed so that
failures are reproducible.
"""

from __future__ import annotations

import json
from typing import Any

import stix2

IDENTITY = "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff"
TLP2_GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
TLP2_RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
TLP1_AMBER = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
CREATED = "2024-03-01T10:00:00.000Z"
MODIFIED = "2024-03-02T11:30:00.123Z"
SHA256 = "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f"


def _common(n: int) -> dict[str, Any]:
    return {
        "created": CREATED,
        "modified": MODIFIED,
        "created_by_ref": IDENTITY,
        "object_marking_refs": [TLP2_GREEN],
        "id": f"{{}}--00000000-0000-4000-8000-{n:012d}",
    }


def _sdo(cls: Any, n: int, **props: Any) -> dict[str, Any]:
    common = _common(n)
    common["id"] = common["id"].format(cls._type)
    return json.loads(cls(**common, **props).serialize())  # type: ignore[no-any-return]


def _sco(obj: Any) -> dict[str, Any]:
    return json.loads(obj.serialize())  # type: ignore[no-any-return]


def domain_objects() -> list[dict[str, Any]]:
    """One of each of the 19 SDOs, plus the two SROs."""
    ind = "indicator--00000000-0000-4000-8000-000000000007"
    ipv4 = "ipv4-addr--00000000-0000-4000-8000-000000000101"
    return [
        _sdo(
            stix2.AttackPattern,
            1,
            name="Spearphishing",
            external_references=[{"source_name": "capec", "external_id": "CAPEC-163"}],
        ),
        _sdo(
            stix2.Campaign,
            2,
            name="Operation X",
            first_seen="2023-01-01T00:00:00Z",
            last_seen="2023-06-01T00:00:00Z",
            aliases=["Op X"],
        ),
        _sdo(stix2.CourseOfAction, 3, name="Block the domain"),
        _sdo(stix2.Grouping, 4, context="suspicious-activity", object_refs=[ind]),
        _sdo(
            stix2.Identity, 5, name="CERT-X", identity_class="organization", sectors=["government"]
        ),
        _sdo(stix2.Incident, 6, name="Breach at ministry"),
        _sdo(
            stix2.Indicator,
            7,
            name="evil domain",
            pattern_type="stix",
            pattern="[domain-name:value = 'evil.example']",
            valid_from=CREATED,
            indicator_types=["malicious-activity"],
            labels=["phishing"],
            confidence=80,
            kill_chain_phases=[
                {"kill_chain_name": "lockheed-martin-cyber-kill-chain", "phase_name": "delivery"}
            ],
        ),
        _sdo(
            stix2.Infrastructure, 8, name="C2 server", infrastructure_types=["command-and-control"]
        ),
        _sdo(stix2.IntrusionSet, 9, name="APT-Z", goals=["espionage"]),
        _sdo(stix2.Location, 10, latitude=48.85, longitude=2.35, precision=100.0),
        _sdo(
            stix2.Malware, 11, name="BadRAT", is_family=True, malware_types=["remote-access-trojan"]
        ),
        _sdo(stix2.MalwareAnalysis, 12, product="sandbox", result="malicious"),
        _sdo(stix2.Note, 13, content="Seen again", object_refs=[ind], authors=["analyst"]),
        _sdo(
            stix2.ObservedData,
            14,
            first_observed=CREATED,
            last_observed=MODIFIED,
            number_observed=3,
            object_refs=[ipv4],
        ),
        _sdo(stix2.Opinion, 15, opinion="agree", object_refs=[ind]),
        _sdo(
            stix2.Report,
            16,
            name="Quarterly",
            published=MODIFIED,
            object_refs=[ind],
            report_types=["threat-report"],
        ),
        _sdo(stix2.ThreatActor, 17, name="Group Q", threat_actor_types=["nation-state"]),
        _sdo(stix2.Tool, 18, name="mimikatz", tool_types=["credential-exploitation"]),
        _sdo(
            stix2.Vulnerability,
            19,
            name="CVE-2021-44228",
            external_references=[{"source_name": "cve", "external_id": "CVE-2021-44228"}],
        ),
        _sdo(
            stix2.Relationship,
            20,
            relationship_type="indicates",
            source_ref=ind,
            target_ref="malware--00000000-0000-4000-8000-000000000011",
        ),
        _sdo(
            stix2.Sighting,
            21,
            sighting_of_ref=ind,
            count=2,
            where_sighted_refs=[IDENTITY],
            first_seen=CREATED,
            last_seen=MODIFIED,
        ),
    ]


def observables() -> list[dict[str, Any]]:
    """One of each of the 18 SCOs."""
    ipv4 = stix2.IPv4Address(value="198.51.100.7")
    ipv6 = stix2.IPv6Address(value="2001:db8::7")
    mac = stix2.MACAddress(value="00:00:5e:00:53:01")
    email = stix2.EmailAddress(value="a@example.org", display_name="A")
    traffic = stix2.NetworkTraffic(src_ref=ipv4.id, protocols=["tcp"], dst_port=443)
    account = stix2.UserAccount(user_id="1001", account_login="alice")
    return [
        _sco(o)
        for o in (
            stix2.Artifact(mime_type="text/plain", payload_bin="aGVsbG8="),
            stix2.AutonomousSystem(number=64500, name="Example AS"),
            stix2.Directory(path="/tmp"),
            stix2.DomainName(value="evil.example", resolves_to_refs=[ipv4.id]),
            email,
            stix2.EmailMessage(is_multipart=False, subject="hi", from_ref=email.id, body="hello"),
            stix2.File(name="a.exe", hashes={"SHA-256": SHA256}),
            ipv4,
            ipv6,
            mac,
            stix2.Mutex(name="Global\\\\evil"),
            traffic,
            stix2.Process(pid=4242, command_line="evil.exe -x"),
            stix2.Software(name="Word", vendor="Microsoft", version="16"),
            stix2.URL(value="https://evil.example/x"),
            account,
            stix2.WindowsRegistryKey(key="HKEY_LOCAL_MACHINE\\\\System\\\\Foo"),
            stix2.X509Certificate(issuer="CN=Example CA", serial_number="01"),
        )
    ]


def meta_objects() -> list[dict[str, Any]]:
    """A statement marking, a language content, an extension definition."""
    ind = "indicator--00000000-0000-4000-8000-000000000007"
    return [
        _sco(
            stix2.MarkingDefinition(
                id="marking-definition--00000000-0000-4000-8000-000000000031",
                created=CREATED,
                definition_type="statement",
                definition={"statement": "Copyright Example"},
                created_by_ref=IDENTITY,
            )
        ),
        _sco(
            stix2.LanguageContent(
                id="language-content--00000000-0000-4000-8000-000000000032",
                created=CREATED,
                modified=MODIFIED,
                object_ref=ind,
                object_modified=MODIFIED,
                contents={"fr": {"name": "domaine malveillant"}},
            )
        ),
        _sco(
            stix2.ExtensionDefinition(
                id="extension-definition--00000000-0000-4000-8000-000000000033",
                created=CREATED,
                modified=MODIFIED,
                created_by_ref=IDENTITY,
                name="ext",
                schema="https://example.org/schema.json",
                version="1.0.0",
                extension_types=["property-extension"],
            )
        ),
    ]


def all_objects() -> list[dict[str, Any]]:
    return domain_objects() + observables() + meta_objects()
