"""Shared fixtures: real stores on every backend, and a small world of organisations."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from accord.config import Settings
from accord.store import Store, open_store
from tests.live import missing
from tests.postgres import create_database, find_bindir, postgres_server

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    if find_bindir() is None:
        missing(
            "PostgreSQL tests",
            "no PostgreSQL binaries on this machine (Debian: apt-get install postgresql; "
            ".ci/run does this)",
        )
    with postgres_server() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of a fresh, empty store on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'accord.db'}"
    admin_url = request.getfixturevalue("postgres_admin_url")
    return create_database(admin_url, "t_" + uuid.uuid4().hex[:16])


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    yield opened
    opened.close()


@pytest.fixture
def settings(tmp_path: Path, store_url: str) -> Settings:
    return Settings(home=tmp_path / "home", database_url=store_url)
