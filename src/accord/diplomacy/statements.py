"""Joint attribution statements: drafted by a lead state, co-signed by partners.

The lead drafts a statement (an ``x-accord-joint-statement``, a STIX object declared by
an extension definition) on an incident and names its partners. The draft is given to
them only (TLP:AMBER+STRICT, the partners as recipients), on this node or, through
federation, on theirs. Each partner answers with a signed ``opinion`` on the draft:
``agree`` (it co-signs) or ``disagree`` (it declines), its Ed25519 signature covering
the canonical statement and the decision. At or after the embargo the lead publishes:
a new version of the statement, TLP:CLEAR, carrying every signature with the public key
that made it, so that anyone can check it offline (``verify_statement``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from accord import audit
from accord.errors import Forbidden, InvalidObject, NotFound
from accord.hotline.directory import known_keys
from accord.signing import (
    canonical,
    fingerprint,
    local_public_key,
    private_key,
    public_key_text,
    sign,
    verify,
)
from accord.stix.timestamps import format_timestamp, normalize_timestamp, now_timestamp
from accord.stix.tlp import Tlp, marking_id
from accord.store import ImportOptions, ObjectQuery, Store, import_objects, visible
from accord.store.extensions import declare, definition
from accord.store.identity import Organisation, list_organisations

STATEMENT = "x-accord-joint-statement"
STATEMENT_EXTENSION = "extension-definition--8f1c2d3e-4b5a-4c6d-9e7f-0a1b2c3d4e5f"
SIGNATURE_EXTENSION = "extension-definition--1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6"
DECISIONS = {"signed": "agree", "declined": "disagree"}


DEFINITIONS = [
    definition(
        STATEMENT_EXTENSION,
        "Accord joint statement",
        "Properties: name, text, incident_ref, partner_refs (identities), embargo, status "
        "(draft or published), published, signatures (identity_ref, decision, public_key, "
        "signature, signed: Ed25519 over the canonical statement).",
        ["new-sdo"],
    ),
    definition(
        SIGNATURE_EXTENSION,
        "Accord statement signature",
        "On an opinion about a joint statement: decision (signed or declined), public_key, "
        "signature (Ed25519, base64), signed (timestamp).",
        ["property-extension"],
    ),
]


def signed_message(statement: dict[str, Any], decision: str) -> bytes:
    """What a signatory signs: the statement's content, and its decision."""
    return canonical(
        {
            "statement": statement["id"],
            "name": statement["name"],
            "text": statement["text"],
            "incident_ref": statement.get("incident_ref"),
            "lead": statement["created_by_ref"],
            "partners": sorted(statement["partner_refs"]),
            "embargo": statement["embargo"],
            "decision": decision,
        }
    )


def signature_holds(
    statement: dict[str, Any], decision: str, public_key: str, signature: str
) -> bool:
    """Does ``signature`` under ``public_key`` sign this decision on this statement?"""
    return verify(public_key, signature, signed_message(statement, decision))


def draft_statement(
    store: Store,
    lead: Organisation,
    name: str,
    text: str,
    partners: list[str],
    embargo: str,
    incident_ref: str | None = None,
) -> dict[str, Any]:
    """Store a draft, given to the partners (identity ids) only."""
    if not text.strip():
        raise InvalidObject(None, "text", "a statement needs its text")
    if not partners:
        raise InvalidObject(None, "partner_refs", "a joint statement needs partners")
    stamp = now_timestamp()
    statement: dict[str, Any] = {
        "type": STATEMENT,
        "spec_version": "2.1",
        "id": f"{STATEMENT}--{uuid.uuid4()}",
        "created": stamp,
        "modified": stamp,
        "created_by_ref": lead.id,
        "name": name,
        "text": text,
        "partner_refs": sorted(set(partners) - {lead.id}),
        "embargo": normalize_timestamp(embargo),
        "status": "draft",
        "object_marking_refs": [marking_id(Tlp.AMBER_STRICT)],  # strict on every node
        "extensions": {STATEMENT_EXTENSION: {"extension_type": "new-sdo"}},
    }
    if incident_ref:
        statement["incident_ref"] = incident_ref
    options = ImportOptions(
        org=lead,
        recipients=frozenset(statement["partner_refs"]),
        communities=frozenset(),
        unmarked_tlp=Tlp.AMBER_STRICT,
    )
    declare(store, lead, DEFINITIONS)
    import_objects(store, [statement], f"draft statement {name}", options)
    audit.record(store, lead.id, "statement-drafted", statement["id"], {"partners": partners})
    return statement


def statement(store: Store, org: Organisation, statement_id: str) -> dict[str, Any]:
    """The newest version of a statement that ``org`` may see."""
    for version in visible(store, org.id, ObjectQuery(types=[STATEMENT], ids=[statement_id])):
        return version.body
    raise NotFound("statement", statement_id)


def respond(
    store: Store,
    home: Path,
    org: Organisation,
    statement_id: str,
    decision: str,
    reason: str | None = None,
) -> dict[str, Any]:
    """A partner's signed answer to a draft: ``signed`` or ``declined``."""
    if decision not in DECISIONS:
        raise InvalidObject(statement_id, "decision", "signed or declined")
    draft = statement(store, org, statement_id)
    if org.id not in draft["partner_refs"]:
        raise Forbidden(f"{org.name} is not a partner of {statement_id}")
    if draft.get("status") == "published":
        raise Forbidden(f"{statement_id} is published already")
    key = private_key(home, org.id)
    stamp = now_timestamp()
    opinion: dict[str, Any] = {
        "type": "opinion",
        "spec_version": "2.1",
        "id": f"opinion--{uuid.uuid4()}",
        "created": stamp,
        "modified": stamp,
        "created_by_ref": org.id,
        "object_refs": [statement_id],
        "opinion": DECISIONS[decision],
        "object_marking_refs": [marking_id(Tlp.AMBER_STRICT)],
        "extensions": {
            SIGNATURE_EXTENSION: {"extension_type": "property-extension"}
            | _signature(None, decision, key, draft, stamp)
        },
    }
    if reason:
        opinion["explanation"] = reason
    options = ImportOptions(
        org=org,
        recipients=frozenset({draft["created_by_ref"]}),
        communities=frozenset(),
        unmarked_tlp=Tlp.AMBER_STRICT,
    )
    declare(store, org, DEFINITIONS)
    import_objects(store, [opinion], f"answer to {statement_id}", options)
    audit.record(store, org.id, f"statement-{decision}", statement_id, {"opinion": opinion["id"]})
    return opinion


def answers(store: Store, org: Organisation, statement_id: str) -> dict[str, dict[str, Any]]:
    """Each partner's latest answer to the statement that ``org`` may see, by partner."""
    found: dict[str, dict[str, Any]] = {}
    for version in visible(store, org.id, ObjectQuery(types=["opinion"])):
        body = version.body
        if statement_id not in body.get("object_refs", []):
            continue
        if SIGNATURE_EXTENSION not in (body.get("extensions") or {}):
            continue
        held = found.get(body["created_by_ref"])
        if held is None or body["created"] > held["created"]:
            found[body["created_by_ref"]] = body
    return found


def publish(
    store: Store, home: Path, lead: Organisation, statement_id: str, now: datetime | None = None
) -> dict[str, Any]:
    """The published statement: TLP:CLEAR, the lead's signature and every partner's."""
    draft = statement(store, lead, statement_id)
    if draft["created_by_ref"] != lead.id:
        raise Forbidden(f"only the lead publishes {statement_id}")
    if draft.get("status") == "published":
        return draft
    moment = format_timestamp(now or datetime.now(UTC))
    if moment < draft["embargo"]:
        raise Forbidden(f"{statement_id} is under embargo until {draft['embargo']}")
    key = private_key(home, lead.id)
    signatures = [_signature(lead.id, "signed", key, draft, moment)]
    for partner, opinion in sorted(answers(store, lead, statement_id).items()):
        if partner not in draft["partner_refs"]:
            continue
        data = opinion["extensions"][SIGNATURE_EXTENSION]
        if not signature_holds(draft, data["decision"], data["public_key"], data["signature"]):
            continue  # a broken signature is no answer; the partner stays silent
        signatures.append(
            {
                "identity_ref": partner,
                "decision": data["decision"],
                "public_key": data["public_key"],
                "signature": data["signature"],
                "signed": data["signed"],
            }
        )
    published = {
        **draft,
        "modified": max(moment, _later(draft["modified"])),
        "status": "published",
        "published": moment,
        "signatures": signatures,
        "object_marking_refs": [marking_id(Tlp.CLEAR)],  # the draft was strict; this is public
    }
    options = ImportOptions(org=lead, communities=frozenset(), unmarked_tlp=Tlp.CLEAR)
    import_objects(store, [published], f"publication of {statement_id}", options)
    signed = [s["identity_ref"] for s in signatures if s["decision"] == "signed"]
    audit.record(store, lead.id, "statement-published", statement_id, {"signed": signed})
    return published


def _later(stamp: str) -> str:
    """A timestamp a millisecond after ``stamp`` (a new version must be newer)."""
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return format_timestamp(moment.replace(microsecond=min(moment.microsecond + 1000, 999999)))


def _signature(
    identity: str | None, decision: str, key: Any, draft: dict[str, Any], stamp: str
) -> dict[str, Any]:
    """A signature block (naming its signatory when ``identity`` is given: in a
    published statement, not in the signatory's own opinion)."""
    block = {
        "decision": decision,
        "public_key": public_key_text(key),
        "signature": sign(key, signed_message(draft, decision)),
        "signed": stamp,
    }
    return block if identity is None else {"identity_ref": identity, **block}


@dataclass(frozen=True)
class Check:
    identity_ref: str
    decision: str
    key: str  # the public key's fingerprint
    valid: bool
    reason: str


def verify_statement(obj: dict[str, Any], keys: dict[str, set[str]] | None) -> list[Check]:
    """Each signature of a published statement, checked against the statement's content
    and against the keys the parties publish (``keys``: identity → public keys). With
    ``keys`` None the keys that travel with the signatures are taken on trust, which
    proves only that the statement was not changed after those keys signed it. A
    statement that is not published, or lacks the lead's signature, fails."""
    if obj.get("type") != STATEMENT:
        raise InvalidObject(obj.get("id"), "type", f"not a {STATEMENT}")
    lead = str(obj.get("created_by_ref"))
    checks = []
    if obj.get("status") != "published":
        checks.append(Check(lead, "", "", False, "the statement is not published"))
    allowed = {lead, *obj.get("partner_refs", [])}
    for n, sig in enumerate(obj.get("signatures") or []):
        identity = str(sig.get("identity_ref"))
        decision = str(sig.get("decision"))
        key = str(sig.get("public_key", ""))
        if identity not in allowed:
            checks.append(Check(identity, decision, "", False, f"signatures[{n}]: not a party"))
            continue
        good = signature_holds(obj, decision, key, str(sig.get("signature", "")))
        reason = "valid" if good else f"signatures[{n}]: does not match the statement"
        if good and keys is not None and key not in keys.get(identity, set()):
            good, reason = False, f"signatures[{n}]: not a key this party publishes"
        checks.append(Check(identity, decision, fingerprint(key) if good else "", good, reason))
    if not any(c.identity_ref == lead and c.decision == "signed" and c.valid for c in checks):
        checks.append(Check(lead, "signed", "", False, "no valid signature of the lead"))
    return checks


def party_keys(store: Store, home: Path, org: Organisation) -> dict[str, set[str]]:
    """The keys this node vouches for: the directory's, and its own organisations'."""
    keys = known_keys(store, org)
    with store.read() as connection:
        for local in list_organisations(connection):
            key = local_public_key(home, local.id)
            if key:
                keys.setdefault(local.id, set()).add(key)
    return keys
