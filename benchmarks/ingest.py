"""Validated ingest into SQLite, beside the stix2 library and raw sqlite3 inserts.

    python benchmarks/ingest.py [--count 1000000]

Generates N realistic indicators (IPv4, domain, URL, SHA-256 and MD5 patterns; TLP 2.0
markings; created_by_ref to one of 25 producer identities) as one STIX bundle file,
then measures, each phase in its own process so that peak memory is its own:

  accord     `import_file` of the bundle into a fresh SQLite store, as `accord import`
             does: streamed read, full validation (incl. every pattern), versioning,
             markings, projections, one transaction (large files: read and validated
             in a second process while the first writes)
  accord/10  the same for a bundle of N/10 objects: peak memory must not grow with N
  stix2      the stix2 library parsing the same objects (stix2.parse, read by ijson)
  floor      sqlite3 executemany of the same objects as finished rows into Accord's own
             stix_object table (its columns and indexes), rows prepared beforehand: what
             the schema costs before any Python work
  raw        sqlite3 executemany of the same (id, JSON) rows into a bare two-column
             table in one transaction, rows prepared beforehand: the physical limit
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import orjson

TLP = {  # TLP 2.0 marking-definition ids, weighted as a CERT feed might be
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": 20,  # CLEAR
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": 40,  # GREEN
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": 30,  # AMBER
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": 5,  # AMBER+STRICT
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": 5,  # RED
}
WORDS = [
    *("phishing", "loader", "beacon", "c2", "exfiltration"),
    *("dropper", "credential", "stealer", "ransomware", "wiper"),
]
TLDS = ["com", "net", "org", "info", "ru", "cn", "io", "xyz", "top"]


def producers(rng: random.Random) -> list[dict[str, object]]:
    return [
        {
            "type": "identity",
            "spec_version": "2.1",
            "id": f"identity--{uuid.UUID(int=rng.getrandbits(128), version=4)}",
            "created": "2024-01-01T00:00:00.000Z",
            "modified": "2024-01-01T00:00:00.000Z",
            "name": f"National CERT {n}",
            "identity_class": "organization",
        }
        for n in range(25)
    ]


def pattern(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.40:
        octets = (
            rng.randrange(1, 224),
            rng.randrange(256),
            rng.randrange(256),
            rng.randrange(1, 255),
        )
        return f"[ipv4-addr:value = '{'.'.join(map(str, octets))}']"
    host = f"{rng.choice(WORDS)}-{rng.getrandbits(32):08x}.{rng.choice(TLDS)}"
    if kind < 0.65:
        return f"[domain-name:value = '{host}']"
    if kind < 0.80:
        return f"[url:value = 'https://{host}/{rng.choice(WORDS)}/{rng.getrandbits(24):06x}.php']"
    if kind < 0.95:
        return f"[file:hashes.'SHA-256' = '{rng.getrandbits(256):064x}']"
    return f"[file:hashes.MD5 = '{rng.getrandbits(128):032x}']"


def indicator(rng: random.Random, creators: list[str], markings: list[str]) -> dict[str, object]:
    day = rng.randrange(1, 28)
    month, hour, minute = rng.randrange(1, 13), rng.randrange(24), rng.randrange(60)
    stamp = f"2024-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00.000Z"
    obj: dict[str, object] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.UUID(int=rng.getrandbits(128), version=4)}",
        "created": stamp,
        "modified": stamp,
        "created_by_ref": rng.choice(creators),
        "name": f"{rng.choice(WORDS).title()} infrastructure",
        "description": f"Observed in {rng.choice(WORDS)} activity against government networks; "
        f"shared for detection and blocking.",
        "indicator_types": ["malicious-activity"],
        "pattern": pattern(rng),
        "pattern_type": "stix",
        "pattern_version": "2.1",
        "valid_from": stamp,
        "confidence": rng.choice([15, 50, 85]),
        "labels": [rng.choice(WORDS)],
        "object_marking_refs": [rng.choice(markings)],
    }
    if rng.random() < 0.3:
        obj["kill_chain_phases"] = [
            {"kill_chain_name": "mitre-attack", "phase_name": "command-and-control"}
        ]
    return obj


def generate(path: Path, count: int, seed: int = 2024) -> None:
    rng = random.Random(seed)
    idents = producers(rng)
    creators = [str(i["id"]) for i in idents]
    markings = [m for m, weight in TLP.items() for _ in range(weight)]
    with path.open("wb") as out:
        out.write(
            b'{"type": "bundle", "id": "bundle--'
            + str(uuid.UUID(int=seed, version=4)).encode()
            + b'", "objects": [\n'
        )
        for n, obj in enumerate(idents):
            out.write((b",\n" if n else b"") + orjson.dumps(obj))
        for _ in range(count):
            out.write(b",\n" + orjson.dumps(indicator(rng, creators, markings)))
        out.write(b"\n]}\n")


# Each phase runs in a child process (`--phase`), which prints one JSON line.
def phase_accord(path: Path, _limit: int | None) -> dict[str, float]:
    from accord.store import ImportOptions, import_file, open_store
    from accord.store.identity import add_organisation

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/accord.db")
        with store.write() as connection:
            org = add_organisation(connection, "Benchmark CERT")
        start = time.perf_counter()  # what `accord import FILE` does, process start included
        report = import_file(store, str(path), ImportOptions(org=org))
        elapsed = time.perf_counter() - start
        store.close()
    assert report.rejected == 0
    return {"objects": report.stored, "seconds": elapsed}


def phase_stix2(path: Path, limit: int | None) -> dict[str, float]:
    import itertools

    import stix2

    from accord.stix.reader import open_source

    count = 0
    with open_source(str(path)) as reader:
        objects = itertools.islice(reader, limit) if limit else reader
        start = time.perf_counter()
        for obj in objects:
            stix2.parse(obj, allow_custom=False)
            count += 1
        elapsed = time.perf_counter() - start
    return {"objects": count, "seconds": elapsed}


def phase_raw(path: Path, limit: int | None) -> dict[str, float]:
    import itertools
    import sqlite3

    from accord.stix.reader import open_source

    with open_source(str(path)) as reader:
        objects = itertools.islice(reader, limit) if limit else reader
        rows = [(obj["id"], orjson.dumps(obj).decode()) for obj in objects]
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(f"{tmp}/raw.db", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE raw (id TEXT NOT NULL, body TEXT NOT NULL)")
        start = time.perf_counter()
        db.execute("BEGIN")
        for offset in range(0, len(rows), 2000):
            db.executemany("INSERT INTO raw VALUES (?, ?)", rows[offset : offset + 2000])
        db.execute("COMMIT")
        elapsed = time.perf_counter() - start
        db.close()
    return {"objects": len(rows), "seconds": elapsed}


def phase_floor(path: Path, limit: int | None) -> dict[str, float]:
    import itertools

    from accord.stix.prepared import canonical_json, content_hash
    from accord.stix.reader import open_source
    from accord.stix.validation import validate
    from accord.store import open_store
    from accord.store.versions import INSERT_COLUMNS

    with open_source(str(path)) as reader:
        objects = itertools.islice(reader, limit) if limit else reader
        rows = []
        for obj in map(validate, objects):
            body = canonical_json(obj.body)
            version = obj.modified or obj.created
            rows.append(
                (
                    obj.id,
                    obj.type,
                    obj.spec_version,
                    version,
                    obj.created,
                    version,
                    obj.created_by_ref,
                    obj.tlp.value if obj.tlp else "amber",
                    1,
                    True,
                    obj.revoked,
                    obj.name,
                    content_hash(body),
                    None,  # received_from: imported here, not pulled from a peer
                    body.decode(),
                )
            )
    columns = ", ".join(INSERT_COLUMNS)
    sql = f"INSERT INTO stix_object ({columns}) VALUES ({', '.join('?' * len(INSERT_COLUMNS))})"
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/accord.db")
        with store.write() as connection:  # distribution 1: the empty one, made by open_store
            start = time.perf_counter()
            for offset in range(0, len(rows), 2000):
                connection.exec_driver_sql(sql, rows[offset : offset + 2000])
        elapsed = time.perf_counter() - start
        store.close()
    return {"objects": len(rows), "seconds": elapsed}


PHASES = {"accord": phase_accord, "stix2": phase_stix2, "floor": phase_floor, "raw": phase_raw}


def run_phase(name: str, path: Path, limit: int | None) -> dict[str, float]:
    args = [sys.executable, __file__, "--phase", name, "--input", str(path)]
    if limit:
        args += ["--limit", str(limit)]
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=1_000_000, help="indicators to generate")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        result = PHASES[args.phase](args.input, args.limit)
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "indicators.json"
        start = time.perf_counter()
        generate(path, args.count)
        small = max(args.count // 10, 1)
        small_path = Path(tmp) / "indicators-tenth.json"
        generate(small_path, small)
        print(
            f"generated {args.count:,} indicators + 25 identities "
            f"({path.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - start:.0f} s",
            flush=True,
        )
        results = {
            "accord": run_phase("accord", path, None),
            f"accord (N/10 = {small:,})": run_phase("accord", small_path, None),
            "stix2.parse (no store)": run_phase("stix2", path, None),
            "schema floor (rows ready)": run_phase("floor", path, None),
            "raw sqlite3 executemany": run_phase("raw", path, None),
        }
    ours = results["accord"]["objects"] / results["accord"]["seconds"]
    print(
        f"\n{'phase':<28}{'objects':>11}{'seconds':>9}{'objects/s':>11}"
        f"{'peak MB':>9}{'accord ÷ it':>13}"
    )
    for name, r in results.items():
        rate = r["objects"] / r["seconds"]
        print(
            f"{name:<28}{r['objects']:>11,.0f}{r['seconds']:>9.1f}{rate:>11,.0f}"
            f"{r['peak_mb']:>9.0f}{ours / rate:>13.2f}"
        )
    raw = results["raw sqlite3 executemany"]
    print(
        f"\naccord reaches {100 * ours / (raw['objects'] / raw['seconds']):.0f} % "
        "of the raw insert rate; "
        f"peak memory at N/10 vs N: {results[f'accord (N/10 = {small:,})']['peak_mb']:.0f} vs "
        f"{results['accord']['peak_mb']:.0f} MB"
    )


if __name__ == "__main__":
    main()
