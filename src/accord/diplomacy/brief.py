"""A diplomat's brief on one incident, as a self-contained HTML page or a PDF.

What happened; who is said to be behind it (the public claims, and Accord's own
attribution assessment when one is stored for the incident: likelihood and confidence);
which norms and rules of law it implicates; which responses fit and what was done in
similar incidents; a chart of the incidents attributed to the same state by year; and
every source. Everything is read through the access gate of the organisation asking.
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from accord.attribution.report import ASSESSMENT, ASSESSMENT_ABSTRACT, own_assessments
from accord.diplomacy.assessment import Assessment, assess
from accord.diplomacy.charts import bar_chart_svg
from accord.diplomacy.incidents import IncidentRecord
from accord.diplomacy.pages import ENV
from accord.diplomacy.registry import held_incidents
from accord.errors import NotFound
from accord.stix.tlp import Tlp
from accord.store import ObjectQuery, Store, visible
from accord.store.identity import Organisation


@dataclass
class Brief:
    incident_id: str
    record: IncidentRecord
    assessment: Assessment
    attribution: dict[str, Any] | None  # Accord's stored assessment, when there is one
    by_year: dict[int, int] = field(default_factory=dict)  # same state's incidents
    similar: list[IncidentRecord] = field(default_factory=list)
    #: the most restrictive TLP of everything the brief draws on: the incident, the
    #: incidents counted or named beside it, and the stored assessment
    tlp: Tlp = Tlp.CLEAR
    incident_tlp: Tlp = Tlp.CLEAR  # the incident's own level

    @property
    def states(self) -> list[str]:
        return self.record.attributed_states


def build_brief(store: Store, org: Organisation, incident_id: str) -> Brief:
    everything = held_incidents(store, org)
    if incident_id not in everything:
        raise NotFound("incident", incident_id)
    held = {key: h.record for key, h in everything.items()}
    record = held[incident_id]
    states = set(record.attributed_states)
    same_state = {
        key: r
        for key, r in held.items()
        if key != incident_id and states & set(r.attributed_states)
    }
    years = Counter(int(r.start[:4]) for r in same_state.values() if r.start)
    similar = sorted(
        (r for r in same_state.values() if r.responses and set(r.effects) & set(record.effects)),
        key=lambda r: r.start or "",
        reverse=True,
    )[:5]
    attribution = _stored_attribution(store, org, incident_id)
    marks = [everything[key].tlp for key in (incident_id, *same_state)]
    if attribution is not None:
        marks.append(ASSESSMENT(org).unmarked_tlp or Tlp.AMBER_STRICT)
    return Brief(
        incident_id,
        record,
        assess(record, held.values()),
        attribution,
        dict(sorted(years.items())),
        similar,
        max(marks, key=lambda level: level.restriction),
        everything[incident_id].tlp,
    )


def _stored_attribution(store: Store, org: Organisation, incident_id: str) -> dict[str, Any] | None:
    """The newest attribution assessment stored for the incident (its note's JSON)."""
    reports = [r for r in own_assessments(store, org) if incident_id in r.get("object_refs", [])]
    if not reports:
        return None
    newest = max(reports, key=lambda r: r["modified"])
    for version in visible(store, org.id, ObjectQuery(types=["note"])):
        note = version.body
        if (
            newest["id"] in note.get("object_refs", [])
            and note.get("abstract") == ASSESSMENT_ABSTRACT
            and note.get("created_by_ref") == newest.get("created_by_ref")
        ):
            try:
                found: dict[str, Any] = orjson.loads(note["content"])
            except orjson.JSONDecodeError:
                continue
            return found
    return None


def brief_html(brief: Brief) -> str:
    template = ENV.get_template("brief.html")
    return template.render(brief=brief, chart=bar_chart_svg(brief.by_year))


def brief_pdf(brief: Brief, path: Path) -> None:
    """The same brief as a PDF (ReportLab; the chart drawn as vector bars)."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    record = brief.record

    def text(value: str, style: str = "BodyText") -> Paragraph:
        return Paragraph(html.escape(value), styles[style])

    story: list[Any] = [text(record.name, "Title")]
    story.append(text(f"Start: {record.start or 'unknown'}; victims: "
                      f"{', '.join(record.victim_countries) or 'not recorded'}"))  # fmt: skip
    if record.description:
        story += [text("What happened", "Heading2"), text(record.description)]
    story.append(text("Attribution", "Heading2"))
    if brief.attribution and brief.attribution.get("hypotheses"):
        lead = brief.attribution["hypotheses"][0]
        story.append(
            text(
                f"Accord's assessment: it is {lead['term']} ({lead['probability']:.0%}) that "
                f"{lead['actor']['name']} is responsible; confidence "
                f"{brief.attribution['confidence']}."
            )
        )
    for claim in record.claims:
        story.append(
            text(
                f"{claim.by or 'unknown'} ({claim.form}{', ' + claim.date if claim.date else ''}): "
                f"{claim.actor or ''} {claim.state or ''} {claim.wording or ''}"
            )
        )
    rows = [["Norm or rule", "Strength", "Why"]] + [
        [f.id, f.strength, f.rationale] for f in [*brief.assessment.norms, *brief.assessment.law]
    ]
    story += [text("Norms and law", "Heading2")]
    if len(rows) > 1:
        table = Table(rows, colWidths=[90, 70, 330])
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey)]))
        story.append(table)
    fitting = [r["option"] for r in brief.assessment.responses if r["fits"]]
    story += [text("Responses that fit", "Heading2"), text(", ".join(fitting) or "none")]
    if brief.by_year:
        drawing = Drawing(480, 160)
        chart = VerticalBarChart()
        chart.x, chart.y, chart.width, chart.height = 30, 20, 430, 120
        chart.data = [list(brief.by_year.values())]
        chart.categoryAxis.categoryNames = [str(y) for y in brief.by_year]
        chart.categoryAxis.labels.fontSize = 6
        drawing.add(chart)
        story += [text("Incidents attributed to the same state, by year", "Heading2"), drawing]
    story += [text("Sources", "Heading2")] + [text(url) for url in record.sources[:30]]
    story.append(Spacer(1, 12))
    label = f"TLP:{brief.tlp.value.upper()}"

    def marked(canvas: Any, _doc: Any) -> None:  # the level at the top of every page
        canvas.saveState()
        canvas.setFont("Helvetica-Bold", 10)
        canvas.drawRightString(A4[0] - 40, A4[1] - 28, label)
        canvas.restoreState()

    story.insert(0, text(f"{label}: the most restrictive marking of what this brief draws on."))
    SimpleDocTemplate(str(path), pagesize=A4, title=record.name).build(
        story, onFirstPage=marked, onLaterPages=marked
    )
