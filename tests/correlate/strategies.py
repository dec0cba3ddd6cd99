"""Hypothesis strategies: STIX patterns and bundles of observed-data that exercise every
operator, qualifier and number_observed, inside the behaviour the OASIS reference matcher
defines (docs/dev/stix2-matcher-semantics.md, section 5.2: no EXISTS, no non-IPv4 values
for ISSUBSET, no non-timestamp strings against t'' literals, ...)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

BASE = datetime(2024, 1, 1, tzinfo=UTC)
IPS = ["10.0.0.1", "10.0.0.77", "10.1.2.3", "192.168.1.10", "198.51.100.7"]
CIDRS = ["10.0.0.0/8", "10.0.0.0/24", "10.1.0.0/16", "192.168.1.0/24", "198.51.100.7/32"]
# a trailing newline (``$`` allows one) and a decomposed é (LIKE and MATCHES read NFC)
DOMAINS = [
    "evil.example",
    "mail.evil.example",
    "good.example",
    "EVIL.example",
    "evil.example\n",
    "e\u0301vil.example",
]
NAMES = ["a.exe", "b.dll", "invoice.pdf.exe", "A.EXE", "report_1.doc"]
MD5S = ["0" * 32, "a" * 32, "0123456789abcdef" * 2]
PORTS = [22, 80, 443, 8080]
PROTOCOLS = ["tcp", "udp", "tls", "http", "dns"]
REGEXES = ["^10\\.", "\\.7$", "1", "^10\\.0\\.0\\.[0-9]+$"]  # before STIX string quoting
DOMAIN_REGEXES = [
    "^mail\\.",
    "\\.example$",
    "example\\Z",
    "^[a-z]+\\.evil\\.example$",
    "(?i)^evil",
    "good|^mail",
    "^\u00e9vil",
    "^e.il\\.ex{0,1}ample$",
]
LIKES = ["%.evil.example", "evil%", "%EVIL%", "_vil.example", "\u00e9vil%", "evil.example"]


def stamp(seconds: int) -> str:
    return (BASE + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def quoted(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


@st.composite
def observation_bundle(draw: st.DrawFn) -> dict[str, Any]:
    objects: list[dict[str, Any]] = []
    count = draw(st.integers(1, 6))
    for n in range(count):
        refs = []
        ip_id = f"ipv4-addr--00000000-0000-4000-8000-{n:012d}"
        objects.append({"type": "ipv4-addr", "id": ip_id, "value": draw(st.sampled_from(IPS))})
        refs.append(ip_id)
        if draw(st.booleans()):
            domain_id = f"domain-name--00000000-0000-4000-8000-{n:012d}"
            objects.append(
                {"type": "domain-name", "id": domain_id, "value": draw(st.sampled_from(DOMAINS))}
            )
            refs.append(domain_id)
        if draw(st.booleans()):
            file_id = f"file--00000000-0000-4000-8000-{n:012d}"
            file: dict[str, Any] = {
                "type": "file",
                "id": file_id,
                "name": draw(st.sampled_from(NAMES)),
            }
            if draw(st.booleans()):
                file["size"] = draw(st.integers(0, 5000))
            if draw(st.booleans()):
                file["hashes"] = {"MD5": draw(st.sampled_from(MD5S))}
            objects.append(file)
            refs.append(file_id)
        if draw(st.booleans()):
            traffic_id = f"network-traffic--00000000-0000-4000-8000-{n:012d}"
            objects.append(
                {
                    "type": "network-traffic",
                    "id": traffic_id,
                    "src_ref": ip_id,
                    "dst_port": draw(st.sampled_from(PORTS)),
                    "protocols": draw(st.lists(st.sampled_from(PROTOCOLS), min_size=1, max_size=3)),
                }
            )
            refs.append(traffic_id)
        first = draw(st.integers(0, 120))
        last = first + draw(st.integers(0, 60))
        objects.append(
            {
                "type": "observed-data",
                "id": f"observed-data--00000000-0000-4000-8000-{n:012d}",
                "first_observed": stamp(first),
                "last_observed": stamp(last),
                "number_observed": draw(st.integers(1, 3)),
                "object_refs": refs,
            }
        )
    return {
        "type": "bundle",
        "id": "bundle--00000000-0000-4000-8000-000000000000",
        "objects": objects,
    }


def _not(draw: st.DrawFn) -> str:
    return "NOT " if draw(st.integers(0, 4)) == 0 else ""


@st.composite
def comparison(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["ip", "domain", "file", "traffic"]))
    neg = _not(draw)
    if kind == "ip":
        choice = draw(st.integers(0, 3))
        if choice == 0:
            return f"ipv4-addr:value {neg}= {quoted(draw(st.sampled_from(IPS)))}"
        if choice == 1:
            return f"ipv4-addr:value {neg}ISSUBSET {quoted(draw(st.sampled_from(CIDRS)))}"
        if choice == 2:
            values = ", ".join(
                quoted(v) for v in draw(st.lists(st.sampled_from(IPS), min_size=1, max_size=3))
            )
            return f"ipv4-addr:value {neg}IN ({values})"
        regex = quoted(draw(st.sampled_from(REGEXES)))
        return f"ipv4-addr:value {neg}MATCHES {regex}"
    if kind == "domain":
        choice = draw(st.integers(0, 3))
        if choice == 0:
            return f"domain-name:value {neg}= {quoted(draw(st.sampled_from(DOMAINS)))}"
        if choice == 1:
            like = draw(st.sampled_from(LIKES))
            return f"domain-name:value {neg}LIKE {quoted(like)}"
        if choice == 3:
            regex = quoted(draw(st.sampled_from(DOMAIN_REGEXES)))
            return f"domain-name:value {neg}MATCHES {regex}"
        return f"domain-name:value {neg}!= {quoted(draw(st.sampled_from(DOMAINS)))}"
    if kind == "file":
        choice = draw(st.integers(0, 3))
        if choice == 0:
            return f"file:name {neg}= {quoted(draw(st.sampled_from(NAMES)))}"
        if choice == 1:
            op = draw(st.sampled_from(["<", "<=", ">", ">="]))
            return f"file:size {neg}{op} {draw(st.integers(0, 5000))}"
        if choice == 2:
            return f"file:hashes.MD5 {neg}= {quoted(draw(st.sampled_from(MD5S)))}"
        like = draw(st.sampled_from(["%.exe", "a.%", "%_1.doc", "%.EXE"]))
        return f"file:name {neg}LIKE {quoted(like)}"
    choice = draw(st.integers(0, 2))
    if choice == 0:
        return f"network-traffic:dst_port {neg}= {draw(st.sampled_from(PORTS))}"
    if choice == 1:
        return f"network-traffic:protocols[*] {neg}= {quoted(draw(st.sampled_from(PROTOCOLS)))}"
    return f"network-traffic:src_ref.value {neg}= {quoted(draw(st.sampled_from(IPS)))}"


def comparison_expression() -> st.SearchStrategy[str]:
    return st.recursive(
        comparison(),
        lambda inner: st.tuples(inner, st.sampled_from(["AND", "OR"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})" if t[1] == "OR" else f"{t[0]} {t[1]} {t[2]}"
        ),
        max_leaves=3,
    )


@st.composite
def qualified(draw: st.DrawFn, inner: st.SearchStrategy[str]) -> str:
    expression = draw(inner)
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return f"({expression}) REPEATS {draw(st.integers(1, 3))} TIMES"
    if kind == 1:
        return f"({expression}) WITHIN {draw(st.integers(1, 90))} SECONDS"
    start = draw(st.integers(0, 150))
    stop = start + draw(st.integers(-10, 120))
    return f"({expression}) START t'{stamp(start)}' STOP t'{stamp(stop)}'"


def pattern() -> st.SearchStrategy[str]:
    leaf = comparison_expression().map(lambda c: f"[{c}]")
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["AND", "OR", "FOLLOWEDBY"]), inner).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            ),
            qualified(inner),
        ),
        max_leaves=4,
    )
