"""Streaming readers of network logs into flat records for the correlator.

A ``Record`` is what one log line says, as (object path, value) pairs with a time range:
the correlator looks its candidate patterns up by those pairs, and only for candidates
builds the cyber-observable objects (``observation_of``). Paths are canonical
``ObjectPath.text`` (``file:hashes.'SHA-256'``), the form the pattern index keys on, and
a record holds every pair its observation does (``evaluate.observation_fields``).

Formats (``fmt``; ``None`` detects it from the first lines):

* ``zeek``: Zeek TSV logs (``#separator``, ``#fields``, ``#types`` headers; the log kind
  from ``#path``) or Zeek JSON logs (first character ``{``; the kind from ``_path``);
  the file name's first part (``conn.log.gz``) when neither names it;
* ``suricata``: eve.json lines (``event_type``, ``timestamp``);
* ``jsonl`` and ``csv`` (a header row): read only through a mapping.

A mapping (the CLI's repeated ``--map FIELD=PATH``) names a field (dotted for nested JSON
keys: ``http.hostname``) and the object path its values go to; the target ``time`` names
the record's time field. It adds to what the Zeek and Suricata readers take by themselves.

Files are read line by line (gzip transparently), so memory stays bounded whatever the
size. A line that cannot be used is skipped and counted in a ``SkipReport`` (reasons in
``SKIP_REASONS``); only an undetectable format or a bad mapping stops a read.

This module finds the format, reads the lines and applies the mapping; ``zeek`` and
``suricata`` know what their events say, and ``fields`` how values become pairs.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import orjson

from accord.correlate import suricata, zeek
from accord.correlate.evaluate import Observation
from accord.correlate.fields import Fields, Unreadable, get, parse_time, time_of
from accord.correlate.scoid import FieldPath, field_path, implied_fields, objects_from_fields
from accord.errors import MalformedInput

__all__ = [
    "DEFAULT_TIME_FIELDS",
    "FORMATS",
    "MAX_LINE_BYTES",
    "SKIP_REASONS",
    "TIME",
    "Record",
    "Skip",
    "SkipReport",
    "detect_format",
    "observation_of",
    "parse_time",
    "read_records",
]

FORMATS = ("csv", "jsonl", "suricata", "zeek")
#: The mapping target that names the field holding a record's time.
TIME = "time"
#: Where jsonl and csv records find their time when the mapping names no ``time`` field.
DEFAULT_TIME_FIELDS = ("timestamp", "ts", "time", "@timestamp")
#: Longer lines are skipped, so that one runaway line cannot fill memory.
MAX_LINE_BYTES = 64 * 1024 * 1024

#: Why a reader leaves something out. Each skips a line, except ``bad-value``, which
#: drops one value and keeps the rest of its line.
SKIP_REASONS: Mapping[str, str] = {
    "not-json": "the line is not a JSON object",
    "not-utf8": "the line is not UTF-8 text",
    "too-long": f"the line is longer than {MAX_LINE_BYTES} bytes",
    "bad-row": "the row does not have one value per column",
    "no-time": "the line has no time field",
    "bad-time": "the time field holds no readable time",
    "no-fields": "the line has no value for any object path",
    "bad-value": "a value does not fit its object path (the value is dropped)",
}

_HEAD_LINES = 20  # non-empty lines read to detect a format


@dataclass(frozen=True, slots=True)
class Record:
    """What one log line says: when, and (object path, value) pairs."""

    first: datetime  # aware, UTC
    last: datetime  # aware, UTC, >= first
    #: (canonical object path, value); a path may repeat (``protocols[*]``, answers)
    fields: tuple[tuple[str, Any], ...]
    source: str  # file name and line number, e.g. "conn.log:42"
    count: int = 1


@dataclass(frozen=True, slots=True)
class Skip:
    reason: str  # a key of SKIP_REASONS
    source: str  # file name and line number
    detail: str


@dataclass
class SkipReport:
    """What readers left out, and why: a count per reason and the first few of each."""

    examples_per_reason: int = 5
    counts: Counter[str] = field(default_factory=Counter)
    examples: list[Skip] = field(default_factory=list)

    def add(self, reason: str, source: str, detail: str) -> None:
        self.counts[reason] += 1
        if self.counts[reason] <= self.examples_per_reason:
            self.examples.append(Skip(reason, source, detail))

    @property
    def lines(self) -> int:
        """Lines skipped (dropped values not counted)."""
        return sum(n for reason, n in self.counts.items() if reason != "bad-value")

    def __str__(self) -> str:
        if not self.counts:
            return "nothing skipped"
        out = [
            f"{n} {reason}: {SKIP_REASONS.get(reason, reason)}"
            for reason, n in sorted(self.counts.items())
        ]
        out += [f"  {skip.source}: {skip.reason}: {skip.detail}" for skip in self.examples]
        return "\n".join(out)


def observation_of(record: Record) -> Observation:
    """The cyber-observable objects ``record`` describes, as the evaluator reads them."""
    objects = objects_from_fields(record.fields)
    return Observation(objects, record.first, record.last, record.count, source=record.source)


# -- reading -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Column:
    """A mapped field: its name, its keys when nested, the path its values go to."""

    name: str
    keys: tuple[str, ...]
    path: FieldPath


@dataclass(frozen=True, slots=True)
class _Plan:
    """How to read one file: the mapped columns and where the time is."""

    source: Path
    columns: tuple[_Column, ...]
    time_fields: tuple[str, ...]  # from the mapping; empty: the format's default


def read_records(
    path: str | Path,
    fmt: str | None = None,
    mapping: Mapping[str, str] | None = None,
    skipped: SkipReport | None = None,
) -> Iterator[Record]:
    """The records of the log at ``path``, one per usable line, streamed.

    Raises MalformedInput at once for an unknown or undetectable format and for a
    mapping that names no valid object path; lines that cannot be read are counted in
    ``skipped`` instead.
    """
    source = Path(path)
    plan = _plan(source, mapping or {})
    if fmt is not None and fmt not in FORMATS:
        raise MalformedInput(str(source), f"unknown format {fmt!r}; use one of {FORMATS}")
    head = _head(source)
    if not head:
        return iter(())
    fmt = fmt or _detect(source, head)
    if fmt in ("csv", "jsonl") and not plan.columns:
        raise MalformedInput(
            str(source), f"{fmt} logs are read through a mapping: --map FIELD=PATH (one or more)"
        )
    report = skipped if skipped is not None else SkipReport()
    if fmt == "csv":
        _check_csv_header(plan, head)
        return _records(_csv_events(plan, report), _mapped_time, plan, report)
    if fmt == "jsonl":
        return _records(_json_events(source, report), _mapped_time, plan, report)
    if fmt == "suricata":
        return _records(_json_events(source, report), suricata.event_fields, plan, report)
    if head[0].startswith(b"{"):
        events = _json_events(source, report)
    else:
        events = zeek.tsv_events(source, _text_lines(source, report), report)
    return _records(events, partial(zeek.event_fields, zeek.log_kind(source)), plan, report)


def _plan(source: Path, mapping: Mapping[str, str]) -> _Plan:
    columns, time_fields = [], []
    for name, target in mapping.items():
        where = f"--map {name}={target}"
        if not name.strip():
            raise MalformedInput(where, "the field name is empty")
        if target.strip() == TIME:
            time_fields.append(name)
            continue
        try:
            path = field_path(target.strip())
        except ValueError as exc:
            raise MalformedInput(where, str(exc)) from None
        columns.append(_Column(name, tuple(name.split(".")), path))
    return _Plan(source, tuple(columns), tuple(time_fields))


def detect_format(path: str | Path) -> str:
    """``zeek``, ``suricata``, ``jsonl`` or ``csv``, from the first lines of ``path``."""
    source = Path(path)
    return _detect(source, _head(source))


def _detect(source: Path, head: list[bytes]) -> str:
    if not head:
        raise MalformedInput(str(source), "the file is empty: no format to detect")
    if head[0].startswith((b"#separator", b"#fields")):
        return "zeek"
    if head[0].startswith(b"{"):
        for line in head:
            try:
                event = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if isinstance(event, dict):
                return _json_flavour(event)
        raise MalformedInput(
            str(source), f"the first {len(head)} lines start like JSON but none is a JSON object"
        )
    try:
        text = head[0].decode()
    except UnicodeDecodeError:
        text = ""
    if "," in text:
        return "csv"
    raise MalformedInput(
        str(source),
        "cannot tell the format: the first line is no JSON object, Zeek header or CSV "
        f"header; give the format ({', '.join(FORMATS)})",
    )


def _json_flavour(event: Mapping[str, Any]) -> str:
    if "event_type" in event and "timestamp" in event:
        return "suricata"
    if "_path" in event or ("ts" in event and ("uid" in event or "id.orig_h" in event)):
        return "zeek"
    return "jsonl"


def _head(source: Path) -> list[bytes]:
    head = []
    for _, line in _numbered_lines(source, SkipReport()):
        head.append(line)
        if len(head) == _HEAD_LINES:
            break
    return head


def _open(source: Path) -> io.BufferedIOBase:
    """The file's bytes, decompressed if it is gzip (by its magic number, not its name)."""
    handle = source.open("rb")
    if handle.read(2) == b"\x1f\x8b":
        handle.close()
        return gzip.open(source, "rb")
    handle.seek(0)
    return handle


def _numbered_lines(source: Path, report: SkipReport) -> Iterator[tuple[int, bytes]]:
    """(line number, line without its end) for each non-blank line."""
    with _open(source) as handle:
        number = 0
        while True:
            try:
                line = handle.readline(MAX_LINE_BYTES)
                if len(line) == MAX_LINE_BYTES and not line.endswith(b"\n"):
                    _skip_to_line_end(handle)
                    number += 1
                    report.add("too-long", f"{source.name}:{number}", "skipped to its end")
                    continue
            except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
                raise MalformedInput(
                    str(source), f"damaged gzip data after line {number}: {exc}"
                ) from None
            if not line:
                return
            number += 1
            line = line.rstrip(b"\r\n")
            if line and not line.isspace():
                yield number, line


def _skip_to_line_end(handle: io.BufferedIOBase) -> None:
    while True:
        chunk = handle.readline(MAX_LINE_BYTES)
        if not chunk or chunk.endswith(b"\n"):
            return


#: Adds what a format's reader takes from an event by itself to the fields, and returns
#: the event's first and last time (in the mapping's time fields when it names any).
_Extract = Callable[[Mapping[str, Any], Fields, tuple[str, ...]], tuple[datetime, datetime]]


def _records(
    events: Iterator[tuple[str, Mapping[str, Any]]],
    extract: _Extract,
    plan: _Plan,
    report: SkipReport,
) -> Iterator[Record]:
    """Records from (source, event) pairs: what ``extract`` takes, then what is mapped."""
    for where, event in events:
        fields = Fields(where, report)
        try:
            first, last = extract(event, fields, plan.time_fields)
        except Unreadable as skip:
            report.add(skip.reason, where, skip.detail)
            continue
        _add_mapped(plan, event, fields)
        if not fields.pairs:
            report.add("no-fields", where, "no value for any object path")
            continue
        if fields.network:
            fields.pairs.extend(implied_fields(fields.pairs))
        yield Record(first, max(first, last), tuple(fields.pairs), where)


def _add_mapped(plan: _Plan, event: Mapping[str, Any], fields: Fields) -> None:
    for column in plan.columns:
        value = event.get(column.name)
        if value is None and len(column.keys) > 1:  # a nested field: the slower way
            value = get(event, column.name, column.keys)
        if value is not None:
            fields.add_to(column.path, value)


def _mapped_time(
    event: Mapping[str, Any], fields: Fields, time_fields: tuple[str, ...]
) -> tuple[datetime, datetime]:
    """The time of a jsonl or csv event: these formats take nothing but what is mapped."""
    moment = time_of(event, time_fields or DEFAULT_TIME_FIELDS)
    return moment, moment


# -- JSON lines, CSV -----------------------------------------------------------------


def _json_events(source: Path, report: SkipReport) -> Iterator[tuple[str, Mapping[str, Any]]]:
    name = source.name
    for number, line in _numbered_lines(source, report):
        where = f"{name}:{number}"
        try:
            event = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            report.add("not-json", where, str(exc))
            continue
        if not isinstance(event, dict):
            report.add("not-json", where, f"a JSON {type(event).__name__}, not an object")
            continue
        yield where, event


def _text_lines(source: Path, report: SkipReport) -> Iterator[tuple[int, str]]:
    for number, line in _numbered_lines(source, report):
        try:
            yield number, line.decode()
        except UnicodeDecodeError as exc:
            report.add("not-utf8", f"{source.name}:{number}", str(exc))


def _csv_header(row: list[str]) -> list[str]:
    names = [name.strip() for name in row]
    if names:
        names[0] = names[0].removeprefix("\ufeff")  # a byte order mark, as Excel writes
    return names


def _check_csv_header(plan: _Plan, head: list[bytes]) -> None:
    source = str(plan.source)
    header = _csv_header(next(csv.reader([head[0].decode(errors="replace")]), []))
    missing = [column.name for column in plan.columns if column.name not in header]
    missing += [name for name in plan.time_fields if name not in header]
    if missing:
        raise MalformedInput(
            source, f"no column {', '.join(map(repr, missing))} (columns: {', '.join(header)})"
        )
    if not plan.time_fields and not any(name in header for name in DEFAULT_TIME_FIELDS):
        raise MalformedInput(
            source,
            f"no time column: name one with --map COLUMN={TIME} (or call it "
            f"{', '.join(DEFAULT_TIME_FIELDS)})",
        )


def _csv_events(plan: _Plan, report: SkipReport) -> Iterator[tuple[str, Mapping[str, Any]]]:
    name, position = plan.source.name, 0

    def texts() -> Iterator[str]:
        nonlocal position
        for number, text in _text_lines(plan.source, report):
            position = number  # the line a row ends on, for its source
            yield text + "\n"

    rows = csv.reader(texts())
    header = _csv_header(next(rows, []))
    for row in rows:
        where = f"{name}:{position}"
        if len(row) != len(header):
            report.add("bad-row", where, f"{len(row)} values for {len(header)} columns")
            continue
        yield where, dict(zip(header, row, strict=True))
