"""Incidents as pages: the list the organisation may see, with filters, and one incident
with its timeline, attribution, norms and law, response options, joint statements and
the diplomat's brief to download.

The page is the brief on screen: it reads through ``build_brief`` as `accord incidents
brief` does, so the same access gate holds and the same assessment is shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from accord.attribution.places import country_name
from accord.attribution.wording import ICD_203
from accord.credentials import home_of, store_of
from accord.diplomacy.brief import Brief, brief_html, brief_pdf, build_brief
from accord.diplomacy.charts import bar_chart_svg
from accord.diplomacy.incidents import EFFECTS, IncidentRecord
from accord.diplomacy.registry import incidents
from accord.diplomacy.statements import (
    SIGNATURE_EXTENSION,
    STATEMENT,
    answers,
    party_keys,
    signature_holds,
    verify_statement,
)
from accord.store import ObjectQuery, Store, visible
from accord.store.identity import Organisation
from accord.web.ui.base import page, signed_in

router = APIRouter(include_in_schema=False)

#: incidents on one page of the list
PER_PAGE = 100
#: the critical-infrastructure filter's choices
CI_CHOICES = {"yes": True, "no": False}


@dataclass(frozen=True)
class Filters:
    """What the list is narrowed to (each empty when not asked for)."""

    q: str = ""
    year: str = ""
    country: str = ""
    state: str = ""
    effect: str = ""
    ci: str = ""

    def matches(self, record: IncidentRecord) -> bool:
        text = f"{record.name} {record.description or ''}".lower()
        return (
            (not self.q or self.q.lower() in text)
            and (not self.year or (record.start or "")[:4] == self.year)
            and (not self.country or self.country in record.victim_countries)
            and (not self.state or self.state in record.attributed_states)
            and (not self.effect or self.effect in record.effects)
            and (self.ci not in CI_CHOICES or record.critical_infrastructure == CI_CHOICES[self.ci])
        )

    @property
    def active(self) -> bool:
        return any((self.q, self.year, self.country, self.state, self.effect, self.ci))

    def query(self, **change: str) -> str:
        """The query string of these filters, with ``change`` applied."""
        values = {**self.__dict__, **change}
        return urlencode({k: v for k, v in values.items() if v})


@router.get("/incidents", response_class=HTMLResponse)
def incident_list(
    request: Request,
    q: str = "",
    year: str = "",
    country: str = "",
    state: str = "",
    effect: str = "",
    ci: str = "",
    number: Annotated[int, Query(alias="page")] = 1,
) -> HTMLResponse:
    caller = signed_in(request)
    held = incidents(store_of(request), caller.org)
    filters = Filters(q.strip(), year.strip(), country.upper(), state.upper(), effect, ci)
    found = sorted(
        ((key, r) for key, r in held.items() if filters.matches(r)),
        # newest first; an incident of unknown date last
        key=lambda item: (item[1].start is not None, item[1].start or "", item[1].name),
        reverse=True,
    )
    pages = max(1, -(-len(found) // PER_PAGE))
    number = min(max(number, 1), pages)
    records = held.values()
    return page(
        request,
        "incidents.html",
        caller,
        title="Incidents",
        filters=filters,
        total=len(held),
        count=len(found),
        shown=found[(number - 1) * PER_PAGE : number * PER_PAGE],
        page_number=number,
        pages=pages,
        years=[(y, y) for y in sorted({r.start[:4] for r in records if r.start}, reverse=True)],
        countries=_named({c for r in records for c in r.victim_countries}),
        states=_named({s for r in records for s in r.attributed_states}),
        effects=[(e, e) for e in EFFECTS if any(e in r.effects for r in records)],
        names=_names_of(found),
    )


def _named(codes: set[str]) -> list[tuple[str, str]]:
    """(code, name) pairs, by name."""
    return sorted(((c, country_name(c)) for c in codes), key=lambda pair: pair[1])


def _names_of(found: list[tuple[str, IncidentRecord]]) -> dict[str, str]:
    codes = {c for _, r in found for c in [*r.victim_countries, *r.attributed_states]}
    return {c: country_name(c) for c in codes}


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(request: Request, incident_id: str) -> HTMLResponse:
    caller = signed_in(request)
    store = store_of(request)
    brief = build_brief(store, caller.org, incident_id)  # NotFound for a hidden one too
    record = brief.record
    codes = {*record.victim_countries, *brief.states}
    codes |= {c.by_country for c in record.claims if c.by_country}
    return page(
        request,
        "incident.html",
        caller,
        title=record.name,
        incident_id=incident_id,
        brief=brief,
        record=record,
        tlp=brief.incident_tlp.value,
        timeline=timeline(record),
        names={c: country_name(c) for c in codes},
        attribution=_attribution(brief.attribution),
        findings=[*brief.assessment.norms, *brief.assessment.law],
        statements=_statements(store, home_of(request), caller.org, incident_id),
        chart=bar_chart_svg(brief.by_year),
        icd_203=ICD_203,
    )


@dataclass
class Timeline:
    """The incident's dated events in order, and those its sources give no date for."""

    dated: list[tuple[str, str]]
    undated: list[str]


def timeline(record: IncidentRecord) -> Timeline:
    events: list[tuple[str | None, str]] = []
    if record.start:
        events.append((record.start, "the incident begins"))
    if record.end:
        events.append((record.end, "the incident ends"))
    for claim in record.claims:
        state = f"({country_name(claim.state)})" if claim.state else None
        whom = " ".join(filter(None, [claim.actor, state]))
        text = f"{claim.by or 'an unnamed source'} attributes it to {whom or 'an unnamed actor'}"
        events.append((claim.date, f"{text} ({claim.form})"))
    for response in record.responses:
        events.append((response.date, f"{response.kind} by {response.by or 'an unnamed party'}"))
    dated = sorted(((d, text) for d, text in events if d), key=lambda event: event[0])
    return Timeline(dated, [text for d, text in events if not d])


def _attribution(stored: dict[str, Any] | None) -> dict[str, Any] | None:
    """The stored assessment, with the ACH matrix's columns (the hypotheses it holds)."""
    if not stored or not stored.get("hypotheses"):
        return stored
    columns: list[str] = []
    for row in stored.get("ach") or []:
        columns += [name for name in row.get("hypotheses", {}) if name not in columns]
    return {**stored, "ach_columns": columns}


def _statements(
    store: Store, home: Path, org: Organisation, incident_id: str
) -> list[dict[str, Any]]:
    """Joint statements on the incident that ``org`` may see, each with every partner's
    answer as far as ``org`` may know it: from the published signatures, else from the
    signed opinions it can read. Only a signature that holds, under a key the party
    publishes, counts; any other is shown as not verified."""
    keys = party_keys(store, home, org)
    found = []
    for version in visible(store, org.id, ObjectQuery(types=[STATEMENT])):
        body = version.body
        if body.get("incident_ref") != incident_id:
            continue
        if body.get("status") == "published":
            decided = {
                c.identity_ref: c.decision if c.valid else "signature not verified"
                for c in verify_statement(body, keys)
            }
        else:
            decided = {}
            for party, opinion in answers(store, org, body["id"]).items():
                data = opinion["extensions"][SIGNATURE_EXTENSION]
                decision = str(data.get("decision"))
                key = str(data.get("public_key", ""))
                holds = signature_holds(body, decision, key, str(data.get("signature", "")))
                good = holds and key in keys.get(party, set())
                decided[party] = decision if good else "signature not verified"
        found.append(
            {
                "statement": body,
                "tlp": version.tlp,
                "partners": [
                    (party, decided.get(party, "no answer seen"))
                    for party in body.get("partner_refs", [])
                ],
            }
        )
    return sorted(found, key=lambda s: s["statement"]["created"], reverse=True)


def _filename(record: IncidentRecord, suffix: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", record.name.lower()).strip("-")[:60] or "incident"
    return f"brief-{slug}.{suffix}"


@router.get("/incidents/{incident_id}/brief.html", response_class=HTMLResponse)
def brief_page(request: Request, incident_id: str) -> HTMLResponse:
    caller = signed_in(request)
    brief = build_brief(store_of(request), caller.org, incident_id)
    disposition = f'inline; filename="{_filename(brief.record, "html")}"'
    return HTMLResponse(brief_html(brief), headers={"Content-Disposition": disposition})


@router.get("/incidents/{incident_id}/brief.pdf")
def brief_document(request: Request, incident_id: str) -> Response:
    caller = signed_in(request)
    brief: Brief = build_brief(store_of(request), caller.org, incident_id)
    with TemporaryDirectory() as folder:
        path = Path(folder) / "brief.pdf"
        brief_pdf(brief, path)
        content = path.read_bytes()
    disposition = f'attachment; filename="{_filename(brief.record, "pdf")}"'
    return Response(
        content, media_type="application/pdf", headers={"Content-Disposition": disposition}
    )
