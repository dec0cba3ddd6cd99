"""Log readers: Zeek, Suricata, JSON lines and CSV into flat records, and the STIX
objects a record describes (checked with our validator and with the stix2 library)."""

from __future__ import annotations

import gzip
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
import stix2

from accord.correlate import logs
from accord.correlate.compiler import compile_pattern
from accord.correlate.evaluate import matches, observation_fields
from accord.correlate.logs import (
    Record,
    SkipReport,
    detect_format,
    observation_of,
    parse_time,
    read_records,
)
from accord.correlate.scoid import sco_id
from accord.errors import MalformedInput
from accord.stix.validation import validate

SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
SHA1 = "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3"
MD5 = "098f6bcd4621d373cade4e832627b4f6"
CERT_SHA1 = "4e:1b:c5:a0:53:0b:2a:bd:39:51:47:7f:22:a6:8f:0b:a4:7d:0e:11"

ZEEK_HEADER = (
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
    "#path\t{path}\n#open\t2024-03-01-10-00-00\n#fields\t{fields}\n#types\t{types}\n"
)
CONN_FIELDS = [
    ("ts", "time"), ("uid", "string"), ("id.orig_h", "addr"), ("id.orig_p", "port"),
    ("id.resp_h", "addr"), ("id.resp_p", "port"), ("proto", "enum"), ("service", "string"),
    ("duration", "interval"), ("orig_bytes", "count"), ("resp_bytes", "count"),
    ("conn_state", "string"), ("orig_pkts", "count"), ("resp_pkts", "count"),
    ("tunnel_parents", "set[string]"),
]  # fmt: skip
DNS_FIELDS = [
    ("ts", "time"), ("uid", "string"), ("id.orig_h", "addr"), ("id.orig_p", "port"),
    ("id.resp_h", "addr"), ("id.resp_p", "port"), ("proto", "enum"), ("trans_id", "count"),
    ("query", "string"), ("qtype_name", "string"), ("rcode_name", "string"),
    ("answers", "vector[string]"), ("TTLs", "vector[interval]"),
]  # fmt: skip
HTTP_FIELDS = [
    ("ts", "time"), ("uid", "string"), ("id.orig_h", "addr"), ("id.orig_p", "port"),
    ("id.resp_h", "addr"), ("id.resp_p", "port"), ("trans_depth", "count"),
    ("method", "string"), ("host", "string"), ("uri", "string"), ("referrer", "string"),
    ("version", "string"), ("user_agent", "string"), ("status_code", "count"),
]  # fmt: skip


def zeek_tsv(path: Path, kind: str, columns: list[tuple[str, str]], rows: list[str]) -> Path:
    header = ZEEK_HEADER.format(
        path=kind,
        fields="\t".join(name for name, _ in columns),
        types="\t".join(kind for _, kind in columns),
    )
    path.write_text(header + "".join(row + "\n" for row in rows) + "#close\t2024-03-01-11\n")
    return path


def tsv(*values: str) -> str:
    return "\t".join(values)


def json_lines(path: Path, *events: dict[str, Any] | str) -> Path:
    lines = [e if isinstance(e, str) else orjson.dumps(e).decode() for e in events]
    path.write_text("".join(line + "\n" for line in lines))
    return path


def matched(pattern: str, record: Record) -> bool:
    return matches(compile_pattern(pattern), [observation_of(record)])


def check_objects(record: Record) -> list[dict[str, Any]]:
    """The record's objects, each valid for Accord and for stix2 with stix2's own id."""
    objects = observation_of(record).objects
    for obj in objects:
        validate(obj)
        parsed = stix2.parse(obj, allow_custom=False)
        regenerated = type(parsed)(**{k: v for k, v in obj.items() if k != "id"})
        assert regenerated.id == obj["id"], obj
    return objects


@pytest.fixture
def conn_log(tmp_path: Path) -> Path:
    return zeek_tsv(
        tmp_path / "conn.log",
        "conn",
        CONN_FIELDS,
        [
            tsv("1709287200.123456", "C1", "192.168.1.10", "51234", "10.0.0.5", "443", "tcp",
                "ssl", "2.500000", "1200", "5600", "SF", "12", "10", "(empty)"),
            tsv("1709287201.000000", "C2", "2001:db8::1", "5353", "2001:db8::2", "53", "udp",
                "-", "-", "-", "-", "S0", "1", "0", "-"),
        ],
    )  # fmt: skip


@pytest.fixture
def dns_log(tmp_path: Path) -> Path:
    answers = "cdn.evil.example,203.0.113.7,2001:db8::7,TXT 12 v=spf1 -all"
    return zeek_tsv(
        tmp_path / "dns.log",
        "dns",
        DNS_FIELDS,
        [
            tsv("1709287205.5", "D1", "192.168.1.10", "53000", "192.168.1.1", "53", "udp",
                "4711", "evil.example", "A", "NOERROR", answers, "60.0,60.0,60.0,60.0"),
        ],
    )  # fmt: skip


@pytest.fixture
def http_log(tmp_path: Path) -> Path:
    return zeek_tsv(
        tmp_path / "http.log",
        "http",
        HTTP_FIELDS,
        [
            tsv("1709287210.25", "H1", "192.168.1.10", "51000", "10.0.0.5", "80", "1", "GET",
                "evil.example", "/payload.bin?id=1", "-", "1.1", "Mozilla/5.0 (evil)\\x09x", "200"),
        ],
    )  # fmt: skip


def suricata_base(event_type: str, **extra: Any) -> dict[str, Any]:
    return {
        "timestamp": "2024-03-01T10:00:00.123456+0000",
        "flow_id": 1234,
        "in_iface": "eth0",
        "event_type": event_type,
        "src_ip": "192.168.1.10",
        "src_port": 51000,
        "dest_ip": "10.0.0.5",
        "dest_port": 443,
        "proto": "TCP",
        **extra,
    }


SURICATA_HTTP = {
    "hostname": "evil.example",
    "url": "/payload.bin",
    "http_user_agent": "Mozilla/5.0",
    "http_method": "GET",
    "protocol": "HTTP/1.1",
    "status": 200,
    "length": 1024,
}
SURICATA_EVENTS: dict[str, dict[str, Any]] = {
    "dns-v2": suricata_base(
        "dns",
        dest_port=53,
        proto="UDP",
        dns={
            "version": 2,
            "type": "answer",
            "rrname": "evil.example",
            "rrtype": "A",
            "answers": [{"rrname": "evil.example", "rrtype": "A", "rdata": "203.0.113.7"}],
            "grouped": {"A": ["203.0.113.7"]},
        },
    ),
    "dns-v3": suricata_base(
        "dns",
        dest_port=53,
        proto="UDP",
        dns={"version": 3, "type": "request", "queries": [{"rrname": "other.example"}]},
    ),
    "http": suricata_base("http", dest_port=80, http=SURICATA_HTTP),
    "tls": suricata_base(
        "tls",
        app_proto="tls",
        tls={
            "subject": "CN=evil.example",
            "issuerdn": "CN=Evil CA",
            "serial": "00:AB:CD:EF",
            "fingerprint": CERT_SHA1,
            "sni": "evil.example",
            "version": "TLS 1.2",
        },
    ),
    "fileinfo": suricata_base(
        "fileinfo",
        dest_port=80,
        http=SURICATA_HTTP,
        fileinfo={
            "filename": "/payload.bin",
            "magic": "PE32 executable",
            "state": "CLOSED",
            "md5": MD5,
            "sha1": SHA1,
            "sha256": SHA256,
            "stored": False,
            "size": 1024,
            "tx_id": 0,
        },
    ),
    "alert": suricata_base(
        "alert",
        app_proto="tls",
        alert={"action": "allowed", "signature_id": 2000001, "signature": "ET TEST"},
        tls={"sni": "evil.example"},
    ),
    "flow": suricata_base(
        "flow",
        flow={
            "pkts_toserver": 10,
            "pkts_toclient": 12,
            "bytes_toserver": 1000,
            "bytes_toclient": 5000,
            "start": "2024-03-01T09:59:00.000000+0000",
            "end": "2024-03-01T10:00:00.500000+0000",
            "state": "closed",
        },
    ),
    "smtp": suricata_base(
        "smtp",
        dest_port=25,
        smtp={"helo": "x", "mail_from": "<bad@evil.example>", "rcpt_to": ["<v@corp.example>"]},
        email={"from": "Bad Guy <bad@evil.example>", "to": ["v@corp.example"]},
    ),
}


@pytest.fixture
def eve(tmp_path: Path) -> Path:
    return json_lines(tmp_path / "eve.json", *SURICATA_EVENTS.values())


def suricata_record(eve: Path, name: str) -> Record:
    records = list(read_records(eve))
    return records[list(SURICATA_EVENTS).index(name)]


# -- Zeek ----------------------------------------------------------------------------


def test_zeek_conn_fields_and_times(conn_log: Path) -> None:
    first, second = read_records(conn_log)
    assert first.source == "conn.log:9"
    assert first.first == datetime(2024, 3, 1, 10, 0, 0, 123456, tzinfo=UTC)
    assert first.last == datetime(2024, 3, 1, 10, 0, 2, 623456, tzinfo=UTC)  # ts + duration
    assert {
        ("network-traffic:src_ref.value", "192.168.1.10"),
        ("network-traffic:dst_ref.value", "10.0.0.5"),
        ("ipv4-addr:value", "192.168.1.10"),
        ("ipv4-addr:value", "10.0.0.5"),
        ("network-traffic:src_port", 51234),
        ("network-traffic:dst_port", 443),
        ("network-traffic:protocols[*]", "tcp"),
        ("network-traffic:src_byte_count", 1200),
        ("network-traffic:dst_packets", 10),
        ("network-traffic:start", "2024-03-01T10:00:00.123456Z"),
        ("network-traffic:end", "2024-03-01T10:00:02.623456Z"),
    } <= set(first.fields)
    assert ("ipv6-addr:value", "2001:db8::2") in second.fields
    assert second.first == second.last
    assert not any(path == "network-traffic:end" for path, _ in second.fields)


def test_zeek_conn_observation_matches(conn_log: Path) -> None:
    record = next(read_records(conn_log))
    assert matched(
        "[network-traffic:dst_ref.value = '10.0.0.5' AND network-traffic:dst_port = 443]",
        record,
    )
    assert matched("[ipv4-addr:value = '10.0.0.5']", record)
    assert matched("[network-traffic:src_ref.value ISSUBSET '192.168.0.0/16']", record)
    assert not matched("[network-traffic:dst_port = 80]", record)


def test_zeek_dns_query_and_answers(dns_log: Path) -> None:
    [record] = read_records(dns_log)
    fields = set(record.fields)
    assert {
        ("domain-name:value", "evil.example"),
        ("domain-name:value", "cdn.evil.example"),
        ("ipv4-addr:value", "203.0.113.7"),
        ("ipv6-addr:value", "2001:db8::7"),
        ("network-traffic:protocols[*]", "dns"),
    } <= fields
    assert not any("TXT" in str(value) for _, value in fields)  # not a name, not an address
    assert matched("[domain-name:value = 'evil.example']", record)
    assert matched("[ipv4-addr:value = '203.0.113.7']", record)
    types = [obj["type"] for obj in check_objects(record)]
    assert types.count("domain-name") == 2 and types.count("ipv4-addr") == 3


def test_zeek_http_request(http_log: Path) -> None:
    [record] = read_records(http_log)
    ext = "network-traffic:extensions.'http-request-ext'"
    assert {
        ("domain-name:value", "evil.example"),
        ("url:value", "http://evil.example/payload.bin?id=1"),
        (f"{ext}.request_method", "GET"),
        (f"{ext}.request_value", "/payload.bin?id=1"),
        (f"{ext}.request_version", "http/1.1"),
        (f"{ext}.request_header.'User-Agent'", "Mozilla/5.0 (evil)\tx"),  # \x09 unescaped
    } <= set(record.fields)
    assert matched("[domain-name:value = 'evil.example']", record)
    assert matched("[url:value = 'http://evil.example/payload.bin?id=1']", record)
    assert matched(
        f"[{ext}.request_header.'User-Agent' LIKE 'Mozilla%' AND network-traffic:dst_port = 80]",
        record,
    )


def test_zeek_json_logs_use_path_field_or_file_name(tmp_path: Path) -> None:
    conn = {
        "ts": "2024-03-01T10:00:00.500000Z",
        "uid": "C1",
        "id.orig_h": "192.168.1.10",
        "id.orig_p": 51234,
        "id.resp_h": "10.0.0.5",
        "id.resp_p": 443,
        "proto": "tcp",
        "duration": 1.5,
    }
    dns = {
        "_path": "dns",
        "ts": 1709287205.25,
        "uid": "D1",
        "id.orig_h": "192.168.1.10",
        "id.resp_h": "192.168.1.1",
        "proto": "udp",
        "query": "evil.example",
        "answers": ["203.0.113.7"],
    }
    log = json_lines(tmp_path / "conn.log", conn, dns)
    assert detect_format(log) == "zeek"
    first, second = read_records(log)
    assert first.last == datetime(2024, 3, 1, 10, 0, 2, tzinfo=UTC)  # conn, by file name
    assert second.first == datetime(2024, 3, 1, 10, 0, 5, 250000, tzinfo=UTC)
    assert ("domain-name:value", "evil.example") in second.fields  # dns, by _path
    assert matched("[domain-name:value = 'evil.example']", second)


def test_zeek_header_may_come_again_mid_file(conn_log: Path, dns_log: Path, tmp_path: Path) -> None:
    both = tmp_path / "joined.log"
    both.write_text(conn_log.read_text() + dns_log.read_text())
    queried = [
        [value for path, value in r.fields if path == "domain-name:value"][:1]
        for r in read_records(both, "zeek")
    ]
    assert queried == [[], [], ["evil.example"]]


# -- Suricata ------------------------------------------------------------------------


def test_suricata_event_fields(eve: Path) -> None:
    records = {name: suricata_record(eve, name) for name in SURICATA_EVENTS}
    expected: dict[str, list[tuple[str, Any]]] = {
        "dns-v2": [("domain-name:value", "evil.example"), ("ipv4-addr:value", "203.0.113.7")],
        "dns-v3": [("domain-name:value", "other.example"), ("network-traffic:dst_port", 53)],
        "http": [
            ("domain-name:value", "evil.example"),
            ("url:value", "http://evil.example/payload.bin"),
            ("network-traffic:extensions.'http-request-ext'.request_version", "http/1.1"),
        ],
        "tls": [
            ("domain-name:value", "evil.example"),
            ("x509-certificate:hashes.'SHA-1'", CERT_SHA1.replace(":", "")),
            ("network-traffic:protocols[*]", "tls"),
        ],
        "fileinfo": [
            ("file:name", "payload.bin"),
            ("file:hashes.MD5", MD5),
            ("file:hashes.'SHA-256'", SHA256),
            ("file:size", 1024),
        ],
        "alert": [("domain-name:value", "evil.example"), ("ipv4-addr:value", "10.0.0.5")],
        "flow": [("network-traffic:src_byte_count", 1000), ("network-traffic:dst_packets", 12)],
        "smtp": [("email-addr:value", "bad@evil.example"), ("email-addr:value", "v@corp.example")],
    }
    for name, pairs in expected.items():
        assert set(pairs) <= set(records[name].fields), name
    assert records["http"].first == datetime(2024, 3, 1, 10, 0, 0, 123456, tzinfo=UTC)
    flow = records["flow"]
    assert (flow.first, flow.last) == (
        datetime(2024, 3, 1, 9, 59, tzinfo=UTC),
        datetime(2024, 3, 1, 10, 0, 0, 500000, tzinfo=UTC),
    )


def test_suricata_observations_match(eve: Path) -> None:
    assert matched("[domain-name:value = 'evil.example']", suricata_record(eve, "dns-v2"))
    assert matched("[domain-name:value = 'evil.example']", suricata_record(eve, "http"))
    fileinfo = suricata_record(eve, "fileinfo")
    assert matched(f"[file:hashes.'SHA-256' = '{SHA256}']", fileinfo)
    assert matched(f"[file:hashes.MD5 = '{MD5}' AND file:name = 'payload.bin']", fileinfo)
    tls = suricata_record(eve, "tls")
    assert matched(f"[x509-certificate:hashes.'SHA-1' = '{CERT_SHA1.replace(':', '')}']", tls)
    alert = suricata_record(eve, "alert")
    assert matched("[network-traffic:src_ref.value = '192.168.1.10']", alert)


def test_suricata_stats_events_have_no_fields(tmp_path: Path) -> None:
    stats = {"timestamp": "2024-03-01T10:00:00.000000+0000", "event_type": "stats", "stats": {}}
    report = SkipReport()
    assert list(read_records(json_lines(tmp_path / "eve.json", stats), skipped=report)) == []
    assert report.counts == {"no-fields": 1}


# -- JSON lines and CSV through a mapping --------------------------------------------


def test_jsonl_with_nested_fields_and_epoch_milliseconds(tmp_path: Path) -> None:
    event = {
        "@timestamp": 1709287200123,
        "source": {"ip": "192.168.1.10"},
        "destination": {"ip": "10.0.0.5", "port": "443"},
        "dns": {"question": {"name": "evil.example"}, "answers": [{"data": "203.0.113.7"}]},
    }
    mapping = {
        "source.ip": "network-traffic:src_ref.value",
        "destination.ip": "network-traffic:dst_ref.value",
        "destination.port": "network-traffic:dst_port",
        "dns.question.name": "domain-name:value",
        "dns.answers.data": "ipv4-addr:value",
    }
    [record] = read_records(json_lines(tmp_path / "events.jsonl", event), mapping=mapping)
    assert record.first == datetime(2024, 3, 1, 10, 0, 0, 123000, tzinfo=UTC)
    assert ("network-traffic:dst_port", 443) in record.fields  # text made an integer
    assert ("ipv4-addr:value", "203.0.113.7") in record.fields
    assert ("network-traffic:protocols[*]", "ipv4") in record.fields  # STIX requires one
    assert matched(
        "[network-traffic:dst_ref.value = '10.0.0.5' AND network-traffic:dst_port = 443]", record
    )
    check_objects(record)


def test_jsonl_time_field_named_by_the_mapping(tmp_path: Path) -> None:
    event = {"when": "2024-03-01 11:00:00+01:00", "ts": "ignored", "ip": "10.0.0.5"}
    mapping = {"when": "time", "ip": "ipv4-addr:value"}
    [record] = read_records(json_lines(tmp_path / "a.jsonl", event), "jsonl", mapping)
    assert record.first == datetime(2024, 3, 1, 10, tzinfo=UTC)


def test_csv_with_mapping(tmp_path: Path) -> None:
    log = tmp_path / "export.csv"
    log.write_text(
        "\ufefftime,src,dst,dport,host,sha256\n"
        f"2024-03-01T10:00:00Z,192.168.1.10,10.0.0.5,443,evil.example,{SHA256}\n"
        '1709287300,192.168.1.11,10.0.0.6,,"other.example",\n'
    )
    mapping = {
        "src": "network-traffic:src_ref.value",
        "dst": "network-traffic:dst_ref.value",
        "dport": "network-traffic:dst_port",
        "host": "domain-name:value",
        "sha256": "file:hashes.'SHA-256'",
    }
    first, second = read_records(log, mapping=mapping)
    assert first.source == "export.csv:2" and second.source == "export.csv:3"
    assert matched("[network-traffic:dst_port = 443]", first)
    assert matched(f"[file:hashes.'SHA-256' = '{SHA256}']", first)
    assert second.first == datetime(2024, 3, 1, 10, 1, 40, tzinfo=UTC)
    assert not any(path == "network-traffic:dst_port" for path, _ in second.fields)
    check_objects(first)


# -- the objects ---------------------------------------------------------------------


def all_records(conn_log: Path, dns_log: Path, http_log: Path, eve: Path) -> list[Record]:
    return [r for log in (conn_log, dns_log, http_log, eve) for r in read_records(log)]


def test_every_object_is_valid_stix_with_the_id_stix2_derives(
    conn_log: Path, dns_log: Path, http_log: Path, eve: Path
) -> None:
    records = all_records(conn_log, dns_log, http_log, eve)
    assert len(records) == 2 + 1 + 1 + len(SURICATA_EVENTS)
    types = {obj["type"] for record in records for obj in check_objects(record)}
    assert types == {
        "network-traffic", "ipv4-addr", "ipv6-addr", "domain-name", "url", "file",
        "x509-certificate", "email-addr",
    }  # fmt: skip


def test_record_fields_are_the_pairs_its_observation_holds(
    conn_log: Path, dns_log: Path, http_log: Path, eve: Path
) -> None:
    """What the index looks up on a record is what the evaluator sees on its objects."""
    for record in all_records(conn_log, dns_log, http_log, eve):
        held = {
            pair
            for pair in observation_fields(observation_of(record))
            if not pair[0].endswith((".type", ".id", ".spec_version"))
        }
        assert held == set(record.fields), record.source


def test_an_address_reached_by_reference_and_plainly_is_one_object() -> None:
    moment = datetime(2024, 3, 1, tzinfo=UTC)
    record = Record(
        moment,
        moment,
        (
            ("network-traffic:dst_ref.value", "10.0.0.5"),
            ("network-traffic:protocols[*]", "tcp"),
            ("ipv4-addr:value", "10.0.0.5"),
            ("ipv4-addr:value", "10.0.0.6"),
        ),
        "test:1",
    )
    observation = observation_of(record)
    addresses = [obj for obj in observation.objects if obj["type"] == "ipv4-addr"]
    assert sorted(obj["value"] for obj in addresses) == ["10.0.0.5", "10.0.0.6"]
    [traffic] = [obj for obj in observation.objects if obj["type"] == "network-traffic"]
    assert traffic["dst_ref"] in {obj["id"] for obj in addresses}
    assert observation.source == "test:1"


@pytest.mark.parametrize(
    ("obj", "made_by_stix2"),
    [
        ({"value": "evil.example"}, stix2.v21.DomainName),
        ({"value": "2001:db8::1"}, stix2.v21.IPv6Address),
        ({"value": "aa:bb:cc:dd:ee:ff"}, stix2.v21.MACAddress),
        ({"value": "bad@evil.example"}, stix2.v21.EmailAddress),
        ({"value": "http://evil.example/ü"}, stix2.v21.URL),
        ({"hashes": {"SHA-256": SHA256, "MD5": MD5}, "name": "a.exe"}, stix2.v21.File),
        ({"hashes": {"SHA-512": "ab" * 64}, "size": 3}, stix2.v21.File),
        ({"hashes": {"SHA-1": SHA1}, "serial_number": "01:02"}, stix2.v21.X509Certificate),
    ],
)
def test_deterministic_ids_agree_with_stix2(obj: dict[str, Any], made_by_stix2: Any) -> None:
    expected = made_by_stix2(**obj)
    assert sco_id(expected["type"], obj) == expected.id


# -- format detection, errors, skipped lines -----------------------------------------


def test_format_detection(conn_log: Path, eve: Path, tmp_path: Path, http_log: Path) -> None:
    assert detect_format(conn_log) == "zeek"
    assert detect_format(eve) == "suricata"
    assert detect_format(json_lines(tmp_path / "x.jsonl", "{broken", {"a": 1})) == "jsonl"
    (tmp_path / "x.csv").write_text("ts,ip\n1,10.0.0.1\n")
    assert detect_format(tmp_path / "x.csv") == "csv"
    fields_first = tmp_path / "fields_first.log"
    fields_first.write_text("\n".join(http_log.read_text().splitlines()[6:]))
    assert detect_format(fields_first) == "zeek"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("just some words\nand more\n", "cannot tell the format"),
        ("{not json\n{nor this\n", "none is a JSON object"),
        ("", "empty"),
        ("\x00\x01\x02\n", "cannot tell the format"),
    ],
)
def test_undetectable_formats_are_errors_naming_the_file(
    tmp_path: Path, content: str, reason: str
) -> None:
    log = tmp_path / "mystery.log"
    log.write_text(content)
    with pytest.raises(MalformedInput, match=reason) as caught:
        detect_format(log)
    assert caught.value.source == str(log)
    if content:  # an empty file simply has no records
        with pytest.raises(MalformedInput, match=reason):
            read_records(log)  # at once, not on the first record
    else:
        assert list(read_records(log)) == []


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("ipv4-addr", "not a STIX object path"),
        ("ipv4-addr:value] OR [EXISTS url:value", "not a single STIX object path"),
        ("indicator:pattern", "not a STIX 2.1 cyber-observable type"),
        ("ipv4-adr:value", "not a STIX 2.1 cyber-observable type"),
        ("network-traffic:src_ref", "holds an object id"),
        ("network-traffic:src_ref.resolves_to_refs[*].value", "only 'value' can follow"),
        ("network-traffic:protocols", "is a list"),
        ("file:hashes", "holds a dictionary"),
        ("ipv4-addr:id", "set when the object is built"),
    ],
)
def test_a_mapping_to_an_invalid_path_is_an_error_naming_it(
    tmp_path: Path, target: str, reason: str
) -> None:
    log = json_lines(tmp_path / "a.jsonl", {"ts": 1, "f": "x"})
    with pytest.raises(MalformedInput, match=reason) as caught:
        read_records(log, mapping={"f": target})
    assert caught.value.source == f"--map f={target}"


def test_usage_errors(tmp_path: Path, conn_log: Path) -> None:
    jsonl = json_lines(tmp_path / "a.jsonl", {"ts": 1, "ip": "10.0.0.1"})
    with pytest.raises(MalformedInput, match="read through a mapping"):
        read_records(jsonl)
    with pytest.raises(MalformedInput, match="unknown format 'pcap'"):
        read_records(conn_log, "pcap")
    (tmp_path / "a.csv").write_text("when,ip\n2024-03-01T10:00:00Z,10.0.0.1\n")
    with pytest.raises(MalformedInput, match="no column 'addr'"):
        read_records(tmp_path / "a.csv", mapping={"addr": "ipv4-addr:value"})
    with pytest.raises(MalformedInput, match="no time column"):
        read_records(tmp_path / "a.csv", mapping={"ip": "ipv4-addr:value"})
    assert (
        len(list(read_records(tmp_path / "a.csv", None, {"ip": "ipv4-addr:value", "when": "time"})))
        == 1
    )


def test_broken_json_lines_are_skipped_and_reported(tmp_path: Path) -> None:
    log = json_lines(
        tmp_path / "events.jsonl",
        {"ts": 1709287200, "ip": "10.0.0.1"},
        '{"ts": 1709287201, "ip": ',
        "[1, 2]",
        {"ip": "10.0.0.2"},
        {"ts": "yesterday", "ip": "10.0.0.3"},
        {"ts": 1709287202},
        {"ts": 1709287203, "ip": "10.0.0.4", "port": "http"},
        "",
        {"ts": 1709287204, "ip": "10.0.0.5"},
    )
    report = SkipReport()
    mapping = {"ip": "ipv4-addr:value", "port": "network-traffic:dst_port"}
    records = list(read_records(log, mapping=mapping, skipped=report))
    assert [r.source for r in records] == ["events.jsonl:1", "events.jsonl:7", "events.jsonl:9"]
    assert report.counts == {
        "not-json": 2, "no-time": 1, "bad-time": 1, "no-fields": 1, "bad-value": 1,
    }  # fmt: skip
    assert report.lines == 5
    where = {(skip.reason, skip.source) for skip in report.examples}
    assert where == {
        ("not-json", "events.jsonl:2"),
        ("not-json", "events.jsonl:3"),
        ("no-time", "events.jsonl:4"),
        ("bad-time", "events.jsonl:5"),
        ("no-fields", "events.jsonl:6"),
        ("bad-value", "events.jsonl:7"),
    }
    text = str(report)
    assert "2 not-json: the line is not a JSON object" in text
    assert "events.jsonl:7: bad-value: network-traffic:dst_port: 'http' is not an integer" in text


def test_broken_zeek_and_csv_rows_are_skipped_and_reported(tmp_path: Path) -> None:
    log = zeek_tsv(
        tmp_path / "conn.log",
        "conn",
        CONN_FIELDS,
        [
            tsv("1709287200.1", "C1", "10.0.0.1", "1", "10.0.0.5", "443", "tcp"),
            tsv("1709287200.2", "C2", "10.0.0.1", "1", "10.0.0.5", "99999", "tcp", "-", "-",
                "-", "-", "S0", "1", "0", "-"),
        ],
    )  # fmt: skip
    with log.open("ab") as out:
        out.write(b"\xff\xfe broken bytes\n")
    report = SkipReport()
    [record] = read_records(log, skipped=report)
    assert report.counts == {"bad-row": 1, "bad-value": 1, "not-utf8": 1}
    assert {(s.reason, s.source) for s in report.examples} == {
        ("bad-row", "conn.log:9"),
        ("bad-value", "conn.log:10"),
        ("not-utf8", "conn.log:12"),
    }
    assert not any(path == "network-traffic:dst_port" for path, _ in record.fields)
    csv_log = tmp_path / "a.csv"
    csv_log.write_text("ts,ip\n1709287200,10.0.0.1\n1709287200,10.0.0.2,extra\n")
    report = SkipReport()
    assert len(list(read_records(csv_log, "csv", {"ip": "ipv4-addr:value"}, report))) == 1
    assert [(s.reason, s.source) for s in report.examples] == [("bad-row", "a.csv:3")]


def test_too_long_lines_are_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logs, "MAX_LINE_BYTES", 64)
    log = json_lines(
        tmp_path / "a.jsonl", {"ts": 1, "ip": "10.0.0.1"}, {"ts": 2, "ip": "x" * 300}, {"ts": 3}
    )
    report = SkipReport()
    records = list(read_records(log, "jsonl", {"ip": "ipv4-addr:value"}, report))
    assert [r.source for r in records] == ["a.jsonl:1"]
    assert [(s.reason, s.source) for s in report.examples] == [
        ("too-long", "a.jsonl:2"),
        ("no-fields", "a.jsonl:3"),
    ]


def test_gzip_logs_are_read_transparently(conn_log: Path, tmp_path: Path) -> None:
    packed = tmp_path / "conn.00:00:00-01:00:00.log.gz"
    packed.write_bytes(gzip.compress(conn_log.read_bytes()))
    assert detect_format(packed) == "zeek"
    assert [r.fields for r in read_records(packed)] == [r.fields for r in read_records(conn_log)]
    damaged = tmp_path / "damaged.log.gz"
    damaged.write_bytes(gzip.compress(conn_log.read_bytes() * 50)[:-40])
    with pytest.raises(MalformedInput, match="damaged gzip data"):
        list(read_records(damaged, "zeek"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1709287200, datetime(2024, 3, 1, 10, tzinfo=UTC)),
        (1709287200.5, datetime(2024, 3, 1, 10, 0, 0, 500000, tzinfo=UTC)),
        ("1709287200.123456", datetime(2024, 3, 1, 10, 0, 0, 123456, tzinfo=UTC)),
        ("1709287200123", datetime(2024, 3, 1, 10, 0, 0, 123000, tzinfo=UTC)),
        ("2024-03-01T10:00:00.123456789Z", datetime(2024, 3, 1, 10, 0, 0, 123456, tzinfo=UTC)),
        ("2024-03-01T10:00:00.5+0000", datetime(2024, 3, 1, 10, 0, 0, 500000, tzinfo=UTC)),
        ("2024-03-01t12:00:00+02:00", datetime(2024, 3, 1, 10, tzinfo=UTC)),
        ("2024-03-01 10:00:00", datetime(2024, 3, 1, 10, tzinfo=UTC)),
    ],
)
def test_times(value: Any, expected: datetime) -> None:
    assert parse_time(value) == expected


@pytest.mark.parametrize("value", ["yesterday", True, None, float("nan"), "1e400", [1]])
def test_unreadable_times(value: Any) -> None:
    with pytest.raises(ValueError):
        parse_time(value)


# -- memory --------------------------------------------------------------------------

STREAM_AND_MEASURE = """
import resource, sys
from accord.correlate.logs import read_records
mapping = {"src": "network-traffic:src_ref.value", "dst": "network-traffic:dst_ref.value"}
records = read_records(sys.argv[1], mapping=mapping)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
count = sum(1 for _ in records)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(count, before, after)
"""


@pytest.mark.slow
def test_a_200_mb_log_streams_in_bounded_memory(tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    filler = "x" * 1000
    lines = 210_000
    with big.open("w") as out:
        for start in range(0, lines, 10_000):
            out.write(
                "".join(
                    f'{{"ts": {1709287200 + n}, "src": "10.0.{n % 256}.1", '
                    f'"dst": "10.1.0.{n % 200}", "note": "{filler}"}}\n'
                    for n in range(start, start + 10_000)
                )
            )
    assert big.stat().st_size > 200 * 1024 * 1024
    result = subprocess.run(
        [sys.executable, "-c", STREAM_AND_MEASURE, str(big)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    count, before_kib, after_kib = map(int, result.stdout.split())
    assert count == lines
    # Reading the file whole would take over 200 MB; streaming needs a few.
    assert after_kib - before_kib < 30 * 1024, f"peak RSS grew {after_kib - before_kib} KiB"
