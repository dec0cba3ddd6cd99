"""A real node: `accord demo` then `accord serve` under uvicorn on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.cli_runner import accord_env, run_accord
from tests.web.conftest import DemoNode


def test_demo_prints_generated_credentials_once(demo_node: DemoNode) -> None:
    output, token = demo_node.output, demo_node.token
    assert "password:" in output and token.startswith("accord_")
    assert "ATT&CK:" in output


def test_health_and_openapi_docs(demo_node: DemoNode) -> None:
    base = demo_node.base
    health = httpx.get(f"{base}/api/health").json()
    assert health["status"] == "ok" and health["store"] == "sqlite"
    assert "swagger" in httpx.get(f"{base}/api/docs").text.lower()
    spec = httpx.get(f"{base}/api/openapi.json").json()
    assert {"/api/objects", "/api/objects/{object_id}", "/api/health"} <= set(spec["paths"])


def test_the_node_holds_attack_v15(demo_node: DemoNode) -> None:
    base, token = demo_node.base, demo_node.token
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


def test_home_page_shows_what_the_public_may_see(demo_node: DemoNode) -> None:
    base = demo_node.base
    page = httpx.get(base)
    assert page.status_code == 200
    assert "ATT&amp;CK enterprise is loaded" in page.text
    total = int(page.text.split('id="total-objects">', 1)[1].split("<", 1)[0].replace(",", ""))
    assert total > 1000
    assert httpx.get(f"{base}/static/accord.css").status_code == 200


def test_a_demo_home_from_before_the_partner_gets_it_once(tmp_path: Path) -> None:
    """A node set up earlier (its own organisation, no partner yet) gains the partner on
    the next `accord demo`, whose credentials are then shown, and only then."""
    env = accord_env(tmp_path / "home")
    assert run_accord(["init", "--org", "Demo National CERT"], env).returncode == 0
    upgraded = run_accord(["demo", "--no-serve"], env, timeout=600)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "already set up" in upgraded.stdout and "Demo partner credentials" in upgraded.stdout
    again = run_accord(["demo", "--no-serve"], env, timeout=600)
    assert again.returncode == 0 and "Demo partner credentials" not in again.stdout
