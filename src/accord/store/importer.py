"""Importing STIX objects into the store: validate, resolve markings, write versions.

One source (a file, or standard input) is one write transaction. By default it is
all-or-nothing: the first invalid object dooms the source, validation goes on to report
up to ``MAX_REPORTED`` problems, and nothing is stored. With ``skip_invalid`` the valid
objects are stored and each reject is reported with its reason.

Marking references must name a marking-definition that is stored or that the same source
defines (before or after the reference), so objects whose markings are not yet known
wait until the end of the source.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from accord.errors import (
    BatchRejected,
    InvalidObject,
    MalformedInput,
    StoreError,
    VersionConflict,
)
from accord.stix.prepared import PreparedVersion, prepare
from accord.stix.reader import open_source
from accord.stix.tlp import Tlp
from accord.stix.upgrade import upgrade_stream
from accord.stix.validation import validate
from accord.store.database import Store
from accord.store.distributions import Distribution, distribution_id
from accord.store.identity import Organisation, communities_of
from accord.store.schema import stix_object
from accord.store.versions import VersionWriter, WriteResult

CHUNK = 2000
MAX_REPORTED = 50
PARALLEL_MIN_BYTES = 8 * 1024 * 1024

_Item = tuple[int, Any, PreparedVersion]  # (index in the source, raw object or None, prepared)

#: Decides whether a validated object may enter through this import: None to admit it,
#: else (property, reason) for the reject. It sees the object and its effective TLP.
Admission = Callable[[PreparedVersion, Tlp], tuple[str, str] | None]


@dataclass(frozen=True)
class Reject:
    """One object that was not stored, and why."""

    index: int
    error: InvalidObject | VersionConflict
    raw: Any

    def as_record(self, source: str) -> dict[str, Any]:
        return {
            "source": source,
            "index": self.index,
            "id": self.error.object_id,
            "property": self.error.prop,
            "reason": self.error.reason,
            "object": self.raw,
        }


@dataclass
class ImportReport:
    """What importing one source did."""

    source: str
    new_objects: int = 0
    new_versions: int = 0
    unchanged: int = 0
    rejects: list[Reject] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.rejects)

    @property
    def stored(self) -> int:
        return self.new_objects + self.new_versions

    def add(self, result: WriteResult) -> None:
        self.new_objects += result.new_objects
        self.new_versions += result.new_versions
        self.unchanged += result.unchanged


@dataclass(frozen=True)
class ImportOptions:
    """Who imports, and to whom the imported objects are given.

    ``communities`` None means the importing organisation's own communities, so that
    TLP:GREEN reaches "the community" without naming it each time. ``received_from``
    is the provenance of objects that came from another node; ``admit`` a further rule
    on what may enter (a TAXII collection's filter).
    """

    org: Organisation
    recipients: frozenset[str] = frozenset()
    communities: frozenset[int] | None = None
    unmarked_tlp: Tlp | None = None
    skip_invalid: bool = False
    received_from: str | None = None
    admit: Admission | None = None
    #: the recipients hold these objects already (a pull from their node): see VersionWriter
    recipients_had_it: bool = False


def import_objects(
    store: Store,
    objects: Iterable[Any],
    source: str,
    options: ImportOptions,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import one source in one transaction; raises BatchRejected unless skip_invalid."""
    with store.write() as connection:
        return import_in(connection, store.default_tlp, objects, source, options, progress)


def import_in(
    connection: Connection,
    default_tlp: Tlp,
    objects: Iterable[Any],
    source: str,
    options: ImportOptions,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """``import_objects`` inside the caller's write transaction (which it may extend)."""
    run = _ImportRun(connection, source, options, default_tlp)
    for index, raw in enumerate(objects):
        run.take(index, raw)
        if progress is not None and index % CHUNK == 0:
            progress(index)
        if len(run.failures) >= MAX_REPORTED:
            break  # doomed, and enough reported to act on
    report = run.finish()
    if run.failures:
        raise BatchRejected(source, run.failures)
    return report


def import_file(
    store: Store,
    path: str,
    options: ImportOptions,
    progress: Callable[[int], None] | None = None,
    upgrade_stix20: bool = False,
    source_name: str | None = None,
) -> ImportReport:
    """Import one file in one transaction; ``progress`` receives the bytes read so far.

    Files of ``PARALLEL_MIN_BYTES`` or more are read and validated in a separate process
    while this one writes; smaller ones are not worth starting a process for.
    """
    name = source_name or path
    try:
        size = Path(path).stat().st_size
    except OSError as exc:
        raise MalformedInput(name, f"cannot open: {exc.strerror}") from None
    if size >= PARALLEL_MIN_BYTES:
        return _import_in_parallel(store, path, name, options, progress, upgrade_stix20)
    with open_source(path) as reader:
        objects = upgrade_stream(reader) if upgrade_stix20 else reader
        on_chunk = None if progress is None else (lambda _n: progress(reader.position))
        return import_objects(store, objects, name, options, on_chunk)


def _import_in_parallel(
    store: Store,
    path: str,
    name: str,
    options: ImportOptions,
    progress: Callable[[int], None] | None,
    upgrade_stix20: bool,
) -> ImportReport:
    command = [sys.executable, "-m", "accord.stix.prepare_worker", path]
    if upgrade_stix20:
        command.append("--upgrade-stix20")
    worker = subprocess.Popen(command, stdout=subprocess.PIPE)  # noqa: S603  (our own module)
    assert worker.stdout is not None
    try:
        with store.write() as connection:
            run = _ImportRun(connection, name, options, store.default_tlp)
            while len(run.failures) < MAX_REPORTED:
                try:
                    # Our own child's output, from our own module: trusted, hence pickle.
                    message = pickle.load(worker.stdout)  # noqa: S301
                except EOFError:
                    raise StoreError(f"{name}: the reading process ended unexpectedly") from None
                if message[0] == "done":
                    break
                if message[0] == "malformed":
                    raise MalformedInput(message[1].replace(path, name), message[2])
                _, position, prepared, rejected = message
                for index, raw, object_id, prop, reason in rejected:
                    run.reject(index, raw, InvalidObject(object_id, prop, reason))
                for index, obj in prepared:
                    run.take_prepared(index, None, obj)
                if progress is not None:
                    progress(position)
            report = run.finish()
            if run.failures:
                raise BatchRejected(name, run.failures)
        return report
    finally:
        worker.stdout.close()  # a worker still writing gets a broken pipe and stops
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _unmarked_level(default_tlp: Tlp, options: ImportOptions) -> Tlp:
    """The level of objects that carry no TLP marking: the node's default, but at least
    AMBER for what another node sent, which may have kept it at AMBER there (a node with
    a looser default would otherwise widen it to its communities or to anyone)."""
    if options.received_from is not None and default_tlp.restriction < Tlp.AMBER.restriction:
        return Tlp.AMBER
    return default_tlp


class _ImportRun:
    def __init__(
        self, connection: Connection, source: str, options: ImportOptions, default_tlp: Tlp
    ) -> None:
        self.report = ImportReport(source)
        self.failures: list[InvalidObject | VersionConflict] = []
        self._options = options
        communities = options.communities
        if communities is None:
            communities = communities_of(connection, options.org)
        dist = Distribution(frozenset({options.org.id}) | options.recipients, communities)
        self._unmarked_tlp = options.unmarked_tlp or _unmarked_level(default_tlp, options)
        self._writer = VersionWriter(
            connection,
            distribution_id(connection, dist),
            self._unmarked_tlp,
            received_from=options.received_from,
            recipients_had_it=options.recipients_had_it,
        )
        self._known_markings = set(
            connection.execute(
                select(stix_object.c.id).where(stix_object.c.type == "marking-definition")
            ).scalars()
        )
        self._chunk: list[_Item] = []
        self._waiting: list[_Item] = []

    def take(self, index: int, raw: Any) -> None:
        try:
            obj = prepare(validate(raw))
        except InvalidObject as error:
            self.reject(index, raw, error)
            return
        self.take_prepared(index, raw, obj)

    def take_prepared(self, index: int, raw: Any, obj: PreparedVersion) -> None:
        """Take an object validated elsewhere (``raw`` None: decode it only if rejected)."""
        if self._options.admit is not None:
            refused = self._options.admit(obj, Tlp(obj.tlp) if obj.tlp else self._unmarked_tlp)
            if refused is not None:
                self.reject(index, raw, InvalidObject(obj.id, *refused), obj)
                return
        if obj.type == "marking-definition":
            self._known_markings.add(obj.id)
        if any(ref not in self._known_markings for ref in obj.marking_refs):
            self._waiting.append((index, raw, obj))
            return
        self._chunk.append((index, raw, obj))
        if len(self._chunk) >= CHUNK:
            self._flush()

    def finish(self) -> ImportReport:
        for index, raw, obj in self._waiting:
            missing = [ref for ref in obj.marking_refs if ref not in self._known_markings]
            if missing:
                prop = (
                    "granular_markings"
                    if missing[0] in obj.granular_refs
                    else ("object_marking_refs")
                )
                reason = f"{missing[0]} is neither stored nor defined in this input"
                self.reject(index, raw, InvalidObject(obj.id, prop, reason), obj)
            else:
                self._chunk.append((index, raw, obj))
        self._flush()
        self.report.rejects.sort(key=lambda reject: reject.index)
        return self.report

    def _flush(self) -> None:
        chunk, self._chunk = self._chunk, []
        if not chunk or self.failures:
            return  # once doomed, only validate: the transaction will be rolled back
        result = self._writer.write([obj for _, _, obj in chunk])
        self.report.add(result)
        if result.conflicts:
            where = {id(obj): (index, raw) for index, raw, obj in chunk}
            for obj, conflict in result.conflicts:
                index, raw = where[id(obj)]
                self.reject(index, raw, conflict, obj)

    def reject(
        self,
        index: int,
        raw: Any,
        error: InvalidObject | VersionConflict,
        prepared: PreparedVersion | None = None,
    ) -> None:
        if self._options.skip_invalid:
            if raw is None and prepared is not None:
                raw = prepared.body()
            self.report.rejects.append(Reject(index, error, raw))
        elif len(self.failures) < MAX_REPORTED:
            self.failures.append(error)
