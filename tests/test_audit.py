"""The audit chain finds an edited, deleted or reordered entry and says which."""

from __future__ import annotations

import sqlite3
from itertools import pairwise
from pathlib import Path

import orjson
from sqlalchemy import delete, update

from accord import audit
from accord.store import Store
from accord.store.schema import audit_entry
from tests.cli_runner import accord_env, run_accord


def _chain(store: Store, n: int = 5) -> None:
    for k in range(n):
        audit.record(store, "identity--a", "message-sent", f"message--{k}", {"k": k})


def test_a_whole_chain_verifies_and_links(store: Store) -> None:
    _chain(store)
    with store.read() as connection:
        assert audit.verify(connection) == []
        found = audit.entries(connection)
        head = audit.head(connection)
    assert [e.seq for e in found] == [1, 2, 3, 4, 5]
    assert found[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in pairwise(found))
    assert head is not None and head.hash == found[-1].hash


def test_tampering_is_found_where_it_happened(store: Store) -> None:
    _chain(store)
    with store.write() as connection:  # an edited detail
        connection.execute(
            update(audit_entry).where(audit_entry.c.seq == 2).values(detail='{"k": 99}')
        )
    with store.read() as connection:
        assert audit.verify(connection) == ["entry 2: its content does not match its hash (edited)"]
    with store.write() as connection:  # a deleted entry
        connection.execute(delete(audit_entry).where(audit_entry.c.seq == 4))
    with store.read() as connection:
        problems = audit.verify(connection)
    assert "entry 5: entries 4 are missing (deleted)" in problems


def test_reordered_entries_are_found(store: Store) -> None:
    _chain(store, 4)
    with store.read() as connection:
        two, three = audit.entries(connection)[1:3]
    swapped = {
        2: {"subject": three.subject, "detail": '{"k": 2}'},
        3: {"subject": two.subject, "detail": '{"k": 1}'},
    }
    with store.write() as connection:  # swap what entries 2 and 3 say
        for seq, values in swapped.items():
            connection.execute(update(audit_entry).where(audit_entry.c.seq == seq).values(**values))
    with store.read() as connection:
        problems = audit.verify(connection)
    assert any(p.startswith("entry 2:") for p in problems)
    assert any(p.startswith("entry 3:") for p in problems)


def test_audit_verify_from_the_command_line(tmp_path: Path) -> None:
    env = accord_env(tmp_path / "home")
    assert run_accord(["init", "--org", "Ministry A"], env).returncode == 0
    assert run_accord(["orgs", "add", "Ministry B"], env).returncode == 0
    text = tmp_path / "text.txt"
    text.write_text("A statement.")
    drafted = run_accord(
        ["statements", "draft", "--name", "S", "--text", str(text), "--partner", "Ministry B",
         "--embargo", "2020-01-01T00:00:00Z"],
        env,
    )  # fmt: skip
    assert drafted.returncode == 0, drafted.stderr
    listed = run_accord(["audit", "list", "--format", "json"], env)
    assert [e["action"] for e in orjson.loads(listed.stdout)] == ["statement-drafted"]
    whole = run_accord(["audit", "verify"], env)
    assert whole.returncode == 0 and "1 entries" in whole.stdout
    with sqlite3.connect(tmp_path / "home" / "accord.db") as db:
        db.execute("UPDATE audit_entry SET actor = 'someone else' WHERE seq = 1")
    broken = run_accord(["audit", "verify"], env)
    assert broken.returncode == 1 and "entry 1: its content does not match" in broken.stdout
