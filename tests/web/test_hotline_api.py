"""The hotline over the API: publish contacts, send, read, acknowledge, ping rounds."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from accord.config import Settings
from accord.store import Store
from accord.store import identity as ids
from accord.web import create_app

CONTACT = {"role": "technical", "languages": ["en"], "time_zone": "Europe/Tallinn",
           "channels": ["email:duty@example.org"]}  # fmt: skip


def _clients(store: Store, home: Path) -> tuple[TestClient, TestClient, str]:
    with store.write() as connection:
        ee = ids.add_organisation(connection, "CERT-EE")
        lt = ids.add_organisation(connection, "CERT-LT")
        tokens = [ids.create_token(connection, org) for org in (ee, lt)]
    app = create_app(Settings(home=home), store)
    ee_client, lt_client = (
        TestClient(app, headers={"Authorization": f"Bearer {token}"}) for token in tokens
    )
    return ee_client, lt_client, ee.id


def test_send_read_acknowledge(store: Store, tmp_path: Path) -> None:
    ee, lt, ee_id = _clients(store, tmp_path)
    assert ee.post("/api/directory", json={"name": "EE duty", "state": "EE", **CONTACT}).is_success
    assert lt.post("/api/directory", json={"name": "LT duty", "state": "LT", **CONTACT}).is_success
    assert [c["state"] for c in ee.get("/api/directory", params={"state": "LT"}).json()] == ["LT"]

    missing = ee.post(
        "/api/hotline/messages",
        json={"to": "LT", "template": "request-for-information", "form": {}},
    )
    assert missing.status_code == 422 and "form.question" in missing.text
    notice = {"summary": "DDoS on the ministry", "severity": "high",
              "observed_at": "2026-11-24T06:00:00Z"}  # fmt: skip
    sent = ee.post(
        "/api/hotline/messages",
        json={"to": "Lithuania", "template": "incident-notification", "form": notice},
    )
    assert sent.status_code == 201, sent.text
    message_id = sent.json()["id"]

    waiting = lt.get("/api/hotline/inbox").json()
    assert [(m["id"], m["genuine"], m["status"]) for m in waiting] == [
        (message_id, True, "waiting")
    ]
    assert waiting[0]["from"] == ee_id and waiting[0]["to_contact"]
    assert ee.get("/api/hotline/outbox").json()[0]["delivered"] is True  # the signed receipt
    assert lt.post(f"/api/hotline/messages/{message_id}/ack").status_code == 201
    assert [m["status"] for m in ee.get("/api/hotline/outbox").json()] == ["answered"]
    unknown = lt.post("/api/hotline/messages/x-accord-hotline-message--nope/ack")
    assert unknown.status_code == 404


def test_ping_round(store: Store, tmp_path: Path) -> None:
    ee, lt, _ = _clients(store, tmp_path)
    lt.post("/api/directory", json={"name": "LT duty", "state": "LT", **CONTACT})
    ee.post("/api/directory", json={"name": "EE duty", "state": "EE", **CONTACT})
    started = ee.post("/api/ping-rounds", json={"states": ["LT"]}).json()
    assert len(started["pinged"]) == 1
    report = ee.get(f"/api/ping-rounds/{started['round']}").json()
    assert [(r["state"], r["outcome"]) for r in report] == [("LT", "waiting")]
    ping = lt.get("/api/hotline/inbox").json()[0]
    lt.post(f"/api/hotline/messages/{ping['id']}/ack")
    report = ee.get(f"/api/ping-rounds/{started['round']}").json()
    assert report[0]["outcome"] == "acknowledged" and report[0]["seconds"] >= 0
    history = ee.get("/api/ping-rounds").json()
    assert [(h["pinged"], h["acknowledged"]) for h in history] == [(1, 1)]
    assert lt.get("/api/ping-rounds").json() == []  # rounds are the starter's
    assert ee.get("/api/ping-rounds/ping-round--nope").status_code == 404
