"""Federation between live nodes on loopback: pull, push, markings, provenance, a cycle."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from accord.stix.tlp import Tlp
from accord.store import ImportOptions, import_objects
from accord.store import identity as ids
from accord.store.schema import peer as peer_table
from accord.taxii.federation import sync_all
from accord.taxii.media import TAXII
from tests.factories import indicator
from tests.taxii.nodes import Node, know, make_node, peer_with, sync


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[dict[str, Node]]:
    made = {name: make_node(tmp_path, name) for name in ("A", "B", "C")}
    for node in made.values():
        node.start()
    yield made
    for node in made.values():
        node.stop()


def share(node: Node, objects: list[dict[str, object]], to: list[Node] | None = None) -> None:
    """Import ``objects`` at ``node`` as its organisation, given also to ``to``'s orgs."""
    to = to or []
    with node.store() as store:
        for other in to:
            know(store, other.org)
        options = ImportOptions(org=node.org, recipients=frozenset(o.org.id for o in to))
        import_objects(store, objects, "test", options)


def ids_at(node: Node) -> set[str]:
    return {object_id for object_id, _ in node.versions()}


def test_pull_copies_every_version_once_and_keeps_provenance(nodes: dict[str, Node]) -> None:
    a, b = nodes["A"], nodes["B"]
    v1 = indicator(tlp=Tlp.CLEAR, created_by=a.org.id)
    v2 = dict(v1, modified="2024-05-01T00:00:00.000Z", name="revised")
    green = indicator(tlp=Tlp.GREEN, created_by=a.org.id)
    share(a, [v1, v2, green])
    peer_with(b, a)
    first = sync(b)[0]
    assert first.new >= 2
    stix = [v for v in b.versions() if v[0].startswith("indicator--")]
    # TLP:GREEN is for A's community, which B is not in
    assert stix == sorted(
        [(v1["id"], v1["modified"][:19] + ".000000Z"), (v1["id"], "2024-05-01T00:00:00.000000Z")]
    )
    again = sync(b)[0]
    assert (again.pulled, again.new) == (0, 0)  # the checkpoint holds
    with a.store() as store, store.write() as connection:
        region = ids.add_community(connection, "Region")
        ids.join_community(connection, region, a.org)
        ids.join_community(connection, region, ids.get_organisation(connection, b.org.id))
    green_later = indicator(tlp=Tlp.GREEN, created_by=a.org.id)
    share(a, [green_later])
    sync(b)
    assert green_later["id"] in ids_at(b) and green["id"] not in ids_at(b)
    with b.store() as store, store.write() as connection:
        token = ids.create_token(connection, b.org)
    provenance = httpx.get(
        f"http://127.0.0.1:{b.port}/api/objects/{v1['id']}/provenance",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert [v["received_from"] for v in provenance["versions"]] == [a.org.name, a.org.name]


def test_markings_decide_what_travels_on(nodes: dict[str, Node]) -> None:
    a, b, c = nodes["A"], nodes["B"], nodes["C"]
    # C shares with A only: RED, AMBER+STRICT and AMBER addressed to A's organisation.
    marked = {
        level: indicator(tlp=level, created_by=c.org.id, name=f"for A: {level.value}")
        for level in (Tlp.RED, Tlp.AMBER_STRICT, Tlp.AMBER, Tlp.CLEAR)
    }
    share(c, list(marked.values()), to=[a])
    peer_with(a, c)
    peer_with(b, a)
    sync(a)
    assert {o["id"] for o in marked.values()} <= ids_at(a)
    sync(b)
    at_b = ids_at(b)
    assert marked[Tlp.CLEAR]["id"] in at_b
    for level in (Tlp.RED, Tlp.AMBER_STRICT, Tlp.AMBER):
        assert marked[level]["id"] not in at_b, level
    # B becomes a client of A: TLP:AMBER given to A may now reach B, RED still may not.
    with a.store() as store, store.write() as connection:
        ids.add_client(connection, a.org, ids.get_organisation(connection, b.org.id))
        connection.execute(peer_table.update().values(pull_added_after=None))
    with b.store() as store, store.write() as connection:
        connection.execute(peer_table.update().values(pull_added_after=None))
    sync(b)
    at_b = ids_at(b)
    assert marked[Tlp.AMBER]["id"] in at_b
    assert marked[Tlp.RED]["id"] not in at_b and marked[Tlp.AMBER_STRICT]["id"] not in at_b


def test_push_sends_what_the_peer_may_see_and_nothing_back(nodes: dict[str, Node]) -> None:
    a, b = nodes["A"], nodes["B"]
    clear = indicator(tlp=Tlp.CLEAR, created_by=a.org.id)
    for_b = indicator(tlp=Tlp.RED, created_by=a.org.id, name="for B's eyes")
    private = indicator(tlp=Tlp.RED, created_by=a.org.id, name="A's own")
    share(a, [clear, private])
    share(a, [for_b], to=[b])
    peer_with(a, b, push=True)
    report = sync(a)[0]
    assert report.pushed >= 2 and report.push_failures == 0
    at_b = ids_at(b)
    assert clear["id"] in at_b and for_b["id"] in at_b and private["id"] not in at_b
    # what B holds from A is not pushed back to A by B
    peer_with(b, a, push=True)
    back = sync(b)[0]
    assert back.new == 0 and back.push_failures == 0
    assert b.count(received_from=a.org.id) >= 2


def test_unmarked_objects_at_a_named_audience_stay_on_their_node(nodes: dict[str, Node]) -> None:
    a, b = nodes["A"], nodes["B"]
    # Given to B without a marking, at levels chosen at import: B's node would store
    # them at its own default (AMBER: B's clients too), so the strict ones stay on A.
    unmarked = {level: indicator(created_by=a.org.id, name=f"unmarked, {level.value} at A")
                for level in (Tlp.RED, Tlp.AMBER_STRICT, Tlp.AMBER)}  # fmt: skip
    marked = indicator(tlp=Tlp.RED, created_by=a.org.id, name="marked RED, for B")
    with a.store() as store:
        know(store, b.org)
        for level, obj in unmarked.items():
            given = ImportOptions(org=a.org, recipients=frozenset({b.org.id}), unmarked_tlp=level)
            import_objects(store, [obj], "test", given)
    share(a, [marked], to=[b])
    held = {unmarked[Tlp.RED]["id"], unmarked[Tlp.AMBER_STRICT]["id"]}
    peer_with(a, b, push=True)
    report = sync(a)[0]
    assert report.held_back == 2 and report.push_failures == 0
    at_b = ids_at(b)
    assert {marked["id"], unmarked[Tlp.AMBER]["id"]} <= at_b and not held & at_b
    # B pulling them over TAXII meets the same rule; A's own organisation does not
    peer_with(b, a)
    sync(b)
    assert not held & ids_at(b)
    with a.store() as store, store.write() as connection:
        token = ids.create_token(connection, a.org)
    own = httpx.get(
        f"{a.api_root}collections/shared/objects/",
        headers={
            "Authorization": f"Bearer {token}",
            "Accept": TAXII,
        },
    ).json()
    assert held <= {obj["id"] for obj in own["objects"]}


def test_a_cycle_converges_without_loops_or_duplicates(nodes: dict[str, Node]) -> None:
    a, b, c = nodes["A"], nodes["B"], nodes["C"]
    share(a, [indicator(tlp=Tlp.CLEAR, created_by=a.org.id) for _ in range(30)])
    share(b, [indicator(tlp=Tlp.CLEAR, created_by=b.org.id) for _ in range(20)])
    share(c, [indicator(tlp=Tlp.CLEAR, created_by=c.org.id) for _ in range(10)])
    peer_with(b, a)
    peer_with(c, b)
    peer_with(a, c)
    for _ in range(4):
        for node in (a, b, c):
            sync(node)
    versions = [n.versions() for n in (a, b, c)]
    assert versions[0] == versions[1] == versions[2]
    assert len(versions[0]) == len(set(versions[0]))
    assert sum(1 for object_id, _ in versions[0] if object_id.startswith("indicator--")) == 60
    quiet = [sync(node)[0] for node in (a, b, c)]
    assert [r.new for r in quiet] == [0, 0, 0]


def test_a_lost_cursor_restarts_the_run_and_a_dead_peer_is_reported(
    nodes: dict[str, Node],
) -> None:
    a, b = nodes["A"], nodes["B"]
    share(a, [indicator(tlp=Tlp.CLEAR) for _ in range(5)])
    peer_with(b, a)
    with b.store() as store, store.write() as connection:
        connection.execute(peer_table.update().values(pull_next="bm90IGEgY3Vyc29y"))
    assert sync(b)[0].new >= 5
    a.stop()
    with b.store() as store:
        report = sync_all(store, b.org)[0]
    assert report.errors and "unreachable" in report.errors[0]
    with b.store() as store, store.read() as connection:
        kept = connection.execute(peer_table.select()).one()
    assert "unreachable" in kept.last_error and kept.last_sync


def test_a_full_mesh_goes_quiet_once_everyone_has_everything(nodes: dict[str, Node]) -> None:
    """Pull and push both ways between three nodes: what a node pushed comes back on its
    next pull as 'unchanged', and that echo must not send it round again."""
    a, b, c = nodes["A"], nodes["B"], nodes["C"]
    share(a, [indicator(tlp=Tlp.AMBER, created_by=a.org.id) for _ in range(20)], to=[b, c])
    for puller in (a, b, c):
        for server in (a, b, c):
            if puller is not server:
                peer_with(puller, server, push=True)
    moved = []
    for _ in range(4):
        reports = [report for node in (a, b, c) for report in sync(node)]
        moved.append(sum(r.pushed + r.new for r in reports))
    assert all(sum(1 for i in ids_at(n) if i.startswith("indicator--")) == 20 for n in (b, c))
    # first tick: the indicators travel; second: each node's echo; then nothing moves
    assert moved[2:] == [0, 0], moved
