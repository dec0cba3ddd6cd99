"""TAXII collections and federation peers through the real `accord` command."""

from __future__ import annotations

from pathlib import Path

import httpx

from accord.taxii.media import TAXII
from tests.cli_runner import accord_env, run_accord
from tests.live import free_port, start_node, stop

PEER_ORG_ID = "identity--5b0c5a2e-2f47-4c5e-9a86-3f4a5c3d8e11"


def accord(env: dict[str, str], *args: str) -> str:
    result = run_accord(list(args), env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_collections_tokens_and_peers_from_the_command_line(tmp_path: Path) -> None:
    env = accord_env(tmp_path / "home") | {"ACCORD_SYNC_INTERVAL": "0"}
    accord(env, "init", "--org", "CERT-A")
    assert PEER_ORG_ID in accord(env, "orgs", "add", "CERT-B", "--id", PEER_ORG_ID)
    collection_id = accord(
        env,
        "collections",
        "add",
        "Indicators for B",
        "--alias",
        "for-b",
        "--type",
        "indicator",
        "--tlp-ceiling",
        "amber",
        "--read",
        "CERT-B",
        "--read",
        "CERT-A",
        "--write",
        "CERT-A",
    ).strip()
    listing = accord(env, "collections", "list")
    assert collection_id in listing and "types=indicator tlp<=amber" in listing
    assert "CERT-A (rw), CERT-B (r)" in listing
    accord(env, "collections", "grant", "for-b", "CERT-B", "--write")
    assert "CERT-B (rw)" in accord(env, "collections", "list")
    token = accord(env, "tokens", "create", "--org", "CERT-B").strip()

    port = free_port()
    server = start_node(env, port)
    try:
        listed = httpx.get(
            f"http://127.0.0.1:{port}/taxii2/api/collections/",
            headers={"Authorization": f"Bearer {token}", "Accept": TAXII},
        ).json()["collections"]
        assert [(c["id"], c["can_read"], c["can_write"]) for c in listed] == [
            (collection_id, True, True)
        ]
    finally:
        stop(server)

    token_file = tmp_path / "token"
    token_file.write_text("accord_not-a-real-token")
    dead = f"http://127.0.0.1:{free_port()}/taxii2/api/"
    added = accord(
        env, "peers", "add", "beta", dead, "--collection", "shared", "--token-file", str(token_file)
    )
    assert "as beta" in added  # no --org: an organisation named after the peer
    sync = run_accord(["peers", "sync"], env)
    assert sync.returncode == 1 and "unreachable" in sync.stdout
    peers = accord(env, "peers", "list")
    assert "beta" in peers and "unreachable" in peers


def test_bad_collection_and_peer_options_name_the_option(tmp_path: Path) -> None:
    env = accord_env(tmp_path / "home")
    accord(env, "init", "--org", "CERT-A")
    ceiling = run_accord(["collections", "add", "X", "--tlp-ceiling", "purple"], env)
    assert ceiling.returncode == 2 and "--tlp-ceiling" in ceiling.stderr
    bad_id = run_accord(["orgs", "add", "CERT-Z", "--id", "identity--nope"], env)
    assert bad_id.returncode == 1 and "identity--nope" in bad_id.stderr
    scheme = run_accord(
        [
            "peers",
            "add",
            "p",
            "http://127.0.0.1:9/",
            "--collection",
            "c",
            "--token-file",
            "t",
            "--auth",
            "kerberos",
        ],
        env,
    )
    assert scheme.returncode == 2 and "--auth" in scheme.stderr
    no_url = run_accord(
        ["peers", "add", "p", "ftp://x/", "--collection", "c", "--token-file", "t"], env
    )
    assert no_url.returncode == 2 and "API_ROOT" in no_url.stderr
