"""A real PostgreSQL server for the tests, started from Debian's binaries in a temp dir.

initdb refuses to run as root, so as root the cluster is created and run by the
``postgres`` user that Debian's package creates.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from tests.live import free_port


def find_bindir() -> Path | None:
    """Debian's versioned bindir (newest), or the directory of initdb on PATH."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    if candidates:
        return candidates[0].parent
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def _run(argv: list[str], as_postgres: bool) -> None:
    if as_postgres:
        argv = ["runuser", "-u", "postgres", "--", *argv]
    subprocess.run(argv, check=True, capture_output=True, text=True)


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a throw-away cluster on 127.0.0.1; yields the admin URL (database postgres)."""
    bindir = find_bindir()
    if bindir is None:
        raise FileNotFoundError("no PostgreSQL binaries (Debian: apt-get install postgresql)")
    as_postgres = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="accord-pg-"))
    if as_postgres:
        shutil.chown(base, "postgres", "postgres")
    data = base / "data"
    port = free_port()
    _run(
        [
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        as_postgres,
    )
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
    _run(
        [
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(base / "log"),
            "-w",
            "start",
        ],
        as_postgres,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        _run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], as_postgres)
        shutil.rmtree(base, ignore_errors=True)


def create_database(admin_url: str, name: str) -> str:
    """A fresh empty database on the server; returns its SQLAlchemy URL."""
    dsn = admin_url.replace("postgresql+psycopg://", "postgresql://")
    deadline = time.monotonic() + 10
    while True:
        try:
            with psycopg.connect(dsn, autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{name}"')
            break
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    return admin_url.rsplit("/", 1)[0] + "/" + name
