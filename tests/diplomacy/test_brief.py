"""The diplomat's brief: HTML and PDF, with the stored attribution and the chart."""

from __future__ import annotations

from pathlib import Path

from accord.attribution.assess import Assessor
from accord.attribution.evidence import parse_evidence
from accord.attribution.report import assessment_objects
from accord.attribution.scoring import Params
from accord.diplomacy.brief import bar_chart_svg, brief_html, brief_pdf, build_brief
from accord.diplomacy.registry import import_incidents, incidents
from accord.store import ImportOptions, Store, import_objects
from accord.store import identity as ids
from tests.attribution.world import small_world
from tests.diplomacy.test_incidents import DCID


def test_a_brief_holds_the_assessment_the_law_and_the_chart(store: Store, tmp_path: Path) -> None:
    with store.write() as connection:
        org = ids.add_organisation(connection, "CERT-A")
    import_incidents(store, org, "dcid", DCID)
    held = incidents(store, org)
    key = next(k for k, r in held.items() if r.name == "Regin malware campaign")
    knowledge, _ = small_world()
    evidence = parse_evidence({"incident": key, "software": ["A-implant"]})
    result = Assessor(knowledge, Params(temperature=1.0)).assess(evidence, top=2)
    objects = assessment_objects(result, org.id, incident=key)
    import_objects(store, objects, "assessment", ImportOptions(org=org))

    brief = build_brief(store, org, key)
    assert brief.attribution is not None and brief.states == ["US"]
    assert sum(brief.by_year.values()) > 5  # DCID holds other US-initiated incidents
    page = brief_html(brief)
    assert "Regin malware campaign" in page and "Actor A" in page
    assert "13(c)" in page and "<svg" in page and "https://undocs.org/A/70/174" in page
    assert "<script" not in page and "http://" not in page.split("<main>")[0]
    pdf = tmp_path / "brief.pdf"
    brief_pdf(brief, pdf)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 2000


def test_the_chart_counts_every_year_between() -> None:
    svg = bar_chart_svg({2015: 2, 2018: 4})
    assert svg.count("<rect") == 4  # 2015, 2016, 2017, 2018
    assert "2018: 4" in svg and bar_chart_svg({}) == ""
