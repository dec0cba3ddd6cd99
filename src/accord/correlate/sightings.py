"""Matches as STIX: an observed-data per matched observation and a sighting per indicator.

Ids are derived from what was seen (UUIDv5), and timestamps from when it was seen, so
correlating the same log twice stores nothing new: the second run's objects are the
first run's, unchanged.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from accord.correlate.evaluate import Observation
from accord.errors import InvalidObject
from accord.stix.validation import validate

#: Namespace of the UUIDv5 ids of objects Accord's correlator derives.
ACCORD_NAMESPACE = uuid.UUID("6f4b3c1e-2d0a-5b7e-9c44-1a2b3c4d5e6f")
MAX_OBSERVED_DATA = 100  # per sighting: enough to act on, bounded for huge matches


def stix_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class Sighted:
    """What one indicator matched: a bounded sample of observations and the totals."""

    indicator_id: str
    count: int = 0
    first: datetime | None = None
    last: datetime | None = None
    sample: list[Observation] = field(default_factory=list)

    def add(self, observations: tuple[Observation, ...]) -> None:
        for observation in observations:
            self.count += observation.count
            self.first = min(self.first or observation.first, observation.first)
            self.last = max(self.last or observation.last, observation.last)
            if len(self.sample) < MAX_OBSERVED_DATA:
                self.sample.append(observation)


def sighting_objects(sighted: Sighted, where: str) -> list[dict[str, Any]]:
    """The SCOs, observed-data and the sighting for one indicator (sighted at ``where``)."""
    objects: dict[str, dict[str, Any]] = {}
    observed_refs = []
    for observation in sighted.sample:
        observed = _observed_data(observation, where, objects)
        if observed is not None:
            objects[observed["id"]] = observed
            observed_refs.append(observed["id"])
    assert sighted.first is not None and sighted.last is not None
    first, last = stix_time(sighted.first), stix_time(sighted.last)
    name = f"{sighted.indicator_id}|{where}|{first}|{last}|{sighted.count}|{observed_refs}"
    sighting: dict[str, Any] = {
        "type": "sighting",
        "spec_version": "2.1",
        "id": f"sighting--{uuid.uuid5(ACCORD_NAMESPACE, name)}",
        "created": last,
        "modified": last,
        "created_by_ref": where,
        "sighting_of_ref": sighted.indicator_id,
        "where_sighted_refs": [where],
        "first_seen": first,
        "last_seen": last,
        "count": min(sighted.count, 999_999_999),  # the spec's upper bound
    }
    if observed_refs:
        sighting["observed_data_refs"] = observed_refs
    return [*objects.values(), sighting]


def _observed_data(
    observation: Observation, where: str, objects: dict[str, dict[str, Any]]
) -> dict[str, Any] | None:
    refs = []
    for obj in observation.by_id.values():
        try:
            validate(obj)
        except InvalidObject:
            continue  # an observable we cannot store as STIX is left out of the record
        objects.setdefault(obj["id"], obj)
        refs.append(obj["id"])
    if not refs:
        return None
    first, last = stix_time(observation.first), stix_time(observation.last)
    name = f"{observation.source}|{first}|{last}|{','.join(sorted(refs))}"
    return {
        "type": "observed-data",
        "spec_version": "2.1",
        "id": f"observed-data--{uuid.uuid5(ACCORD_NAMESPACE, name)}",
        "created": last,
        "modified": last,
        "created_by_ref": where,
        "first_observed": first,
        "last_observed": last,
        "number_observed": min(observation.count, 999_999_999),
        "object_refs": sorted(refs),
    }
