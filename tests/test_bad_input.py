"""Bad input: each gets a clear error or a clean restart, and nothing is stored half-way."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import orjson
import pytest

from tests.cli_runner import accord_env, run_accord, run_accord_measured
from tests.factories import bundle, indicator


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environment = accord_env(tmp_path / "home")
    assert run_accord(["init", "--org", "CERT-A"], environment).returncode == 0
    return environment


def stored_indicators(env: dict[str, str]) -> int:
    with sqlite3.connect(Path(env["ACCORD_HOME"]) / "accord.db") as db:
        return int(
            db.execute("SELECT count(*) FROM stix_object WHERE type='indicator'").fetchone()[0]
        )


def write_bundle_file(path: Path, count: int, description_bytes: int = 200) -> None:
    """A pretty-printed bundle written object by object (never held in memory whole)."""
    filler = "x" * description_bytes
    with path.open("wb") as out:
        out.write(b'{\n  "type": "bundle",\n  "id": "bundle--' + str(uuid.uuid4()).encode())
        out.write(b'",\n  "objects": [\n')
        for n in range(count):
            obj = indicator(description=filler)
            out.write((b",\n" if n else b"") + orjson.dumps(obj, option=orjson.OPT_INDENT_2))
        out.write(b"\n  ]\n}\n")


def test_malformed_json_names_the_file_and_stores_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    text = orjson.dumps(bundle(*(indicator() for _ in range(50))), option=orjson.OPT_INDENT_2)
    broken = tmp_path / "broken.json"
    broken.write_bytes(text[: len(text) * 2 // 3])  # cut off mid-object
    result = run_accord(["import", str(broken)], env)
    assert result.returncode == 1
    assert f"{broken}: not valid JSON" in result.stderr
    assert stored_indicators(env) == 0


def test_json_lines_with_a_bad_line_names_the_line(env: dict[str, str], tmp_path: Path) -> None:
    lines = tmp_path / "feed.jsonl"
    lines.write_bytes(orjson.dumps(indicator()) + b'\n{"type": \n' + orjson.dumps(indicator()))
    result = run_accord(["import", str(lines)], env)
    assert result.returncode == 1
    assert "line 2: not valid JSON" in result.stderr
    assert stored_indicators(env) == 0


@pytest.mark.parametrize(
    ("prop", "value"),
    [
        ("confidence", "high"),
        ("valid_from", 1700000000),
        ("indicator_types", "malicious-activity"),
        ("revoked", "no"),
        ("created_by_ref", "identity--not-a-uuid"),
        ("pattern", ["[ipv4-addr:value = '1.2.3.4']"]),
    ],
)
def test_wrong_property_types_name_object_and_property(
    env: dict[str, str], tmp_path: Path, prop: str, value: object
) -> None:
    bad = indicator(**{prop: value})
    source = tmp_path / "feed.json"
    source.write_bytes(orjson.dumps(bundle(indicator(), bad)))
    result = run_accord(["import", str(source)], env)
    assert result.returncode == 1
    assert f"{bad['id']}: property '{prop}'" in result.stderr
    assert stored_indicators(env) == 0


def test_unknown_marking_id_is_named(env: dict[str, str], tmp_path: Path) -> None:
    unknown = f"marking-definition--{uuid.uuid4()}"
    bad = indicator(object_marking_refs=[unknown])
    source = tmp_path / "feed.json"
    source.write_bytes(orjson.dumps(bundle(indicator(), bad)))
    result = run_accord(["import", str(source)], env)
    assert result.returncode == 1
    assert f"{bad['id']}: property 'object_marking_refs': {unknown}" in result.stderr
    assert stored_indicators(env) == 0


def test_same_version_different_content_keeps_the_stored_one(
    env: dict[str, str], tmp_path: Path
) -> None:
    original = indicator()
    first = tmp_path / "first.json"
    first.write_bytes(orjson.dumps(bundle(original)))
    assert run_accord(["import", str(first)], env).returncode == 0
    second = tmp_path / "second.json"
    second.write_bytes(orjson.dumps(bundle(indicator(), dict(original, name="altered"))))
    result = run_accord(["import", str(second)], env)
    assert result.returncode == 1
    assert f"{original['id']}: property 'modified'" in result.stderr
    export = orjson.loads(run_accord(["export", "--type", "indicator"], env).stdout)
    assert [o["name"] for o in export["objects"]] == [original["name"]]


def test_skip_invalid_writes_each_reject_with_its_reason(
    env: dict[str, str], tmp_path: Path
) -> None:
    bad = indicator(confidence=101)
    source = tmp_path / "feed.json"
    source.write_bytes(orjson.dumps(bundle(indicator(), bad, indicator())))
    rejects = tmp_path / "rejects.jsonl"
    result = run_accord(["import", "--skip-invalid", "--rejects", str(rejects), str(source)], env)
    assert result.returncode == 0, result.stderr
    [record] = [orjson.loads(line) for line in rejects.read_bytes().splitlines()]
    assert (record["id"], record["property"], record["index"]) == (bad["id"], "confidence", 1)
    assert record["object"] == bad
    assert stored_indicators(env) == 2


@pytest.mark.slow
def test_a_200_mb_bundle_streams_in_bounded_memory(env: dict[str, str], tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    write_bundle_file(big, count=100_000, description_bytes=1_700)
    assert big.stat().st_size > 200 * 1024 * 1024
    result, peak_kib = run_accord_measured(["import", str(big)], env, timeout=600)
    assert result.returncode == 0, result.stderr
    assert stored_indicators(env) == 100_000
    # Holding the bundle's objects in memory would take well over 1 GB.
    assert peak_kib < 400 * 1024, f"peak RSS {peak_kib} KiB"


@pytest.mark.slow
def test_sigkill_half_way_stores_nothing_and_a_rerun_completes(
    env: dict[str, str], tmp_path: Path
) -> None:
    done = tmp_path / "done.json"
    done.write_bytes(orjson.dumps(bundle(*(indicator() for _ in range(10)))))
    big = tmp_path / "big.json"
    write_bundle_file(big, count=150_000)
    assert run_accord(["import", str(done)], env).returncode == 0
    command = [sys.executable, "-m", "accord", "import", str(done), str(big)]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wal = Path(env["ACCORD_HOME"]) / "accord.db-wal"
    deadline = time.monotonic() + 120
    while not wal.exists() or wal.stat().st_size < 20 * 1024 * 1024:  # well under way
        assert process.poll() is None, "import ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert stored_indicators(env) == 10
    with sqlite3.connect(Path(env["ACCORD_HOME"]) / "accord.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rerun = run_accord(["import", str(done), str(big)], env, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert stored_indicators(env) == 150_010
