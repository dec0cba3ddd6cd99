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


# Runs a command as its only child and reports that child's peak RSS: the test process's
# own RUSAGE_CHILDREN would also count every earlier test's subprocesses.
_MEASURED = (
    "import resource, subprocess, sys;"
    "done = subprocess.run(sys.argv[1:]);"
    "sys.stderr.write(f'\\nPEAK_KIB={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n');"
    "sys.exit(done.returncode)"
)


def run_accord_measured(
    args: list[str], env: dict[str, str], timeout: float = 600
) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run ``accord args``; also return its peak resident memory (KiB, with its children)."""
    result = subprocess.run(
        [sys.executable, "-c", _MEASURED, sys.executable, "-m", "accord", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    peak = int(result.stderr.rsplit("PEAK_KIB=", 1)[1].split()[0])
    return result, peak
