"""The hotline under /api: the directory, messages, acknowledgements and ping rounds.

The same functions as `accord hotline` and `accord ping`; the node signs with the
organisation's keys in its home directory, so a message sent here is signed by the
caller's organisation, and every action lands in the audit chain.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from accord.credentials import home_of, principal, store_of
from accord.hotline.directory import Contact, add_contact, contacts
from accord.hotline.messages import (
    acknowledge,
    compose,
    escalate,
    outbox,
    read_inbox,
)
from accord.hotline.pings import round_report, rounds, start_round
from accord.store.identity import Principal

router = APIRouter(prefix="/api", tags=["hotline"])
Caller = Annotated[Principal, Depends(principal)]


class NewContact(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    state: str = Field(description="ISO 3166 code or country name")
    role: str = Field(description="diplomatic or technical")
    languages: list[str] = []
    hours: str = Field("08:00-18:00", description="HH:MM-HH:MM, local time")
    time_zone: str = Field("UTC", description="IANA time zone")
    channels: list[str] = Field([], description="e.g. email:duty@cert.example")
    share_with: list[str] | None = Field(
        None, description="organisation ids to give it to (default: every one this node knows)"
    )


class NewMessage(BaseModel):
    to: str = Field(description="a state (ISO code or name) or an organisation id or name")
    template: str
    form: dict[str, Any] = Field(description="the template's fields")
    references: list[str] = Field([], description="incidents or indicators it concerns")
    in_reply_to: str | None = None
    encrypt: bool = Field(False, description="seal the form to the recipient (X25519+AES-GCM)")


class NewRound(BaseModel):
    states: list[str] | None = Field(None, description="only these states (default: all)")


@router.get("/directory")
def directory(
    request: Request,
    caller: Caller,
    state: Annotated[str | None, Query(description="ISO code or country name")] = None,
) -> list[dict[str, Any]]:
    """The points of contact the caller's organisation may see."""
    return [asdict(c) for c in contacts(store_of(request), caller.org, state)]


@router.post("/directory", status_code=201)
def publish_contact(request: Request, caller: Caller, contact: NewContact) -> dict[str, Any]:
    """Publish a point of contact of the caller's organisation, with its public keys."""
    entry = Contact(
        contact.name, contact.state, contact.role, caller.org.id, "", contact.languages,
        contact.hours, contact.time_zone, contact.channels,
    )  # fmt: skip
    return add_contact(store_of(request), home_of(request), caller.org, entry, contact.share_with)


@router.post("/hotline/messages", status_code=201)
def send_message(request: Request, caller: Caller, message: NewMessage) -> dict[str, Any]:
    """Sign and send a message; federation carries it to the recipient's node."""
    return compose(
        store_of(request), home_of(request), caller.org, message.to, message.template,
        message.form, message.references, message.in_reply_to, message.encrypt,
    )  # fmt: skip


@router.get("/hotline/inbox")
def hotline_inbox(request: Request, caller: Caller) -> list[dict[str, Any]]:
    """Messages to the caller's organisation, signatures checked, with deadlines and
    status; a signed receipt goes back for each genuine one delivered."""
    return [r.as_json() for r in read_inbox(store_of(request), home_of(request), caller.org)]


@router.get("/hotline/outbox")
def hotline_outbox(request: Request, caller: Caller) -> list[dict[str, Any]]:
    """Messages the caller's organisation sent: delivered, answered, overdue."""
    return [r.as_json() for r in outbox(store_of(request), caller.org)]


@router.post("/hotline/messages/{message_id}/ack", status_code=201)
def acknowledge_message(request: Request, caller: Caller, message_id: str) -> dict[str, Any]:
    """A signed acknowledgement of a genuine message to the caller's organisation."""
    return acknowledge(store_of(request), home_of(request), caller.org, message_id)


@router.post("/hotline/escalate")
def escalate_overdue(request: Request, caller: Caller) -> list[dict[str, Any]]:
    """Send overdue messages again to the next point of contact of their state."""
    return escalate(store_of(request), home_of(request), caller.org)


@router.post("/ping-rounds", status_code=201)
def start_ping_round(request: Request, caller: Caller, new: NewRound) -> dict[str, Any]:
    """Ping every point of contact (of the states named); each must acknowledge."""
    round_id, pinged = start_round(store_of(request), home_of(request), caller.org, new.states)
    return {"round": round_id, "pinged": pinged}


@router.get("/ping-rounds")
def ping_rounds(request: Request, caller: Caller) -> list[dict[str, Any]]:
    """Every round the caller's organisation started, with how each went."""
    return rounds(store_of(request), caller.org)


@router.get("/ping-rounds/{round_id}")
def ping_round(request: Request, caller: Caller, round_id: str) -> list[dict[str, Any]]:
    """Per state: acknowledged, late, silent or waiting, and the response time."""
    return [r.as_json() for r in round_report(store_of(request), caller.org, round_id)]
