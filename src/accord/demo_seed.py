"""The demo's second organisation and what the two exchanged, so that every page of the
UI shows something on first start: points of contact, a hotline exchange (one message
answered, one waiting), a ping round, a report with indicators shared by the partner,
sightings of them, an attribution assessment, a joint statement in draft, and one
TLP:RED note the partner must never see.

Everything here is exercise data and says so: the indicators use the documentation
address ranges (RFC 5737) and ``.example`` names (RFC 2606), and nothing is attributed
to a real actor except by the attribution engine, from ATT&CK's public knowledge.
"""

from __future__ import annotations

import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from accord.attribution.evidence import parse_evidence
from accord.attribution.report import ASSESSMENT, assessment_objects
from accord.attribution.sources import assessor_for
from accord.config import Settings
from accord.correlate.inputs import observed_in
from accord.correlate.run import correlate
from accord.diplomacy.registry import incidents
from accord.diplomacy.statements import draft_statement
from accord.hotline.directory import Contact, add_contact
from accord.hotline.messages import acknowledge, inbox, send, send_receipts
from accord.hotline.pings import start_round
from accord.stix.timestamps import format_timestamp
from accord.stix.tlp import Tlp
from accord.store import ImportOptions, Store, import_objects
from accord.store.identity import Organisation, add_organisation, add_user

PARTNER_ORG = "Demo Partner CERT"
PARTNER_USER = "partner"
SEEDED_SETTING = "demo.partner"
#: the exercise's indicator values: documentation ranges and names, never real ones
EXERCISE_VALUES = {
    "ipv4-addr:value": ["198.51.100.23", "203.0.113.77"],
    "domain-name:value": ["update-check.example"],
}


@dataclass
class Partner:
    org: Organisation
    password: str


def seed_partner(settings: Settings, store: Store, home_org: Organisation) -> Partner | None:
    """Create the partner and the exchange once; None when it was done before."""
    with store.write() as connection:
        if store.get_setting(connection, SEEDED_SETTING) is not None:
            return None
        partner = add_organisation(connection, PARTNER_ORG)
        password = add_user(connection, PARTNER_USER, partner)
        store.set_setting(connection, SEEDED_SETTING, partner.id)
    home = settings.home
    _contacts(store, home, home_org, partner)
    report = _shared_report(store, partner, home_org)
    _hotline(store, home, home_org, partner, report)
    _sightings(store, home_org)
    _red_note(store, home_org)
    notpetya = _incident_named(store, home_org, "NotPetya")
    _assessment(store, home_org, notpetya)
    if notpetya:
        draft_statement(
            store, home_org, "Joint statement on NotPetya (exercise draft)",
            "Our governments, with partners, hold the actor behind NotPetya responsible "
            "for a reckless and indiscriminate operation (exercise text).",
            [partner.id], format_timestamp(datetime.now(UTC) + timedelta(days=7)), notpetya,
        )  # fmt: skip
    return Partner(partner, password)


def _contacts(store: Store, home: Path, ours: Organisation, partner: Organisation) -> None:
    both = [ours.id, partner.id]
    for org, contact in (
        (ours, Contact("Demo duty officer", "NL", "technical", ours.id, "", ["en", "nl"],
                       "08:00-18:00", "Europe/Amsterdam", ["email:duty@cert.example"])),
        (ours, Contact("Demo cyber envoy's office", "NL", "diplomatic", ours.id, "", ["en"],
                       "09:00-17:00", "Europe/Amsterdam", ["phone:+31-70-000-0000"])),
        (partner, Contact("Partner duty officer", "EE", "technical", partner.id, "",
                          ["en", "et"], "08:00-18:00", "Europe/Tallinn",
                          ["email:duty@partner.example"])),
    ):  # fmt: skip
        add_contact(store, home, org, contact, both)


def _shared_report(store: Store, partner: Organisation, ours: Organisation) -> str:
    """The partner's exercise report with its indicators, TLP:AMBER, given to us."""
    stamp = format_timestamp(datetime.now(UTC))
    common = {"spec_version": "2.1", "created": stamp, "modified": stamp,
              "created_by_ref": partner.id}  # fmt: skip
    indicators = [
        {
            "type": "indicator",
            "id": f"indicator--{uuid.uuid4()}",
            **common,
            "name": f"Exercise phishing infrastructure {value}",
            "pattern": f"[{path} = '{value}']",
            "pattern_type": "stix",
            "valid_from": stamp,
            "indicator_types": ["malicious-activity"],
        }
        for path, values in EXERCISE_VALUES.items()
        for value in values
    ]
    report = {
        "type": "report",
        "id": f"report--{uuid.uuid4()}",
        **common,
        "name": "Exercise: phishing wave against foreign ministries (demo data)",
        "description": "Exercise data for the demo: the addresses are documentation ranges "
        "(RFC 5737) and the domain an .example name (RFC 2606).",
        "report_types": ["campaign"],
        "published": stamp,
        "object_refs": [i["id"] for i in indicators],
    }
    options = ImportOptions(
        org=partner, recipients=frozenset({ours.id}), communities=frozenset(),
        unmarked_tlp=Tlp.AMBER,
    )  # fmt: skip
    import_objects(store, [*indicators, report], "demo: partner's exercise report", options)
    return str(report["id"])


def _hotline(
    store: Store, home: Path, ours: Organisation, partner: Organisation, report: str
) -> None:
    now = datetime.now(UTC)
    # We asked; the partner received, answered and acknowledged.
    question = send(
        store, home, ours, partner.id, "request-for-information",
        {"question": "Have the exercise indicators been seen in your networks?"},
        [report], now=now - timedelta(hours=5),
    )  # fmt: skip
    send_receipts(store, home, partner, now - timedelta(hours=5))
    send(store, home, partner, ours.id, "response",
         {"text": "Two hosts contacted 203.0.113.77; both are isolated (exercise)."},
         [report], in_reply_to=question["id"], now=now - timedelta(hours=4))  # fmt: skip
    # The partner notifies us of an incident; it waits for our answer, deadline ahead.
    send(
        store, home, partner, ours.id, "incident-notification",
        {"summary": "Exercise: denial of service against government portals",
         "severity": "high", "observed_at": format_timestamp(now - timedelta(hours=2))},
        [report], now=now - timedelta(hours=1),
    )  # fmt: skip
    # A ping round to the partner, acknowledged within minutes.
    start_round(store, home, ours, ["EE"], now=now - timedelta(hours=3))
    send_receipts(store, home, partner, now - timedelta(hours=3))
    for message in _pings_to(store, partner):
        acknowledge(store, home, partner, message, now - timedelta(hours=3) + timedelta(minutes=4))


def _pings_to(store: Store, org: Organisation) -> list[str]:
    return [r.message["id"] for r in inbox(store, org) if r.message["template"] == "ping"]


def _sightings(store: Store, ours: Organisation) -> None:
    """Our firewall log of the exercise: two lines hit the partner's indicators."""
    lines = [
        {"ts": "2026-11-20T08:14:03Z", "dst": "203.0.113.77", "host": "portal.gov.example"},
        {"ts": "2026-11-20T08:15:41Z", "dst": "192.0.2.10", "host": "www.example"},
        {"ts": "2026-11-20T09:02:17Z", "dst": "192.0.2.11", "host": "update-check.example"},
    ]
    mapping = {"dst": "ipv4-addr:value", "host": "domain-name:value"}
    with tempfile.TemporaryDirectory(prefix="accord-demo-") as folder:
        log = Path(folder) / "firewall.jsonl"
        log.write_bytes(b"\n".join(orjson.dumps(line) for line in lines) + b"\n")
        correlate(store, ours, observed_in(log, "jsonl", mapping), "demo: exercise firewall log")


def _red_note(store: Store, ours: Organisation) -> None:
    stamp = format_timestamp(datetime.now(UTC))
    note = {
        "type": "note",
        "spec_version": "2.1",
        "id": f"note--{uuid.uuid4()}",
        "created": stamp,
        "modified": stamp,
        "created_by_ref": ours.id,
        "abstract": "Internal: response options under consideration (demo)",
        "content": "For our organisation only: TLP:RED (exercise text).",
        "object_refs": [ours.id],
    }
    options = ImportOptions(org=ours, communities=frozenset(), unmarked_tlp=Tlp.RED)
    import_objects(store, [note], "demo: internal note", options)


def _incident_named(store: Store, org: Organisation, name: str) -> str | None:
    for identifier, record in incidents(store, org).items():
        if record.name.lower().startswith(name.lower()):
            return identifier
    return None


def _assessment(store: Store, ours: Organisation, incident: str | None) -> None:
    """An assessment from ATT&CK's public knowledge of NotPetya's tooling."""
    evidence = parse_evidence(
        {"id": "NotPetya (demo)", "software": ["NotPetya"],
         "techniques": ["T1486", "T1210", "T1003.001"]},
        "demo evidence",
    )  # fmt: skip
    assessor = assessor_for(store, ours, None)
    result = assessor.assess(evidence, 5)
    objects = assessment_objects(result, ours.id, incident)
    import_objects(store, objects, "demo: attribution", ASSESSMENT(ours))
