"""Settings: defaults, sources, errors that name the key, docs that cover every setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.config import Settings, describe, env_name, load_settings
from accord.errors import ConfigError
from accord.stix.tlp import Tlp
from tests.cli_runner import accord_env, run_accord

DOCS = Path(__file__).parents[1] / "docs" / "configuration.md"


def test_defaults_come_from_the_model(tmp_path: Path) -> None:
    loaded = load_settings(environ={"ACCORD_HOME": str(tmp_path)})
    assert loaded.settings.default_marking is Tlp.AMBER
    assert loaded.settings.port == 8000
    assert loaded.settings.effective_database_url == f"sqlite:///{tmp_path / 'accord.db'}"
    assert loaded.sources["port"] == "default"
    assert loaded.sources["home"] == "environment ACCORD_HOME"


def test_precedence_file_then_environment_then_command_line(tmp_path: Path) -> None:
    (tmp_path / "accord.toml").write_text('port = 8100\nnode_name = "CERT-EU node"\n')
    environ = {"ACCORD_HOME": str(tmp_path), "ACCORD_PORT": "8200"}
    loaded = load_settings(environ=environ)
    assert loaded.settings.port == 8200
    assert loaded.sources["port"] == "environment ACCORD_PORT"
    assert loaded.settings.node_name == "CERT-EU node"
    assert loaded.sources["node_name"] == f"file {tmp_path / 'accord.toml'}"
    cli = load_settings({"port": 8300}, environ=environ)
    assert (cli.settings.port, cli.sources["port"]) == (8300, "command line")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("port", "eighty"),
        ("port", "70000"),
        ("default_marking", "purple"),
        ("database_url", "mysql://x"),
    ],
)
def test_a_bad_value_names_its_key_and_source(tmp_path: Path, key: str, value: str) -> None:
    environ = {"ACCORD_HOME": str(tmp_path), env_name(key): value}
    with pytest.raises(ConfigError) as caught:
        load_settings(environ=environ)
    assert caught.value.key == env_name(key)
    assert f"environment {env_name(key)}" in str(caught.value)


def test_unknown_key_in_config_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "accord.toml").write_text("prot = 8100\n")
    with pytest.raises(ConfigError, match="'prot'"):
        load_settings(environ={"ACCORD_HOME": str(tmp_path)})


def test_bad_value_fails_the_command_at_start(tmp_path: Path) -> None:
    env = accord_env(tmp_path) | {"ACCORD_DEFAULT_MARKING": "purple"}
    result = run_accord(["serve"], env, timeout=30)
    assert result.returncode == 2
    assert "ACCORD_DEFAULT_MARKING" in result.stderr


def test_accord_config_prints_values_and_sources(tmp_path: Path) -> None:
    env = accord_env(tmp_path) | {"ACCORD_PORT": "8123"}
    result = run_accord(["config"], env)
    assert result.returncode == 0, result.stderr
    port_line = next(line for line in result.stdout.splitlines() if "ACCORD_PORT" in line)
    assert "8123" in port_line and "environment" in port_line
    marking_line = next(
        line for line in result.stdout.splitlines() if "ACCORD_DEFAULT_MARKI" in line
    )
    assert "amber" in marking_line and "default" in marking_line


def test_database_password_is_not_printed(tmp_path: Path) -> None:
    url = "postgresql+psycopg://accord:s3cret@127.0.0.1/accord"
    loaded = load_settings(environ={"ACCORD_HOME": str(tmp_path), "ACCORD_DATABASE_URL": url})
    shown = {row[0]: row[1] for row in describe(loaded)}
    assert "s3cret" not in shown["ACCORD_DATABASE_URL"]


def test_every_setting_is_documented() -> None:
    documented = DOCS.read_text()
    for key, field in Settings.model_fields.items():
        assert f"`{env_name(key)}`" in documented, f"{env_name(key)} missing from {DOCS}"
        assert field.description, f"setting {key} has no description"


def test_a_bad_database_url_does_not_show_its_password(tmp_path: Path) -> None:
    url = "postgres://admin:S3cretPw@db/accord"
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={"ACCORD_HOME": str(tmp_path), "ACCORD_DATABASE_URL": url})
    assert "S3cretPw" not in str(caught.value)
    assert "ACCORD_DATABASE_URL" in str(caught.value)


def test_home_expands_the_user_directory() -> None:
    loaded = load_settings(environ={"ACCORD_HOME": "~/accord-x"})
    assert loaded.settings.home == Path.home() / "accord-x"
    assert "~" not in loaded.settings.effective_database_url


def test_an_unreachable_store_is_one_line(tmp_path: Path) -> None:
    env = accord_env(tmp_path, "postgresql+psycopg://nobody@127.0.0.1:1/none")
    result = run_accord(["orgs", "list"], env)
    assert result.returncode == 1
    assert result.stderr.startswith("accord: error: the store failed:")
    assert "Traceback" not in result.stderr
