"""How a log line's values become a record's (object path, value) pairs.

``Fields`` collects one record's pairs, checking each value against its object path;
``parse_time`` reads the times logs write; the rest is what the Zeek and Suricata readers
share: the object paths they fill, and how a connection's ends, a DNS answer or an HTTP
request become pairs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from accord.correlate.scoid import FieldPath, address_path, field_path

__all__ = [
    "DOMAIN",
    "FILE_HASHES",
    "PROTOCOLS",
    "Fields",
    "Skips",
    "Unreadable",
    "add_answer",
    "add_connection",
    "add_http_request",
    "base_name",
    "get",
    "items",
    "parse_time",
    "time_of",
]

PROTOCOLS = "network-traffic:protocols[*]"
DOMAIN = "domain-name:value"
FILE_HASHES = {
    "md5": "file:hashes.MD5",
    "sha1": "file:hashes.'SHA-1'",
    "sha256": "file:hashes.'SHA-256'",
}
_HTTP = "network-traffic:extensions.'http-request-ext'"
# Labels between dots: one way to match, so no backtracking blow-up on long junk.
_HOSTNAME = re.compile(r"[A-Za-z0-9_-]{1,63}(?:\.[A-Za-z0-9_-]{1,63})*\.?")


class Skips(Protocol):
    """Where a reader counts what it leaves out (``logs.SkipReport``)."""

    def add(self, reason: str, source: str, detail: str) -> None: ...


class Unreadable(Exception):
    """A line to skip, with the reason."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class Fields:
    """One record's (path, value) pairs as they are collected: values checked, pairs
    de-duplicated, and each address reached through a reference also added plainly."""

    __slots__ = ("network", "pairs", "report", "seen", "source")

    def __init__(self, source: str, report: Skips) -> None:
        self.source = source
        self.report = report
        self.pairs: list[tuple[str, Any]] = []
        self.seen: set[tuple[str, Any]] = set()
        self.network = False

    def add(self, path: str, value: Any) -> None:
        """Add one value (a list adds each item); None and "" mean no value."""
        self.add_to(field_path(path), value)

    def add_to(self, target: FieldPath, value: Any) -> None:
        """``add`` for a path already checked (readers look theirs up once)."""
        if value is None or value == "":
            return
        if type(value) is list:
            for item in value:
                self.add_to(target, item)
            return
        if type(value) is str and target.kind == "string":  # most log values: as they are
            pair = (target.text, value)
            if pair not in self.seen:
                self.seen.add(pair)
                self.pairs.append(pair)
            if target.picks_address:
                self._pair(address_path(value), value)
            if target.object_type == "network-traffic":
                self.network = True
            return
        try:
            if target.kind == "timestamp" and not isinstance(value, datetime):
                value = parse_time(value)
            value = target.coerce(value)
        except ValueError as exc:
            self.bad_value(f"{target.text}: {exc}")
            return
        self._pair(target.text, value)
        if target.picks_address:
            self._pair(address_path(value), value)
        if target.object_type == "network-traffic":
            self.network = True

    def bad_value(self, detail: str) -> None:
        """Count a value that is dropped; the rest of the line is kept."""
        self.report.add("bad-value", self.source, detail)

    def _pair(self, path: str, value: Any) -> None:
        pair = (path, value)
        if pair not in self.seen:
            self.seen.add(pair)
            self.pairs.append(pair)


def get(event: Mapping[str, Any], name: str, keys: tuple[str, ...] = ()) -> Any:
    """The value of field ``name``: a key as is, else nested keys (through lists too)."""
    value = event.get(name)
    if value is not None or len(keys) < 2:
        return value
    current: Any = event
    for key in keys:
        if isinstance(current, dict):
            current = current.get(key)
        elif isinstance(current, list):
            current = [item.get(key) for item in current if isinstance(item, dict)]
            current = [v for item in current for v in (item if isinstance(item, list) else [item])]
        else:
            return None
        if current is None:
            return None
    return current


def time_of(event: Mapping[str, Any], names: tuple[str, ...]) -> datetime:
    """The time in the first of the fields ``names`` that has a value."""
    for name in names:
        value = get(event, name, tuple(name.split(".")))
        if value is not None and value != "":
            try:
                return parse_time(value)
            except ValueError as exc:
                raise Unreadable("bad-time", f"{name}: {exc}") from None
    raise Unreadable("no-time", f"no value for {' or '.join(names)}")


# -- time ----------------------------------------------------------------------------

_EPOCH_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Epoch values this large would be after the year 5000 in seconds: they are milliseconds.
_MILLISECONDS_FROM = Decimal(100_000_000_000)


def parse_time(value: Any) -> datetime:
    """An aware UTC datetime from epoch seconds (number or text) or RFC 3339 text.

    Epoch values above 1e11 are read as milliseconds; text without a zone as UTC.
    Raises ValueError with the reason.
    """
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_epoch(Decimal(str(value)))
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a time")
    text = value.strip()
    if _EPOCH_TEXT.fullmatch(text):
        return _from_epoch(Decimal(text))
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:  # RFC 3339 allows a lower-case 't' and 'z'
            moment = datetime.fromisoformat(text.upper())
        except ValueError:
            raise ValueError(f"{value!r} is neither RFC 3339 nor epoch seconds") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _from_epoch(seconds: Decimal) -> datetime:
    try:
        if not seconds.is_finite():
            raise ValueError(f"{seconds} is not a time")
        if abs(seconds) >= _MILLISECONDS_FROM:
            seconds /= 1000
        return _EPOCH + timedelta(microseconds=int(seconds * 1_000_000))
    except (OverflowError, InvalidOperation):
        raise ValueError(f"{seconds} is out of range") from None


# -- shared by Zeek and Suricata -----------------------------------------------------


def items(value: Any) -> list[Any]:
    """A value that may be one item or a list, as a list; no value, an empty one."""
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def add_connection(fields: Fields, src: Any, dst: Any, src_port: Any, dst_port: Any) -> None:
    """The connection's ends: addresses and ports."""
    fields.add("network-traffic:src_ref.value", src)
    fields.add("network-traffic:dst_ref.value", dst)
    fields.add("network-traffic:src_port", src_port)
    fields.add("network-traffic:dst_port", dst_port)


def base_name(name: Any) -> Any:
    """A file's name without the directories (Suricata logs the URL's path)."""
    return name.rpartition("/")[2] if isinstance(name, str) else name


def add_answer(answer: Any, fields: Fields) -> None:
    """A DNS answer: an address, or a name (CNAME, PTR, MX, NS); other data is left out."""
    if not isinstance(answer, str):
        return
    path = address_path(answer)
    if path != DOMAIN or (len(answer) <= 254 and _HOSTNAME.fullmatch(answer)):
        fields.add(path, answer.rstrip(".") if path == DOMAIN else answer)


def _host_name(host: str) -> str:
    """The name in a Host header: without its port, IPv6 brackets removed."""
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.partition(":")[0] if host.count(":") == 1 else host


def add_http_request(
    fields: Fields, host: Any, method: Any, target: Any, version: Any, user_agent: Any
) -> None:
    """The request's host (a domain or an address), its URL and, when the request line is
    known, the http-request-ext extension (which requires method and target)."""
    host = host if isinstance(host, str) and host else None
    target = target if isinstance(target, str) and target else None
    if host:
        name = _host_name(host)
        fields.add(address_path(name), name)
    if target and target.lower().startswith(("http://", "https://")):
        fields.add("url:value", target)
    elif host and target:
        fields.add("url:value", f"http://{host}{'' if target.startswith('/') else '/'}{target}")
    if not (isinstance(method, str) and method and target):
        return
    fields.add(f"{_HTTP}.request_method", method)
    fields.add(f"{_HTTP}.request_value", target)
    if isinstance(version, str) and version:
        fields.add(f"{_HTTP}.request_version", _http_version(version))
    fields.add(f"{_HTTP}.request_header.Host", host)
    fields.add(f"{_HTTP}.request_header.'User-Agent'", user_agent)


def _http_version(version: str) -> str:
    """As STIX writes it: ``http/1.1`` (Zeek logs ``1.1``, Suricata ``HTTP/1.1``)."""
    return version.lower() if "/" in version else f"http/{version}"
