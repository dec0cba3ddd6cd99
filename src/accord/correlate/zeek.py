"""What Zeek logs say: TSV lines as events, and each log kind's fields.

A TSV log's ``#`` header lines say how to split and unescape the lines after them
(``tsv_events``); Zeek JSON logs are events already. ``event_fields`` takes what the
connection (every kind has one) and the conn, dns, http, ssl and files logs say.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from accord.correlate.fields import (
    DOMAIN,
    FILE_HASHES,
    PROTOCOLS,
    Fields,
    Skips,
    add_answer,
    add_connection,
    add_http_request,
    base_name,
    items,
    time_of,
)
from accord.correlate.scoid import address_path

__all__ = ["event_fields", "log_kind", "tsv_events"]

_ESCAPE = re.compile(rb"\\x([0-9a-fA-F]{2})")


@dataclass
class _Header:
    """What the ``#`` lines of a Zeek TSV log say about the lines after them."""

    kind: str
    separator: str = "\t"
    set_separator: str = ","
    empty: str = "(empty)"
    unset: str = "-"
    fields: list[str] | None = None
    containers: list[bool] = field(default_factory=list)

    def read(self, line: str) -> None:
        if line.startswith("#separator"):
            self.separator = _unescape(line[len("#separator") :].strip() or "\\x09")
            return
        name, _, rest = line.partition(self.separator)
        values = rest.split(self.separator)
        if name == "#set_separator":
            self.set_separator = _unescape(rest)
        elif name == "#empty_field":
            self.empty = rest
        elif name == "#unset_field":
            self.unset = rest
        elif name == "#path":
            self.kind = rest
        elif name == "#fields":
            self.fields = values
            self.containers = [False] * len(values)
        elif name == "#types":
            self.containers = [kind.startswith(("set[", "vector[")) for kind in values]

    def event(self, values: list[str]) -> dict[str, Any]:
        assert self.fields is not None
        event: dict[str, Any] = {"_path": self.kind}
        for name, is_container, text in zip(self.fields, self.containers, values, strict=False):
            if text == self.unset or text == self.empty:
                continue
            if is_container:
                event[name] = [_unescape(item) for item in text.split(self.set_separator)]
            else:
                event[name] = _unescape(text) if "\\x" in text else text
        return event


def _unescape(text: str) -> str:
    """Zeek writes separators and unprintable bytes as ``\\xHH``."""
    if "\\x" not in text:
        return text
    raw = _ESCAPE.sub(lambda m: bytes.fromhex(m.group(1).decode()), text.encode())
    return raw.decode(errors="backslashreplace")


def log_kind(source: Path) -> str:
    """The log kind a file's name says (``conn`` for ``conn.log.gz``)."""
    return source.name.partition(".")[0]


def tsv_events(
    source: Path, lines: Iterable[tuple[int, str]], report: Skips
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(source, event) for each data line of a TSV log, given as (line number, text)."""
    header = _Header(log_kind(source))
    for number, text in lines:
        if text.startswith("#"):
            header.read(text)
            continue
        where = f"{source.name}:{number}"
        if header.fields is None:
            report.add("bad-row", where, "a data line before the #fields header")
            continue
        values = text.split(header.separator)
        if len(values) != len(header.fields):
            report.add("bad-row", where, f"{len(values)} values for {len(header.fields)} fields")
            continue
        yield where, header.event(values)


def event_fields(
    default_kind: str, event: Mapping[str, Any], fields: Fields, time_fields: tuple[str, ...]
) -> tuple[datetime, datetime]:
    """Add what ``event`` says to ``fields``; its first and last time.

    ``default_kind`` is the log kind when the event does not name one (``_path``); the
    time is in ``ts`` unless ``time_fields`` names the fields.
    """
    kind = event.get("_path") or default_kind
    first = time_of(event, time_fields or ("ts",))
    last = first
    add_connection(
        fields,
        event.get("id.orig_h"),
        event.get("id.resp_h"),
        event.get("id.orig_p"),
        event.get("id.resp_p"),
    )
    proto = event.get("proto")
    if isinstance(proto, str):
        fields.add(PROTOCOLS, proto.lower())
    if kind == "conn":
        last = _conn(event, fields, first)
    elif kind in _KINDS:
        _KINDS[kind](event, fields)
    return first, last


def _conn(event: Mapping[str, Any], fields: Fields, start: datetime) -> datetime:
    """A connection's counts, start and end; returns its end."""
    fields.add("network-traffic:start", start)
    end = start
    if event.get("duration") not in (None, ""):
        try:
            end = start + _seconds(event["duration"])
        except ValueError as exc:
            fields.bad_value(f"duration: {exc}")
        else:
            fields.add("network-traffic:end", end)
    fields.add("network-traffic:src_byte_count", event.get("orig_bytes"))
    fields.add("network-traffic:dst_byte_count", event.get("resp_bytes"))
    fields.add("network-traffic:src_packets", event.get("orig_pkts"))
    fields.add("network-traffic:dst_packets", event.get("resp_pkts"))
    return end


def _seconds(value: Any) -> timedelta:
    """A duration in seconds (Zeek's ``interval``); ValueError if none."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number of seconds") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{value!r} is not a duration")
    return timedelta(microseconds=int(amount * 1_000_000))


def _dns(event: Mapping[str, Any], fields: Fields) -> None:
    fields.add(PROTOCOLS, "dns")
    fields.add(DOMAIN, event.get("query"))
    for answer in items(event.get("answers")):
        add_answer(answer, fields)


def _http(event: Mapping[str, Any], fields: Fields) -> None:
    fields.add(PROTOCOLS, "http")
    add_http_request(
        fields,
        event.get("host"),
        event.get("method"),
        event.get("uri"),
        event.get("version"),
        event.get("user_agent"),
    )


def _ssl(event: Mapping[str, Any], fields: Fields) -> None:
    fields.add(PROTOCOLS, "tls")
    fields.add(DOMAIN, event.get("server_name"))


def _files(event: Mapping[str, Any], fields: Fields) -> None:
    for name, path in FILE_HASHES.items():
        fields.add(path, event.get(name))
    fields.add("file:name", base_name(event.get("filename")))
    fields.add("file:mime_type", event.get("mime_type"))
    for host in [*items(event.get("tx_hosts")), *items(event.get("rx_hosts"))]:
        if isinstance(host, str):
            fields.add(address_path(host), host)


_KINDS: Mapping[str, Callable[[Mapping[str, Any], Fields], None]] = {
    "dns": _dns,
    "http": _http,
    "ssl": _ssl,
    "files": _files,
}
