"""One demo node for the web tests: `accord demo --no-serve`, then `accord serve` on
127.0.0.1, shared by the HTTP and the browser tests (setting it up takes a while)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.cli_runner import accord_env, run_accord
from tests.live import free_port, start_node, stop

#: where in-process clients say they are (the same-origin check compares with it)
BASE = "http://127.0.0.1:8000"
PASSWORD = "correct horse battery staple"


def signed_in(app: FastAPI, username: str, password: str = PASSWORD) -> TestClient:
    """A client of ``app`` signed in as ``username``, sending the node's own Origin."""
    client = TestClient(app, base_url=BASE, headers={"Origin": BASE})
    answer = client.post(
        "/signin",
        data={"username": username, "password": password},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return client


@dataclass
class DemoNode:
    base: str
    output: str  # what the first `accord demo` printed
    token: str  # the administrator's API token
    admin_password: str
    partner_password: str


def _after(output: str, label: str) -> str:
    return output.split(label, 1)[1].split()[0]


@pytest.fixture(scope="session")
def demo_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoNode]:
    home = tmp_path_factory.mktemp("demo-home")
    port = free_port()
    env = accord_env(home) | {"ACCORD_PORT": str(port)}
    first = run_accord(["demo", "--no-serve"], env, timeout=600)
    assert first.returncode == 0, first.stderr
    admin, partner = first.stdout.split("Demo partner credentials", 1)
    server = start_node(env, port)
    yield DemoNode(
        f"http://127.0.0.1:{port}",
        first.stdout,
        _after(admin, "API token:"),
        _after(admin, "password:"),
        _after(partner, "password:"),
    )
    stop(server)
    again = run_accord(["demo", "--no-serve"], env)
    assert "already set up" in again.stdout and "API token" not in again.stdout
    assert "Demo partner credentials" not in again.stdout
