"""Real servers on 127.0.0.1 for tests: Accord nodes (`accord serve`) and peers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import httpx
import pytest


def missing(what: str, reason: str) -> NoReturn:
    """``what`` cannot run here: a skip on a developer's machine, a failure in CI (which
    must install what the tests need, so that none of them pass by being skipped)."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"{what} skipped: {reason}", allow_module_level=True)


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A port free now and not handed out before in this run (the kernel may offer a
    port again once its socket is closed, before the node meant for it has bound it)."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Poll ``url`` until it answers (any HTTP status) or the process dies."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(url, timeout=5)
            return
        except httpx.TransportError:
            pass
        assert process.poll() is None, f"server for {url} exited with {process.returncode}"
        assert time.monotonic() < deadline, f"{url} did not come up"
        time.sleep(0.1)


def start_node(env: dict[str, str], port: int, log: Path | None = None) -> subprocess.Popen[bytes]:
    """`accord serve` on 127.0.0.1:port, up and answering."""
    command = [sys.executable, "-m", "accord", "serve", "--host", "127.0.0.1", "--port", str(port)]
    if log is None:
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    else:
        with log.open("ab") as output:  # the child keeps its own copy of the descriptor
            process = subprocess.Popen(command, env=env, stdout=output, stderr=output)
    wait_until_up(f"http://127.0.0.1:{port}/api/health", process)
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def running(command: Sequence[str], url: str, env: dict[str, str] | None = None) -> Iterator[None]:
    """Run ``command`` (a server) until the block ends; ``url`` tells when it is up."""
    process = subprocess.Popen(
        list(command), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_until_up(url, process)
        yield
    finally:
        stop(process)
