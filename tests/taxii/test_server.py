"""The TAXII 2.1 server in-process, on both backends: endpoints, filters, paging, errors."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete

from accord.node import HOME_ORG_SETTING
from accord.stix.tlp import Tlp
from accord.store import ImportOptions, import_objects
from accord.store import identity as ids
from accord.store.schema import node_setting
from accord.taxii.collections import Rights, add_collection, grant
from accord.taxii.media import TAXII
from tests.factories import indicator, tlp_ref
from tests.taxii.conftest import MAX_BODY, TaxiiWorld

ROOT = "/taxii2/api"


def post(client: TestClient, collection: str, objects: list[dict[str, Any]]) -> Any:
    response = client.post(
        f"{ROOT}/collections/{collection}/objects/",
        content=orjson.dumps({"objects": objects}),
        headers={"Content-Type": TAXII},
    )
    assert response.status_code == 202, response.text
    assert response.headers["content-type"] == TAXII
    return response.json()


def objects_of(client: TestClient, collection: str, **params: str) -> list[dict[str, Any]]:
    """The indicators (unless told otherwise) that ``collection`` shows the client."""
    params.setdefault("match[type]", "indicator")
    response = client.get(f"{ROOT}/collections/{collection}/objects/", params=params)
    assert response.status_code == 200, response.text
    return list(response.json().get("objects", []))


def test_discovery_root_and_collections_by_rights(world: TaxiiWorld) -> None:
    client = world.client("A")
    discovery = client.get("/taxii2/").json()
    assert discovery["api_roots"] == ["http://testserver/taxii2/api/"]
    assert discovery["default"] == discovery["api_roots"][0]
    root = client.get(f"{ROOT}/").json()
    assert root["versions"] == [TAXII] and root["max_content_length"] == MAX_BODY
    titles = {c["title"]: c for c in client.get(f"{ROOT}/collections/").json()["collections"]}
    assert set(titles) == {"Shared", "Indicators"}
    assert titles["Shared"]["alias"] == "shared"
    assert titles["Shared"]["media_types"] == ["application/stix+json;version=2.1"]
    seen_by_c = world.client("C").get(f"{ROOT}/collections/").json()["collections"]
    assert [(c["title"], c["can_read"], c["can_write"]) for c in seen_by_c] == [
        ("Indicators", True, False)
    ]
    one = client.get(f"{ROOT}/collections/{world.shared.id}/").json()
    assert one["id"] == world.shared.id and one["can_write"] is True


def test_post_stores_and_reports_each_object(world: TaxiiWorld) -> None:
    client = world.client("A")
    good = indicator(tlp=Tlp.GREEN)
    bad = indicator()
    del bad["pattern"]
    status = post(client, world.shared.id, [good, bad])
    assert status["status"] == "complete"
    assert (status["total_count"], status["success_count"], status["failure_count"]) == (2, 1, 1)
    assert status["successes"] == [{"id": good["id"], "version": "2024-03-01T10:00:00.000000Z"}]
    assert status["failures"][0]["id"] == bad["id"]
    assert "pattern" in status["failures"][0]["message"]
    again = client.get(f"{ROOT}/status/{status['id']}/").json()
    assert again == status
    # only the poster's organisation may read its status
    assert world.client("B").get(f"{ROOT}/status/{status['id']}/").status_code == 404
    assert [o["id"] for o in objects_of(client, world.shared.id)] == [good["id"]]


def test_a_collection_refuses_what_its_filter_excludes(world: TaxiiWorld) -> None:
    client = world.client("A")
    red = indicator(tlp=Tlp.RED)
    identity = {
        "type": "identity",
        "spec_version": "2.1",
        "id": "identity--4a3b7e4e-0c43-4a4b-a3b6-2e1f8f1e9c11",
        "created": "2024-03-01T10:00:00.000Z",
        "modified": "2024-03-01T10:00:00.000Z",
        "name": "Someone",
    }
    status = post(client, world.indicators.id, [red, identity, indicator(tlp=Tlp.AMBER)])
    assert status["success_count"] == 1
    messages = {f["id"]: f["message"] for f in status["failures"]}
    assert "ceiling" in messages[red["id"]] and "accepts only indicator" in messages[identity["id"]]


def test_readers_of_a_collection_receive_what_is_posted_to_it(world: TaxiiWorld) -> None:
    amber = indicator(tlp=Tlp.AMBER)
    post(world.client("B"), world.shared.id, [amber])
    # A reads the shared collection: given to it as a reader
    assert [o["id"] for o in objects_of(world.client("A"), world.shared.id)] == [amber["id"]]
    # C is no reader of Shared, and the Indicators view over the same store hides it from C
    assert objects_of(world.client("C"), world.indicators.id) == []


def test_red_stays_with_its_recipients(world: TaxiiWorld) -> None:
    red = indicator(tlp=Tlp.RED, created_by=world.orgs["A"].id)
    post(world.client("A"), world.shared.id, [red])
    for who in ("A", "B"):  # B reads Shared: a named recipient
        assert [o["id"] for o in objects_of(world.client(who), world.shared.id)] == [red["id"]]
    client_c = world.client("C")
    assert objects_of(client_c, world.indicators.id) == []
    path = f"{ROOT}/collections/{world.indicators.id}/objects/{red['id']}/"
    assert client_c.get(path).status_code == 404


def test_filters_by_type_id_and_spec_version(world: TaxiiWorld) -> None:
    client = world.client("A")
    first, second = indicator(), indicator()
    post(client, world.shared.id, [first, second])
    cid = world.shared.id
    assert len(objects_of(client, cid, **{"match[type]": "indicator,malware"})) == 2
    assert objects_of(client, cid, **{"match[type]": "malware"}) == []
    assert [o["id"] for o in objects_of(client, cid, **{"match[id]": second["id"]})] == [
        second["id"]
    ]
    assert len(objects_of(client, cid, **{"match[spec_version]": "2.1"})) == 2
    assert objects_of(client, cid, **{"match[spec_version]": "2.0"}) == []
    bad = client.get(f"{ROOT}/collections/{cid}/objects/", params={"match[spec_version]": "3"})
    assert bad.status_code == 400 and "match[spec_version]" in bad.json()["description"]


def test_version_selection(world: TaxiiWorld) -> None:
    client = world.client("A")
    v1 = indicator(modified="2024-03-01T10:00:00.000Z")
    v2 = dict(v1, modified="2024-04-01T10:00:00.000Z", name="second")
    v3 = dict(v1, modified="2024-05-01T10:00:00.000Z", name="third")
    post(client, world.shared.id, [v1, v2, v3])
    cid = world.shared.id

    def names(selector: str | None) -> list[str]:
        params = {"match[version]": selector} if selector else {}
        return sorted(o["name"] for o in objects_of(client, cid, **params))

    assert names(None) == ["third"]
    assert names("last") == ["third"]
    assert names("first") == [v1["name"]]
    assert names("all") == sorted([v1["name"], "second", "third"])
    assert names("first,2024-04-01T10:00:00Z") == sorted([v1["name"], "second"])
    path = f"{ROOT}/collections/{cid}/objects/{v1['id']}"
    versions = client.get(f"{path}/versions/").json()
    assert versions["more"] is False
    assert sorted(versions["versions"]) == [
        "2024-03-01T10:00:00.000000Z",
        "2024-04-01T10:00:00.000000Z",
        "2024-05-01T10:00:00.000000Z",
    ]
    one = client.get(f"{path}/").json()["objects"]
    assert [o["name"] for o in one] == ["third"]
    assert (
        client.get(
            f"{ROOT}/collections/{cid}/objects/", params={"match[version]": "soon"}
        ).status_code
        == 400
    )


def test_paging_with_next_survives_a_new_server(world: TaxiiWorld) -> None:
    cid = world.shared.id
    posted = [indicator() for _ in range(25)]
    for start in range(0, 25, 10):
        post(world.client("A"), cid, posted[start : start + 10])
    seen: list[str] = []
    params: dict[str, str] = {"limit": "7", "match[type]": "indicator"}
    pages = 0
    while True:
        client = world.client("A")  # a new app instance for every page: no server memory
        response = client.get(f"{ROOT}/collections/{cid}/objects/", params=params)
        body = response.json()
        seen += [o["id"] for o in body["objects"]]
        pages += 1
        first = response.headers["X-TAXII-Date-Added-First"]
        last = response.headers["X-TAXII-Date-Added-Last"]
        assert first <= last
        if not body["more"]:
            assert "next" not in body
            break
        params["next"] = body["next"]
    assert pages == 4 and sorted(seen) == sorted(o["id"] for o in posted)


def test_added_after_and_manifest(world: TaxiiWorld) -> None:
    client = world.client("A")
    cid = world.shared.id
    post(client, cid, [indicator(), indicator()])
    manifest = client.get(
        f"{ROOT}/collections/{cid}/manifest/", params={"match[type]": "indicator"}
    )
    records = manifest.json()["objects"]
    assert len(records) == 2
    assert {r["media_type"] for r in records} == {"application/stix+json;version=2.1"}
    cut = records[-1]["date_added"]
    later = indicator()
    post(client, cid, [later])
    newer = objects_of(client, cid, added_after=cut)
    assert [o["id"] for o in newer] == [later["id"]]
    assert objects_of(client, cid, added_after="2999-01-01T00:00:00Z") == []


def test_delete_is_for_the_creator(world: TaxiiWorld) -> None:
    a_client, b_client = world.client("A"), world.client("B")
    mine = indicator(created_by=world.orgs["A"].id)
    newer = dict(mine, modified="2024-06-01T00:00:00.000Z", name="newer")
    post(a_client, world.shared.id, [mine, newer])
    path = f"{ROOT}/collections/{world.shared.id}/objects/{mine['id']}/"
    assert b_client.delete(path).status_code == 403
    only_newer = a_client.delete(path, params={"match[version]": "2024-06-01T00:00:00Z"})
    assert only_newer.status_code == 200
    # the older version is the latest again
    assert [o["name"] for o in a_client.get(path).json()["objects"]] == [mine["name"]]
    assert a_client.delete(path).status_code == 200
    assert a_client.get(path).status_code == 404
    assert a_client.delete(path).status_code == 404


@pytest.mark.parametrize(
    ("who", "method", "path", "headers", "status"),
    [
        (None, "GET", "/taxii2/", {}, 401),
        ("A", "GET", "/taxii2/", {"Accept": "application/json"}, 406),
        ("A", "GET", "/taxii2/", {"Accept": "application/taxii+json;version=2.0"}, 406),
        ("A", "GET", "/taxii2/nope/", {}, 404),
        ("A", "GET", f"{ROOT}/collections/00000000-0000-4000-8000-000000000000/", {}, 404),
        ("A", "GET", f"{ROOT}/status/00000000-0000-4000-8000-000000000000/", {}, 404),
        ("A", "GET", f"{ROOT}/collections/shared/objects/?limit=0", {}, 400),
        ("A", "GET", f"{ROOT}/collections/shared/objects/?next=garbage", {}, 400),
        ("A", "GET", f"{ROOT}/collections/shared/objects/?added_after=yesterday", {}, 400),
        ("C", "GET", f"{ROOT}/collections/shared/", {}, 404),
    ],
)
def test_errors_are_taxii_error_messages(
    world: TaxiiWorld,
    who: str | None,
    method: str,
    path: str,
    headers: dict[str, str],
    status: int,
) -> None:
    client = world.client(who or "A")
    if who is None:
        del client.headers["Authorization"]
    response = client.request(method, path, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == TAXII
    error = response.json()
    assert error["http_status"] == str(status) and error["title"] and error["description"]
    if status == 401:
        assert "Bearer" in response.headers["WWW-Authenticate"]


def test_write_errors(world: TaxiiWorld) -> None:
    client_a, client_c = world.client("A"), world.client("C")
    url = f"{ROOT}/collections/{world.indicators.id}/objects/"
    body = orjson.dumps({"objects": [indicator()]})
    assert client_c.post(url, content=body, headers={"Content-Type": TAXII}).status_code == 403
    wrong_type = client_a.post(url, content=body, headers={"Content-Type": "application/json"})
    assert wrong_type.status_code == 415 and wrong_type.json()["http_status"] == "415"
    too_big = orjson.dumps({"objects": [indicator() for _ in range(200)]})
    assert len(too_big) > MAX_BODY
    response = client_a.post(url, content=too_big, headers={"Content-Type": TAXII})
    assert response.status_code == 413
    for broken in (b"{not json", b"[1, 2]", b'{"objects": {}}'):
        response = client_a.post(url, content=broken, headers={"Content-Type": TAXII})
        assert response.status_code == 422 and "envelope" in response.json()["description"]
    assert objects_of(client_a, world.indicators.id) == []


def test_community_and_creator_views(world: TaxiiWorld) -> None:
    a, b = world.orgs["A"], world.orgs["B"]
    with world.store.write() as connection:
        region = ids.add_community(connection, "Region")
        ids.join_community(connection, region, a)
        regional = add_collection(connection, "Regional", communities=(region,))
        by_b = add_collection(connection, "From B", creator=b.id)
        for view in (regional, by_b):
            grant(connection, view, a.id, Rights(True, True))
    in_region = indicator(tlp=Tlp.GREEN)
    import_objects(
        world.store,
        [in_region],
        "regional feed",
        ImportOptions(org=a, communities=frozenset({region})),
    )
    elsewhere = indicator(tlp=Tlp.GREEN)
    no_community = ImportOptions(org=a, communities=frozenset())
    import_objects(world.store, [elsewhere], "other feed", no_community)
    from_b = indicator(tlp=Tlp.CLEAR, created_by=b.id)
    import_objects(world.store, [from_b], "b's feed", ImportOptions(org=b))
    client = world.client("A")
    assert [o["id"] for o in objects_of(client, regional.id)] == [in_region["id"]]
    assert [o["id"] for o in objects_of(client, by_b.id)] == [from_b["id"]]
    refused = post(client, by_b.id, [indicator(created_by=a.id)])
    assert refused["failure_count"] == 1 and "created_by_ref" in refused["failures"][0]["message"]
    # posting to a community view gives the objects to that community
    posted = indicator(tlp=Tlp.GREEN)
    post(client, regional.id, [posted])
    assert posted["id"] in {o["id"] for o in objects_of(client, regional.id)}
    # a type filter that cannot meet the collection's own gives nothing, not everything
    indicators_view = world.indicators.id
    assert objects_of(client, indicators_view, **{"match[type]": "malware"}) == []


def test_red_posted_by_another_organisation_is_for_this_nodes_own(world: TaxiiWorld) -> None:
    """B (a peer's node pushing, say) posts RED and AMBER+STRICT into Shared: they reach
    the node's own organisation A, not Shared's other readers, who could pass them on."""
    with world.store.write() as connection:  # C reads Shared too
        grant(connection, world.shared, world.orgs["C"].id, Rights(True, False))
    red = indicator(tlp=Tlp.RED, created_by=world.orgs["B"].id)
    strict = indicator(tlp=Tlp.AMBER_STRICT, created_by=world.orgs["B"].id)
    amber = indicator(tlp=Tlp.AMBER, created_by=world.orgs["B"].id)
    status = post(world.client("B"), world.shared.id, [red, strict, amber])
    assert status["success_count"] == 3
    seen_by_a = {o["id"] for o in objects_of(world.client("A"), world.shared.id)}
    assert seen_by_a == {red["id"], strict["id"], amber["id"]}
    seen_by_c = {o["id"] for o in objects_of(world.client("C"), world.shared.id)}
    assert seen_by_c == {amber["id"]}  # AMBER goes to the readers, as before


def test_unmarked_strict_objects_are_read_over_taxii_by_the_home_organisation_only(
    world: TaxiiWorld,
) -> None:
    unmarked = indicator(name="unmarked, RED here")
    granular = indicator(name="RED by a granular marking")
    granular["granular_markings"] = [{"marking_ref": tlp_ref(Tlp.RED), "selectors": ["name"]}]
    given = ImportOptions(
        org=world.orgs["A"], recipients=frozenset({world.orgs["B"].id}), unmarked_tlp=Tlp.RED
    )
    import_objects(world.store, [unmarked, granular], "test", given)
    both = {unmarked["id"], granular["id"]}
    assert both <= {o["id"] for o in objects_of(world.client("A"), "shared")}
    at_b = {o["id"] for o in objects_of(world.client("B"), "shared")}
    assert granular["id"] in at_b and unmarked["id"] not in at_b  # its marking travels
    missing = world.client("B").get(f"{ROOT}/collections/shared/objects/{unmarked['id']}/")
    assert missing.status_code == 404
    # a node set up without an organisation of its own answers, filtering for everyone
    with world.store.write() as connection:
        connection.execute(delete(node_setting).where(node_setting.c.key == HOME_ORG_SETTING))
    at_a = {o["id"] for o in objects_of(world.client("A"), "shared")}
    assert granular["id"] in at_a and unmarked["id"] not in at_a
