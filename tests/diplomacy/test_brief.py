"""The diplomat's brief: HTML and PDF, with the stored attribution and the chart."""

from __future__ import annotations

from pathlib import Path

from accord.attribution.assess import Assessor
from accord.attribution.evidence import parse_evidence
from accord.attribution.report import assessment_objects
from accord.attribution.scoring import Params
from accord.diplomacy.brief import brief_html, brief_pdf, build_brief
from accord.diplomacy.charts import bar_chart_svg
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


def test_bars_and_lines_carry_their_values() -> None:
    from accord.diplomacy.charts import hbar_chart_svg, line_chart_svg

    bars = hbar_chart_svg({"RU": 3, "CN <&>": 1})
    assert bars.count("<rect") == 2 and "CN &lt;&amp;&gt;: 1" in bars
    lines = line_chart_svg({"RU-UA": {2015: 1.0, 2017: 2.5}, "CN-US": {2016: 3.0}})
    assert lines.count("<polyline") == 2 and "RU-UA 2017: 2.5" in lines
    assert line_chart_svg({}) == "" and hbar_chart_svg({}) == ""


def test_the_analytics_page_draws_every_chart() -> None:
    from accord.diplomacy.analytics import analytics
    from accord.diplomacy.incidents import Claim, IncidentRecord, Provenance
    from accord.diplomacy.pages import analytics_html

    records = [
        IncidentRecord(
            name=f"i{n}",
            provenance=[Provenance("curated", str(n))],
            start=f"{2015 + n}-01-01",
            effects=["disruption"],
            victim_countries=["UA"],
            claims=[Claim(state="RU")],
        )
        for n in range(3)
    ]
    page = analytics_html(analytics(records))
    assert page.count("<svg") == 4 and "<script" not in page and "RU-UA" in page


def test_a_brief_is_marked_with_the_strictest_level_it_draws_on(
    store: Store, tmp_path: Path
) -> None:
    from accord.diplomacy.incidents import Claim, IncidentRecord, Provenance, incident_object
    from accord.stix.tlp import Tlp

    with store.write() as connection:
        org = ids.add_organisation(connection, "CERT-A")
    stamp = "2024-01-01T00:00:00Z"

    def stored(name: str, level: Tlp) -> str:
        record = IncidentRecord(name, [Provenance("curated", name)], start="2023-05-01",
                                claims=[Claim(by="X", state="RU")])  # fmt: skip
        obj = incident_object(record, org.id, stamp)
        options = ImportOptions(org=org, communities=frozenset(), unmarked_tlp=level)
        import_objects(store, [obj], name, options)
        return str(obj["id"])

    public = stored("A public incident", Tlp.CLEAR)
    assert build_brief(store, org, public).tlp is Tlp.CLEAR
    stored("A red incident by the same state", Tlp.RED)  # counted in the brief's chart
    brief = build_brief(store, org, public)
    assert brief.tlp is Tlp.RED and 'id="brief-tlp">TLP:RED' in brief_html(brief)
    pdf = tmp_path / "brief.pdf"
    brief_pdf(brief, pdf)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_a_partners_assessment_does_not_pass_for_ours(store: Store) -> None:
    from accord.stix.tlp import Tlp

    with store.write() as connection:
        org = ids.add_organisation(connection, "CERT-A")
        partner = ids.add_organisation(connection, "CERT-B")
    import_incidents(store, org, "dcid", DCID)
    key = next(k for k, r in incidents(store, org).items() if r.name == "Regin malware campaign")
    knowledge, _ = small_world()
    evidence = parse_evidence({"incident": key, "software": ["A-implant"]})
    result = Assessor(knowledge, Params(temperature=1.0)).assess(evidence, top=2)
    theirs = assessment_objects(result, partner.id, incident=key)  # shared with us, newer
    options = ImportOptions(org=partner, recipients=frozenset({org.id}), unmarked_tlp=Tlp.AMBER)
    import_objects(store, theirs, "partner's assessment", options)
    assert build_brief(store, org, key).attribution is None
    import_objects(store, assessment_objects(result, org.id, incident=key), "ours",
                   ImportOptions(org=org))  # fmt: skip
    assert build_brief(store, org, key).attribution is not None
