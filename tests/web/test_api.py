"""The JSON API in-process: search filters, paging, basic auth, errors."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from accord.config import Settings
from accord.store import ImportOptions, Store, import_objects
from accord.store import identity as ids
from accord.web import create_app
from tests.factories import indicator


@pytest.fixture
def client(store: Store, tmp_path: Path) -> TestClient:
    with store.write() as connection:
        org = ids.add_organisation(connection, "CERT-A")
        ids.add_user(connection, "alice", org, password="correct horse battery staple")
        token = ids.create_token(connection, org)
    objects = [indicator(name=f"Emotet C2 {n}") for n in range(7)]
    objects += [indicator(name="QakBot loader", description="drops Cobalt Strike beacons")]
    import_objects(store, objects, "feed", ImportOptions(org=org))
    app = create_app(Settings(home=tmp_path), store)
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def test_text_search_covers_name_and_description(client: TestClient) -> None:
    by_name = client.get("/api/objects", params={"q": "emotet"}).json()["objects"]
    assert len(by_name) == 7
    by_description = client.get("/api/objects", params={"q": "cobalt strike"}).json()["objects"]
    assert [o["name"] for o in by_description] == ["QakBot loader"]
    like_chars = client.get("/api/objects", params={"q": "%"}).json()["objects"]
    assert like_chars == []


def test_paging_visits_every_object_once(client: TestClient) -> None:
    seen: list[str] = []
    params: dict[str, str | int] = {"type": "indicator", "limit": 3}
    while True:
        page = client.get("/api/objects", params=params).json()
        seen += [o["id"] for o in page["objects"]]
        if page["next"] is None:
            break
        params["next"] = page["next"]
    assert len(seen) == len(set(seen)) == 8


def test_id_filter_and_single_object(client: TestClient) -> None:
    first = client.get("/api/objects", params={"type": "indicator", "limit": 1}).json()["objects"][
        0
    ]
    listed = client.get("/api/objects", params={"id": first["id"]}).json()["objects"]
    assert listed == [first]
    assert client.get(f"/api/objects/{first['id']}").json() == first
    missing = client.get("/api/objects/indicator--00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404 and missing.json()["error"] == "not-found"


def test_http_basic_authenticates_users(client: TestClient) -> None:
    good = base64.b64encode(b"alice:correct horse battery staple").decode()
    bad = base64.b64encode(b"alice:wrong").decode()
    who = client.get("/api/whoami", headers={"Authorization": f"Basic {good}"})
    assert who.json() == {
        "organisation": "CERT-A",
        "organisation_id": who.json()["organisation_id"],
        "username": "alice",
    }
    assert client.get("/api/whoami", headers={"Authorization": f"Basic {bad}"}).status_code == 401


def test_bad_parameters_are_422(client: TestClient) -> None:
    assert client.get("/api/objects", params={"limit": 0}).status_code == 422
    assert client.get("/api/objects", params={"limit": 5000}).status_code == 422


def test_a_bad_cursor_is_422(client: TestClient) -> None:
    response = client.get("/api/objects", params={"next": "abc"})
    assert response.status_code == 422
    assert response.json()["error"] == "parameter-invalid"
