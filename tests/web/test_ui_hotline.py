"""The hotline pages in-process: what a bad form says, and what a visitor gets."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from accord.config import Settings
from accord.store import Store
from accord.store import identity as ids
from accord.web import create_app

BASE = "http://127.0.0.1:8000"


def _signed_in(store: Store, home: Path) -> TestClient:
    with store.write() as connection:
        org = ids.add_organisation(connection, "CERT-EE")
        ids.add_user(connection, "kadri", org, password="a long test passphrase")
    client = TestClient(create_app(Settings(home=home), store), base_url=BASE)
    client.headers["Origin"] = BASE
    signed = client.post(
        "/signin", data={"username": "kadri", "password": "a long test passphrase"}
    )
    assert signed.status_code == 200 and "Situation room" in signed.text
    return client


def test_a_visitor_is_sent_to_sign_in_and_back(store: Store, tmp_path: Path) -> None:
    client = TestClient(create_app(Settings(home=tmp_path), store), base_url=BASE)
    answer = client.get("/hotline?x=1", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin?next=%2Fhotline%3Fx%3D1"
    outside = client.get("/signin", params={"next": "//evil.example/"})
    assert 'value="/"' in outside.text  # never a redirect off the node


def test_bad_forms_say_what_is_wrong_and_keep_the_input(store: Store, tmp_path: Path) -> None:
    client = _signed_in(store, tmp_path)
    contact = {"name": "Duty", "state": "Atlantis", "role": "technical"}
    bad = client.post("/directory", data=contact)
    assert bad.status_code == 422 and "state" in bad.text and "Atlantis" in bad.text
    good = client.post("/directory", data=contact | {"state": "EE", "time_zone": "Europe/Tallinn"})
    assert good.status_code == 200 and "Europe/Tallinn" in good.text
    unknown = client.post(
        "/hotline/compose",
        data={"template": "request-for-information", "to": "LV", "form.question": "Seen it?"},
    )
    assert unknown.status_code == 422 and "no point of contact for" in unknown.text
    assert "Seen it?" in unknown.text  # what was typed is kept
    empty = client.post(
        "/hotline/compose", data={"template": "request-for-information", "to": "EE"}
    )
    assert empty.status_code == 422 and "form.question" in empty.text


def test_changes_need_the_nodes_own_pages(store: Store, tmp_path: Path) -> None:
    client = _signed_in(store, tmp_path)
    forged = client.post(
        "/directory",
        data={"name": "Forged", "state": "EE", "role": "technical"},
        headers={"Origin": "http://evil.example"},
    )
    assert forged.status_code == 403
    assert "Forged" not in client.get("/directory").text
    client.post("/signout")
    assert client.get("/directory", follow_redirects=False).status_code == 303  # revoked


def test_a_session_expires(store: Store, tmp_path: Path) -> None:
    from sqlalchemy import update

    from accord.store.identity import SESSION_HOURS, SESSION_LABEL
    from accord.store.schema import api_token

    client = _signed_in(store, tmp_path)
    assert client.get("/directory", follow_redirects=False).status_code == 200
    with store.write() as connection:  # signed in longer ago than a session lasts
        connection.execute(
            update(api_token)
            .where(api_token.c.label == SESSION_LABEL)
            .values(created="2000-01-01T00:00:00.000000Z")
        )
    assert SESSION_HOURS <= 24
    assert client.get("/directory", follow_redirects=False).status_code == 303
