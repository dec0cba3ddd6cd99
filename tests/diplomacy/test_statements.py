"""Joint statements: drafted for the partners only, co-signed or declined with Ed25519,
published at the embargo with every signature, verifiable offline."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from stix2validator import ValidationOptions, validate_instance

from accord.diplomacy.statements import (
    STATEMENT,
    answers,
    draft_statement,
    party_keys,
    publish,
    respond,
    signed_message,
    statement,
    verify_statement,
)
from accord.errors import Forbidden, NotFound
from accord.signing import public_key_text, sign
from accord.store import Store
from accord.store import identity as ids
from tests.cli_runner import accord_env, run_accord

EMBARGO = "2026-01-01T09:00:00Z"


def test_a_statement_from_draft_to_publication(store: Store, tmp_path: Path) -> None:
    with store.write() as connection:
        lead = ids.add_organisation(connection, "Ministry A")
        yes = ids.add_organisation(connection, "Ministry B")
        no = ids.add_organisation(connection, "Ministry C")
        outsider = ids.add_organisation(connection, "Ministry D")
    home = tmp_path / "home"
    draft = draft_statement(
        store, lead, "On NotPetya", "We attribute NotPetya to ...", [yes.id, no.id], EMBARGO
    )
    with pytest.raises(NotFound):  # a draft is for the partners only
        statement(store, outsider, draft["id"])
    with pytest.raises(NotFound):  # nor can anyone else answer it
        respond(store, home, outsider, draft["id"], "signed")
    respond(store, home, yes, draft["id"], "signed")
    respond(store, home, no, draft["id"], "declined", reason="not enough evidence")
    assert {k: v["opinion"] for k, v in answers(store, lead, draft["id"]).items()} == {
        yes.id: "agree",
        no.id: "disagree",
    }
    before = datetime(2025, 12, 31, tzinfo=UTC)
    with pytest.raises(Forbidden):
        publish(store, home, lead, draft["id"], now=before)
    with pytest.raises(Forbidden):
        publish(store, home, yes, draft["id"])  # only the lead publishes
    done = publish(store, home, lead, draft["id"])
    assert done["status"] == "published"
    assert {(s["identity_ref"], s["decision"]) for s in done["signatures"]} == {
        (lead.id, "signed"),
        (yes.id, "signed"),
        (no.id, "declined"),
    }
    assert statement(store, outsider, draft["id"])["status"] == "published"  # now public
    with pytest.raises(Forbidden):  # too late to answer
        respond(store, home, yes, draft["id"], "declined")
    keys = party_keys(store, home, outsider)
    assert all(check.valid for check in verify_statement(done, keys))
    tampered = copy.deepcopy(done)
    tampered["text"] = "We attribute NotPetya to someone else."
    assert not any(check.valid for check in verify_statement(tampered, keys))
    swapped = copy.deepcopy(done)
    refusal = next(s for s in swapped["signatures"] if s["decision"] == "declined")
    refusal["decision"] = "signed"  # a refusal cannot be turned into a signature
    assert [c.valid for c in verify_statement(swapped, keys)].count(False) == 1
    # re-signed by someone else's keys: intact on its own keys, refused against the parties'
    forged = copy.deepcopy(tampered)
    for sig in forged["signatures"]:
        stranger = Ed25519PrivateKey.generate()
        sig["public_key"] = public_key_text(stranger)
        sig["signature"] = sign(stranger, signed_message(forged, sig["decision"]))
    assert all(c.valid for c in verify_statement(forged, None))
    assert not any(c.valid for c in verify_statement(forged, keys))
    unsigned = dict(done, signatures=[])
    assert [c.reason for c in verify_statement(unsigned, keys)] == [
        "no valid signature of the lead"
    ]
    bundle = {
        "type": "bundle",
        "id": "bundle--00000000-0000-4000-8000-000000000009",
        "objects": [done],
    }
    assert validate_instance(bundle, ValidationOptions(version="2.1")).is_valid


def test_statements_from_the_command_line(tmp_path: Path) -> None:
    env = accord_env(tmp_path / "home")
    assert run_accord(["init", "--org", "Ministry A"], env).returncode == 0
    assert run_accord(["orgs", "add", "Ministry B"], env).returncode == 0
    text = tmp_path / "text.txt"
    text.write_text("We attribute the incident to the state responsible.")
    drafted = run_accord(
        ["statements", "draft", "--name", "Joint", "--text", str(text),
         "--partner", "Ministry B", "--embargo", "2020-01-01T00:00:00Z"],
        env,
    )  # fmt: skip
    assert drafted.returncode == 0, drafted.stderr
    statement_id = drafted.stdout.strip()
    assert statement_id.startswith(STATEMENT)
    signed = run_accord(["statements", "sign", statement_id, "--org", "Ministry B"], env)
    assert signed.returncode == 0, signed.stderr
    published = tmp_path / "published.json"
    done = run_accord(["statements", "publish", statement_id, "--out", str(published)], env)
    assert done.returncode == 0 and "2 signatures" in done.stdout
    verified = run_accord(["statements", "verify", str(published)], env)
    assert verified.returncode == 0 and verified.stdout.count("valid") == 2
    data = orjson.loads(published.read_bytes())
    data["text"] = "Something else."
    published.write_bytes(orjson.dumps(data))
    broken = run_accord(["statements", "verify", str(published)], env)
    assert broken.returncode == 1 and "does not match" in broken.stdout
    listed = orjson.loads(run_accord(["statements", "list", "--format", "json"], env).stdout)
    assert listed[0]["status"] == "published"
