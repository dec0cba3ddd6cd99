"""Hotline messages: structured forms, signed by the sending organisation, delivered
over federation, acknowledged by signed messages, with a response deadline.

A message is an ``x-accord-hotline-message`` (declared by an extension definition),
given to the recipient organisation only (TLP:AMBER+STRICT), so that federation carries
it to the recipient's node and nowhere else. Its Ed25519 signature covers its canonical
content. On reading, a message is *genuine* only if the signature holds and the key is
one the sender's points of contact publish in the directory; otherwise it is shown as
rejected, with the reason, and the rejection is recorded in the audit chain.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from accord import audit
from accord.errors import Forbidden, InvalidObject, NotFound
from accord.hotline.directory import contacts, encryption_keys, known_keys, recipient_of
from accord.signing import (
    canonical,
    exchange_key,
    private_key,
    public_key_text,
    seal,
    sign,
    unseal,
    verify,
)
from accord.stix.timestamps import format_timestamp
from accord.stix.tlp import Tlp, marking_id
from accord.store import ImportOptions, ObjectQuery, Store, visible
from accord.store.extensions import declare, definition
from accord.store.identity import Organisation
from accord.store.importer import import_in

MESSAGE = "x-accord-hotline-message"
MESSAGE_EXTENSION = "extension-definition--6e5d4c3b-2a19-4f8e-9d7c-6b5a4f3e2d1c"

#: template → (required fields, hours to answer; None: no answer expected)
TEMPLATES: dict[str, tuple[tuple[str, ...], int | None]] = {
    "incident-notification": (("summary", "severity", "observed_at"), 24),
    "request-for-information": (("question",), 72),
    "request-for-assistance": (("assistance_needed", "critical_infrastructure"), 24),
    "response": (("text",), None),
    "acknowledgement": ((), None),
    "ping": (("round",), 2),
    "receipt": ((), None),  # sent by the receiving node on delivery, not by a person
}
ANSWERS = ("response", "acknowledgement")
#: what a person composes; an acknowledgement is made by ``acknowledge`` (which checks
#: that the message is genuine), a ping by ``start_round``, a receipt by the node
COMPOSED = ("incident-notification", "request-for-information", "request-for-assistance",
            "response")  # fmt: skip
REPLIES = (*ANSWERS, "receipt")


DEFINITION = definition(
    MESSAGE_EXTENSION,
    "Accord hotline message",
    "Properties: template, to_ref, form (the template's fields), references, in_reply_to, "
    "deadline, signature {public_key, signature: Ed25519 over the canonical message "
    "without its signature}.",
    ["new-sdo"],
)


def check_composed(template: str) -> None:
    """InvalidObject unless ``template`` is one a person sends by hand."""
    if template not in COMPOSED:
        raise InvalidObject(None, "template", f"one of {', '.join(COMPOSED)} (acknowledge a "
                            "message with ack, ping with a ping round)")  # fmt: skip


def compose(
    store: Store,
    home: Path,
    sender: Organisation,
    to: str,
    template: str,
    form: dict[str, Any],
    references: list[str] | None = None,
    in_reply_to: str | None = None,
    encrypt: bool = False,
) -> dict[str, Any]:
    """What a person sends (from the command line, the API or the page): a template one
    composes by hand, to a state or an organisation (``recipient_of``)."""
    check_composed(template)
    recipient, contact = recipient_of(store, sender, to, template)
    return send(store, home, sender, recipient, template, form, references, in_reply_to,
                to_contact=contact, encrypt=encrypt)  # fmt: skip


def check_form(template: str, form: dict[str, Any]) -> None:
    """InvalidObject naming the template or the first missing field."""
    if template not in TEMPLATES:
        raise InvalidObject(None, "template", f"one of {', '.join(TEMPLATES)}")
    for name in TEMPLATES[template][0]:
        value = form.get(name)
        if value is None or value == "":
            raise InvalidObject(template, f"form.{name}", "required by this template")
    if template == "request-for-assistance":
        form.setdefault("norm", "13(h)")  # what the request invokes


def _signed_content(message: dict[str, Any]) -> bytes:
    return canonical({k: v for k, v in message.items() if k != "signature"})


def send(
    store: Store,
    home: Path,
    sender: Organisation,
    to: str,
    template: str,
    form: dict[str, Any],
    references: list[str] | None = None,
    in_reply_to: str | None = None,
    now: datetime | None = None,
    to_contact: str | None = None,
    escalated_from: str | None = None,
    encrypt: bool = False,
) -> dict[str, Any]:
    """Sign and store a message for organisation ``to`` (an identity id), to one of its
    points of contact if named."""
    check_form(template, form)
    if template in REPLIES and not in_reply_to:
        raise InvalidObject(template, "in_reply_to", "an answer names the message it answers")
    moment = now or datetime.now(UTC)
    stamp = format_timestamp(moment)
    message: dict[str, Any] = {
        "type": MESSAGE,
        "spec_version": "2.1",
        "id": message_id(sender.id, to, template, form, in_reply_to, escalated_from),
        "created": stamp,
        "modified": stamp,
        "created_by_ref": sender.id,
        "template": template,
        "to_ref": to,
        "form": form,
        # marked on the object, not only in this store: every node keeps it strict
        "object_marking_refs": [marking_id(Tlp.AMBER_STRICT)],
        "extensions": {MESSAGE_EXTENSION: {"extension_type": "new-sdo"}},
    }
    if references:
        message["references"] = list(references)
    if in_reply_to:
        message["in_reply_to"] = in_reply_to
    if to_contact:
        message["to_contact_ref"] = to_contact
    if escalated_from:
        message["escalated_from"] = escalated_from
    if encrypt:  # only the recipient's X25519 key opens the form; the id is bound in
        recipient_key = encryption_keys(store, sender).get(to)
        if not recipient_key:
            raise NotFound("encryption key (in the directory) of", to)
        message["sealed"] = seal(recipient_key, canonical(form), message["id"].encode())
        message["form"] = {}
    hours = TEMPLATES[template][1]
    if hours is not None:
        message["deadline"] = format_timestamp(moment + timedelta(hours=hours))
    key = private_key(home, sender.id)
    message["signature"] = {
        "public_key": public_key_text(key),
        "signature": sign(key, _signed_content(message)),
    }
    options = ImportOptions(
        org=sender,
        recipients=frozenset({to}),
        communities=frozenset(),
        unmarked_tlp=Tlp.AMBER_STRICT,
    )
    declare(store, sender, [DEFINITION])
    already = _sent(store, sender, message["id"])
    if already is not None:  # the same message again (a retry after a crash): sent once
        return already
    audit.record(  # the message and its audit entry are stored together, or neither is
        store, sender.id, f"hotline-sent-{template}", message["id"], {"to": to},
        together=lambda connection: import_in(
            connection, store.default_tlp, [message], f"hotline {template}", options
        ),
    )  # fmt: skip
    return message


def message_id(
    sender: str,
    to: str,
    template: str,
    form: dict[str, Any],
    in_reply_to: str | None,
    escalated_from: str | None,
) -> str:
    """Derived from what the message says, so that sending it again (say, after the
    sender was killed mid-send) finds the message already stored instead of a twin."""
    content = canonical([sender, to, template, form, in_reply_to, escalated_from])
    return f"{MESSAGE}--{uuid.uuid5(_NAMESPACE, content.decode())}"


_NAMESPACE = uuid.UUID("7d3c2b1a-0f9e-5d8c-b7a6-958473625140")


def _sent(store: Store, sender: Organisation, identifier: str) -> dict[str, Any] | None:
    for version in visible(store, sender.id, ObjectQuery(types=[MESSAGE], ids=[identifier])):
        return version.body
    return None


@dataclass
class Received:
    message: dict[str, Any]
    genuine: bool
    reason: str  # why not genuine ("" when it is)
    status: str  # answered, waiting, overdue, no answer expected
    delivered: bool = False  # a signed receipt came back from the recipient's node
    form: dict[str, Any] | None = None  # the form, opened if it came sealed

    def as_json(self) -> dict[str, Any]:
        return {
            "delivered": self.delivered,
            "to_contact": self.message.get("to_contact_ref"),
            "escalated_from": self.message.get("escalated_from"),
            "id": self.message["id"],
            "from": self.message["created_by_ref"],
            "template": self.message["template"],
            "form": self.form if self.form is not None else self.message["form"],
            "sealed": "sealed" in self.message,
            "deadline": self.message.get("deadline"),
            "genuine": self.genuine,
            "reason": self.reason,
            "status": self.status,
        }


@lru_cache(maxsize=100_000)
def _holds(public_key: str, signature: str, content: bytes) -> bool:
    """An Ed25519 verdict, kept: the same bytes under the same key and signature always
    give the same answer, and every inbox read checks every message it holds."""
    return verify(public_key, signature, content)


def check(message: dict[str, Any], keys: dict[str, set[str]]) -> tuple[bool, str]:
    """(genuine, reason): the signature holds, and the key is the sender's published one."""
    signature = message.get("signature") or {}
    public_key = str(signature.get("public_key", ""))
    if not _holds(public_key, str(signature.get("signature", "")), _signed_content(message)):
        return False, "the signature does not match the message"
    if public_key not in keys.get(message["created_by_ref"], set()):
        return False, "the key is not one the sender publishes in the directory"
    return True, ""


def seen(store: Store, org: Organisation) -> list[dict[str, Any]]:
    """Every hotline message ``org`` may see (sent by it, or to it)."""
    return [v.body for v in visible(store, org.id, ObjectQuery(types=[MESSAGE]))]


@dataclass
class _Read:
    """What one read of the hotline gives an organisation: its messages and the keys
    the directory publishes, with the moment statuses are judged at."""

    org: Organisation
    messages: list[dict[str, Any]]
    keys: dict[str, set[str]]
    moment: str

    @classmethod
    def of(cls, store: Store, org: Organisation, now: datetime | None) -> _Read:
        moment = format_timestamp(now or datetime.now(UTC))
        return cls(org, seen(store, org), known_keys(store, org), moment)


def inbox(
    store: Store, org: Organisation, now: datetime | None = None, home: Path | None = None
) -> list[Received]:
    """Messages to ``org``, each checked, with its answer status; sealed forms opened
    with the organisation's key (in ``home``)."""
    return _inbox(store, _Read.of(store, org, now), home)


def _inbox(store: Store, read: _Read, home: Path | None) -> list[Received]:
    org = read.org
    answered = {m.get("in_reply_to") for m in read.messages if m["template"] in ANSWERS}
    own_key: X25519PrivateKey | None = None  # loaded at the first sealed message
    found = []
    for message in sorted(read.messages, key=lambda m: m["created"]):
        if message.get("to_ref") != org.id or message["template"] == "receipt":
            continue
        genuine, reason = check(message, read.keys)
        form = None
        if genuine and "sealed" in message and home is not None:
            own_key = own_key or exchange_key(home, org.id)
            opened = unseal(own_key, message["sealed"], message["id"].encode())
            if opened is None:
                genuine, reason = False, "the sealed form cannot be opened with this key"
            else:
                form = orjson.loads(opened)
        if not genuine and not audit.recorded(store, "hotline-rejected", message["id"]):
            audit.record(store, org.id, "hotline-rejected", message["id"], {"reason": reason})
        status = _status(message, answered, read.moment)
        found.append(Received(message, genuine, reason, status, form=form))
    return found


def outbox(store: Store, org: Organisation, now: datetime | None = None) -> list[Received]:
    """Messages ``org`` sent, with whether they were answered in time."""
    return _outbox(_Read.of(store, org, now))


def _outbox(read: _Read) -> list[Received]:
    org = read.org
    replies = [m for m in read.messages if m.get("to_ref") == org.id and m["template"] in REPLIES]
    genuine = [m for m in replies if check(m, read.keys)[0]]
    answered = {m.get("in_reply_to") for m in genuine if m["template"] in ANSWERS}
    received = {m.get("in_reply_to") for m in genuine if m["template"] == "receipt"}
    return [
        Received(m, True, "", _status(m, answered, read.moment), m["id"] in received)
        for m in sorted(read.messages, key=lambda m: m["created"])
        if m["created_by_ref"] == org.id
    ]


def thread(
    store: Store,
    org: Organisation,
    message_id: str,
    now: datetime | None = None,
    home: Path | None = None,
) -> list[Received]:
    """A message ``org`` sent or received, then its answers and escalations, oldest
    first, each checked as the inbox and outbox check them."""
    read = _Read.of(store, org, now)
    held = {r.message["id"]: r for r in [*_inbox(store, read, home), *_outbox(read)]}
    if message_id not in held:
        raise NotFound("message", message_id)
    follow = [
        r
        for r in held.values()
        if message_id in (r.message.get("in_reply_to"), r.message.get("escalated_from"))
        and r.message["template"] != "receipt"
    ]
    return [held[message_id], *sorted(follow, key=lambda r: r.message["created"])]


def send_receipts(
    store: Store, home: Path, org: Organisation, now: datetime | None = None
) -> list[dict[str, Any]]:
    """A signed receipt for every genuine message delivered to ``org`` that has none yet
    (receipts and acknowledgements themselves get none)."""
    return _receipts(store, home, _Read.of(store, org, now), now)[0]


def read_inbox(
    store: Store, home: Path, org: Organisation, now: datetime | None = None
) -> list[Received]:
    """The inbox, after sending the receipts it owes (what `accord hotline inbox`, the
    API and the page show). Receipts are not in an inbox and answer nothing, so the
    inbox read before sending them is the inbox after."""
    return _receipts(store, home, _Read.of(store, org, now), now)[1]


def _receipts(
    store: Store, home: Path, read: _Read, now: datetime | None
) -> tuple[list[dict[str, Any]], list[Received]]:
    org = read.org
    sent = {
        m.get("in_reply_to")
        for m in read.messages
        if m["template"] == "receipt" and m["created_by_ref"] == org.id
    }
    received = _inbox(store, read, home)
    made = []
    for item in received:
        message = item.message
        if item.genuine and message["template"] not in REPLIES and message["id"] not in sent:
            made.append(
                send(store, home, org, message["created_by_ref"], "receipt", {},
                     in_reply_to=message["id"], now=now)
            )  # fmt: skip
    return made, received


def escalate(
    store: Store, home: Path, org: Organisation, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Overdue messages sent again to the recipient state's next point of contact (the
    other role first), once each; pings are left, their silence being what they test,
    and so are sealed messages, whose form their sender cannot open to send again."""
    read = _Read.of(store, org, now)
    done = {m.get("escalated_from") for m in read.messages if m["created_by_ref"] == org.id}
    directory = contacts(store, org)
    made = []
    for item in _outbox(read):
        message = item.message
        if item.status != "overdue" or message["id"] in done or message.get("escalated_from"):
            continue
        if message["template"] == "ping":
            continue  # a ping tests that contact: its silence is the round's finding
        if "sealed" in message:
            continue  # only the recipient can open its form: the sender cannot resend it
        people = [c for c in directory if c.organisation_ref == message["to_ref"]]
        others = [c for c in people if c.id != message.get("to_contact_ref")]
        if not others:
            continue  # nobody else to reach at that organisation
        current = next((c for c in people if c.id == message.get("to_contact_ref")), None)
        others.sort(key=lambda c: current is not None and c.role == current.role)
        made.append(
            send(
                store,
                home,
                org,
                message["to_ref"],
                message["template"],
                dict(message["form"]),
                message.get("references"),
                message.get("in_reply_to"),
                now,
                to_contact=others[0].id,
                escalated_from=message["id"],
            )
        )
        audit.record(store, org.id, "hotline-escalated", message["id"], {"to": others[0].id})
    return made


def _status(message: dict[str, Any], answered: set[Any], moment: str) -> str:
    if message["id"] in answered:
        return "answered"
    deadline = message.get("deadline")
    if deadline is None:
        return "no answer expected"
    return "overdue" if moment > deadline else "waiting"


def acknowledge(
    store: Store, home: Path, org: Organisation, message_id: str, now: datetime | None = None
) -> dict[str, Any]:
    """A signed acknowledgement of a genuine message to ``org``."""
    for received in inbox(store, org, now, home):
        if received.message["id"] == message_id:
            if not received.genuine:
                raise Forbidden(f"{message_id} is not genuine: {received.reason}")
            sender = received.message["created_by_ref"]
            return send(
                store, home, org, sender, "acknowledgement", {}, in_reply_to=message_id, now=now
            )
    raise NotFound("message", message_id)
