"""Versioning: (id, modified) keys, all versions kept, latest tracked, content never overwritten."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from accord.errors import BatchRejected
from accord.store import (
    AccessGate,
    ImportOptions,
    ObjectQuery,
    Store,
    Viewer,
    import_objects,
    search,
)
from accord.store.identity import add_organisation
from accord.store.schema import stix_object
from tests.factories import indicator


@pytest.fixture
def options(store: Store) -> ImportOptions:
    with store.write() as connection:
        org = add_organisation(connection, "CERT-A")
    return ImportOptions(org=org)


def rows(store: Store, object_id: str) -> list[tuple[str, bool]]:
    with store.read() as connection:
        result = connection.execute(
            select(stix_object.c.version, stix_object.c.is_latest)
            .where(stix_object.c.id == object_id)
            .order_by(stix_object.c.version)
        )
        return [(version, bool(latest)) for version, latest in result]


def test_new_versions_are_kept_and_the_newest_is_latest(
    store: Store, options: ImportOptions
) -> None:
    v1 = indicator(modified="2024-03-01T10:00:00.000Z")
    v3 = dict(v1, modified="2024-03-03T10:00:00.000Z", name="third")
    v2 = dict(v1, modified="2024-03-02T10:00:00.000Z", name="second")
    first = import_objects(store, [v1], "a", options)
    third = import_objects(store, [v3], "b", options)
    second = import_objects(store, [v2], "c", options)  # arrives late: not the latest
    assert (first.new_objects, third.new_versions, second.new_versions) == (1, 1, 1)
    assert rows(store, v1["id"]) == [
        ("2024-03-01T10:00:00.000000Z", False),
        ("2024-03-02T10:00:00.000000Z", False),
        ("2024-03-03T10:00:00.000000Z", True),
    ]
    gate = AccessGate(Viewer(options.org.id))
    with store.read() as connection:
        latest = search(connection, gate, ObjectQuery(ids=[v1["id"]])).items
        every = search(connection, gate, ObjectQuery(ids=[v1["id"]], versions=("all",))).items
    assert [v.body["name"] for v in latest] == ["third"]
    assert len(every) == 3


def test_versions_in_one_batch_pick_the_newest(store: Store, options: ImportOptions) -> None:
    v1 = indicator(modified="2024-03-01T10:00:00.000Z")
    v2 = dict(v1, modified="2024-03-05T10:00:00.000Z")
    report = import_objects(store, [v2, v1], "batch", options)
    assert (report.new_objects, report.new_versions) == (1, 1)
    assert [latest for _, latest in rows(store, v1["id"])] == [False, True]


def test_importing_the_same_content_twice_changes_nothing(
    store: Store, options: ImportOptions
) -> None:
    objects = [indicator() for _ in range(5)]
    import_objects(store, objects, "first", options)
    with store.read() as connection:
        before = connection.execute(select(stix_object)).all()
    shuffled = [dict(reversed(list(obj.items()))) for obj in objects]  # key order is not content
    again = import_objects(store, shuffled, "second", options)
    assert (again.new_objects, again.new_versions, again.unchanged) == (0, 0, 5)
    with store.read() as connection:
        assert connection.execute(select(stix_object)).all() == before


def test_same_version_with_other_content_is_a_conflict(
    store: Store, options: ImportOptions
) -> None:
    original = indicator()
    import_objects(store, [original], "first", options)
    changed = dict(original, name="tampered")
    with pytest.raises(BatchRejected) as caught:
        import_objects(store, [indicator(), changed], "second", options)
    error = caught.value.errors[0]
    assert (error.object_id, error.prop) == (original["id"], "modified")
    with store.read() as connection:
        names = connection.execute(select(stix_object.c.name)).scalars().all()
        total = connection.execute(select(func.count()).select_from(stix_object)).scalar_one()
    assert "tampered" not in names
    assert total == 9 + 1 + 1  # 9 TLP markings, the org's identity, the original


def test_objects_without_timestamps_version_by_content(
    store: Store, options: ImportOptions
) -> None:
    address = {
        "type": "ipv4-addr",
        "spec_version": "2.1",
        "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd",
        "value": "198.51.100.3",
    }
    assert import_objects(store, [address], "a", options).new_objects == 1
    assert import_objects(store, [address], "b", options).unchanged == 1
    richer = dict(address, resolves_to_refs=["mac-addr--65cfcf98-8a6e-5a1b-8f61-379ac4f92d00"])
    assert import_objects(store, [richer], "c", options).new_versions == 1
    assert [latest for _, latest in rows(store, address["id"])] == [False, True]
