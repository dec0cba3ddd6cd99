"""Ping tests: a round of pings to points of contact, each to be acknowledged in time.

A round is the set of ``ping`` messages that carry its id in their form. Each recipient
acknowledges with a signed acknowledgement; the report says, per state, whether it
acknowledged in time, late, or not at all (silent), and how long it took. Rounds are
found again from the sender's messages, so their history needs no other record.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from accord.attribution.places import country_code
from accord.errors import NotFound
from accord.hotline.directory import contacts, known_keys
from accord.hotline.messages import ANSWERS, check, seen, send
from accord.stix.timestamps import format_timestamp
from accord.store import Store
from accord.store.identity import Organisation


def start_round(
    store: Store,
    home: Path,
    org: Organisation,
    states: list[str] | None = None,
    now: datetime | None = None,
) -> tuple[str, list[str]]:
    """Ping every organisation with a point of contact (of ``states``, if named); the
    round's id and the organisations pinged."""
    wanted = {country_code(s) or s.upper() for s in states} if states else None
    targets: dict[str, str] = {}
    for contact in contacts(store, org):
        if contact.organisation_ref == org.id:
            continue
        if wanted is None or contact.state in wanted:
            targets.setdefault(contact.organisation_ref, contact.state)
    if not targets:
        raise NotFound("point of contact for", ", ".join(states or ["any state"]))
    round_id = f"ping-round--{uuid.uuid4()}"
    for recipient in sorted(targets):
        send(store, home, org, recipient, "ping", {"round": round_id}, now=now)
    return round_id, sorted(targets)


OUTCOMES = ("acknowledged", "late", "silent", "waiting")


@dataclass
class Result:
    organisation: str
    state: str
    outcome: str  # acknowledged, late, silent, waiting
    seconds: float | None  # from the ping to its acknowledgement

    def as_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def round_report(
    store: Store, org: Organisation, round_id: str, now: datetime | None = None
) -> list[Result]:
    moment = format_timestamp(now or datetime.now(UTC))
    messages = seen(store, org)
    pings = [
        m
        for m in messages
        if m["template"] == "ping"
        and m["created_by_ref"] == org.id
        and (m.get("form") or {}).get("round") == round_id
    ]
    if not pings:
        raise NotFound("ping round", round_id)
    keys = known_keys(store, org)
    acks: dict[tuple[str, str], dict[str, Any]] = {}  # (ping, who answered) → the answer
    for m in messages:
        if m["template"] in ANSWERS and m.get("to_ref") == org.id and check(m, keys)[0]:
            acks.setdefault((str(m.get("in_reply_to")), m["created_by_ref"]), m)
    states = {c.organisation_ref: c.state for c in contacts(store, org)}
    results = []
    for ping in sorted(pings, key=lambda p: p["to_ref"]):
        ack = acks.get((ping["id"], ping["to_ref"]))  # only the one pinged can answer
        state = states.get(ping["to_ref"], "?")
        if ack is None:
            outcome = "silent" if moment > ping["deadline"] else "waiting"
            results.append(Result(ping["to_ref"], state, outcome, None))
            continue
        took = (_when(ack["created"]) - _when(ping["created"])).total_seconds()
        outcome = "acknowledged" if ack["created"] <= ping["deadline"] else "late"
        results.append(Result(ping["to_ref"], state, outcome, took))
    return results


def rounds(store: Store, org: Organisation) -> list[dict[str, Any]]:
    """Every round ``org`` started, oldest first: when, how many were pinged, and how
    many of them acknowledged, were late, silent, or are still awaited."""
    found: dict[str, dict[str, Any]] = {}
    for m in seen(store, org):
        round_id = (m.get("form") or {}).get("round")
        if m["template"] == "ping" and m["created_by_ref"] == org.id and round_id:
            held = found.setdefault(
                round_id, {"round": round_id, "started": m["created"], "pinged": 0}
            )
            held["pinged"] += 1
            held["started"] = min(held["started"], m["created"])
    for held in found.values():
        outcomes = [r.outcome for r in round_report(store, org, held["round"])]
        held |= {o: outcomes.count(o) for o in OUTCOMES}
    return sorted(found.values(), key=lambda r: r["started"])


def _when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def ping_html(round_id: str, results: list[Result]) -> str:
    """The round's results as a small page with a chart of response times."""
    from html import escape

    from accord.diplomacy.charts import hbar_chart_svg

    times = {f"{r.state} {r.outcome}": round(r.seconds) for r in results if r.seconds is not None}
    rows = "".join(
        f"<tr><td>{escape(r.state)}</td><td>{escape(r.outcome)}</td>"
        f"<td>{'' if r.seconds is None else round(r.seconds)}</td></tr>"
        for r in results
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Ping round {escape(round_id)}</title></head><body>"
        f"<h1>Ping round</h1><p>{escape(round_id)}</p>"
        "<h2>Response time (seconds)</h2>"
        f"<figure>{hbar_chart_svg(times)}</figure>"
        "<table><tr><th>State</th><th>Outcome</th><th>Seconds</th></tr>"
        f"{rows}</table></body></html>"
    )
