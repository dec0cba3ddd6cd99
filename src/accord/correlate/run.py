"""A correlation run: the indicators an organisation may see, against a stream of
observations; the matches stored as sightings through the store."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any, NamedTuple

from accord.correlate.compiler import PatternError, compile_pattern
from accord.correlate.engine import Correlator
from accord.correlate.evaluate import Observation
from accord.correlate.index import PatternIndex
from accord.correlate.logs import Record, observation_of
from accord.correlate.retention import DEFAULT_WINDOW, Retainer, has_retained, retained_records
from accord.correlate.sightings import Sighted, sighting_objects
from accord.store import AccessGate, ImportOptions, ObjectQuery, Store, Viewer, import_objects
from accord.store.identity import Organisation
from accord.store.reading import iter_versions


class Observed(NamedTuple):
    """One observation for the correlator: what it says, and how to build its objects."""

    record: Record
    build: Callable[[], Observation]


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


def _checkpoint_key(org: Organisation) -> str:
    return f"correlation_indicators_until:{org.id}"


def load_indicators(
    store: Store, org: Organisation, report: CorrelationReport, added_after: str | None = None
) -> PatternIndex:
    """Every STIX-pattern indicator ``org`` may see (latest versions, not revoked), or only
    those added after ``added_after``; remembers the newest seen for ``catch_up``."""
    index = PatternIndex()
    gate = AccessGate(Viewer(org.id))
    newest = added_after
    query = ObjectQuery(types=["indicator"], added_after=added_after)
    with store.read() as connection:
        for version in iter_versions(connection, gate, query):
            newest = max(newest or "", version.date_added)
            body = version.body
            if body.get("revoked") or body.get("pattern_type") != "stix":
                continue
            try:
                index.add(version.id, compile_pattern(body["pattern"]))
            except PatternError as error:
                report.unusable[version.id] = str(error)
    report.indicators = len(index.patterns)
    if newest:
        with store.write() as connection:
            store.set_setting(connection, _checkpoint_key(org), newest)
    return index


def correlate(
    store: Store,
    org: Organisation,
    observed: Iterable[Observed],
    source: str,
    window: timedelta = DEFAULT_WINDOW,
) -> CorrelationReport:
    """Match ``observed`` against ``org``'s indicators; store one sighting per indicator.

    The observations are also retained for ``window``, for ``catch_up``."""
    report = CorrelationReport()
    retained = Retainer(store, org, window)
    kept = (_kept(retained, item) for item in observed)
    _run(store, org, load_indicators(store, org, report), kept, source, report)
    retained.close()
    return report


def catch_up(store: Store, org: Organisation) -> CorrelationReport:
    """Match indicators added since ``org``'s last run against its retained observations."""
    report = CorrelationReport()
    if not has_retained(store, org):
        return report  # nothing seen yet: the next run meets every indicator anyway
    with store.read() as connection:
        since = store.get_setting(connection, _checkpoint_key(org))
    index = load_indicators(store, org, report, since)
    if index.patterns:
        kept = (
            Observed(record, partial(observation_of, record))
            for record in retained_records(store, org)
        )
        _run(store, org, index, kept, "retained observations", report)
    return report


def _kept(retained: Retainer, item: Observed) -> Observed:
    retained.add(item.record)
    return item


def _run(
    store: Store,
    org: Organisation,
    index: PatternIndex,
    observed: Iterable[Observed],
    source: str,
    report: CorrelationReport,
) -> None:
    correlator = Correlator(index)
    sighted: dict[str, Sighted] = {}
    for record, build in observed:
        for match in correlator.feed(record.fields, build):
            report.matches += 1
            sighted.setdefault(match.key, Sighted(match.key)).add(match.observations)
    report.observations = correlator.observations
    objects = [obj for found in sighted.values() for obj in sighting_objects(found, org.id)]
    if objects:
        import_objects(store, objects, f"correlation of {source}", ImportOptions(org=org))
    report.sightings = [obj["id"] for obj in objects if obj["type"] == "sighting"]
