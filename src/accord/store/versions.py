"""Writing validated STIX objects as versions: new object, new version, or unchanged.

Versions are keyed by (id, version), where version is the normalized ``modified`` (or
``created``). An object with neither timestamp (most SCOs) is unchanged when any stored
version has the same content, and otherwise gets the time it was added as its version.
The same (id, version) with different content is a ``VersionConflict``: stored content
is never overwritten.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.engine import Connection

from accord.errors import InvalidObject, VersionConflict
from accord.stix.prepared import PreparedVersion
from accord.stix.timestamps import now_timestamp
from accord.stix.tlp import Tlp
from accord.store.distributions import distribution_id, load_distribution
from accord.store.schema import stix_object

# The fixed-width form of normalize_timestamp, which sorts as text in time order.
NORMALIZED_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


@dataclass
class WriteResult:
    """What one ``VersionWriter.write`` call did."""

    new_objects: int = 0
    new_versions: int = 0
    unchanged: int = 0
    conflicts: list[tuple[PreparedVersion, VersionConflict | InvalidObject]] = field(
        default_factory=list
    )


INSERT_COLUMNS = (
    "id",
    "type",
    "spec_version",
    "version",
    "created",
    "date_added",
    "created_by_ref",
    "tlp",
    "distribution_id",
    "is_latest",
    "revoked",
    "name",
    "content_hash",
    "received_from",
    "body",
)
_VERSION, _CREATOR, _TLP, _DISTRIBUTION, _IS_LATEST, _HASH = (
    INSERT_COLUMNS.index(c)
    for c in ("version", "created_by_ref", "tlp", "distribution_id", "is_latest", "content_hash")
)


@dataclass
class _Version:
    pk: int | None
    version: str
    content_hash: bytes
    is_latest: bool
    distribution_id: int
    creator: str | None
    tlp: str
    row: list[Any] | None = None  # set while the version waits to be inserted


def _pending(row: list[Any]) -> _Version:
    """The bookkeeping entry of a row not inserted yet."""
    return _Version(
        None, row[_VERSION], row[_HASH], False, row[_DISTRIBUTION], row[_CREATOR], row[_TLP], row
    )


class VersionWriter:
    """Writes batches of validated objects inside the caller's write transaction."""

    def __init__(
        self,
        connection: Connection,
        distribution_id: int,
        unmarked_tlp: Tlp,
        clock: Callable[[], str] = now_timestamp,
        received_from: str | None = None,
        recipients_had_it: bool = False,
    ) -> None:
        """``unmarked_tlp``: the level stored for objects that carry no TLP marking.

        ``received_from``: the organisation whose node sent these objects (provenance).
        ``recipients_had_it``: the recipients hold these objects already (a pull from
        their node), so giving a stored version to them too is no news to anyone: its
        date_added stays, and nothing is pushed on again because of it.
        """
        self._connection = connection
        self._received_from = received_from
        self._regrant_is_news = not recipients_had_it
        self._latest_added: str | None = None
        self._distribution_id = distribution_id
        self._unmarked_tlp = unmarked_tlp.value
        self._clock = clock
        self._merged: dict[int, int] = {}

    def write(self, objects: Sequence[PreparedVersion]) -> WriteResult:
        """Store ``objects``; conflicting ones are returned, not stored."""
        result = WriteResult()
        date_added = self._date_added()
        known = self._stored_versions({obj.id for obj in objects})
        # Rows are lists in INSERT_COLUMNS order, handed to the driver as they are: at
        # bulk-import rates SQLAlchemy's per-row parameter processing costs more than
        # SQLite's own insert.
        rows: list[list[Any]] = []
        fresh: dict[str, list[Any]] = {}  # first sight of an id stored nowhere yet
        touched: set[str] = set()
        regranted: list[tuple[_Version, str]] = []
        for obj in objects:
            versions = known.get(obj.id)
            if versions is None:
                first = fresh.get(obj.id)
                if first is None:
                    row = self._row(
                        obj,
                        obj.modified or obj.created or date_added,
                        date_added,
                    )
                    fresh[obj.id] = row
                    rows.append(row)
                    result.new_objects += 1
                    continue
                # The id comes again in this batch: track its versions the slow way.
                versions = known[obj.id] = [_pending(first)]
                touched.add(obj.id)
            same, version = _same_or_new_version(versions, obj, date_added)
            if same is not None and same.content_hash != obj.digest:
                result.conflicts.append((obj, VersionConflict(obj.id, version)))
                continue
            if same is not None:
                result.unchanged += 1
                if same.distribution_id != self._distribution_id:
                    regranted.append((same, obj.tlp or self._unmarked_tlp))
                continue
            if versions and versions[0].creator != obj.created_by_ref:
                # STIX 2.1 section 3.6: only the creator of an object may version it.
                reason = "only the creator of the versions already stored may add a version"
                result.conflicts.append((obj, InvalidObject(obj.id, "created_by_ref", reason)))
                continue
            if versions:
                result.new_versions += 1
            else:
                result.new_objects += 1
            row = self._row(obj, version, date_added)
            versions.append(_pending(row))
            rows.append(row)
            touched.add(obj.id)
        demoted = _mark_latest(known, touched)
        if rows:
            self._connection.exec_driver_sql(self._insert_sql(), [tuple(r) for r in rows])
        if demoted:
            self._connection.execute(
                update(stix_object)
                .where(stix_object.c.pk == bindparam("demoted_pk"))
                .values(is_latest=False),
                [{"demoted_pk": pk} for pk in demoted],
            )
        self._regrant(regranted, date_added)
        return result

    def _date_added(self) -> str:
        """Now, but later than anything stored: date_added grows in commit order even if
        the wall clock steps back, so a TAXII client resuming with added_after (which
        is strict) misses nothing. Writers are serialized, so the stored maximum is the
        last commit's."""
        now = self._clock()
        if self._latest_added is None:
            stored = self._connection.execute(select(func.max(stix_object.c.date_added)))
            self._latest_added = stored.scalar() or ""
        if now <= self._latest_added:
            now = _next_microsecond(self._latest_added)
        self._latest_added = now
        return now

    def _insert_sql(self) -> str:
        marker = "?" if self._connection.dialect.paramstyle == "qmark" else "%s"
        # Built from constant column names only; every value travels as a parameter.
        columns = ", ".join(INSERT_COLUMNS)
        return (
            f"INSERT INTO stix_object ({columns}) "  # noqa: S608
            f"VALUES ({', '.join([marker] * len(INSERT_COLUMNS))})"
        )

    def _row(
        self,
        obj: PreparedVersion,
        version: str,
        date_added: str,
    ) -> list[Any]:
        # Order: INSERT_COLUMNS. is_latest starts True; _mark_latest corrects it when
        # the batch or the store holds other versions of the object.
        return [
            obj.id,
            obj.type,
            obj.spec_version,
            version,
            obj.created,
            date_added,
            obj.created_by_ref,
            obj.tlp or self._unmarked_tlp,
            self._distribution_id,
            True,
            obj.revoked,
            obj.name,
            obj.digest,
            self._received_from,
            obj.canonical.decode(),
        ]

    def _stored_versions(self, ids: set[str]) -> dict[str, list[_Version]]:
        found: dict[str, list[_Version]] = {}
        if not ids:
            return found
        columns = stix_object.c
        query = select(
            columns.pk,
            columns.id,
            columns.version,
            columns.content_hash,
            columns.is_latest,
            columns.distribution_id,
            columns.created_by_ref,
            columns.tlp,
        ).where(columns.id.in_(sorted(ids)))
        for row in self._connection.execute(query):
            found.setdefault(row.id, []).append(
                _Version(
                    row.pk,
                    row.version,
                    bytes(row.content_hash),
                    bool(row.is_latest),
                    row.distribution_id,
                    row.created_by_ref,
                    row.tlp,
                )
            )
        return found

    def _regrant(self, regranted: list[tuple[_Version, str]], date_added: str) -> None:
        """Give stored versions to this write's recipients too.

        The version's distribution becomes the union of both; its TLP the more
        restrictive of both (only unmarked objects can differ: the same content carries
        the same markings), so no recipient sees it under a looser level than its giver
        chose. Its date_added moves to now: for the new recipients it arrived now.
        """
        ours = load_distribution(self._connection, self._distribution_id)
        updates = []
        for version, tlp in regranted:
            if version.distribution_id not in self._merged:
                theirs = load_distribution(self._connection, version.distribution_id)
                merged = theirs.union(ours)
                self._merged[version.distribution_id] = (
                    version.distribution_id
                    if merged == theirs
                    else distribution_id(self._connection, merged)
                )
            target = self._merged[version.distribution_id]
            stricter = max(Tlp(tlp), Tlp(version.tlp), key=lambda level: level.restriction)
            if version.pk is None or (target, stricter.value) == (
                version.distribution_id,
                version.tlp,
            ):
                continue
            updates.append(
                {"regrant_pk": version.pk, "new_distribution": target, "new_tlp": stricter.value}
            )
            version.distribution_id, version.tlp = target, stricter.value
        if updates:
            values: dict[str, Any] = {
                "distribution_id": bindparam("new_distribution"),
                "tlp": bindparam("new_tlp"),
            }
            if self._regrant_is_news:
                values["date_added"] = date_added
            changed = update(stix_object).where(stix_object.c.pk == bindparam("regrant_pk"))
            self._connection.execute(changed.values(values), updates)


def _mark_latest(known: dict[str, list[_Version]], touched: set[str]) -> list[int]:
    """Set is_latest on new rows; return pks of stored rows that lost it."""
    demoted: list[int] = []
    for object_id in touched:
        versions = known[object_id]
        newest = max(versions, key=lambda v: v.version)
        for version in versions:
            if version.row is not None:
                version.row[_IS_LATEST] = version is newest
        if newest.row is None:
            continue  # a stored version is still the newest
        for version in versions:
            if version is not newest and version.is_latest and version.pk is not None:
                demoted.append(version.pk)
                version.is_latest = False
        newest.is_latest = True
    return demoted


def _same_or_new_version(
    versions: list[_Version], obj: PreparedVersion, date_added: str
) -> tuple[_Version | None, str]:
    """The stored version this object would be (if any), and its version key."""
    version = obj.modified or obj.created
    if version is not None:
        return next((v for v in versions if v.version == version), None), version
    same = next((v for v in versions if v.content_hash == obj.digest), None)
    if same is not None:
        return same, same.version
    return None, _unused_version(versions, date_added)


def _unused_version(versions: list[_Version], date_added: str) -> str:
    """``date_added``, or the next microsecond not used by ``versions``."""
    taken = {v.version for v in versions}
    candidate = date_added
    while candidate in taken:
        candidate = _next_microsecond(candidate)
    return candidate


def _next_microsecond(timestamp: str) -> str:
    moment = datetime.strptime(timestamp, NORMALIZED_FORMAT).replace(tzinfo=UTC)
    return (moment + timedelta(microseconds=1)).strftime(NORMALIZED_FORMAT)


def delete_versions(connection: Connection, object_id: str, pks: Sequence[int]) -> int:
    """Delete the given stored versions of ``object_id``; the newest left becomes latest."""
    columns = stix_object.c
    deleted = connection.execute(
        stix_object.delete().where(columns.id == object_id, columns.pk.in_(list(pks)))
    ).rowcount
    newest = connection.execute(
        select(columns.pk).where(columns.id == object_id).order_by(columns.version.desc()).limit(1)
    ).scalar_one_or_none()
    if newest is not None:
        connection.execute(update(stix_object).where(columns.pk == newest).values(is_latest=True))
    return int(deleted)
