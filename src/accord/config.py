"""Accord's settings: one typed model that drives validation, ``accord config`` and the docs.

A setting comes from, in rising precedence: its default, the file
``$ACCORD_HOME/accord.toml``, the environment (``ACCORD_<NAME>``), an explicit override
(a command-line flag). ``load_settings`` records where each value came from.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from accord.errors import ConfigError
from accord.stix.tlp import Tlp

ENV_PREFIX = "ACCORD_"
CONFIG_FILE_NAME = "accord.toml"


def _default_home() -> Path:
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "accord"


class Settings(BaseModel):
    """The effective settings of one Accord node."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    home: Path = Field(
        default_factory=_default_home,
        description="Data directory: the SQLite store, rejects and keys live here.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the store. Unset means SQLite at $ACCORD_HOME/accord.db; "
            "use postgresql+psycopg://user:password@host/db for PostgreSQL."
        ),
    )
    host: str = Field(default="127.0.0.1", description="Address the web server listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the web server listens on.")
    default_marking: Tlp = Field(
        default=Tlp.AMBER,
        description="TLP level stored for imported objects that carry no TLP marking.",
    )
    node_name: str = Field(
        default="Accord node", min_length=1, description="Name shown on the node's pages."
    )
    taxii_max_content_length: int = Field(
        default=100 * 1024 * 1024,
        ge=1024,
        description="Largest TAXII POST body accepted, in bytes (larger ones get 413).",
    )
    correlation_retention_days: float = Field(
        default=7,
        ge=0,
        description="Days of observations kept after a correlation run, so that indicators "
        "arriving later are matched against them; 0 keeps none.",
    )
    sync_interval: float = Field(
        default=300,
        ge=0,
        description="Seconds between federation syncs run by `accord serve`; 0 turns them off.",
    )

    @field_validator("home")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must start with sqlite:// or postgresql+psycopg://")
        return value

    @field_validator("default_marking", mode="before")
    @classmethod
    def _parse_tlp(cls, value: object) -> object:
        return Tlp.parse(value) if isinstance(value, str) else value

    @property
    def effective_database_url(self) -> str:
        """The store's URL, with the SQLite default filled in."""
        return self.database_url or f"sqlite:///{self.home / 'accord.db'}"


@dataclass(frozen=True)
class LoadedSettings:
    """Settings plus, for each key, where its value came from."""

    settings: Settings
    sources: Mapping[str, str]


def env_name(key: str) -> str:
    """The environment variable that sets ``key``."""
    return ENV_PREFIX + key.upper()


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> LoadedSettings:
    """Read settings from defaults, the config file, the environment and overrides.

    Raises ConfigError naming the key (and where its bad value came from).
    """
    env = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    sources: dict[str, str] = {}

    home = Path(env[env_name("home")]).expanduser() if env.get(env_name("home")) else None
    config_file = (home or _default_home()) / CONFIG_FILE_NAME
    if config_file.is_file():
        for key, value in _read_config_file(config_file).items():
            raw[key] = value
            sources[key] = f"file {config_file}"
    for key in Settings.model_fields:
        value = env.get(env_name(key))
        if value:
            raw[key] = value
            sources[key] = f"environment {env_name(key)}"
    for key, value in (overrides or {}).items():
        if value is not None:
            raw[key] = value
            sources[key] = "command line"
    try:
        settings = Settings(**raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = str(first["loc"][0]) if first["loc"] else "?"
        shown = _hide_password(str(raw.get(key))) if key == "database_url" else raw.get(key)
        raise ConfigError(
            env_name(key), f"{shown!r}: {first['msg']}", sources.get(key, "")
        ) from None
    full_sources = {key: sources.get(key, "default") for key in Settings.model_fields}
    return LoadedSettings(settings, full_sources)


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(str(path), f"cannot read the config file: {exc}") from None
    unknown = sorted(set(data) - set(Settings.model_fields))
    if unknown:
        raise ConfigError(unknown[0], "is not a setting", f"file {path}")
    if "home" in data:
        raise ConfigError("home", "is set by ACCORD_HOME only", f"file {path}")
    return data


def describe(loaded: LoadedSettings) -> list[tuple[str, str, str, str]]:
    """Rows (environment name, effective value, source, help) for ``accord config``."""
    rows = []
    for key, field in Settings.model_fields.items():
        value = getattr(loaded.settings, key)
        if key == "database_url" and value is None:
            shown = f"{loaded.settings.effective_database_url} (derived)"
        elif key == "database_url":
            shown = _hide_password(str(value))
        else:
            shown = value.value if isinstance(value, Tlp) else str(value)
        rows.append((env_name(key), shown, loaded.sources[key], field.description or ""))
    return rows


def _hide_password(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"


def retention_window(settings: Settings) -> timedelta:
    """How long correlation keeps observations for indicators that arrive later."""
    return timedelta(days=settings.correlation_retention_days)
