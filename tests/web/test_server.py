"""A real node: `accord demo` then `accord serve` under uvicorn on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.cli_runner import accord_env, run_accord
from tests.live import free_port, start_node, stop


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, str]]:
    """A demo node served on loopback: (base URL, first demo output, API token)."""
    home = tmp_path_factory.mktemp("demo-home")
    port = free_port()
    env = accord_env(home) | {"ACCORD_PORT": str(port)}
    first = run_accord(["demo", "--no-serve"], env, timeout=600)
    assert first.returncode == 0, first.stderr
    token = first.stdout.split("API token:", 1)[1].split()[0]
    server = start_node(env, port)
    yield f"http://127.0.0.1:{port}", first.stdout, token
    stop(server)
    again = run_accord(["demo", "--no-serve"], env)
    assert "already set up" in again.stdout and "API token" not in again.stdout


def test_demo_prints_generated_credentials_once(demo: tuple[str, str, str]) -> None:
    _, output, token = demo
    assert "password:" in output and token.startswith("accord_")
    assert "ATT&CK:" in output


def test_health_and_openapi_docs(demo: tuple[str, str, str]) -> None:
    base, _, _ = demo
    health = httpx.get(f"{base}/api/health").json()
    assert health["status"] == "ok" and health["store"] == "sqlite"
    assert "swagger" in httpx.get(f"{base}/api/docs").text.lower()
    spec = httpx.get(f"{base}/api/openapi.json").json()
    assert {"/api/objects", "/api/objects/{object_id}", "/api/health"} <= set(spec["paths"])


def test_the_node_holds_attack_v15(demo: tuple[str, str, str]) -> None:
    base, _, token = demo
    headers = {"Authorization": f"Bearer {token}"}
    counts = httpx.get(f"{base}/api/stats", headers=headers).json()["by_type"]
    # ATT&CK enterprise v15: hundreds of techniques, well over a hundred groups.
    assert counts["attack-pattern"] > 600
    assert counts["intrusion-set"] > 100
    found = httpx.get(
        f"{base}/api/objects", headers=headers, params={"type": "intrusion-set", "q": "APT28"}
    ).json()["objects"]
    assert "APT28" in [o["name"] for o in found]
    assert all("apt28" in (o["name"] + o.get("description", "")).lower() for o in found)


def test_home_page_shows_what_the_public_may_see(demo: tuple[str, str, str]) -> None:
    base, _, _ = demo
    page = httpx.get(base)
    assert page.status_code == 200
    assert "ATT&amp;CK enterprise is loaded" in page.text
    total = int(page.text.split('id="total-objects">', 1)[1].split("<", 1)[0].replace(",", ""))
    assert total > 1000
    assert httpx.get(f"{base}/static/accord.css").status_code == 200
