"""Organisations, clients, communities and sharing options through the real command."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from accord.stix.tlp import Tlp
from tests.cli_runner import accord_env, run_accord
from tests.factories import bundle, indicator


@pytest.fixture
def env(tmp_path: Path, store_url: str) -> dict[str, str]:
    environment = accord_env(tmp_path / "home", store_url)
    assert run_accord(["init", "--org", "CERT-A"], environment).returncode == 0
    for org in ("CERT-B", "CERT-C", "CERT-D"):
        assert run_accord(["orgs", "add", org], environment).returncode == 0
    steps = [
        ["orgs", "add-client", "CERT-A", "CERT-C"],
        ["communities", "add", "eu-certs", "--description", "EU national CERTs"],
        ["communities", "join", "eu-certs", "CERT-A"],
        ["communities", "join", "eu-certs", "CERT-D"],
    ]
    for step in steps:
        result = run_accord(step, environment)
        assert result.returncode == 0, result.stderr
    return environment


def visible_names(env: dict[str, str], org: str) -> set[str]:
    result = run_accord(["export", "--org", org, "--type", "indicator"], env)
    assert result.returncode == 0, result.stderr
    return {o["name"] for o in json.loads(result.stdout)["objects"]}


def test_listings_show_what_was_set_up(env: dict[str, str]) -> None:
    orgs = run_accord(["orgs", "list"], env).stdout
    assert all(name in orgs for name in ("CERT-A", "CERT-B", "CERT-C", "CERT-D"))
    assert "node's own" in next(line for line in orgs.splitlines() if "CERT-A" in line)
    communities = run_accord(["communities", "list"], env).stdout
    line = next(line for line in communities.splitlines() if "eu-certs" in line)
    assert "CERT-A" in line and "CERT-D" in line and "CERT-B" not in line


def test_sharing_options_decide_who_sees(env: dict[str, str], tmp_path: Path) -> None:
    feed = tmp_path / "feed.json"
    feed.write_bytes(
        orjson.dumps(
            bundle(
                indicator(name="green", tlp=Tlp.GREEN),
                indicator(name="amber", tlp=Tlp.AMBER),
                indicator(name="red", tlp=Tlp.RED),
                indicator(name="unmarked"),
            )
        )
    )
    result = run_accord(["import", "--recipient", "CERT-B", "--tlp", "clear", str(feed)], env)
    assert result.returncode == 0, result.stderr
    assert visible_names(env, "CERT-A") == {"green", "amber", "red", "unmarked"}
    assert visible_names(env, "CERT-B") == {"green", "amber", "red", "unmarked"}  # recipient
    assert visible_names(env, "CERT-C") == {"amber", "unmarked"}  # client of CERT-A
    assert visible_names(env, "CERT-D") == {"green", "unmarked"}  # community member


def test_community_option_overrides_the_default(env: dict[str, str], tmp_path: Path) -> None:
    assert run_accord(["communities", "add", "empty"], env).returncode == 0
    feed = tmp_path / "feed.json"
    feed.write_bytes(orjson.dumps(bundle(indicator(name="green", tlp=Tlp.GREEN))))
    result = run_accord(["import", "--community", "empty", str(feed)], env)
    assert result.returncode == 0, result.stderr
    assert visible_names(env, "CERT-D") == set()


def test_bad_tlp_option_is_named(env: dict[str, str], tmp_path: Path) -> None:
    feed = tmp_path / "feed.json"
    feed.write_bytes(orjson.dumps(bundle(indicator())))
    result = run_accord(["import", "--tlp", "purple", str(feed)], env)
    assert result.returncode == 2
    assert "--tlp" in result.stderr


def test_reset_password_replaces_the_old_one(env: dict[str, str]) -> None:
    first = run_accord(["users", "add", "bob", "--org", "CERT-B"], env).stdout
    second = run_accord(["users", "reset-password", "bob"], env).stdout
    old = first.split("password ", 1)[1].split()[0]
    new = second.split("password ", 1)[1].split()[0]
    assert old != new
    missing = run_accord(["users", "reset-password", "nobody"], env)
    assert missing.returncode == 1 and "no user named 'nobody'" in missing.stderr
