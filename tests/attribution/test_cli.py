"""`accord attribute` and POST /api/attribute on the real ATT&CK v15, end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from accord.attribution.sources import CALIBRATION_SETTING
from accord.config import Settings
from accord.store import AccessGate, ObjectQuery, Store, Viewer, iter_versions, open_store
from accord.store import identity as ids
from accord.web import create_app
from tests.cli_runner import accord_env, run_accord

#: What public reporting and ATT&CK say of the SolarWinds compromise (C0024, attributed
#: to APT29): SUNBURST, TEARDROP and Raindrop are its own tools.
SOLARWINDS: dict[str, Any] = {
    "id": "solarwinds",
    "techniques": ["T1195.002", "T1071.001", "T1027.003", "T1078.004"],
    "software": [
        {"id": "SUNBURST", "source": "vendor report", "reliability": "B"},
        {"id": "S0560", "reliability": "B"},
        "Raindrop",
    ],
}


def _assessment_keys(result: dict[str, Any]) -> None:
    assert {"id", "hypotheses", "confidence", "unknown_probability", "flags"} <= set(result)
    first = result["hypotheses"][0]
    assert set(first["actor"]) == {"attack_id", "name", "stix_id"}
    assert {"probability", "term", "contributions"} <= set(first)


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One node for the module: the model is fitted once (it takes a while)."""
    root = tmp_path_factory.mktemp("attribution")
    env = accord_env(root / "home")
    assert run_accord(["init", "--org", "CERT-A"], env).returncode == 0
    first = root / "first.json"
    first.write_bytes(orjson.dumps({"techniques": ["T1566.001"]}))
    fitted = run_accord(["attribute", str(first), "--no-save"], env)
    assert fitted.returncode == 0 and "Fitting the attribution model" in fitted.stderr
    again = run_accord(["attribute", str(first), "--no-save"], env)
    assert "Fitting" not in again.stderr  # kept in the store for next time
    return env


def test_attribute_from_the_command_line(node: dict[str, str], tmp_path: Path) -> None:
    env = node
    evidence = tmp_path / "evidence.json"
    evidence.write_bytes(orjson.dumps(SOLARWINDS))
    layer = tmp_path / "layer.json"
    done = run_accord(
        ["attribute", str(evidence), "--format", "json", "--top", "3", "--layer", str(layer)], env
    )
    assert done.returncode == 0, done.stderr
    result = orjson.loads(done.stdout)
    _assessment_keys(result)
    assert result["id"] == "solarwinds" and len(result["hypotheses"]) == 3
    lead = result["hypotheses"][0]
    assert lead["actor"]["attack_id"] == "G0016"  # APT29
    assert lead["probability"] > result["hypotheses"][1]["probability"]
    assert [t["techniqueID"] for t in orjson.loads(layer.read_bytes())["techniques"]]
    # stored as STIX: the report, and attributed-to relationships carrying confidence
    exported = orjson.loads(run_accord(["export", "--type", "relationship"], env).stdout)
    attributed = [o for o in exported["objects"] if o["relationship_type"] == "attributed-to"]
    assert len(attributed) == 3
    assert max(attributed, key=lambda r: r["confidence"])["target_ref"] == lead["actor"]["stix_id"]
    text = run_accord(["attribute", str(evidence), "--no-save"], env)
    assert text.returncode == 0 and "APT29" in text.stdout and "confidence" in text.stdout


def test_batch_answers_each_case_by_its_id(node: dict[str, str], tmp_path: Path) -> None:
    env = node
    cases = tmp_path / "cases.jsonl"
    lines = [
        SOLARWINDS,
        {"id": "empty"},
        {"id": "bad", "techniques": ["T15"]},
        {"id": 4, "software": ["Mimikatz"], "timestamps": ["2024-03-05T07:00:00Z"]},
    ]
    cases.write_bytes(b"\n".join(orjson.dumps(line) for line in lines) + b"\n")
    done = run_accord(["attribute", "--batch", str(cases), "--no-save"], env)
    assert done.returncode == 1  # one case could not be read
    results = [orjson.loads(line) for line in done.stdout.splitlines()]
    assert [r["id"] for r in results] == ["solarwinds", "empty", "bad", "4"]
    assert "techniques[0]" in results[2]["error"]
    assert results[0]["hypotheses"][0]["actor"]["name"] == "APT29"
    assert results[1]["confidence"] == "low"
    shared = [f for f in results[3]["flags"] if f["kind"] == "shared-tooling"]
    assert shared and "Mimikatz" in shared[0]["evidence"]


def test_the_api_assesses_posted_evidence(
    node: dict[str, str], store: Store, tmp_path: Path
) -> None:
    # the fitted model is kept in a store's settings under the knowledge's fingerprint;
    # this store holds the same knowledge, so the module node's fit is valid here too
    fitted = open_store(f"sqlite:///{Path(node['ACCORD_HOME']) / 'accord.db'}")
    with fitted.read() as connection:
        calibration = fitted.get_setting(connection, CALIBRATION_SETTING)
    fitted.close()
    assert calibration is not None  # the command-line tests fitted it
    with store.write() as connection:
        store.set_setting(connection, CALIBRATION_SETTING, calibration)
        org = ids.add_organisation(connection, "CERT-A")
        other = ids.add_organisation(connection, "CERT-B")
        token = ids.create_token(connection, org)
    client = TestClient(
        create_app(Settings(home=tmp_path), store), headers={"Authorization": f"Bearer {token}"}
    )
    answer = client.post("/api/attribute", params={"top": 2, "layer": True}, json=SOLARWINDS)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    _assessment_keys(result)
    assert result["hypotheses"][0]["actor"]["attack_id"] == "G0016"
    assert result["navigator_layer"]["versions"]["layer"] == "4.5"
    bad = client.post("/api/attribute", json={"id": "x", "victims": {"countries": ["Atlantis"]}})
    assert bad.status_code == 422 and "victims.countries[0]" in bad.text
    with store.read() as connection:
        mine = list(
            iter_versions(connection, AccessGate(Viewer(org.id)), ObjectQuery(types=["report"]))
        )
        theirs = list(
            iter_versions(connection, AccessGate(Viewer(other.id)), ObjectQuery(types=["report"]))
        )
    assert len(mine) == 1 and "APT29" in mine[0].body["description"]
    assert theirs == []  # stored under the node's default marking (TLP:AMBER): not shared
