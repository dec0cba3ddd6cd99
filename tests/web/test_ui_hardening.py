"""What a review of the UI found, kept fixed: links from peers, forged answers, login
from another site, hand-made acknowledgements, a peer's malformed incident, headers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from accord.attribution.attack import attack_url
from accord.config import Settings
from accord.diplomacy.incidents import IncidentRecord, Provenance, incident_object, record_of
from accord.errors import TooManyAttempts
from accord.store import Store
from accord.store import identity as ids
from accord.throttle import SignInThrottle
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


def test_password_guessing_is_slowed_per_name_and_address(store: Store, tmp_path: Path) -> None:
    client = _client(store, tmp_path)
    now = [1000.0]
    app = client.app
    assert isinstance(app, FastAPI)
    app.state.throttle = SignInThrottle(per_user=10, window=900, clock=lambda: now[0])
    with store.write() as connection:
        org = ids.get_organisation(connection, "CERT-EE")
        ids.add_user(connection, "liis", org, password=PASSWORD)
        token = ids.create_token(connection, org)
    for _ in range(10):
        assert client.get("/api/objects", auth=("kadri", "guess")).status_code == 401
    # the right password no longer helps: it is not even checked
    refused = client.get("/api/objects", auth=("kadri", PASSWORD))
    assert refused.status_code == 429 and refused.json()["error"] == "too-many-attempts"
    assert 0 < int(refused.headers["Retry-After"]) <= 900
    held_page = client.get("/intel", auth=("kadri", PASSWORD))  # a page, with Basic
    assert held_page.status_code == 429 and int(held_page.headers["Retry-After"]) > 0
    page = client.post("/signin", data={"username": "KADRI", "password": PASSWORD},
                       headers={"Origin": BASE})  # fmt: skip
    assert page.status_code == 429 and "too many failed sign-ins" in page.text
    assert "accord_session" not in page.cookies
    # another name from the same address, and API tokens, are not held up
    assert client.get("/api/objects", auth=("liis", PASSWORD)).status_code == 200
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/objects", headers=bearer).status_code == 200
    now[0] += 901  # the failures leave the window
    assert client.get("/api/objects", auth=("kadri", PASSWORD)).status_code == 200


def test_spraying_many_names_from_one_address_is_slowed() -> None:
    now = [0.0]
    throttle = SignInThrottle(per_user=3, per_address=5, window=60, clock=lambda: now[0])
    for name in ("a", "b", "c", "d", "e"):
        throttle.attempt("192.0.2.7", name)  # each a wrong password: nothing taken back
    with pytest.raises(TooManyAttempts) as refused:
        throttle.attempt("192.0.2.7", "f")
    assert refused.value.retry_after == 60
    throttle.attempt("192.0.2.8", "f")  # another address is not affected
    throttle.succeeded("192.0.2.8", "f")  # a right password is taken back
    assert ("192.0.2.8", None) not in throttle._attempts
    now[0] = 30.0
    with pytest.raises(TooManyAttempts) as later:
        throttle.attempt("192.0.2.7", "f")
    assert later.value.retry_after == 30
    now[0] = 60.0
    throttle.attempt("192.0.2.7", "f")
    # counters whose attempts have left the window go, and long names count as one
    assert set(throttle._attempts) == {("192.0.2.7", "f"), ("192.0.2.7", None)}
    throttle.attempt("192.0.2.9", "x" * 1_000_000)
    assert max(len(name or "") for _, name in throttle._attempts) == 150


def test_an_ipv6_client_counts_by_its_block() -> None:
    throttle = SignInThrottle(per_user=2, per_address=50, clock=lambda: 0.0)
    throttle.attempt("2001:db8:1:2::1", "kadri")
    throttle.attempt("2001:db8:1:2::ffff", "kadri")
    with pytest.raises(TooManyAttempts):
        throttle.attempt("2001:db8:1:2:abcd::9", "kadri")  # the same /64
    throttle.attempt("2001:db8:1:3::1", "kadri")  # another block
    throttle.attempt("::ffff:192.0.2.1", "kadri")  # IPv4 in IPv6 dress: itself
    throttle.attempt("192.0.2.2", "kadri")


def test_guesses_sent_together_are_all_counted(store: Store, tmp_path: Path) -> None:
    client = _client(store, tmp_path)
    app = client.app
    assert isinstance(app, FastAPI)
    app.state.throttle = SignInThrottle(per_user=10)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: client.get("/api/objects", auth=("kadri", "guess")),
                                range(30)))  # fmt: skip
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [401] * 10 + [429] * 20


def test_pages_and_api_answers_are_compressed_for_clients_that_take_it(
    store: Store, tmp_path: Path
) -> None:
    _client(store, tmp_path)
    client = signed_in(create_app(Settings(home=tmp_path), store), "kadri")
    answer = client.get("/norms", headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200 and answer.headers["content-encoding"] == "gzip"
    assert answer.num_bytes_downloaded * 3 < len(answer.content)
    assert "Budapest Convention" in answer.text
    plain = client.get("/norms", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == answer.text
    assert answer.headers["cache-control"] == "no-store"  # the page's own headers stay
