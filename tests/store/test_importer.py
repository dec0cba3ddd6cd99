"""Import: all-or-nothing per source, --skip-invalid with reasons, marking references."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from accord.errors import BatchRejected
from accord.stix.tlp import Tlp
from accord.store import ImportOptions, ObjectQuery, Store, import_objects, open_store, visible
from accord.store.identity import add_organisation
from accord.store.schema import stix_object
from tests.factories import indicator


@pytest.fixture
def options(store: Store) -> ImportOptions:
    with store.write() as connection:
        return ImportOptions(org=add_organisation(connection, "CERT-A"))


def count(store: Store, kind: str = "indicator") -> int:
    with store.read() as connection:
        return int(
            connection.execute(
                select(func.count()).select_from(stix_object).where(stix_object.c.type == kind)
            ).scalar_one()
        )


def custom_marking(marking_id: str) -> dict[str, object]:
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": marking_id,
        "created": "2024-01-01T00:00:00.000Z",
        "definition_type": "statement",
        "definition": {"statement": "Copyright 2024, Example CERT"},
    }


def test_one_invalid_object_stores_nothing_and_names_the_problem(
    store: Store, options: ImportOptions
) -> None:
    good = [indicator() for _ in range(4500)]  # more than one write chunk
    bad = indicator(confidence="high")
    with pytest.raises(BatchRejected) as caught:
        import_objects(store, [*good[:3000], bad, *good[3000:]], "feed.json", options)
    assert caught.value.source == "feed.json"
    [error] = caught.value.errors
    assert (error.object_id, error.prop) == (bad["id"], "confidence")
    assert count(store) == 0


def test_all_problems_are_reported_not_only_the_first(store: Store, options: ImportOptions) -> None:
    broken = [indicator(valid_from="yesterday") for _ in range(3)]
    with pytest.raises(BatchRejected) as caught:
        import_objects(store, [indicator(), *broken], "feed.json", options)
    assert [e.object_id for e in caught.value.errors] == [b["id"] for b in broken]
    assert {e.prop for e in caught.value.errors} == {"valid_from"}


def test_skip_invalid_stores_the_rest_and_reports_each_reject(
    store: Store, options: ImportOptions
) -> None:
    good = [indicator() for _ in range(3)]
    no_pattern = indicator()
    del no_pattern["pattern"]
    rejected_raw = [no_pattern, "not an object", indicator(pattern="[ipv4-addr:value = ")]
    skipping = ImportOptions(org=options.org, skip_invalid=True)
    report = import_objects(store, [good[0], *rejected_raw, *good[1:]], "feed.json", skipping)
    assert report.new_objects == 3
    assert [r.index for r in report.rejects] == [1, 2, 3]
    assert [r.raw for r in report.rejects] == rejected_raw
    assert report.rejects[0].as_record("feed.json")["property"] == "pattern"
    assert report.rejects[2].error.prop == "pattern"
    assert count(store) == 3


def test_markings_may_be_defined_later_in_the_same_input(
    store: Store, options: ImportOptions
) -> None:
    marking_id = f"marking-definition--{uuid.uuid4()}"
    marked = indicator(object_marking_refs=[marking_id])
    report = import_objects(store, [marked, custom_marking(marking_id)], "feed.json", options)
    assert report.new_objects == 2
    # ...and later inputs may reference it because it is stored now.
    assert (
        import_objects(
            store, [indicator(object_marking_refs=[marking_id])], "b", options
        ).new_objects
        == 1
    )


@pytest.mark.parametrize("where", ["object_marking_refs", "granular_markings"])
def test_unknown_marking_is_rejected(store: Store, options: ImportOptions, where: str) -> None:
    unknown = f"marking-definition--{uuid.uuid4()}"
    if where == "object_marking_refs":
        obj = indicator(object_marking_refs=[unknown])
    else:
        obj = indicator(granular_markings=[{"marking_ref": unknown, "selectors": ["name"]}])
    with pytest.raises(BatchRejected) as caught:
        import_objects(store, [obj], "feed.json", options)
    [error] = caught.value.errors
    assert (error.object_id, error.prop) == (obj["id"], where)
    assert unknown in error.reason
    assert count(store) == 0


def test_builtin_tlp_markings_validate_in_every_store(store: Store, options: ImportOptions) -> None:
    refs = [
        "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",  # TLP 2.0 CLEAR
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",  # TLP 2.0 AMBER+STRICT
        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",  # TLP 1.0 WHITE
        "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",  # TLP 1.0 RED
    ]
    report = import_objects(store, [indicator(object_marking_refs=[r]) for r in refs], "f", options)
    assert report.new_objects == 4
    assert count(store, "marking-definition") == 9


def test_a_doomed_import_stops_after_enough_problems(store: Store, options: ImportOptions) -> None:
    consumed = 0

    def objects() -> Iterator[dict[str, Any]]:
        nonlocal consumed
        for _ in range(10_000):
            consumed += 1
            yield indicator(confidence=-1)

    with pytest.raises(BatchRejected) as caught:
        import_objects(store, objects(), "feed.json", options)
    assert len(caught.value.errors) == 50
    assert consumed == 50


def test_what_another_node_sent_unmarked_is_kept_at_least_amber(store_url: str) -> None:
    store = open_store(store_url, Tlp.CLEAR)  # a node that shares unmarked objects openly
    with store.write() as connection:
        home = add_organisation(connection, "CERT-A")
        peer = add_organisation(connection, "CERT-B")
        stranger = add_organisation(connection, "CERT-C")
    local, sent, green = indicator(), indicator(), indicator(tlp=Tlp.GREEN)
    import_objects(store, [local], "local", ImportOptions(org=home))
    from_peer = ImportOptions(org=home, recipients=frozenset({peer.id}), received_from=peer.id)
    import_objects(store, [sent, green], "peer", from_peer)
    with store.read() as connection:
        rows = connection.execute(select(stix_object.c.id, stix_object.c.tlp)).all()
    levels = {row.id: row.tlp for row in rows}
    assert levels[local["id"]] == "clear" and levels[sent["id"]] == "amber"
    assert levels[green["id"]] == "green"  # a marking says it itself
    seen = {v.id for v in visible(store, stranger.id, ObjectQuery(types=["indicator"]))}
    assert seen == {local["id"]}
    store.close()
