"""The intel browser, the attribution workbench and the correlation pages, in-process:
signed in through the form as two organisations, every read behind the access gate."""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from accord.attribution import sources
from accord.attribution.scoring import Params
from accord.config import Settings
from accord.stix.tlp import Tlp
from accord.store import ImportOptions, ObjectQuery, Store, import_objects, visible
from accord.store import identity as ids
from accord.web import create_app
from tests.attribution.world import as_stix21, small_world
from tests.factories import CREATED, indicator
from tests.web.conftest import BASE, PASSWORD, signed_in

C2 = "10.0.0.5"


@dataclass
class Node:
    store: Store
    alice: TestClient  # CERT-A
    bob: TestClient  # CERT-B
    a: ids.Organisation
    b: ids.Organisation


@pytest.fixture
def node(store: Store, tmp_path: Path) -> Node:
    with store.write() as connection:
        a = ids.add_organisation(connection, "CERT-A")
        b = ids.add_organisation(connection, "CERT-B")
        ids.add_user(connection, "alice", a, password=PASSWORD)
        ids.add_user(connection, "bob", b, password=PASSWORD)
    app = create_app(Settings(home=tmp_path), store)
    return Node(store, signed_in(app, "alice"), signed_in(app, "bob"), a, b)


def _listed(page: str) -> list[tuple[str, str]]:
    """(id, name) of each row of the intel list."""
    found = re.findall(r'<th scope="row"><a href="/intel/([^"]+)">([^<]*)</a></th>', page)
    return [(key, html.unescape(name)) for key, name in found]


def _shared_with_b(node: Node, objects: list[dict[str, Any]]) -> None:
    options = ImportOptions(org=node.a, recipients=frozenset({node.b.id}))
    import_objects(node.store, objects, "feed", options)


# ---- the intel browser ----------------------------------------------------------------


def test_the_list_shows_tlp_badges_and_filters(node: Node) -> None:
    emotet = [indicator(name=f"Emotet C2 {n}", tlp=Tlp.GREEN) for n in range(3)]
    qakbot = indicator(name="QakBot loader", description="drops beacons", tlp=Tlp.RED)
    _shared_with_b(node, [*emotet, qakbot])

    page = node.alice.get("/intel", params={"type": "indicator"}).text
    assert {name for _, name in _listed(page)} == {
        "Emotet C2 0", "Emotet C2 1", "Emotet C2 2", "QakBot loader",
    }  # fmt: skip
    assert page.count("tlp tlp-green") == 3 and page.count("tlp tlp-red") == 1
    assert "local" in page  # provenance: none came from a peer node

    red = node.alice.get("/intel", params={"tlp": "red"}).text
    assert [name for _, name in _listed(red)] == ["QakBot loader"]
    by_text = node.alice.get("/intel", params={"q": "beacons"}).text  # in the description
    assert [name for _, name in _listed(by_text)] == ["QakBot loader"]
    identities = node.alice.get("/intel", params={"type": "identity"}).text
    assert {name for _, name in _listed(identities)} == {"CERT-A", "CERT-B"}
    assert node.alice.get("/intel", params={"tlp": "purple"}).status_code == 422


def test_paging_visits_every_object_once_newest_first(node: Node) -> None:
    _shared_with_b(node, [indicator(name=f"Feed item {n}") for n in range(5)])
    _shared_with_b(node, [indicator(name=f"Feed item {n}") for n in range(5, 8)])  # later
    seen: list[str] = []
    names: list[str] = []
    url = "/intel?type=indicator&limit=3"
    pages = 0
    while url:
        page = node.bob.get(url).text
        seen += [key for key, _ in _listed(page)]
        names += [name for _, name in _listed(page)]
        pages += 1
        link = re.search(r'<a href="(/intel\?[^"]+)" id="next-page"', page)
        url = html.unescape(link.group(1)) if link else ""
        if pages > 1:
            assert 'id="first-page"' in page
    assert pages == 3 and len(seen) == len(set(seen)) == 8
    assert names == [f"Feed item {n}" for n in reversed(range(8))]


def test_the_object_page_shows_provenance_relationships_and_json(node: Node) -> None:
    seen = indicator(name="Beacon host", pattern=f"[ipv4-addr:value = '{C2}']")
    actor = _sdo("intrusion-set", "Example Panda")
    link = _sdo("relationship", None, relationship_type="indicates",
                source_ref=seen["id"], target_ref=actor["id"])  # fmt: skip
    _shared_with_b(node, [seen, actor, link])
    page = node.bob.get(f"/intel/{seen['id']}").text
    assert "Beacon host" in page and "tlp tlp-amber" in page
    assert "StoredVersion(" not in page  # the layout's own "version" is left alone
    relationships = page.split('id="relationships"')[1].split("</table>")[0]
    assert "indicates" in relationships and "Example Panda" in relationships
    assert f"/correlation/graph?id={seen['id']}" in page
    raw = html.unescape(page.split('<pre id="raw"')[1].split("</pre>")[0].split(">", 1)[1])
    assert orjson.loads(raw)["pattern"] == seen["pattern"]
    provenance = page.split('id="provenance"')[1].split("</table>")[0]
    assert "this node" in provenance


def test_a_bad_pattern_is_said_on_the_form_and_nothing_stored(node: Node) -> None:
    form = {"kind": "indicator", "name": "Broken", "pattern": "[ipv4-addr:value = ",
            "tlp": "amber", "orgs": [node.b.id]}  # fmt: skip
    answer = node.alice.post("/intel/new", data=form, follow_redirects=False)
    assert answer.status_code == 422
    problems = answer.text.split('id="form-problems"')[1].split("</div>")[0]
    assert "pattern:" in problems and "not a valid STIX 2.1 pattern" in problems
    assert "[ipv4-addr:value = </textarea>" in answer.text  # the input is kept
    assert visible(node.store, node.a.id, ObjectQuery(types=["indicator"])) == []


def test_an_indicator_made_on_the_form_is_shared_as_chosen(node: Node) -> None:
    form = {"kind": "indicator", "name": "Phishing sender", "tlp": "amber",
            "pattern": "[email-addr:value = 'boss@evil.example']", "orgs": [node.b.id]}  # fmt: skip
    answer = node.alice.post("/intel/new", data=form, follow_redirects=False)
    assert answer.status_code == 303
    made = answer.headers["location"].removeprefix("/intel/")
    page = node.bob.get(f"/intel/{made}").text
    assert "Phishing sender" in page and "tlp tlp-amber" in page
    stored = visible(node.store, node.b.id, ObjectQuery(ids=[made]))[0]
    assert stored.tlp == "amber" and stored.body["created_by_ref"] == node.a.id


def test_a_red_report_shared_with_nobody_stays_hidden(node: Node) -> None:
    first = indicator(name="C2 one", pattern=f"[ipv4-addr:value = '{C2}']")
    second = indicator(name="C2 pair", pattern=f"[ipv4-addr:value IN ('{C2}', '10.0.0.6')]")
    _shared_with_b(node, [first, second])
    form = {"kind": "report", "name": "Zanzibar internal assessment", "tlp": "red",
            "description": "Our response options", "published": "2026-11-24T06:30:00Z",
            "object_refs": second["id"]}  # fmt: skip
    answer = node.alice.post("/intel/new", data=form, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    report = answer.headers["location"].removeprefix("/intel/")
    assert report.startswith("report--")

    # its author sees it everywhere...
    assert node.alice.get(f"/intel/{report}").status_code == 200
    assert "Zanzibar" in node.alice.get("/intel", params={"q": "zanzibar"}).text
    assert report in node.alice.get("/intel/export", params={"type": "report"}).text
    graph = node.alice.get("/correlation/graph", params={"id": first["id"]}).text
    assert "Zanzibar" in graph  # it contains the indicator that shares the C2 address
    # ...the other organisation nowhere, not even by its address
    for path in ("/intel", "/intel?type=report", "/intel?q=zanzibar", "/intel?tlp=red"):
        assert "Zanzibar" not in node.bob.get(path).text, path
    exported = node.bob.get("/intel/export").text
    assert first["id"] in exported and report not in exported
    assert orjson.loads(exported)["type"] == "bundle"
    theirs = node.bob.get("/correlation/graph", params={"id": first["id"]}).text
    assert "C2 pair" in theirs and "Zanzibar" not in theirs
    assert node.bob.get(f"/intel/{report}").status_code == 404
    assert node.bob.get("/correlation/graph", params={"id": report}).status_code == 404
    hidden = node.bob.get(f"/intel/{report}").text
    assert "Zanzibar" not in hidden and "Not found" in hidden


def test_a_visitor_is_sent_to_sign_in(node: Node) -> None:
    visitor = TestClient(node.alice.app, base_url=BASE)
    for path in ("/intel", "/attribution", "/correlation", "/intel/new"):
        answer = visitor.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/signin")


# ---- the correlation pages -----------------------------------------------------------


def test_an_uploaded_log_makes_sightings_that_the_page_lists(node: Node) -> None:
    ranged = "[network-traffic:dst_ref.value ISSUBSET '10.0.0.0/24']"
    _shared_with_b(node, [
        indicator(name="C2 address", pattern=f"[ipv4-addr:value = '{C2}']"),
        indicator(name="C2 range", pattern=ranged),
        indicator(name="Never seen", pattern="[domain-name:value = 'never.example']"),
    ])  # fmt: skip
    assert "No sightings yet" in node.bob.get("/correlation").text
    lines = b"".join(
        orjson.dumps({"when": "2024-03-01T10:00:00Z", "dst": ip}) + b"\n"
        for ip in (C2, "10.0.0.9", "192.0.2.1")
    )
    mapping = "when=time\ndst=network-traffic:dst_ref.value"
    answer = node.bob.post(
        "/correlation",
        data={"format": "jsonl", "mapping": mapping},
        files={"log": ("events.jsonl", lines + b"{broken\n", "application/x-ndjson")},
    )
    assert answer.status_code == 200, answer.text
    assert re.search(r'id="observations">3<', answer.text)
    assert re.search(r'id="indicators-matched">2<', answer.text)
    assert "not-json" in answer.text  # the broken line, said
    listed = node.bob.get("/correlation").text.split('id="sightings"')[1]
    assert "C2 address" in listed and "C2 range" in listed and "Never seen" not in listed
    assert "CERT-B" in listed  # where sighted
    # the sightings are CERT-B's: CERT-A does not see them
    assert "No sightings yet" in node.alice.get("/correlation").text

    bad = node.bob.post(
        "/correlation", data={"mapping": "nonsense"}, files={"log": ("x.jsonl", lines)}
    )
    assert bad.status_code == 422 and "FIELD=OBJECT-PATH" in bad.text


def test_the_graph_page_draws_the_shared_value(node: Node) -> None:
    first = indicator(name="C2 one", pattern=f"[ipv4-addr:value = '{C2}']")
    second = indicator(name="C2 pair", pattern=f"[ipv4-addr:value IN ('{C2}', '10.0.0.6')]")
    other = indicator(name="Unrelated", pattern="[ipv4-addr:value = '192.0.2.1']")
    _shared_with_b(node, [first, second, other])
    page = node.bob.get("/correlation/graph", params={"id": first["id"]}).text
    svg = page.split("<svg")[1].split("</svg>")[0]
    assert f'<a href="/intel/{second["id"]}"' in svg and C2 in svg
    assert "Unrelated" not in page
    table = page.split('id="graph-table"')[1].split("</table>")[0]
    assert f"<code>{C2}</code>" in table and "C2 pair" in table and "10.0.0.6" not in table
    assert node.bob.get("/correlation/graph").status_code == 200  # asks for an id


# ---- the attribution workbench -------------------------------------------------------


@pytest.fixture
def attack_world(node: Node, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Node:
    """The small world of ``tests.attribution.world`` stored as ATT&CK is (TLP:CLEAR), in
    place of the packaged ATT&CK v15, whose model takes minutes to fit; its calibration
    is held in the store, fixed as in ``tests.attribution.test_model``, so that the right
    answers are known by construction (a fit to so small a world says little)."""
    _, objects = small_world()
    stored = [as_stix21(obj) for obj in objects]
    options = ImportOptions(org=node.a, communities=frozenset(), unmarked_tlp=Tlp.CLEAR)
    report = import_objects(node.store, stored, "small world", options)
    assert report.stored == len(stored)
    nothing = tmp_path / "no-attack.json"
    nothing.write_bytes(orjson.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}"}))
    monkeypatch.setattr(sources, "attack_bundle_path", lambda: nothing)
    fixed = Params(temperature=1.0, unknown_bias=0.0)
    knowledge = sources.load_knowledge(node.store, node.b, None)
    held = {"fingerprint": sources.fingerprint(knowledge), "temperature": fixed.temperature,
            "unknown_bias": fixed.unknown_bias, "novelty_weight": fixed.novelty_weight,
            "weights": None}  # fmt: skip
    with node.store.write() as connection:
        node.store.set_setting(connection, sources.CALIBRATION_SETTING, orjson.dumps(held).decode())
    return node


def test_the_workbench_lists_techniques_and_software(attack_world: Node) -> None:
    page = attack_world.bob.get("/attribution").text
    techniques = page.split('id="technique-options"')[1].split("</datalist>")[0]
    assert '<option value="T1059.001">T1059.001 PowerShell</option>' in techniques
    assert '<option value="T1059">' in techniques and "S0001" not in techniques
    software = page.split('id="software-options"')[1].split("</datalist>")[0]
    assert '<option value="S0001">S0001 SharedKit</option>' in software
    assert '<label for="technique">Technique</label>' in page and 'id="hypotheses"' in page
    assert '<script src="/static/workbench.js" defer></script>' in page


def test_the_form_ranks_the_expected_actor_first(attack_world: Node) -> None:
    form = {"techniques": ["T1000, common 1"], "software": ["B-implant"], "reliability": "B"}
    answer = attack_world.bob.post("/attribution", data=form)
    assert answer.status_code == 200, answer.text
    ranked = answer.text.split('id="hypothesis-table"')[1].split("</table>")[0]
    actors = re.findall(r'<th scope="row">(?:<a href="[^"]*">)?([^<]+)', ranked)
    assert actors[0] == "Actor B" and "an unknown actor" in actors
    assert "software B-implant: +" in ranked  # its contribution to the leader
    ach = answer.text.split('id="ach"')[1].split("</table>")[0]
    assert "technique T1001" in ach  # "common 1" was read as the technique's name
    implant = ach.split("software B-implant")[1].split("</tr>")[0]
    assert implant.count("ach-consistent") == 1 and "high" in implant

    other = attack_world.bob.post("/attribution", data={"software": ["C-implant"]}).text
    lead = other.split('id="hypothesis-table"')[1].split("</tr>")[1]
    assert "Actor C" in lead

    layer = attack_world.bob.post("/attribution", data={**form, "action": "layer"})
    assert "accord-layer.json" in layer.headers["content-disposition"]
    assert "T1000" in {t["techniqueID"] for t in layer.json()["techniques"]}


def test_bad_evidence_is_said_on_the_form(attack_world: Node) -> None:
    answer = attack_world.bob.post(
        "/attribution", data={"techniques": ["T1000"], "countries": "Atlantis"}
    )
    assert answer.status_code == 422
    assert "victims.countries[0]" in answer.text and "Atlantis" in answer.text
    empty = attack_world.bob.post("/attribution", data={})
    assert empty.status_code == 422 and "at least one" in empty.text


def test_a_saved_assessment_is_linked_and_stored_for_its_author(attack_world: Node) -> None:
    form = {"software": ["B-implant"], "action": "save"}
    page = attack_world.bob.post("/attribution", data=form).text
    found = re.search(r'Assessment stored: <a href="/intel/(report--[0-9a-f-]+)">', page)
    assert found is not None
    report = found.group(1)
    assert "Attribution assessment" in attack_world.bob.get(f"/intel/{report}").text
    assert attack_world.alice.get(f"/intel/{report}").status_code == 404
    # what the workbench's script does: the API, with the session cookie and Origin
    answer = attack_world.bob.post(
        "/api/attribute", params={"save": "true", "layer": "true", "top": 5},
        json={"software": ["C-implant"]},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["hypotheses"][0]["actor"]["name"] == "Actor C"
    assert result["navigator_layer"]["techniques"] and result["report"].startswith("report--")
    unsaved = attack_world.bob.post(
        "/api/attribute", params={"save": "false"}, json={"software": ["C-implant"]}
    )
    assert unsaved.status_code == 200 and "report" not in unsaved.json()


def _sdo(kind: str, name: str | None, **extra: Any) -> dict[str, Any]:
    obj = {"type": kind, "spec_version": "2.1", "id": f"{kind}--{uuid.uuid4()}",
           "created": CREATED, "modified": CREATED, **extra}  # fmt: skip
    if name is not None:
        obj["name"] = name
    return obj
