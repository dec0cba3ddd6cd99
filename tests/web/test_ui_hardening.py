"""What a review of the UI found, kept fixed: links from peers, forged answers, login
from another site, hand-made acknowledgements, a peer's malformed incident, headers."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from accord.attribution.attack import attack_url
from accord.config import Settings
from accord.diplomacy.incidents import IncidentRecord, Provenance, incident_object, record_of
from accord.store import Store
from accord.store import identity as ids
from accord.web import create_app
from tests.web.conftest import BASE, PASSWORD, signed_in


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://attack.mitre.org/groups/G0007", True),
        ("javascript:alert(document.cookie)//", False),
        ("JAVASCRIPT:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
    ],
)
def test_only_web_addresses_become_actor_links(url: str, linked: bool) -> None:
    group = {"external_references": [{"source_name": "mitre-attack", "url": url}]}
    assert attack_url(group) == (url if linked else None)


def test_a_peers_malformed_incident_is_left_out_not_a_crash() -> None:
    record = IncidentRecord("Odd", [Provenance("curated", "odd")], start="2021-02-03")
    good = incident_object(record, "identity--x", "2024-01-01T00:00:00Z")
    assert record_of(good) is not None
    for field, value in (("start", "abcd-01-01"), ("start", 2021), ("claims", [{"state": ["RU"]}]),
                         ("severity", "high"), ("victim_countries", [["UA"]])):  # fmt: skip
        bad = incident_object(record, "identity--x", "2024-01-01T00:00:00Z")
        bad["extensions"][next(iter(bad["extensions"]))][field] = value
        assert record_of(bad) is None, field


def _client(store: Store, home: Path) -> TestClient:
    with store.write() as connection:
        org = ids.add_organisation(connection, "CERT-EE")
        ids.add_user(connection, "kadri", org, password=PASSWORD)
    return TestClient(create_app(Settings(home=home), store), base_url=BASE)


def test_signing_in_from_another_site_is_refused(store: Store, tmp_path: Path) -> None:
    client = _client(store, tmp_path)
    form = {"username": "kadri", "password": PASSWORD}
    forged = client.post("/signin", data=form, headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403 and "accord_session" not in forged.cookies
    assert client.post("/signin", data=form, headers={"Origin": BASE}).status_code == 200


def test_pages_forbid_foreign_scripts_framing_and_caching(store: Store, tmp_path: Path) -> None:
    client = _client(store, tmp_path)
    page = client.get("/signin")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"
    docs = client.get("/api/docs").text  # Swagger UI from the node itself
    assert "/static/swagger/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200


def test_an_oversized_upload_is_refused_before_it_is_read(store: Store, tmp_path: Path) -> None:
    app = create_app(Settings(home=tmp_path, taxii_max_content_length=2048), store)
    client = TestClient(app, base_url=BASE)
    answer = client.post("/correlation", files={"log": ("big.log", b"x" * 20_000)})
    assert answer.status_code == 413


def test_acknowledgements_and_pings_are_not_composed_by_hand(store: Store, tmp_path: Path) -> None:
    _client(store, tmp_path)
    client = signed_in(create_app(Settings(home=tmp_path), store), "kadri")
    for template in ("acknowledgement", "ping", "receipt"):
        sent = client.post("/hotline/compose", data={"template": template, "to": "CERT-EE"})
        assert sent.status_code == 422 and "ping round" in sent.text, template
        via_api = client.post(
            "/api/hotline/messages", json={"to": "CERT-EE", "template": template, "form": {}}
        )
        assert via_api.status_code == 422, template
