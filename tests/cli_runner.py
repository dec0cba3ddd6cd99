"""Running the real ``accord`` command in a subprocess, against a given store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def accord_env(home: Path, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCORD_")}
    env["ACCORD_HOME"] = str(home)
    if database_url:
        env["ACCORD_DATABASE_URL"] = database_url
    env["COLUMNS"] = "200"  # keep Rich tables on one line each
    return env


def run_accord(
    args: list[str], env: dict[str, str], stdin: bytes | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "accord", *args],
        env=env,
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
