"""The access gate: organisations × markings × read paths, what is seen and what is not."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from accord.cli import app as cli_app
from accord.config import Settings
from accord.errors import BatchRejected
from accord.node import HOME_ORG_SETTING
from accord.stix.timestamps import now_timestamp
from accord.stix.tlp import Tlp
from accord.store import (
    AccessGate,
    ImportOptions,
    ObjectQuery,
    Store,
    Viewer,
    count_by_type,
    import_objects,
    search,
)
from accord.store import identity as ids
from accord.store.exporting import write_bundle
from accord.web import create_app
from tests.factories import indicator, tlp_ref

TLP1 = {  # STIX 2.1's TLP 1.0 marking-definitions, honoured as their TLP 2.0 meaning
    "tlp1-white": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
    "tlp1-green": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
    "tlp1-amber": "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
    "tlp1-red": "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
}

ORGS = ("creator", "importer", "recipient", "client", "member", "stranger")
EVERYONE = {*ORGS, "public"}
AMBER_SET = {"creator", "importer", "recipient", "client"}
ONLY_NAMED = {"creator", "importer", "recipient"}
EXPECTED: dict[str, set[str]] = {
    "clear": EVERYONE,
    "green": {"creator", "importer", "recipient", "member"},
    "amber": AMBER_SET,
    "amber+strict": ONLY_NAMED,
    "red": ONLY_NAMED,
    "unmarked": AMBER_SET,  # the node's default marking is TLP:AMBER
    "tlp1-white": EVERYONE,
    "tlp1-green": {"creator", "importer", "recipient", "member"},
    "tlp1-amber": AMBER_SET,
    "tlp1-red": ONLY_NAMED,
}


@dataclass
class World:
    store: Store
    orgs: dict[str, ids.Organisation]
    tokens: dict[str, str]
    object_ids: dict[str, str]  # marking name -> object id

    def expected_ids(self, who: str) -> set[str]:
        return {oid for marking, oid in self.object_ids.items() if who in EXPECTED[marking]}


@pytest.fixture
def world(store: Store) -> World:
    with store.write() as connection:
        orgs = {name: ids.add_organisation(connection, f"Org {name}") for name in ORGS}
        ids.add_client(connection, orgs["importer"], orgs["client"])
        network = ids.add_community(connection, "cert-network")
        ids.join_community(connection, network, orgs["importer"])
        ids.join_community(connection, network, orgs["member"])
        tokens = {name: ids.create_token(connection, org) for name, org in orgs.items()}
        store.set_setting(connection, HOME_ORG_SETTING, orgs["importer"].id)
    objects: dict[str, dict[str, object]] = {}
    for level in Tlp:
        objects[level.value] = indicator(tlp=level, created_by=orgs["creator"].id)
    objects["unmarked"] = indicator(created_by=orgs["creator"].id)
    for name, ref in TLP1.items():
        objects[name] = indicator(created_by=orgs["creator"].id, object_marking_refs=[ref])
    options = ImportOptions(org=orgs["importer"], recipients=frozenset({orgs["recipient"].id}))
    import_objects(store, objects.values(), "shared.json", options)
    return World(store, orgs, tokens, {m: str(o["id"]) for m, o in objects.items()})


def viewer_of(world: World, who: str) -> Viewer:
    return Viewer.public() if who == "public" else Viewer(world.orgs[who].id)


def via_store_search(world: World, who: str, _tmp: Path) -> set[str]:
    gate = AccessGate(viewer_of(world, who))
    with world.store.read() as connection:
        page = search(connection, gate, ObjectQuery(types=["indicator"]), limit=1000)
    return {v.id for v in page.items}


def via_count(world: World, who: str, _tmp: Path) -> set[str]:
    gate = AccessGate(viewer_of(world, who))
    with world.store.read() as connection:
        n = count_by_type(connection, gate).get("indicator", 0)
    expected = world.expected_ids(who)
    return expected if n == len(expected) else {f"count={n}"}


def via_export(world: World, who: str, _tmp: Path) -> set[str]:
    stream = io.BytesIO()
    write_bundle(world.store, world.orgs[who], stream, ObjectQuery(types=["indicator"]))
    return {o["id"] for o in json.loads(stream.getvalue())["objects"]}


def via_cli_export(world: World, who: str, tmp: Path) -> set[str]:
    out = tmp / f"{who}.json"
    url = world.store.engine.url.render_as_string(hide_password=False)
    env = {"ACCORD_HOME": str(tmp / "home"), "ACCORD_DATABASE_URL": url}
    args = ["export", "--org", world.orgs[who].name, "--type", "indicator", "--out", str(out)]
    result = CliRunner().invoke(cli_app, args, env=env)
    assert result.exit_code == 0, result.output
    return {o["id"] for o in json.loads(out.read_text())["objects"]}


def _api(world: World, who: str, tmp: Path) -> TestClient:
    app = create_app(Settings(home=tmp / "home"), world.store)
    headers = {} if who == "public" else {"Authorization": f"Bearer {world.tokens[who]}"}
    return TestClient(app, headers=headers)


def via_api_search(world: World, who: str, tmp: Path) -> set[str]:
    seen: set[str] = set()
    client = _api(world, who, tmp)
    params: dict[str, str | int] = {"type": "indicator", "limit": 3}
    while True:
        page = client.get("/api/objects", params=params).json()
        seen |= {o["id"] for o in page["objects"]}
        if page["next"] is None:
            return seen
        params["next"] = page["next"]


def via_api_get(world: World, who: str, tmp: Path) -> set[str]:
    client = _api(world, who, tmp)
    seen = set()
    for object_id in world.object_ids.values():
        response = client.get(f"/api/objects/{object_id}")
        assert response.status_code in (200, 404)
        if response.status_code == 200:
            seen.add(response.json()["id"])
    return seen


def via_intel_page(world: World, who: str, tmp: Path) -> set[str]:
    """The web UI's intel browser, as a signed-in organisation sees it."""
    html = _api(world, who, tmp).get("/intel", params={"type": "indicator", "limit": 500}).text
    return set(re.findall(r'href="/intel/(indicator--[0-9a-f-]{36})"', html))


def via_public_home_page(world: World, who: str, tmp: Path) -> set[str]:
    """The public home page counts what a visitor (signed in as nobody) may see: the
    indicators, the 9 TLP markings and the organisations' identities."""
    assert who == "public"
    html = TestClient(create_app(Settings(home=tmp), world.store)).get("/").text
    marker = '<strong id="total-objects">'
    total = int(html.split(marker, 1)[1].split("<", 1)[0].replace(",", ""))
    expected = world.expected_ids(who)
    return expected if total == len(expected) + 9 + len(ORGS) else {f"total={total}"}


READ_PATHS: dict[str, Callable[[World, str, Path], set[str]]] = {
    "store-search": via_store_search,
    "store-count": via_count,
    "export": via_export,
    "cli-export": via_cli_export,
    "api-search": via_api_search,
    "api-get": via_api_get,
    "intel-page": via_intel_page,
}
# Export, the object API and the UI act for an organisation; the public reads the home page.
PUBLIC_PATHS: dict[str, Callable[[World, str, Path], set[str]]] = {
    "store-search": via_store_search,
    "store-count": via_count,
    "home-page": via_public_home_page,
}
CASES = [(path, who) for path in READ_PATHS for who in ORGS] + [
    (path, "public") for path in PUBLIC_PATHS
]


@pytest.mark.parametrize(("path", "who"), CASES)
def test_each_organisation_sees_exactly_what_its_markings_allow(
    world: World, who: str, path: str, tmp_path: Path
) -> None:
    seen = (PUBLIC_PATHS if who == "public" else READ_PATHS)[path](world, who, tmp_path)
    expected = world.expected_ids(who)
    names = {oid: marking for marking, oid in world.object_ids.items()}
    assert {names.get(i, i) for i in seen} == {names[i] for i in expected}


@pytest.mark.parametrize("url", ["/api/objects", "/api/stats", "/api/whoami"])
def test_the_api_refuses_callers_without_valid_credentials(
    world: World, url: str, tmp_path: Path
) -> None:
    client = _api(world, "public", tmp_path)
    assert client.get(url).status_code == 401
    bad = client.get(url, headers={"Authorization": "Bearer accord_not-a-token"})
    assert bad.status_code == 401
    assert bad.json()["error"] == "not-authenticated"


def test_a_newer_hidden_version_leaves_the_older_visible_one(world: World) -> None:
    """Tightening a marking in a new version hides that version, not the history."""
    green_id = world.object_ids["green"]
    tightened = indicator(
        object_id=green_id,
        tlp=Tlp.RED,
        modified="2024-06-01T00:00:00.000Z",
        created_by=world.orgs["creator"].id,
        name="tightened",
    )
    import_objects(world.store, [tightened], "update", ImportOptions(org=world.orgs["importer"]))
    member = AccessGate(Viewer(world.orgs["member"].id))
    importer = AccessGate(Viewer(world.orgs["importer"].id))
    with world.store.read() as connection:
        for_member = search(connection, member, ObjectQuery(ids=[green_id])).items
        for_importer = search(connection, importer, ObjectQuery(ids=[green_id])).items
    assert [v.body["name"] != "tightened" for v in for_member] == [True]
    assert [v.body["name"] for v in for_importer] == ["tightened"]


def test_reimport_by_another_org_extends_who_may_see(world: World) -> None:
    red_id = world.object_ids["red"]
    stranger = AccessGate(Viewer(world.orgs["stranger"].id))
    with world.store.read() as connection:
        assert search(connection, stranger, ObjectQuery(ids=[red_id])).items == []
        body = (
            search(
                connection,
                AccessGate(Viewer(world.orgs["importer"].id)),
                ObjectQuery(ids=[red_id]),
            )
            .items[0]
            .body
        )
    report = import_objects(
        world.store,
        [body],
        "forwarded",
        ImportOptions(
            org=world.orgs["importer"], recipients=frozenset({world.orgs["stranger"].id})
        ),
    )
    assert report.unchanged == 1
    with world.store.read() as connection:
        assert [v.id for v in search(connection, stranger, ObjectQuery(ids=[red_id])).items] == [
            red_id
        ]


def test_a_red_part_keeps_the_whole_object_from_the_public(world: World) -> None:
    secret = indicator(
        tlp=Tlp.CLEAR,
        description="source is agent X",
        granular_markings=[{"selectors": ["description"], "marking_ref": tlp_ref(Tlp.RED)}],
    )
    import_objects(world.store, [secret], "feed", ImportOptions(org=world.orgs["importer"]))
    public = AccessGate(Viewer.public())
    stranger = AccessGate(Viewer(world.orgs["stranger"].id))
    with world.store.read() as connection:
        for gate in (public, stranger):
            assert search(connection, gate, ObjectQuery(ids=[secret["id"]])).items == []
            assert search(connection, gate, ObjectQuery(text="agent X")).items == []


def test_only_the_creator_may_publish_a_new_version(world: World) -> None:
    red_id = world.object_ids["red"]
    forged = indicator(
        object_id=red_id,
        tlp=Tlp.CLEAR,
        modified="2025-01-01T00:00:00.000Z",
        created_by=world.orgs["stranger"].id,
        name="forged",
    )
    options = ImportOptions(org=world.orgs["stranger"])
    with pytest.raises(BatchRejected) as caught:
        import_objects(world.store, [forged], "forgery", options)
    assert caught.value.errors[0].prop == "created_by_ref"
    with world.store.read() as connection:
        found = search(connection, AccessGate(Viewer.public()), ObjectQuery(ids=[red_id])).items
    assert found == []


def test_a_regrant_never_loosens_the_tlp_its_giver_chose(world: World) -> None:
    note = indicator(name="unmarked note")  # no TLP marking: the importer decides
    default = ImportOptions(org=world.orgs["importer"])  # node default: AMBER
    import_objects(world.store, [note], "a", default)
    as_red = ImportOptions(
        org=world.orgs["member"],
        recipients=frozenset({world.orgs["recipient"].id}),
        unmarked_tlp=Tlp.RED,
    )
    assert import_objects(world.store, [note], "b", as_red).unchanged == 1
    client = AccessGate(Viewer(world.orgs["client"].id))  # AMBER reached it before
    recipient = AccessGate(Viewer(world.orgs["recipient"].id))
    with world.store.read() as connection:
        assert search(connection, client, ObjectQuery(ids=[note["id"]])).items == []
        assert len(search(connection, recipient, ObjectQuery(ids=[note["id"]])).items) == 1


def test_changing_the_default_marking_later_does_not_reclassify(world: World) -> None:
    note = indicator(name="unmarked analyst note")
    import_objects(world.store, [note], "a", ImportOptions(org=world.orgs["importer"]))
    world.store.default_tlp = Tlp.CLEAR  # as if the node restarted with another default
    with world.store.read() as connection:
        found = search(connection, AccessGate(Viewer.public()), ObjectQuery(ids=[note["id"]]))
    assert found.items == []


def test_an_object_granted_later_counts_as_added_then(world: World) -> None:
    red_id = world.object_ids["red"]
    with world.store.read() as connection:
        body = (
            search(
                connection, AccessGate(Viewer(world.orgs["importer"].id)), ObjectQuery(ids=[red_id])
            )
            .items[0]
            .body
        )
    granted_at = now_timestamp()
    options = ImportOptions(
        org=world.orgs["importer"], recipients=frozenset({world.orgs["stranger"].id})
    )
    import_objects(world.store, [body], "grant", options)
    stranger = AccessGate(Viewer(world.orgs["stranger"].id))
    with world.store.read() as connection:
        since = search(connection, stranger, ObjectQuery(added_since=granted_at)).items
    assert [v.id for v in since] == [red_id]
