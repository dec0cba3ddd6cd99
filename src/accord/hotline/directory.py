"""The Points-of-Contact directory: who to reach in each state, and how.

A point of contact is a STIX ``identity`` (an individual) with Accord's property
extension: the state, the role (diplomatic/policy or technical), the organisation it
acts for, languages, working hours and time zone, channels, and the organisation's
Ed25519 public key, which is how a receiving node knows a hotline message is genuine.
Entries are TLP:AMBER, given to the organisations named (by default every organisation
this node knows), so federation carries the directory to them.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from accord.attribution.places import country_code
from accord.errors import InvalidObject, NotFound
from accord.signing import exchange_key, exchange_public_text, private_key, public_key_text
from accord.stix.timestamps import now_timestamp
from accord.stix.tlp import Tlp
from accord.store import ImportOptions, ObjectQuery, Store, import_objects, visible
from accord.store.extensions import declare, definition
from accord.store.identity import Organisation, get_organisation, list_organisations

POC_EXTENSION = "extension-definition--4c7a9e1b-2d3f-4a5b-8c6d-7e8f9a0b1c2d"
ROLES = ("diplomatic", "technical")


@dataclass
class Contact:
    name: str
    state: str
    role: str
    organisation_ref: str
    public_key: str
    languages: list[str] = field(default_factory=list)
    hours: str = "08:00-18:00"
    time_zone: str = "UTC"
    channels: list[str] = field(default_factory=list)
    id: str = ""
    encryption_key: str = ""  # the organisation's X25519 key, for sealed messages


DEFINITION = definition(
    POC_EXTENSION,
    "Accord point of contact",
    "Properties: state (ISO 3166), role (diplomatic or technical), organisation_ref, "
    "languages, hours (HH:MM-HH:MM, local), time_zone (IANA), channels, public_key (the "
    "organisation's Ed25519 key, base64).",
    ["property-extension"],
)


def add_contact(
    store: Store,
    home: Path,
    org: Organisation,
    contact: Contact,
    share_with: list[str] | None = None,
) -> dict[str, Any]:
    """Publish a point of contact of ``org`` (the key is the organisation's, made if new),
    given to the organisations named, or by default to every one this node knows."""
    where = contact.name or "contact"
    code = country_code(contact.state)
    if code is None:
        raise InvalidObject(where, "state", f"{contact.state!r} is no country")
    if contact.role not in ROLES:
        raise InvalidObject(where, "role", f"one of {', '.join(ROLES)}")
    if not re.fullmatch(r"\d{2}:\d{2}-\d{2}:\d{2}", contact.hours):
        raise InvalidObject(where, "hours", "HH:MM-HH:MM in the contact's local time")
    try:
        ZoneInfo(contact.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidObject(where, "time_zone", f"{contact.time_zone!r} is no IANA zone") from None
    stamp = now_timestamp()
    contact.id = f"identity--{uuid.uuid4()}"
    contact.state, contact.organisation_ref = code, org.id
    contact.public_key = public_key_text(private_key(home, org.id))
    contact.encryption_key = exchange_public_text(exchange_key(home, org.id))
    obj = {
        "type": "identity",
        "spec_version": "2.1",
        "id": contact.id,
        "created": stamp,
        "modified": stamp,
        "created_by_ref": org.id,
        "name": contact.name,
        "identity_class": "individual",
        "roles": [contact.role],
        "extensions": {
            POC_EXTENSION: {
                "extension_type": "property-extension",
                "state": code,
                "role": contact.role,
                "organisation_ref": org.id,
                "languages": contact.languages,
                "hours": contact.hours,
                "time_zone": contact.time_zone,
                "channels": contact.channels,
                "public_key": contact.public_key,
                "encryption_key": contact.encryption_key,
            }
        },
    }
    if share_with is None:  # the default: every organisation this node knows
        with store.read() as connection:
            share_with = [o.id for o in list_organisations(connection)]
    recipients = frozenset(share_with) - {org.id}
    options = ImportOptions(
        org=org, recipients=recipients, communities=frozenset(), unmarked_tlp=Tlp.AMBER
    )
    declare(store, org, [DEFINITION])
    import_objects(store, [obj], f"point of contact {contact.name}", options)
    return obj


def contacts(store: Store, org: Organisation, state: str | None = None) -> list[Contact]:
    """The points of contact ``org`` may see (of one state, if named)."""
    found = []
    for version in visible(store, org.id, ObjectQuery(types=["identity"])):
        data = (version.body.get("extensions") or {}).get(POC_EXTENSION)
        if not isinstance(data, dict):
            continue
        if state and data.get("state") != (country_code(state) or state):
            continue
        found.append(
            Contact(
                name=str(version.body.get("name", "")),
                state=str(data.get("state")),
                role=str(data.get("role")),
                organisation_ref=str(data.get("organisation_ref")),
                public_key=str(data.get("public_key")),
                languages=list(data.get("languages") or []),
                hours=str(data.get("hours")),
                time_zone=str(data.get("time_zone")),
                channels=list(data.get("channels") or []),
                id=version.id,
                encryption_key=str(data.get("encryption_key") or ""),
            )
        )
    return found


def known_keys(store: Store, org: Organisation) -> dict[str, set[str]]:
    """Organisation id → the public keys its points of contact publish."""
    return keys_of(contacts(store, org))


def keys_of(found: list[Contact]) -> dict[str, set[str]]:
    """Organisation id → the public keys these points of contact publish."""
    keys: dict[str, set[str]] = {}
    for contact in found:
        keys.setdefault(contact.organisation_ref, set()).add(contact.public_key)
    return keys


def encryption_keys(store: Store, org: Organisation) -> dict[str, str]:
    """Organisation id → the X25519 key its points of contact publish."""
    return {c.organisation_ref: c.encryption_key for c in contacts(store, org) if c.encryption_key}


def recipient_of(store: Store, org: Organisation, to: str, template: str) -> tuple[str, str | None]:
    """The organisation to send to (``to`` names it, or a state), and the point of
    contact: none when an organisation is named, else the state's technical one for
    notifications, requests for assistance and pings, its diplomatic one otherwise."""
    with store.read() as connection:
        try:
            return get_organisation(connection, to).id, None
        except NotFound:
            pass
    found = contacts(store, org, to)
    if not found:
        raise NotFound("point of contact for", to)
    technical = template in ("incident-notification", "request-for-assistance", "ping")
    preferred = "technical" if technical else "diplomatic"
    found.sort(key=lambda c: c.role != preferred)
    return found[0].organisation_ref, found[0].id
