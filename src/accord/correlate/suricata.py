"""What Suricata's eve.json events say, as (object path, value) pairs.

``event_fields`` takes the connection every event names, its flow (start, end, counts)
and the dns, http, tls, fileinfo, smtp and email parts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from accord.correlate.fields import (
    DOMAIN,
    FILE_HASHES,
    PROTOCOLS,
    Fields,
    add_answer,
    add_connection,
    add_http_request,
    base_name,
    items,
    parse_time,
    time_of,
)

__all__ = ["event_fields"]

_MAILBOX = re.compile(r"<([^<>@\s]+@[^<>\s]+)>|([^<>@\s]+@[^<>\s]+)")


def event_fields(
    event: Mapping[str, Any], fields: Fields, time_fields: tuple[str, ...]
) -> tuple[datetime, datetime]:
    """Add what ``event`` says to ``fields``; its first and last time.

    The time is in ``timestamp`` unless ``time_fields`` names the fields; a flow's own
    start and end are its times unless ``time_fields`` names any.
    """
    first = last = time_of(event, time_fields or ("timestamp",))
    add_connection(
        fields,
        event.get("src_ip"),
        event.get("dest_ip"),
        event.get("src_port"),
        event.get("dest_port"),
    )
    for name in ("proto", "app_proto"):
        protocol = event.get(name)
        if isinstance(protocol, str) and protocol not in ("failed", "unknown"):
            fields.add(PROTOCOLS, protocol.lower())
    for name, add in _PARTS.items():
        part = event.get(name)
        if isinstance(part, dict):
            add(part, fields)
    if event.get("event_type") in ("flow", "netflow") and isinstance(event.get("flow"), dict):
        if not time_fields:
            first, last = _flow_times(event["flow"], first, fields)
        _flow(event["flow"], fields, first, last)
    return first, last


def _flow_times(
    flow: Mapping[str, Any], moment: datetime, fields: Fields
) -> tuple[datetime, datetime]:
    """A flow's own start and end; the event's time where one is missing or unreadable."""
    times = []
    for name in ("start", "end"):
        try:
            times.append(parse_time(flow[name]) if name in flow else moment)
        except ValueError as exc:
            fields.bad_value(f"flow.{name}: {exc}")
            times.append(moment)
    return times[0], times[1]


def _flow(flow: Mapping[str, Any], fields: Fields, start: datetime, end: datetime) -> None:
    fields.add("network-traffic:start", start)
    fields.add("network-traffic:end", max(start, end))
    fields.add("network-traffic:src_byte_count", flow.get("bytes_toserver"))
    fields.add("network-traffic:dst_byte_count", flow.get("bytes_toclient"))
    fields.add("network-traffic:src_packets", flow.get("pkts_toserver"))
    fields.add("network-traffic:dst_packets", flow.get("pkts_toclient"))


def _dns(dns: Mapping[str, Any], fields: Fields) -> None:
    """eve.json's DNS records, versions 1 to 3 (one record per event, or lists)."""
    fields.add(DOMAIN, dns.get("rrname"))
    add_answer(dns.get("rdata"), fields)
    for query in items(dns.get("queries")):
        if isinstance(query, dict):
            fields.add(DOMAIN, query.get("rrname"))
    for answer in items(dns.get("answers")):
        if isinstance(answer, dict):
            fields.add(DOMAIN, answer.get("rrname"))
            add_answer(answer.get("rdata"), fields)
    grouped = dns.get("grouped")
    if isinstance(grouped, dict):
        for record_type in ("A", "AAAA", "CNAME"):
            for answer in items(grouped.get(record_type)):
                add_answer(answer, fields)


def _http(http: Mapping[str, Any], fields: Fields) -> None:
    add_http_request(
        fields,
        http.get("hostname"),
        http.get("http_method"),
        http.get("url"),
        http.get("protocol"),
        http.get("http_user_agent"),
    )


def _tls(tls: Mapping[str, Any], fields: Fields) -> None:
    fields.add(DOMAIN, tls.get("sni"))
    fingerprint = tls.get("fingerprint")
    if isinstance(fingerprint, str):  # the certificate's SHA-1, as aa:bb:...
        fields.add("x509-certificate:hashes.'SHA-1'", fingerprint.replace(":", ""))
    fields.add("x509-certificate:subject", tls.get("subject"))
    fields.add("x509-certificate:issuer", tls.get("issuerdn"))
    fields.add("x509-certificate:serial_number", tls.get("serial"))


def _fileinfo(fileinfo: Mapping[str, Any], fields: Fields) -> None:
    for name, path in FILE_HASHES.items():
        fields.add(path, fileinfo.get(name))
    fields.add("file:name", base_name(fileinfo.get("filename")))
    fields.add("file:size", fileinfo.get("size"))


def _email(part: Mapping[str, Any], fields: Fields) -> None:
    """Addresses of ``smtp`` (mail_from, rcpt_to) and ``email`` (from, to, cc) parts."""
    for name in ("mail_from", "rcpt_to", "from", "to", "cc"):
        for text in items(part.get(name)):
            if isinstance(text, str) and (found := _MAILBOX.search(text)):
                fields.add("email-addr:value", found.group(1) or found.group(2))


_PARTS: Mapping[str, Callable[[Mapping[str, Any], Fields], None]] = {
    "dns": _dns,
    "http": _http,
    "tls": _tls,
    "fileinfo": _fileinfo,
    "smtp": _email,
    "email": _email,
}
