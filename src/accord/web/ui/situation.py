"""The situation room: one look at what is happening, for the signed-in organisation.
A visitor who is not signed in sees what the node holds publicly (TLP:CLEAR)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from accord.attribution.attack import ATTACK_VERSION_SETTING
from accord.attribution.report import own_assessments
from accord.credentials import gate_for, home_of, optional_principal, store_of
from accord.diplomacy.registry import incidents
from accord.hotline.messages import inbox
from accord.stix.timestamps import format_timestamp
from accord.store import ObjectQuery, Store, count_by_type, visible
from accord.store.identity import Organisation, list_organisations
from accord.taxii.federation import list_peers
from accord.web.ui.base import page

router = APIRouter(include_in_schema=False)

# Types shown first to a visitor: what an analyst or a diplomat looks for.
HEADLINE_TYPES = (
    "intrusion-set",
    "campaign",
    "malware",
    "tool",
    "attack-pattern",
    "indicator",
    "incident",
    "report",
)
#: how far back "newly shared" looks
SHARED_DAYS = 30
#: what partners send that is not intelligence: messages, statements, definitions
NOT_INTEL = ("x-accord-", "extension-definition")


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    caller = optional_principal(request)
    store = store_of(request)
    if caller is None:
        return _public(request, store)
    org = caller.org
    recent = sorted(
        incidents(store, org).items(), key=lambda item: item[1].start or "", reverse=True
    )[:8]
    waiting = [
        r for r in inbox(store, org, home=home_of(request)) if r.status in ("waiting", "overdue")
    ]
    with store.read() as connection:
        peers = list_peers(connection)
        partners = {o.id: o.name for o in list_organisations(connection) if o.id != org.id}
    shared = _newly_shared(store, org, partners)
    return page(
        request,
        "situation.html",
        caller,
        title="Situation room",
        incidents=recent,
        waiting=sorted(waiting, key=lambda r: r.message.get("deadline") or ""),
        assessments=_assessments(store, org),
        shared=shared[:12],
        shared_by_tlp=Counter(item["tlp"] for item in shared),
        shared_days=SHARED_DAYS,
        peers=peers,
    )


def _newly_shared(
    store: Store, org: Organisation, partners: dict[str, str]
) -> list[dict[str, Any]]:
    """What partners shared lately: versions received from peer nodes or written by
    another organisation of this node (reference knowledge such as ATT&CK is neither)."""
    since = format_timestamp(datetime.now(UTC) - timedelta(days=SHARED_DAYS))
    found = []
    query = ObjectQuery(added_since=since, shared_by=list(partners))
    for version in visible(store, org.id, query):
        author = version.body.get("created_by_ref")
        if version.type.startswith(NOT_INTEL):  # hotline traffic has its own section
            continue
        found.append(
            {
                "id": version.id,
                "type": version.type,
                "name": version.body.get("name") or version.body.get("abstract") or version.id,
                "tlp": version.tlp,
                "from": partners.get(version.received_from or author or "", "a peer"),
                "added": version.date_added,
            }
        )
    return sorted(found, key=lambda item: item["added"], reverse=True)


def _assessments(store: Store, org: Organisation) -> list[dict[str, Any]]:
    """The organisation's own newest attribution assessments."""
    return own_assessments(store, org)[:6]


def _public(request: Request, store: Store) -> HTMLResponse:
    with store.read() as connection:
        counts = count_by_type(connection, gate_for(request, None))
        attack_source = store.get_setting(connection, ATTACK_VERSION_SETTING)
    return page(
        request,
        "home.html",
        None,
        title="Welcome",
        total=sum(counts.values()),
        headline=[(kind, counts.get(kind, 0)) for kind in HEADLINE_TYPES],
        others=sorted((k, n) for k, n in counts.items() if k not in HEADLINE_TYPES),
        attack_loaded=attack_source is not None,
        default_marking=store.default_tlp.value.upper(),
    )
