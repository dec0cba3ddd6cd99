"""The diplomacy pages in-process: incidents (list, page, brief), the norms and law
library, and the analytics with the world map, signed in through the sign-in form."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from accord.attribution.assess import Assessor
from accord.attribution.evidence import parse_evidence
from accord.attribution.report import assessment_objects
from accord.attribution.scoring import Params
from accord.config import Settings
from accord.diplomacy.incidents import (
    DEFINITION,
    Claim,
    IncidentRecord,
    Provenance,
    incident_object,
)
from accord.diplomacy.registry import import_incidents, incidents
from accord.diplomacy.statements import draft_statement, respond
from accord.stix.tlp import Tlp
from accord.store import ImportOptions, Store, import_objects
from accord.store import identity as ids
from accord.store.extensions import declare
from accord.web import create_app
from accord.web.ui.analytics import world_map
from tests.attribution.world import small_world
from tests.web.conftest import BASE, PASSWORD, signed_in


@dataclass
class World:
    app: FastAPI
    notpetya: str  # its id as CERT-A holds it
    secret: str  # CERT-B's TLP:RED incident
    partner: str  # CERT-B's identity


@pytest.fixture
def world(store: Store, tmp_path: Path) -> World:
    home = tmp_path / "home"
    with store.write() as connection:
        a = ids.add_organisation(connection, "CERT-A")
        b = ids.add_organisation(connection, "CERT-B")
        ids.add_user(connection, "alice", a, password=PASSWORD)
        ids.add_user(connection, "bob", b, password=PASSWORD)
    import_incidents(store, a, "curated", None)
    notpetya = next(k for k, r in incidents(store, a).items() if r.name == "NotPetya")

    # Accord's own assessment of NotPetya, stored as the attribution workbench stores it
    knowledge, _ = small_world()
    evidence = parse_evidence({"incident": notpetya, "software": ["A-implant"]})
    result = Assessor(knowledge, Params(temperature=1.0)).assess(evidence, top=2)
    import_objects(
        store, assessment_objects(result, a.id, incident=notpetya), "assessment",
        ImportOptions(org=a),
    )  # fmt: skip

    statement = draft_statement(store, a, "On NotPetya", "We attribute NotPetya to the GRU.",
                                [b.id], "2030-01-01T00:00:00Z", incident_ref=notpetya)  # fmt: skip
    respond(store, home, b, statement["id"], "signed")

    # CERT-B's own incident, for its eyes only
    secret = IncidentRecord(
        name="Quiet Heron intrusion",
        provenance=[Provenance("internal", "heron")],
        description="RED detail of a ministry intrusion",
        start="2099-01-01",
        victim_countries=["CL"],
        claims=[Claim(by="CERT-B", state="KP", form="technical-report")],
    )
    declare(store, b, [DEFINITION])
    import_objects(
        store, [incident_object(secret, b.id, "2025-01-01T00:00:00.000Z")], "internal",
        ImportOptions(org=b, communities=frozenset(), unmarked_tlp=Tlp.RED),
    )  # fmt: skip
    app = create_app(Settings(home=home), store)
    return World(app, notpetya, secret.id_for(b.id), b.id)


def _names(page: str) -> list[str]:
    """The incidents a list page links to, in order."""
    return re.findall(r'<a href="/incidents/incident--[^"]+">([^<]+)</a>', page)


def test_a_visitor_is_sent_to_sign_in(world: World) -> None:
    client = TestClient(world.app, base_url=BASE)
    for path in ("/incidents", f"/incidents/{world.notpetya}", "/norms", "/analytics"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/signin?next=")


def test_the_list_is_newest_first_and_filters_narrow_it(world: World) -> None:
    alice = signed_in(world.app, "alice")
    page = alice.get("/incidents").text
    names = _names(page)
    assert len(names) == 90 and "90 incidents." in page
    assert names.index("NotPetya") < names.index("2007 cyberattacks on Estonia")

    found = alice.get("/incidents", params={"q": "m.e.doc"}).text  # in the description only
    assert _names(found) == ["NotPetya"] and "1 of 90 incidents match." in found

    ukraine = _names(alice.get("/incidents", params={"country": "UA"}).text)
    assert "NotPetya" in ukraine and 1 < len(ukraine) < 90
    north_korea = _names(alice.get("/incidents", params={"state": "KP"}).text)
    assert north_korea and "NotPetya" not in north_korea
    wanted = {"year": "2017", "effect": "destruction", "ci": "yes"}
    narrowed = alice.get("/incidents", params=wanted)
    assert "NotPetya" in _names(narrowed.text)
    assert all(n in _names(page) for n in _names(narrowed.text))
    assert "No incident matches" in alice.get("/incidents", params={"year": "1990"}).text


def test_the_incident_page_holds_claims_norms_assessment_and_statement(world: World) -> None:
    alice = signed_in(world.app, "alice")
    page = alice.get(f"/incidents/{world.notpetya}").text
    assert "<h1>NotPetya</h1>" in page and "Ukraine" in page
    assert 'href="http://www.itv.com/news/2018-02-15/russia-was-behind-destructive' in page
    assert "United States (Department of Justice)" in page and "GRU Unit 74455" in page
    for norm in ("13(f)", "13(h)", "13(c)", "state-responsibility"):
        assert f'">{norm}</a>' in page
    timeline = page[page.index('id="h-timeline"') : page.index('id="h-claims"')]
    days = re.findall(r'<time datetime="([\d-]+)">', timeline)
    assert days == sorted(days) and days[0] == "2017-06-27" and "2020-10-19" in days

    assessment = page[page.index('id="h-assessment"') : page.index('id="h-norms"')]
    assert "Actor A" in assessment and "Confidence:" in assessment
    assert "Analysis of competing hypotheses" in assessment
    assert re.search(r'<td class="ach-(consistent|inconsistent|neutral)">', assessment)

    statements = page[page.index('id="h-statements"') : page.index('id="h-sources"')]
    assert "On NotPetya" in statements and "CERT-B" in statements and "signed" in statements
    assert f'href="/incidents/{world.notpetya}/brief.pdf"' in page


def test_the_brief_downloads_as_html_and_pdf(world: World) -> None:
    alice = signed_in(world.app, "alice")
    html = alice.get(f"/incidents/{world.notpetya}/brief.html")
    assert html.status_code == 200 and "<title>Brief: NotPetya</title>" in html.text
    pdf = alice.get(f"/incidents/{world.notpetya}/brief.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 2000
    assert 'filename="brief-notpetya.pdf"' in pdf.headers["content-disposition"]


def test_another_organisations_red_incident_stays_hidden(world: World) -> None:
    alice, bob = signed_in(world.app, "alice"), signed_in(world.app, "bob")
    assert "Quiet Heron intrusion" in _names(bob.get("/incidents").text)  # it is there
    assert bob.get(f"/incidents/{world.secret}").status_code == 200
    assert "Quiet Heron intrusion" not in alice.get("/incidents").text
    for path in ("", "/brief.html", "/brief.pdf"):
        answer = alice.get(f"/incidents/{world.secret}{path}")
        assert answer.status_code == 404 and "Quiet Heron" not in answer.text
        assert "RED detail" not in answer.text
    # nor does it colour the map or count in the analytics
    analytics = alice.get("/analytics").text
    assert ".cl{fill" not in analytics and ".cl{fill" in bob.get("/analytics").text


def test_the_norms_library_lists_every_norm_with_its_source(world: World) -> None:
    alice = signed_in(world.app, "alice")
    page = alice.get("/norms").text
    for letter in "abcdefghijk":
        assert f'<a href="https://undocs.org/A/70/174" rel="noreferrer">13({letter})</a>' in page
    for anchor in ("norms", "law", "paris-call", "osce", "eu-toolbox", "eu-sanctions",
                   "budapest-articles", "budapest-parties", "un-convention", "tallinn",
                   "positions"):  # fmt: skip
        assert f'id="{anchor}"' in page and f'href="#{anchor}"' in page
    assert '<time datetime="2016-11-16">' in page  # Andorra's ratification
    assert "Gao Qiang" in page and "A/RES/79/243" in page

    narrowed = alice.get("/norms", params={"q": "electoral"}).text
    assert "Defend electoral processes" in narrowed and "Gao Qiang" not in narrowed
    assert "13(a)</a>" not in narrowed


def test_the_map_shades_countries_with_incidents_only(world: World) -> None:
    alice = signed_in(world.app, "alice")
    victims = alice.get("/analytics").text
    assert victims.count("<svg") >= 5  # the map and four charts
    assert re.search(r"#worldmap-victims \.ua\{fill:#[0-9a-f]{6}\}", victims)
    assert ".cl{fill" not in victims  # Chile: no incident in the store hits it
    assert "<title>Ukraine: 9 incidents</title>" in victims
    assert "<title>Chile: no incidents</title>" in victims
    assert "Incidents in CERT-A's store by victim country" in victims

    states = alice.get("/analytics", params={"by": "states"}).text
    assert re.search(r"#worldmap-states \.ru\{fill:#[0-9a-f]{6}\}", states)
    assert ".ua{fill" not in states  # no incident is attributed to Ukraine
    assert world_map.cache_info().currsize == 1


def test_the_map_classes_double_and_end_at_the_highest_count() -> None:
    from accord.web.ui.analytics import NO_DATA, SHADES, classes, shade

    assert classes(36) == [(1, 1), (2, 3), (4, 7), (8, 15), (16, 31), (32, 36)]
    assert classes(2) == [(1, 1), (2, 2)] and classes(0) == []
    bands = classes(1000)  # six shades: the last takes in everything from 32
    assert shade(1000, bands) == shade(32, bands) == SHADES[-1]
    assert shade(0, bands) == NO_DATA and shade(3, bands) == SHADES[1]
