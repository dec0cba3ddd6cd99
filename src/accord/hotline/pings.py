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
from accord.hotline.directory import contacts, keys_of
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
    read = _Read.of(store, org, now)
    pings = read.pings().get(round_id)
    if not pings:
        raise NotFound("ping round", round_id)
    return read.results(pings)


def rounds(store: Store, org: Organisation) -> list[dict[str, Any]]:
    """Every round ``org`` started, oldest first: when, how many were pinged, and how
    many of them acknowledged, were late, silent, or are still awaited."""
    read = _Read.of(store, org, None)
    found = []
    for round_id, pings in read.pings().items():
        outcomes = [r.outcome for r in read.results(pings)]
        found.append(
            {"round": round_id, "started": min(p["created"] for p in pings),
             "pinged": len(pings)} | {o: outcomes.count(o) for o in OUTCOMES}
        )  # fmt: skip
    return sorted(found, key=lambda r: r["started"])


@dataclass
class _Read:
    """One read of the organisation's hotline for its rounds: the pings it sent, the
    genuine answers to it, and the states of the organisations it knows."""

    org: Organisation
    messages: list[dict[str, Any]]
    acks: dict[tuple[str, str], dict[str, Any]]  # (ping, who answered) → the answer
    states: dict[str, str]
    moment: str

    @classmethod
    def of(cls, store: Store, org: Organisation, now: datetime | None) -> _Read:
        messages = seen(store, org)
        directory = contacts(store, org)
        keys = keys_of(directory)
        acks: dict[tuple[str, str], dict[str, Any]] = {}
        for m in messages:
            if m["template"] in ANSWERS and m.get("to_ref") == org.id and check(m, keys)[0]:
                acks.setdefault((str(m.get("in_reply_to")), m["created_by_ref"]), m)
        states = {c.organisation_ref: c.state for c in directory}
        return cls(org, messages, acks, states, format_timestamp(now or datetime.now(UTC)))

    def pings(self) -> dict[str, list[dict[str, Any]]]:
        """The pings the organisation sent, by round."""
        found: dict[str, list[dict[str, Any]]] = {}
        for m in self.messages:
            round_id = (m.get("form") or {}).get("round")
            if m["template"] == "ping" and m["created_by_ref"] == self.org.id and round_id:
                found.setdefault(round_id, []).append(m)
        return found

    def results(self, pings: list[dict[str, Any]]) -> list[Result]:
        results = []
        for ping in sorted(pings, key=lambda p: p["to_ref"]):
            ack = self.acks.get((ping["id"], ping["to_ref"]))  # only the one pinged answers
            state = self.states.get(ping["to_ref"], "?")
            if ack is None:
                outcome = "silent" if self.moment > ping["deadline"] else "waiting"
                results.append(Result(ping["to_ref"], state, outcome, None))
                continue
            took = (_when(ack["created"]) - _when(ping["created"])).total_seconds()
            outcome = "acknowledged" if ack["created"] <= ping["deadline"] else "late"
            results.append(Result(ping["to_ref"], state, outcome, took))
        return results


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
