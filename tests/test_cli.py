"""The accord command end to end: import in every input form, export, identities."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from stix2validator import ValidationOptions, validate_instance

from tests.cli_runner import accord_env, run_accord
from tests.factories import bundle, indicator


@pytest.fixture
def env(tmp_path: Path, store_url: str) -> dict[str, str]:
    environment = accord_env(tmp_path / "home", store_url)
    result = run_accord(["init", "--org", "CERT-A"], environment)
    assert result.returncode == 0, result.stderr
    return environment


def summary_row(output: str, source: str) -> list[str]:
    for line in output.splitlines():
        cells = [c.strip() for c in line.split("│")]
        if len(cells) > 2 and cells[1] == source:
            return cells[2:6]
    raise AssertionError(f"no summary row for {source} in:\n{output}")


def test_import_accepts_bundles_arrays_json_lines_directories_and_stdin(
    env: dict[str, str], tmp_path: Path
) -> None:
    data = tmp_path / "in"
    data.mkdir()
    (data / "a.json").write_bytes(
        orjson.dumps(bundle(indicator(), indicator()), option=orjson.OPT_INDENT_2)
    )
    (data / "b.json").write_bytes(orjson.dumps([indicator(), indicator(), indicator()]))
    (data / "c.jsonl").write_bytes(b"\n".join(orjson.dumps(indicator()) for _ in range(4)) + b"\n")
    stdin = orjson.dumps(bundle(indicator()))
    result = run_accord(["import", str(data), "-"], env, stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert summary_row(result.stdout, str(data / "a.json")) == ["2", "0", "0", "0"]
    assert summary_row(result.stdout, str(data / "b.json")) == ["3", "0", "0", "0"]
    assert summary_row(result.stdout, str(data / "c.jsonl")) == ["4", "0", "0", "0"]
    assert summary_row(result.stdout, "<stdin>") == ["1", "0", "0", "0"]
    again = run_accord(["import", str(data)], env)
    assert summary_row(again.stdout, "total") == ["0", "0", "9", "0"]


def test_export_is_a_valid_stix_bundle_of_what_the_org_may_see(
    env: dict[str, str], tmp_path: Path
) -> None:
    source = tmp_path / "feed.json"
    objects = [indicator() for _ in range(5)]
    source.write_bytes(orjson.dumps(bundle(*objects)))
    assert run_accord(["import", str(source)], env).returncode == 0
    out = tmp_path / "export.json"
    result = run_accord(["export", "--type", "indicator", "--out", str(out)], env)
    assert result.returncode == 0, result.stderr
    exported = json.loads(out.read_text())
    assert sorted(o["id"] for o in exported["objects"]) == sorted(o["id"] for o in objects)
    report = validate_instance(exported, ValidationOptions(version="2.1"))
    assert report.is_valid, [str(e) for r in report.object_results for e in r.errors]
    everything = run_accord(["export"], env)
    full = json.loads(everything.stdout)
    assert validate_instance(full, ValidationOptions(version="2.1")).is_valid
    assert {o["type"] for o in full["objects"]} >= {"indicator", "identity", "marking-definition"}


def test_export_since_filters_by_date_added(env: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "feed.json"
    source.write_bytes(orjson.dumps(bundle(indicator())))
    run_accord(["import", str(source)], env)
    later = run_accord(["export", "--since", "2999-01-01T00:00:00Z"], env)
    assert json.loads(later.stdout)["objects"] == []
    bad = run_accord(["export", "--since", "last tuesday"], env)
    assert bad.returncode != 0
    assert "since" in bad.stderr


def test_users_and_tokens_print_secrets_once_and_store_hashes(
    env: dict[str, str], store_url: str
) -> None:
    user = run_accord(["users", "add", "alice", "--org", "CERT-A"], env)
    assert user.returncode == 0, user.stderr
    password = user.stdout.split("password ", 1)[1].split()[0]
    token = run_accord(["tokens", "create", "--org", "CERT-A"], env).stdout.strip()
    assert token.startswith("accord_")
    exported = run_accord(["export"], env).stdout
    assert password not in exported and token not in exported
    if store_url.startswith("sqlite"):
        database = Path(store_url.split("///", 1)[1]).read_bytes()
        assert password.encode() not in database and token.encode() not in database


def test_unknown_organisation_is_one_clear_line(env: dict[str, str]) -> None:
    result = run_accord(["export", "--org", "Nobody"], env)
    assert result.returncode == 1
    assert result.stderr.strip() == "accord: error: no organisation named 'Nobody'"
