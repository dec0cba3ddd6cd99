"""The correlation graph links objects through shared observables, behind the gate."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from accord.config import Settings
from accord.correlate.graph import build_graph
from accord.stix.tlp import Tlp
from accord.store import AccessGate, ImportOptions, Store, Viewer, import_objects
from accord.store import identity as ids
from accord.web import create_app
from tests.factories import CREATED, indicator, tlp_ref


def sdo(kind: str, name: str, tlp: Tlp = Tlp.GREEN, **extra: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "spec_version": "2.1",
        "id": f"{kind}--{uuid.uuid4()}",
        "created": CREATED,
        "modified": CREATED,
        "name": name,
        "object_marking_refs": [tlp_ref(tlp)],
        **extra,
    }


def relationship(source: str, kind: str, target: str) -> dict[str, Any]:
    rel = sdo("relationship", "", source_ref=source, relationship_type=kind, target_ref=target)
    del rel["name"]
    return rel


def test_shared_values_link_indicators_reports_and_actors(store: Store, tmp_path: Path) -> None:
    with store.write() as connection:
        a = ids.add_organisation(connection, "CERT-A")
        b = ids.add_organisation(connection, "CERT-B")
        token_b = ids.create_token(connection, b)
    ours = indicator(
        pattern="[ipv4-addr:value = '203.0.113.9' OR domain-name:value = 'c2.example']",
        tlp=Tlp.GREEN,
    )
    theirs = indicator(pattern="[domain-name:value = 'c2.example']", tlp=Tlp.GREEN)
    ranged = indicator(pattern="[ipv4-addr:value = '203.0.113.9']", tlp=Tlp.RED)
    unrelated = indicator(pattern="[ipv4-addr:value = '192.0.2.1']", tlp=Tlp.GREEN)
    actor = sdo("intrusion-set", "Example Panda")
    report = sdo("report", "C2 write-up", published=CREATED, object_refs=[theirs["id"]])
    indicates = relationship(theirs["id"], "indicates", actor["id"])
    options = ImportOptions(org=a, recipients=frozenset({b.id}))
    import_objects(store, [ours, theirs, unrelated, actor, report, indicates], "feed", options)
    import_objects(store, [ranged], "a's own", ImportOptions(org=a))

    with store.read() as connection:
        graph = build_graph(connection, AccessGate(Viewer(a.id)), ours["id"])
    edges = {(e["source"], e["kind"], e["target"]): e for e in graph.edges}
    assert edges[(ours["id"], "shares", theirs["id"])]["values"] == ["c2.example"]
    assert edges[(ours["id"], "shares", ranged["id"])]["values"] == ["203.0.113.9"]
    assert (theirs["id"], "indicates", actor["id"]) in edges
    assert (report["id"], "contains", theirs["id"]) in edges
    assert unrelated["id"] not in graph.nodes

    # From the actor: its indicators' values lead to the other indicators sharing them.
    with store.read() as connection:
        from_actor = build_graph(connection, AccessGate(Viewer(a.id)), actor["id"])
    assert {(e["source"], e["target"]) for e in from_actor.edges if e["kind"] == "shares"} == {
        (actor["id"], ours["id"])
    }

    # B may not see A's TLP:RED indicator: not in its graph, not through the API.
    client = TestClient(
        create_app(Settings(home=tmp_path), store), headers={"Authorization": f"Bearer {token_b}"}
    )
    seen_by_b = client.get(f"/api/objects/{ours['id']}/graph").json()
    assert ranged["id"] not in {n["id"] for n in seen_by_b["nodes"]}
    assert {n["id"] for n in seen_by_b["nodes"]} >= {ours["id"], theirs["id"], actor["id"]}
    assert client.get(f"/api/objects/{ranged['id']}/graph").status_code == 404
