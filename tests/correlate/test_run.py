"""A correlation run end to end on both backends: indicators from the store, observed-data
in, sightings stored (and stored once, however often the same input is correlated)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import stix2
from sqlalchemy import select

from accord.correlate.evaluate import observations_from_stix
from accord.correlate.retention import record_of
from accord.correlate.run import Observed, catch_up, correlate
from accord.stix.tlp import Tlp
from accord.store import (
    AccessGate,
    ImportOptions,
    ObjectQuery,
    Store,
    Viewer,
    import_objects,
    search,
)
from accord.store import identity as ids
from accord.store.schema import retained_observation
from tests.factories import indicator


def observed_bundle() -> list[dict[str, Any]]:
    ip = stix2.v21.IPv4Address(value="203.0.113.9")
    domain = stix2.v21.DomainName(value="c2.evil.example")
    quiet = stix2.v21.IPv4Address(value="192.0.2.1")
    objects = [ip, domain, quiet]
    observed = [
        stix2.v21.ObservedData(
            first_observed="2024-05-01T10:00:00Z",
            last_observed="2024-05-01T10:05:00Z",
            number_observed=3,
            object_refs=[ip.id, domain.id],
        ),
        stix2.v21.ObservedData(
            first_observed="2024-05-01T11:00:00Z",
            last_observed="2024-05-01T11:00:00Z",
            number_observed=1,
            object_refs=[quiet.id],
        ),
    ]
    return [json.loads(o.serialize()) for o in (*objects, *observed)]


def as_observed(objects: list[dict[str, Any]]) -> list[Observed]:
    return [Observed(record_of(o), lambda o=o: o) for o in observations_from_stix(objects)]


def test_matches_become_sightings_once(store: Store) -> None:
    with store.write() as connection:
        org = ids.add_organisation(connection, "CERT-A")
        other = ids.add_organisation(connection, "CERT-B")
    by_ip = indicator(pattern="[ipv4-addr:value = '203.0.113.9']", tlp=Tlp.GREEN)
    by_domain = indicator(pattern="[domain-name:value LIKE '%.evil.example']", tlp=Tlp.GREEN)
    unseen = indicator(pattern="[ipv4-addr:value ISSUBSET '198.51.100.0/24']", tlp=Tlp.GREEN)
    secret = indicator(pattern="[ipv4-addr:value = '192.0.2.1']", tlp=Tlp.RED)
    import_objects(store, [by_ip, by_domain, unseen], "feed", ImportOptions(org=org))
    import_objects(store, [secret], "b's own", ImportOptions(org=other))

    seen = observed_bundle()
    report = correlate(store, org, as_observed(seen), "bundle")
    assert report.as_json()["observations"] == 2
    assert report.indicators == 3  # B's TLP:RED indicator is not A's to match against
    assert (report.matches, report.indicators_matched) == (2, 2)
    gate = AccessGate(Viewer(org.id))
    with store.read() as connection:
        stored = search(connection, gate, ObjectQuery(types=["sighting"])).items
    sightings = {s.body["sighting_of_ref"]: s.body for s in stored}
    assert set(sightings) == {by_ip["id"], by_domain["id"]}
    first = sightings[by_ip["id"]]
    assert first["where_sighted_refs"] == [org.id] and first["count"] == 3
    assert (first["first_seen"], first["last_seen"]) == (
        "2024-05-01T10:00:00.000Z",
        "2024-05-01T10:05:00.000Z",
    )
    with store.read() as connection:
        observed = search(connection, gate, ObjectQuery(ids=first["observed_data_refs"])).items
    assert observed[0].body["number_observed"] == 3
    assert set(observed[0].body["object_refs"]) == {seen[0]["id"], seen[1]["id"]}
    bundle = {"type": "bundle", "id": "bundle--0c7b5b88-8ff7-4a4d-aa9c-feb398cd0061"}
    parsed = stix2.parse(dict(bundle, objects=[first]), allow_custom=False)
    assert parsed.objects[0].sighting_of_ref == by_ip["id"]

    again = correlate(store, org, as_observed(seen), "bundle")
    assert sorted(again.sightings) == sorted(report.sightings)
    with store.read() as connection:
        assert len(search(connection, gate, ObjectQuery(types=["sighting"])).items) == 2


def test_a_later_indicator_meets_retained_observations(store: Store) -> None:
    with store.write() as connection:
        org = ids.add_organisation(connection, "CERT-A")
    import_objects(store, [indicator(tlp=Tlp.GREEN)], "old feed", ImportOptions(org=org))
    seen = observed_bundle()
    first = correlate(store, org, as_observed(seen), "bundle")
    assert first.sightings == []
    assert catch_up(store, org).indicators == 0  # nothing new since the run
    late = indicator(pattern="[domain-name:value = 'c2.evil.example']", tlp=Tlp.GREEN)
    import_objects(store, [late], "new feed", ImportOptions(org=org))
    caught = catch_up(store, org)
    assert (caught.indicators, caught.observations, caught.indicators_matched) == (1, 2, 1)
    gate = AccessGate(Viewer(org.id))
    with store.read() as connection:
        [sighting] = search(connection, gate, ObjectQuery(types=["sighting"])).items
    assert sighting.body["sighting_of_ref"] == late["id"] and sighting.body["count"] == 3
    assert catch_up(store, org).indicators == 0


def test_retention_keeps_only_the_window(store: Store) -> None:
    with store.write() as connection:
        org = ids.add_organisation(connection, "CERT-A")
    old, new = observed_bundle(), observed_bundle()
    for obj in old:
        if obj["type"] == "observed-data":
            obj["first_observed"] = obj["last_observed"] = "2024-01-01T00:00:00Z"
    correlate(store, org, as_observed(old + new), "two months", window=timedelta(days=7))
    with store.read() as connection:
        kept = connection.execute(select(retained_observation.c.last_observed)).scalars().all()
    assert sorted(kept) == ["2024-05-01T10:05:00.000Z", "2024-05-01T11:00:00.000Z"]
