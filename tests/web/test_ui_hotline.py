"""The hotline pages in-process: what a bad form says, and what a visitor gets."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from accord.config import Settings
from accord.store import Store
from accord.store import identity as ids
from accord.web import create_app
from tests.web.conftest import BASE, PASSWORD, signed_in


def _signed_in(store: Store, home: Path) -> TestClient:
    with store.write() as connection:
        org = ids.add_organisation(connection, "CERT-EE")
        ids.add_user(connection, "kadri", org, password=PASSWORD)
    client = signed_in(create_app(Settings(home=home), store), "kadri")
    assert "Situation room" in client.get("/").text
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
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from accord.stix.timestamps import format_timestamp
    from accord.store.identity import SESSION_HOURS, SESSION_LABEL
    from accord.store.schema import api_token

    client = _signed_in(store, tmp_path)

    def signed_in_ago(elapsed: timedelta) -> int:
        with store.write() as connection:
            connection.execute(
                update(api_token)
                .where(api_token.c.label == SESSION_LABEL)
                .values(created=format_timestamp(datetime.now(UTC) - elapsed))
            )
        return client.get("/directory", follow_redirects=False).status_code

    assert SESSION_HOURS == 12  # what the README promises
    assert signed_in_ago(timedelta(hours=11, minutes=59)) == 200
    assert signed_in_ago(timedelta(hours=12, minutes=1)) == 303
