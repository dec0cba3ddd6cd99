"""Correlation of indicators against log observations, beside stix2-matcher and a bare loop.

    python benchmarks/correlate.py [--indicators 1000000] [--observations 10000000]
    python benchmarks/correlate.py --quick          # 10,000 x 100,000

Indicators: a feed-like mix, deterministic from --seed; indicator number i is a pure
function of (seed, i), so observations can plant indicator values without the benchmark
holding the indicators. Per 10,000: 9,200 ``=`` on ipv4-addr:value, domain-name:value,
url:value, file:hashes.'SHA-256' and MD5; 500 ``ipv4-addr:value ISSUBSET`` (/16 to /32,
mostly /24); 140 LIKE (``'%.host'`` on domains, ``'https://host/%'`` on URLs); 60 MATCHES
(``'^[a-z0-9]+\\.host$'`` on domains); 100 ``[...] FOLLOWEDBY [...]`` of two ``=``.

Observations: connection events (internal source, public destination, ports, protocol;
40 % a host name, 20 % a URL, 6 % a file hash) from pools, 3 % of them planting the
value(s) of a random indicator (FOLLOWEDBY: its second part a little later), so that
candidates and matches occur. They are streamed in chunks, never all held.

Phases, in one process (memory is VmRSS/VmHWM from /proc/self/status; the peak is reset
before each phase through /proc/self/clear_refs, so each phase's peak is its own, the
index included):

  check    200 patterns (every kind of the mix) x 200 observations: the (pattern,
           observation) matches of our engine must equal stix2-matcher's (one call per
           pair; FOLLOWEDBY patterns: one call over all 200), or the benchmark stops
  index    compile_pattern + PatternIndex.add of every indicator: seconds, RSS
  engine   Correlator.feed over the observations (fields as the log reader makes them,
           generated outside the timed loop), building the Observation for candidates
           with observation_of: observations/s, peak RSS, matches
  log      end to end: a JSON-lines log of the same observations, read by observed_in
           (what `accord correlate --log` does, without the store) into Correlator.feed;
           first its records are checked to hold exactly the engine phase's fields
  diag     where the time goes: the log reader alone, and the engine (alone and end to
           end) with only the value anchors of ``=`` and IN, i.e. without the ISSUBSET,
           LIKE and MATCHES patterns; not the mix, labelled "diagnostic"
  bare     the limit: the same (path, value) pairs looked up in a plain dict built from
           the equality indicators, one ``dict.get`` per pair, nothing else
  cli      (--cli N M) `accord correlate --log` as a process, on a SQLite store of N of
           the indicators and a log of M observations: indicators loaded through the
           access gate and compiled, observations retained, sightings stored
  matcher  stix2-matcher on a sample of the mix (P patterns x S observations as one
           bundle, and x 1 to take its per-pattern parse out), its cost per (pattern,
           observation) pair extrapolated to the full indicator count: labelled so

Each timed phase stops at --budget seconds (wall clock) and reports the observations it
really processed; nothing is extrapolated for our engine.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import dataclasses
import hashlib
import itertools
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import orjson

from accord.correlate.compiler import compile_pattern
from accord.correlate.engine import Correlator
from accord.correlate.evaluate import Observation
from accord.correlate.index import PatternIndex
from accord.correlate.inputs import observed_in
from accord.correlate.logs import Record, SkipReport, observation_of, read_records
from accord.correlate.scoid import stix_timestamp

WORDS = [
    *("phishing", "loader", "beacon", "c2", "exfiltration"),
    *("dropper", "credential", "stealer", "ransomware", "wiper"),
]
TLDS = ["com", "net", "org", "info", "ru", "cn", "io", "xyz", "top"]
#: Indicator kinds and their share per 10,000 (cumulative bounds below).
MIX = {
    "ipv4": 3400,
    "domain": 2400,
    "url": 1400,
    "sha256": 1200,
    "md5": 800,
    "cidr": 500,
    "like": 140,
    "matches": 60,
    "followedby": 100,
}
EQUALITY = ("ipv4", "domain", "url", "sha256", "md5")
_BOUNDS = list(itertools.accumulate(MIX.values()))
_KINDS = list(MIX)
#: Prefix lengths of the ISSUBSET indicators, per 100: blocklists are mostly /24 and
#: narrower; a few /16 (each covers 1/65,536 of the address space, so hits by chance).
PREFIXES = [16] + [20] * 4 + [22] * 10 + [24] * 45 + [27] * 10 + [28] * 10 + [29] * 10 + [32] * 10

SRC, DST = "network-traffic:src_ref.value", "network-traffic:dst_ref.value"
IPV4, DOMAIN, URL = "ipv4-addr:value", "domain-name:value", "url:value"
MD5, SHA256 = "file:hashes.MD5", "file:hashes.'SHA-256'"
SPORT, DPORT, PROTO = (
    "network-traffic:src_port",
    "network-traffic:dst_port",
    ("network-traffic:protocols[*]"),
)
#: The JSON-lines log's fields and the object paths they go to (`--map FIELD=PATH`).
MAPPING = {
    "ts": "time",
    "src": SRC,
    "dst": DST,
    "sport": SPORT,
    "dport": DPORT,
    "proto": PROTO,
    "host": DOMAIN,
    "url": URL,
    "md5": MD5,
    "sha256": SHA256,
}
BASE = datetime(2024, 3, 1, tzinfo=UTC)
STEP = timedelta(microseconds=8640)  # 10,000,000 events a day
HIT_RATE = 0.03

Fields = tuple[tuple[str, Any], ...]
Plants = tuple[tuple[str, str], ...]  # (log field, value) an observation takes to hit


# -- indicators ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Indicator:
    number: int
    kind: str
    pattern: str
    plants: Plants  # what an observation holds to satisfy it (its first part)
    later: Plants = ()  # FOLLOWEDBY: what a later observation holds for its second part

    @property
    def key(self) -> str:
        return f"indicator--{uuid.UUID(int=self.number, version=4)}"


def _ip(bits: int) -> str:
    first = 11 + bits % 212  # public-looking: not 0-10, not multicast
    first += first == 127
    return f"{first}.{(bits >> 8) & 255}.{(bits >> 16) & 255}.{1 + (bits >> 24) % 254}"


def _dotted(number: int) -> str:
    return f"{number >> 24}.{(number >> 16) & 255}.{(number >> 8) & 255}.{number & 255}"


def _host(bits: int) -> str:
    return f"{WORDS[bits % 10]}-{(bits >> 4) & 0xFFFFFFFF:08x}.{TLDS[(bits >> 36) % 9]}"


def _url(bits: int) -> str:
    return f"https://{_host(bits)}/{WORDS[(bits >> 40) % 10]}/{(bits >> 44) & 0xFFFFFF:06x}.php"


def _stix(text: str) -> str:
    """A STIX string literal's body: only \\ and ' are escaped."""
    return text.replace("\\", "\\\\").replace("'", "\\'")


def indicator(seed: int, number: int) -> Indicator:
    """Indicator ``number`` of the mix: a pure function of (seed, number)."""
    digest = hashlib.blake2b(
        number.to_bytes(8, "little"), digest_size=48, key=seed.to_bytes(8, "little")
    ).digest()
    bits = int.from_bytes(digest, "little")
    kind = _KINDS[bisect.bisect_right(_BOUNDS, bits % 10_000)]
    v = bits >> 14
    if kind == "ipv4":
        ip = _ip(v)
        return Indicator(number, kind, f"[ipv4-addr:value = '{ip}']", (("dst", ip),))
    if kind == "domain":
        host = _host(v)
        return Indicator(number, kind, f"[domain-name:value = '{host}']", (("host", host),))
    if kind == "url":
        url = _url(v)
        plants = (("host", _host(v)), ("url", url))
        return Indicator(number, kind, f"[url:value = '{url}']", plants)
    if kind == "sha256":
        value = f"{v & (2**256 - 1):064x}"
        return Indicator(number, kind, f"[file:hashes.'SHA-256' = '{value}']", (("sha256", value),))
    if kind == "md5":
        value = f"{v & (2**128 - 1):032x}"
        return Indicator(number, kind, f"[file:hashes.MD5 = '{value}']", (("md5", value),))
    if kind == "cidr":
        prefix = PREFIXES[v % 100]
        v >>= 7
        first = 11 + v % 212
        address = (first + (first == 127)) << 24 | (v >> 8) & 0xFFFFFF
        mask = (0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF
        network = address & mask
        inside = network | ((v >> 40) & ~mask & 0xFFFFFFFF)
        pattern = f"[ipv4-addr:value ISSUBSET '{_dotted(network)}/{prefix}']"
        return Indicator(number, kind, pattern, (("dst", _dotted(inside)),))
    if kind == "like":
        host = _host(v >> 1)
        if v % 2:
            pattern = f"[domain-name:value LIKE '%.{host}']"
            return Indicator(number, kind, pattern, (("host", f"www.{host}"),))
        pattern = f"[url:value LIKE 'https://{host}/%']"
        return Indicator(number, kind, pattern, (("host", host), ("url", f"https://{host}/x.js")))
    if kind == "matches":
        host = _host(v)
        regex = rf"^[a-z0-9]+\.{re.escape(host)}$"
        pattern = f"[domain-name:value MATCHES '{_stix(regex)}']"
        return Indicator(number, kind, pattern, (("host", f"cdn{v % 9}.{host}"),))
    assert kind == "followedby"
    host, other = _host(v >> 1), v >> 60
    if v % 2:  # contact with an address, then its domain resolved
        ip = _ip(other)
        pattern = f"[ipv4-addr:value = '{ip}'] FOLLOWEDBY [domain-name:value = '{host}']"
        return Indicator(number, kind, pattern, (("dst", ip),), (("host", host),))
    digest_ = f"{other & (2**256 - 1):064x}"  # a domain, then a file downloaded
    pattern = f"[domain-name:value = '{host}'] FOLLOWEDBY [file:hashes.'SHA-256' = '{digest_}']"
    return Indicator(number, kind, pattern, (("host", host),), (("sha256", digest_),))


def stratified(seed: int, quotas: dict[str, int]) -> list[Indicator]:
    """The first indicators of each kind, ``quotas[kind]`` of them (a sample of the mix)."""
    left, found = dict(quotas), list[Indicator]()
    for number in itertools.count():
        if not any(left.values()):
            return found
        ind = indicator(seed, number)
        if left.get(ind.kind, 0):
            left[ind.kind] -= 1
            found.append(ind)
    raise AssertionError("unreachable")


# -- observations ----------------------------------------------------------------------


def events(
    seed: int,
    count: int,
    pick: Callable[[random.Random], Indicator],
    delay: int = 500,
    hit_rate: float = HIT_RATE,
) -> Iterator[dict[str, Any]]:
    """``count`` connection events as a JSON-lines log holds them (``ts`` a datetime)."""
    rng = random.Random(seed)
    sources = [f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"]
    sources += [f"10.{rng.randrange(256)}.{rng.randrange(256)}.{n % 254 + 1}" for n in range(4999)]
    targets = [_ip(rng.getrandbits(64)) for _ in range(200_000)]
    hosts = [f"www.site{n:05d}.{TLDS[n % 9]}" for n in range(50_000)]
    ports = [443] * 10 + [80] * 5 + [53, 22, 25, 8080, 3389]
    later: dict[int, list[Plants]] = {}
    for n in range(count):
        event: dict[str, Any] = {
            "ts": BASE + STEP * n,
            "src": rng.choice(sources),
            "dst": rng.choice(targets),
            "sport": 1024 + rng.getrandbits(16) % 64_000,
            "dport": rng.choice(ports),
            "proto": "udp" if rng.random() < 0.1 else "tcp",
        }
        shape = rng.random()
        if shape < 0.40:
            host = event["host"] = rng.choice(hosts)
            if shape < 0.20:
                event["url"] = f"https://{host}/{rng.choice(WORDS)}/{rng.getrandbits(20):05x}"
            if shape < 0.03:
                event["md5"] = f"{rng.getrandbits(128):032x}"
            elif shape < 0.06:
                event["sha256"] = f"{rng.getrandbits(256):064x}"
        if rng.random() < hit_rate:
            hit = pick(rng)
            event.update(hit.plants)
            if hit.later:
                later.setdefault(n + rng.randrange(1, delay), []).append(hit.later)
        for plants in later.pop(n, ()):
            event.update(plants)
        yield event


def fields_of(event: dict[str, Any]) -> Fields:
    """The (path, value) pairs the JSON-lines reader makes of ``event`` through MAPPING, in
    its order (an address reached by a reference is also added plainly); checked against
    the reader itself in the log phase."""
    src, dst = event["src"], event["dst"]
    pairs = [(SRC, src), (IPV4, src), (DST, dst), (IPV4, dst)]
    pairs += [(SPORT, event["sport"]), (DPORT, event["dport"]), (PROTO, event["proto"])]
    for name, path in (("host", DOMAIN), ("url", URL), ("md5", MD5), ("sha256", SHA256)):
        value = event.get(name)
        if value is not None:
            pairs.append((path, value))
    return tuple(pairs)


BUILT = [0]  # observations built (candidates), counted by _observation


def _observation(fields: Fields, first: datetime) -> Observation:
    BUILT[0] += 1
    return observation_of(Record(first, first, fields, "benchmark"))


def random_pick(seed: int, count: int) -> Callable[[random.Random], Indicator]:
    return lambda rng: indicator(seed, rng.randrange(count))


# -- measuring -------------------------------------------------------------------------


def _status(key: str) -> float:
    """A VmRSS/VmHWM figure of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def rss_mb() -> float:
    return _status("VmRSS")


def reset_peak() -> None:
    """Let VmHWM restart from the current RSS (Linux: 5 > /proc/self/clear_refs)."""
    with contextlib.suppress(OSError):  # then peaks are since process start
        Path("/proc/self/clear_refs").write_text("5")


def peak_mb() -> float:
    return _status("VmHWM")


@dataclass
class Result:
    name: str
    observations: int = 0
    seconds: float = 0.0
    peak_mb: float = 0.0
    matches: int | None = None
    built: int | None = None
    note: str = ""

    @property
    def rate(self) -> float:
        return self.observations / self.seconds if self.seconds else 0.0


@dataclass
class Budget:
    """Wall-clock limit of one phase."""

    seconds: float
    start: float = field(default_factory=time.perf_counter)

    def over(self) -> bool:
        return time.perf_counter() - self.start > self.seconds


def chunks(items: Iterator[Any], budget: Budget, limit: int) -> Iterator[list[Any]]:
    """Lists of items sized to take about a second each, until the budget or the limit."""
    size, taken = 100, 0
    while taken < limit and not budget.over():
        start = time.perf_counter()
        chunk = list(itertools.islice(items, min(size, limit - taken)))
        if not chunk:
            return
        yield chunk
        taken += len(chunk)
        took = time.perf_counter() - start
        size = max(100, min(20_000, int(len(chunk) / max(took, 1e-6))))


def observations(
    seed: int, count: int, pick: Callable[[random.Random], Indicator]
) -> Iterator[tuple[Fields, datetime]]:
    for event in events(seed, count, pick):
        yield fields_of(event), event["ts"]


def run_engine(
    name: str,
    index: PatternIndex,
    stream: Iterator[tuple[Fields, datetime]],
    count: int,
    budget: float,
) -> Result:
    result = Result(name)
    correlator, BUILT[0] = Correlator(index), 0
    feed, build = correlator.feed, _observation
    reset_peak()
    matches, elapsed = 0, 0.0
    for chunk in chunks(stream, Budget(budget), count):
        start = time.perf_counter()
        for fields, first in chunk:
            matches += len(feed(fields, partial(build, fields, first)))
        elapsed += time.perf_counter() - start
        result.observations += len(chunk)
    result.seconds, result.matches, result.built = elapsed, matches, BUILT[0]
    result.peak_mb = peak_mb()
    return result


def run_log(name: str, index: PatternIndex | None, path: Path, count: int, budget: float) -> Result:
    """observed_in → Correlator.feed (index None: the reader alone), whole loop timed."""
    result, skipped = Result(name), SkipReport()
    feed = Correlator(index).feed if index is not None else None
    limit = Budget(budget)
    reset_peak()
    matches, done = 0, 0
    start = time.perf_counter()
    for record, build in observed_in(path, "jsonl", MAPPING, skipped):
        if feed is not None:
            matches += len(feed(record.fields, build))
        done += 1
        if done == count or (not done & 127 and limit.over()):
            break
    result.seconds = time.perf_counter() - start
    result.observations, result.matches = done, matches if feed is not None else None
    result.peak_mb = peak_mb()
    assert skipped.lines == 0, str(skipped)
    return result


def run_bare(
    name: str,
    table: dict[tuple[str, Any], int],
    stream: Iterator[tuple[Fields, datetime]],
    count: int,
    budget: float,
) -> Result:
    result = Result(name)
    get = table.get
    reset_peak()
    hits, elapsed = 0, 0.0
    for chunk in chunks(stream, Budget(budget), count):
        start = time.perf_counter()
        for fields, _ in chunk:
            for path, value in fields:
                if get((path, value)) is not None:
                    hits += 1
        elapsed += time.perf_counter() - start
        result.observations += len(chunk)
    result.seconds, result.matches, result.peak_mb = elapsed, hits, peak_mb()
    return result


# -- phases ----------------------------------------------------------------------------


def stix_bundle(found: list[Observation]) -> dict[str, Any]:
    """Observations as one bundle of observed-data and SCOs, stix2-matcher's input."""
    scos: dict[str, dict[str, Any]] = {}
    sdos = []
    for n, obs in enumerate(found):
        for obj in obs.objects:
            assert scos.setdefault(obj["id"], obj) == obj, "one id, two objects"
        stamp = stix_timestamp(obs.first)
        sdos.append(
            {
                "type": "observed-data",
                "spec_version": "2.1",
                "id": f"observed-data--{uuid.UUID(int=n + 1, version=4)}",
                "created": stamp,
                "modified": stamp,
                "first_observed": stamp,
                "last_observed": stix_timestamp(obs.last),
                "number_observed": obs.count,
                "object_refs": [obj["id"] for obj in obs.objects],
            }
        )
    return {
        "type": "bundle",
        "id": f"bundle--{uuid.UUID(int=0, version=4)}",
        "objects": [*scos.values(), *sdos],
    }


def phase_check(seed: int) -> list[list[str]]:
    """Our matches against stix2-matcher's on 200 x 200; raises if they differ."""
    from stix2matcher.matcher import match  # type: ignore[import-untyped]

    quotas = {"ipv4": 20, "domain": 15, "url": 15, "sha256": 10, "md5": 10, "cidr": 40}
    quotas |= {"like": 20, "matches": 20, "followedby": 50}
    sample = stratified(seed, quotas)
    index = PatternIndex()
    for ind in sample:
        index.add(ind.key, compile_pattern(ind.pattern))
    by_key = {ind.key: ind for ind in sample}
    pick = lambda rng: rng.choice(sample)  # noqa: E731
    # Half the observations plant a sampled indicator; second parts follow within 20.
    rng_events = list(events(seed + 1, 200, pick, delay=20, hit_rate=0.5))
    found = [
        observation_of(Record(e["ts"], e["ts"], fields_of(e), f"check:{n}"))
        for n, e in enumerate(rng_events)
    ]
    ours: set[tuple[str, int]] = set()
    correlator = Correlator(index)
    for n, (event, obs) in enumerate(zip(rng_events, found, strict=True)):
        for hit in correlator.feed(fields_of(event), partial(lambda o: o, obs)):
            single = by_key[hit.key].kind != "followedby"
            ours.add((hit.key, n if single else -1))
    theirs: set[tuple[str, int]] = set()
    bundles = [stix_bundle([obs]) for obs in found]
    whole = stix_bundle(found)
    for ind in sample:
        if ind.kind == "followedby":
            if match(ind.pattern, [whole], stix_version="2.1"):
                theirs.add((ind.key, -1))
            continue
        for n, bundle in enumerate(bundles):
            if match(ind.pattern, [bundle], stix_version="2.1"):
                theirs.add((ind.key, n))
    rows = []
    for kind in quotas:
        mine = {m for m in ours if by_key[m[0]].kind == kind}
        ref = {m for m in theirs if by_key[m[0]].kind == kind}
        rows.append(
            [kind, f"{quotas[kind]}", f"{len(mine)}", f"{len(ref)}", "yes" if mine == ref else "NO"]
        )
    rows.append(["all", "200", f"{len(ours)}", f"{len(theirs)}", "yes" if ours == theirs else "NO"])
    print_table(
        "Correctness: 200 patterns x 200 observations, our matches vs stix2-matcher's "
        "(single-observation kinds: (pattern, observation) pairs; FOLLOWEDBY: patterns "
        "matched over all 200)",
        ["kind", "patterns", "matches (accord)", "matches (stix2-matcher)", "agree"],
        rows,
    )
    assert ours == theirs, f"disagree: ours-only {ours - theirs}, theirs-only {theirs - ours}"
    assert all(int(r[2]) > 0 for r in rows), "a kind matched nothing: the check is vacuous"
    return rows


def phase_index(seed: int, count: int) -> PatternIndex:
    """Compile and add every indicator; the time of each step and the RSS it adds."""
    before = rss_mb()  # the texts and keys count: the index keeps them
    start = time.perf_counter()
    texts, keys, kinds = [], [], []
    for n in range(count):
        ind = indicator(seed, n)
        texts.append(ind.pattern)
        keys.append(ind.key)
        kinds.append(ind.kind)
    generated = time.perf_counter() - start
    reset_peak()
    compiled, fast_s, slow_s = [], 0.0, 0.0
    clock = time.perf_counter
    for text, kind in zip(texts, kinds, strict=True):
        start = clock()
        compiled.append(compile_pattern(text))
        if kind in EQUALITY:  # the fast scanner's; the others go through ANTLR
            fast_s += clock() - start
        else:
            slow_s += clock() - start
    index = PatternIndex()
    start = time.perf_counter()
    for key, pattern in zip(keys, compiled, strict=True):
        index.add(key, pattern)
    add_s = time.perf_counter() - start
    del compiled, texts, keys
    after, peak = rss_mb(), peak_mb()
    counts = Counter(kinds)
    fast = sum(counts[k] for k in EQUALITY)
    slow = count - fast
    total = fast_s + slow_s + add_s
    rows = [
        [
            f"compile, fast scanner (= patterns, {fast:,})",
            f"{fast_s:.1f}",
            f"{fast / fast_s:,.0f}" if fast_s else "-",
            "",
        ],
        [
            f"compile, ANTLR (ISSUBSET/LIKE/MATCHES/FOLLOWEDBY, {slow:,})",
            f"{slow_s:.1f}",
            f"{slow / slow_s:,.0f}" if slow_s else "-",
            "",
        ],
        [f"PatternIndex.add ({count:,})", f"{add_s:.1f}", f"{count / add_s:,.0f}", ""],
        [
            "**index build (compile + add)**",
            f"**{total:.1f}**",
            f"**{count / total:,.0f}**",
            f"{after - before:,.0f} (process {after:,.0f}, peak {peak:,.0f})",
        ],
    ]
    tables = (
        f"{len(index.by_value):,} value keys, "
        f"{sum(len(t) for ts in index.by_network.values() for t in ts.values()):,} "
        f"networks in {sum(map(len, index.by_network.values()))} tables, "
        f"{sum(len(t) for ts in index.by_prefix.values() for t in ts.values()):,} prefixes, "
        f"{sum(len(t) for ts in index.by_suffix.values() for t in ts.values()):,} suffixes, "
        f"{sum(map(len, index.by_type.values())):,} type-anchored slots "
        f"({', '.join(f'{t} {len(s):,}' for t, s in index.by_type.items())})"
    )
    print_table(
        f"Index build: {count:,} indicators ({', '.join(f'{k} {counts[k]:,}' for k in MIX)}); "
        f"pattern text generated beforehand in {generated:.0f} s; index: {tables}",
        ["step", "seconds", "patterns/s", "RSS MB (index, texts and keys included)"],
        rows,
    )
    return index


def bare_table(seed: int, count: int) -> dict[tuple[str, Any], int]:
    """(path, value) → indicator number for every ``=`` comparison of the indicators."""
    path = {"ipv4": IPV4, "domain": DOMAIN, "url": URL, "sha256": SHA256, "md5": MD5}
    by_field = {"dst": IPV4, "host": DOMAIN, "sha256": SHA256}
    table: dict[tuple[str, Any], int] = {}
    for n in range(count):
        ind = indicator(seed, n)
        if ind.kind in EQUALITY:
            table[(path[ind.kind], ind.plants[-1][1])] = n
        elif ind.kind == "followedby":  # both parts are = comparisons
            for name, value in (*ind.plants, *ind.later):
                table[(by_field[name], value)] = n
    return table


def write_log(
    path: Path, seed: int, count: int, pick: Callable[[random.Random], Indicator]
) -> float:
    start = time.perf_counter()
    with path.open("wb") as out:
        stream = events(seed, count, pick)
        while batch := list(itertools.islice(stream, 10_000)):
            out.write(b"\n".join(map(orjson.dumps, batch)) + b"\n")
    return time.perf_counter() - start


def check_log(path: Path, seed: int, pick: Callable[[random.Random], Indicator], n: int) -> None:
    """The reader makes of the log exactly the fields the engine phase was fed."""
    records = read_records(path, "jsonl", MAPPING)
    for record, event in zip(itertools.islice(records, n), events(seed, n, pick), strict=True):
        assert record.fields == fields_of(event), (record.fields, fields_of(event))
        assert record.first == event["ts"]


def phase_matcher(seed: int, indicators: int, count: int, patterns: int, size: int) -> Result:
    """stix2-matcher's cost per (pattern, observation) pair on a sample, extrapolated."""
    from stix2matcher.matcher import match

    quotas = {kind: max(1, round(share * patterns / 10_000)) for kind, share in MIX.items()}
    sample = stratified(seed, quotas)
    pick = random_pick(seed, indicators)
    found = [
        observation_of(Record(first, first, fields, "sample"))
        for fields, first in observations(seed + 2, size, pick)
    ]
    one, many = stix_bundle(found[:1]), stix_bundle(found)
    start = time.perf_counter()
    for ind in sample:
        match(ind.pattern, [one], stix_version="2.1")
    single = time.perf_counter() - start
    start = time.perf_counter()
    hits = sum(bool(match(ind.pattern, [many], stix_version="2.1")) for ind in sample)
    whole = time.perf_counter() - start
    per_pair = max(whole - single, 1e-9) / (len(sample) * (size - 1))
    per_pattern = single / len(sample) - per_pair  # parsing, set-up
    seconds = indicators * (per_pattern + count * per_pair)
    note = (
        f"**extrapolated** from {len(sample)} patterns x {size:,} observations "
        f"({whole:.1f} s; {1 / per_pair:,.0f} pattern-observation pairs/s, "
        f"{per_pattern * 1e3:.2f} ms set-up per pattern; {hits} patterns matched)"
    )
    return Result("stix2-matcher (extrapolated)", count, seconds, note=note)


_MEASURED = (  # runs a command as its only child: its peak RSS, not the benchmark's
    "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
    "sys.stderr.write(f'PEAK_KIB={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}'); "
    "sys.exit(done.returncode)"
)


def phase_cli(seed: int, indicators: int, count: int) -> Result:
    """`accord correlate --log` on a store of ``indicators``, timed as a whole (process
    start, indicators loaded through the access gate and compiled, sightings stored)."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ACCORD_")}
        env["ACCORD_HOME"] = f"{tmp}/home"

        def accord(*args: str, measured: bool = False) -> subprocess.CompletedProcess[str]:
            prefix = [sys.executable, "-c", _MEASURED] if measured else []
            command = [*prefix, sys.executable, "-m", "accord", *args]
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
            assert done.returncode == 0, done.stderr
            return done

        accord("init", "--org", "CERT-A")
        feed = Path(tmp) / "feed.json"
        green = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
        with feed.open("wb") as out:
            out.write(
                b'{"type": "bundle", "id": "bundle--'
                + str(uuid.UUID(int=1, version=4)).encode()
                + b'", "objects": [\n'
            )
            for n in range(indicators):
                ind = indicator(seed, n)
                obj = {
                    "type": "indicator",
                    "spec_version": "2.1",
                    "id": ind.key,
                    "created": "2024-01-01T00:00:00.000Z",
                    "modified": "2024-01-01T00:00:00.000Z",
                    "pattern": ind.pattern,
                    "pattern_type": "stix",
                    "valid_from": "2024-01-01T00:00:00Z",
                    "object_marking_refs": [green],
                }
                out.write((b",\n" if n else b"") + orjson.dumps(obj))
            out.write(b"\n]}\n")
        start = time.perf_counter()
        accord("import", str(feed))
        imported = time.perf_counter() - start
        log = Path(tmp) / "events.jsonl"
        write_log(log, seed + 1, count, random_pick(seed, indicators))
        maps = [arg for name, path in MAPPING.items() for arg in ("--map", f"{name}={path}")]
        start = time.perf_counter()
        done = accord("correlate", "--log", str(log), "--format", "json", *maps, measured=True)
        elapsed = time.perf_counter() - start
    summary = orjson.loads(done.stdout)
    peak = int(done.stderr.rsplit("PEAK_KIB=", 1)[1].split()[0]) / 1024
    note = (
        f"{indicators:,} indicators in the store (imported in {imported:.0f} s); "
        f"{summary['indicators_matched']:,} sightings stored"
    )
    return Result(
        f"accord correlate CLI ({indicators:,} indicators in a SQLite store)",
        summary["observations"],
        elapsed,
        peak,
        summary["matches"],
        note=note,
    )


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def print_table(title: str, headers: list[str], rows: Iterable[list[str]]) -> None:
    rows = list(rows)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print(f"\n### {title}\n")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        cells = [
            c.rjust(w) if i else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("| " + " | ".join(cells) + " |")
    print(flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--indicators", type=int, default=1_000_000)
    parser.add_argument("--observations", type=int, default=10_000_000)
    parser.add_argument("--quick", action="store_true", help="10,000 x 100,000")
    parser.add_argument("--budget", type=float, default=300, help="seconds per timed phase")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--matcher-sample",
        type=int,
        nargs=2,
        default=(100, 1000),
        metavar=("PATTERNS", "OBSERVATIONS"),
    )
    parser.add_argument("--skip-diagnostics", action="store_true")
    parser.add_argument(
        "--cli",
        type=int,
        nargs=2,
        metavar=("INDICATORS", "OBSERVATIONS"),
        help="also time `accord correlate` on a store this size (not timed "
        "against the budget: choose sizes that fit)",
    )
    args = parser.parse_args()
    if args.quick:
        args.indicators, args.observations = 10_000, 100_000
    seed, n_ind, n_obs, budget = args.seed, args.indicators, args.observations, args.budget
    print(f"# accord correlation benchmark: {n_ind:,} indicators x {n_obs:,} observations")
    head = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent,
    )
    print(f"accord at {head.stdout.strip() or 'unknown'}; seed {seed}; budget {budget:.0f} s")
    print(f"load average at start: {load()} (2 cores: above 1, something else is running)")

    phase_check(seed)
    index = phase_index(seed, n_ind)
    pick = random_pick(seed, n_ind)

    def stream() -> Iterator[tuple[Fields, datetime]]:
        return observations(seed + 1, n_obs, pick)

    results = [run_engine("accord engine: Correlator.feed", index, stream(), n_obs, budget)]
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "events.jsonl"
        wrote = write_log(log, seed + 1, n_obs, pick)
        size = log.stat().st_size
        check_log(log, seed + 1, pick, min(n_obs, 2000))
        print(
            f"log: {n_obs:,} lines, {size / 1e6:,.0f} MB written in {wrote:.0f} s; "
            "first 2,000 records hold exactly the engine phase's fields",
            flush=True,
        )
        results.append(
            run_log("accord end to end: jsonl log → observed_in → feed", index, log, n_obs, budget)
        )
        if not args.skip_diagnostics:
            results.append(
                run_log("diagnostic: log reader alone (observed_in)", None, log, n_obs, budget / 2)
            )
            values_only = dataclasses.replace(  # no network, affix or type anchors
                index, by_network={}, by_prefix={}, by_suffix={}, by_type={}
            )
            results.append(
                run_engine(
                    "diagnostic: engine, value anchors only",
                    values_only,
                    stream(),
                    n_obs,
                    budget / 2,
                )
            )
            results.append(
                run_log(
                    "diagnostic: end to end, value anchors only",
                    values_only,
                    log,
                    n_obs,
                    budget / 2,
                )
            )
            del values_only
    table = bare_table(seed, n_ind)
    results.append(
        run_bare(
            "bare loop: dict.get((path, value)) per field (matches: hits)",
            table,
            stream(),
            n_obs,
            budget,
        )
    )
    del table
    matcher = phase_matcher(seed, n_ind, n_obs, *args.matcher_sample)
    results.append(matcher)
    cli = phase_cli(seed, *args.cli) if args.cli else None

    engine, end_to_end, bare = results[0], results[1], results[-2]
    if engine.observations == end_to_end.observations:  # the same events: the same matches
        assert engine.matches == end_to_end.matches, (engine.matches, end_to_end.matches)
    ours = engine.rate
    print_table(
        f"Throughput: {n_ind:,} indicators x {n_obs:,} observations "
        f"(load average at the end: {load()})",
        [
            "phase",
            "observations",
            "seconds",
            "observations/s",
            "peak RSS MB",
            "matches",
            "built",
            "engine ÷ it",
        ],
        [[*cells(r, n_obs), f"{ours / r.rate:.3g}" if r.rate else "-"] for r in results],
    )
    print(f"stix2-matcher: {matcher.note}")
    if cli is not None:
        print_table(
            "End to end through the CLI (a smaller store; the whole process timed)",
            [
                "command",
                "observations",
                "seconds",
                "observations/s",
                "peak RSS MB",
                "matches",
                "built",
                "note",
            ],
            [[*cells(cli, cli.observations), cli.note]],
        )
    print(
        f"\ntarget ≥ 1,000,000 observations/s end to end: {end_to_end.rate:,.0f} "
        f"({'met' if end_to_end.rate >= 1e6 else 'NOT met'}); engine alone {ours:,.0f}\n"
        f"target within 3x of the bare loop: bare ÷ end to end = "
        f"{bare.rate / end_to_end.rate:,.1f}x, bare ÷ engine = {bare.rate / ours:,.1f}x "
        f"({'met' if bare.rate / end_to_end.rate <= 3 else 'NOT met'})\n"
        f"accord engine ÷ stix2-matcher (extrapolated): {ours / matcher.rate:,.0f}x"
    )


def cells(r: Result, planned: int) -> list[str]:
    done = f"{r.observations:,}"
    if r.observations < planned and "extrapolated" not in r.name:
        done += f" (of {planned:,}: budget)"
    return [
        r.name,
        done,
        f"{r.seconds:,.1f}"
        + (f" (≈ {r.seconds / 86400 / 365:,.1f} years)" if r.seconds > 1e7 else ""),
        f"{r.rate:,.0f}" if r.rate >= 100 else f"{r.rate:.3g}",
        f"{r.peak_mb:,.0f}" if r.peak_mb else "-",
        f"{r.matches:,}" if r.matches is not None else "-",
        f"{r.built:,}" if r.built is not None else "-",
    ]


if __name__ == "__main__":
    main()
