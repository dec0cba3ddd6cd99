"""Retained observations: what an organisation saw recently, kept so that indicators
arriving later (an import, a TAXII push, a federation pull) still meet them.

Each correlation run keeps its observations as flat records for the retention window
(``ACCORD_CORRELATION_RETENTION_DAYS``), measured back from the newest observation kept.
``catch_up`` matches the indicators added since the organisation's last run against
them, and stores what matches as sightings, like a run does.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import orjson
from sqlalchemy import delete, func, select

from accord.correlate.evaluate import Observation, observation_fields
from accord.correlate.fields import parse_time
from accord.correlate.logs import Record
from accord.correlate.sightings import stix_time
from accord.store import Store
from accord.store.identity import Organisation
from accord.store.schema import retained_observation

BATCH = 5000
DEFAULT_WINDOW = timedelta(days=7)


def record_of(observation: Observation) -> Record:
    """An observation (e.g. from STIX observed-data) as a flat record."""
    return Record(
        observation.first,
        observation.last,
        tuple(observation_fields(observation)),
        observation.source,
        observation.count,
    )


class Retainer:
    """Keeps a run's records, in batches, and forgets those older than the window."""

    def __init__(self, store: Store, org: Organisation, window: timedelta = DEFAULT_WINDOW) -> None:
        self._store, self._org, self._window = store, org, window
        self._rows: list[dict[str, object]] = []

    def add(self, record: Record) -> None:
        if self._window <= timedelta(0):
            return
        self._rows.append(
            {
                "org_id": self._org.id,
                "first_observed": stix_time(record.first),
                "last_observed": stix_time(record.last),
                "number_observed": record.count,
                "source": record.source,
                "fields": orjson.dumps(record.fields, default=str).decode(),
            }
        )
        if len(self._rows) >= BATCH:
            self._flush()

    def close(self) -> None:
        self._flush()
        if self._window <= timedelta(0):
            return
        table = retained_observation
        with self._store.write() as connection:
            newest = connection.execute(
                select(func.max(table.c.last_observed)).where(table.c.org_id == self._org.id)
            ).scalar()
            if newest is None:
                return
            horizon = stix_time(parse_time(newest) - self._window)
            connection.execute(
                delete(table).where(table.c.org_id == self._org.id, table.c.last_observed < horizon)
            )

    def _flush(self) -> None:
        if not self._rows:
            return
        rows, self._rows = self._rows, []
        with self._store.write() as connection:
            connection.execute(retained_observation.insert(), rows)


def has_retained(store: Store, org: Organisation) -> bool:
    table = retained_observation
    with store.read() as connection:
        found = connection.execute(select(table.c.pk).where(table.c.org_id == org.id).limit(1))
        return found.first() is not None


def retained_records(store: Store, org: Organisation) -> Iterator[Record]:
    """The organisation's retained records, oldest first, read in batches."""
    table = retained_observation
    after = 0
    while True:
        with store.read() as connection:
            rows = connection.execute(
                select(table)
                .where(table.c.org_id == org.id, table.c.pk > after)
                .order_by(table.c.pk)
                .limit(BATCH)
            ).all()
        for row in rows:
            yield Record(
                parse_time(row.first_observed),
                parse_time(row.last_observed),
                tuple((path, value) for path, value in orjson.loads(row.fields)),
                row.source,
                row.number_observed,
            )
        if len(rows) < BATCH:
            return
        after = rows[-1].pk
