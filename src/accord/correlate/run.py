"""A correlation run: the indicators an organisation may see, against a stream of
observations; the matches stored as sightings through the store."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from accord.correlate.compiler import PatternError, compile_pattern
from accord.correlate.engine import Correlator
from accord.correlate.evaluate import Observation
from accord.correlate.index import PatternIndex
from accord.correlate.sightings import Sighted, sighting_objects
from accord.store import AccessGate, ImportOptions, ObjectQuery, Store, Viewer, import_objects
from accord.store.identity import Organisation
from accord.store.reading import iter_versions

#: One observation for the correlator: its (path, value) pairs, and how to build it.
Observed = tuple[Iterable[tuple[str, Any]], Callable[[], Observation]]


@dataclass
class CorrelationReport:
    observations: int = 0
    matches: int = 0
    indicators: int = 0
    #: indicators whose pattern could not be compiled: id → reason
    unusable: dict[str, str] = field(default_factory=dict)
    sightings: list[str] = field(default_factory=list)

    @property
    def indicators_matched(self) -> int:
        return len(self.sightings)

    def as_json(self) -> dict[str, Any]:
        return {
            "observations": self.observations,
            "matches": self.matches,
            "indicators_matched": self.indicators_matched,
            "sightings": self.sightings,
        }


def load_indicators(store: Store, org: Organisation, report: CorrelationReport) -> PatternIndex:
    """Every STIX-pattern indicator ``org`` may see (latest versions, not revoked)."""
    index = PatternIndex()
    gate = AccessGate(Viewer(org.id))
    with store.read() as connection:
        for version in iter_versions(connection, gate, ObjectQuery(types=["indicator"])):
            body = version.body
            if body.get("revoked") or body.get("pattern_type") != "stix":
                continue
            try:
                index.add(version.id, compile_pattern(body["pattern"]))
            except PatternError as error:
                report.unusable[version.id] = str(error)
    report.indicators = len(index.patterns)
    return index


def correlate(
    store: Store, org: Organisation, observed: Iterable[Observed], source: str
) -> CorrelationReport:
    """Match ``observed`` against ``org``'s indicators; store one sighting per indicator."""
    report = CorrelationReport()
    correlator = Correlator(load_indicators(store, org, report))
    sighted: dict[str, Sighted] = {}
    for fields, build in observed:
        for match in correlator.feed(fields, build):
            report.matches += 1
            sighted.setdefault(match.key, Sighted(match.key)).add(match.observations)
    report.observations = correlator.observations
    objects = [obj for found in sighted.values() for obj in sighting_objects(found, org.id)]
    if objects:
        import_objects(store, objects, f"correlation of {source}", ImportOptions(org=org))
    report.sightings = [obj["id"] for obj in objects if obj["type"] == "sighting"]
    return report
