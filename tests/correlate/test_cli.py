"""`accord correlate` and POST /api/correlate: logs in, sightings stored, one JSON summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from fastapi.testclient import TestClient

from accord.config import Settings
from accord.stix.tlp import Tlp
from accord.store import ImportOptions, Store, import_objects
from accord.store import identity as ids
from accord.web import create_app
from tests.cli_runner import accord_env, run_accord
from tests.correlate.test_logs import CONN_FIELDS, tsv, zeek_tsv
from tests.factories import bundle, indicator

C2 = "10.0.0.5"


def indicators() -> list[dict[str, Any]]:
    return [
        indicator(pattern=f"[ipv4-addr:value = '{C2}']", tlp=Tlp.GREEN, name="C2 address"),
        indicator(
            pattern="[network-traffic:dst_port = 443 AND network-traffic:dst_ref.value "
            "ISSUBSET '10.0.0.0/24']",
            tlp=Tlp.GREEN,
            name="TLS to the C2 range",
        ),
        indicator(pattern="[domain-name:value = 'never.example']", tlp=Tlp.GREEN),
    ]


def conn_log(path: Path) -> Path:
    rows = [
        tsv("1709287200.0", f"C{n}", "192.168.1.10", "51234", C2 if n % 2 else "10.9.9.9",
            "443", "tcp", "ssl", "1.0", "10", "20", "SF", "1", "1", "(empty)")
        for n in range(10)
    ]  # fmt: skip
    return zeek_tsv(path, "conn", CONN_FIELDS, [*rows, "this line is not a connection"])


def test_correlate_a_zeek_log_from_the_command_line(tmp_path: Path) -> None:
    env = accord_env(tmp_path / "home")
    assert run_accord(["init", "--org", "CERT-A"], env).returncode == 0
    feed = tmp_path / "feed.json"
    feed.write_bytes(orjson.dumps(bundle(*indicators())))
    assert run_accord(["import", str(feed)], env).returncode == 0
    log = conn_log(tmp_path / "conn.log")
    result = run_accord(["correlate", "--log", str(log), "--format", "json"], env)
    assert result.returncode == 0, result.stderr
    summary = orjson.loads(result.stdout)
    assert summary["observations"] == 10
    assert summary["matches"] == 10  # 5 to the C2 address, each matching both indicators
    assert summary["indicators_matched"] == 2 and len(summary["sightings"]) == 2
    assert "skipped" in result.stderr and "1" in result.stderr
    exported = run_accord(["export", "--type", "sighting"], env)
    sightings = orjson.loads(exported.stdout)["objects"]
    assert sorted(s["id"] for s in sightings) == sorted(summary["sightings"])
    assert {s["count"] for s in sightings} == {5}
    text = run_accord(["correlate", "--log", str(log)], env)
    assert text.returncode == 0 and "indicators matched" in text.stdout
    bad_map = run_accord(["correlate", "--log", str(log), "--map", "nonsense"], env)
    assert bad_map.returncode == 2 and "--map" in bad_map.stderr
    assert run_accord(["correlate"], env).returncode == 2  # nothing to correlate


def test_the_graph_from_the_command_line(tmp_path: Path) -> None:
    env = accord_env(tmp_path / "home")
    assert run_accord(["init", "--org", "CERT-A"], env).returncode == 0
    first = indicator(pattern=f"[ipv4-addr:value = '{C2}']", name="first sighting of the C2")
    second = indicator(pattern=f"[ipv4-addr:value IN ('{C2}', '10.0.0.6')]", name="C2 pair")
    feed = tmp_path / "feed.json"
    feed.write_bytes(orjson.dumps(bundle(first, second)))
    assert run_accord(["import", str(feed)], env).returncode == 0
    result = run_accord(["correlate", "graph", "--id", first["id"], "--format", "json"], env)
    assert result.returncode == 0, result.stderr
    graph = orjson.loads(result.stdout)
    assert graph["root"] == first["id"]
    assert graph["edges"] == [
        {"source": first["id"], "target": second["id"], "kind": "shares", "values": [C2]}
    ]
    text = run_accord(["correlate", "graph", "--id", first["id"]], env)
    assert "C2 pair" in text.stdout and C2 in text.stdout
    missing = run_accord(
        ["correlate", "graph", "--id", "indicator--" + "0" * 8 + "-0000-4000-8000-" + "0" * 12], env
    )
    assert missing.returncode == 1 and "no object named" in missing.stderr


def test_the_api_correlates_a_posted_log(store: Store, tmp_path: Path) -> None:
    with store.write() as connection:
        org = ids.add_organisation(connection, "CERT-A")
        token = ids.create_token(connection, org)
    import_objects(store, indicators(), "feed", ImportOptions(org=org))
    client = TestClient(
        create_app(Settings(home=tmp_path), store), headers={"Authorization": f"Bearer {token}"}
    )
    lines = b"".join(
        orjson.dumps({"when": "2024-03-01T10:00:00Z", "dst": ip, "port": 443}) + b"\n"
        for ip in (C2, "10.0.0.9", "192.0.2.1")
    )
    response = client.post(
        "/api/correlate",
        params={
            "format": "jsonl",
            "map": [
                "when=time",
                "dst=network-traffic:dst_ref.value",
                "port=network-traffic:dst_port",
            ],
        },
        content=lines + b"{broken\n",
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["observations"] == 3 and result["indicators_matched"] == 2
    assert result["matches"] == 3  # C2: both indicators; 10.0.0.9: the range one
    assert result["skipped"] == {"not-json": 1}
    bad = client.post("/api/correlate", params={"format": "jsonl", "map": "x"}, content=lines)
    assert bad.status_code == 422
