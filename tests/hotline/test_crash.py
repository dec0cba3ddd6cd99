"""A sender killed with SIGKILL mid-send loses nothing and duplicates nothing: a message
and its audit entry are stored together or not at all, and sending again after the crash
finds the message already stored."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson

from accord import audit
from accord.hotline.messages import MESSAGE
from accord.store import open_store
from accord.store.schema import stix_object
from tests.cli_runner import accord_env, run_accord

FORM = {"summary": "Wiper", "severity": "high", "observed_at": "2026-11-24T06:00:00Z"}


def _held(home: Path) -> tuple[list[str], list[str], list[str]]:
    """(message ids stored, message ids the audit chain records, chain problems)."""
    store = open_store(f"sqlite:///{home / 'accord.db'}")
    try:
        with store.read() as connection:
            rows = connection.execute(
                stix_object.select().where(stix_object.c.type == MESSAGE)
            ).fetchall()
            entries = audit.entries(connection)
            problems = audit.verify(connection)
    finally:
        store.close()
    sent = [e.subject for e in entries if e.action.startswith("hotline-sent-")]
    return sorted(r.id for r in rows), sorted(sent), problems


def test_a_killed_sender_loses_nothing_and_sends_nothing_twice(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = accord_env(home)
    assert run_accord(["init", "--org", "CERT-UA"], env).returncode == 0
    assert run_accord(["orgs", "add", "CERT-EE"], env).returncode == 0
    form = tmp_path / "form.json"
    form.write_bytes(orjson.dumps(FORM))
    send = [sys.executable, "-m", "accord", "hotline", "send", "--to", "CERT-EE",
            "--template", "incident-notification", "--file", str(form)]  # fmt: skip
    killed = 0
    for delay in (0.4, 0.8, 1.2, 1.6, 2.0, 2.4):  # kill at different moments of the send
        process = subprocess.Popen(
            send, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        killed += process.wait() == -signal.SIGKILL  # still running when the kill came
        stored, audited, problems = _held(home)
        assert problems == [] and stored == audited and len(stored) <= 1, delay
    assert killed, "every send had finished before its kill: the test proved nothing"
    done = run_accord(send[3:], env)
    assert done.returncode == 0, done.stderr
    again = run_accord(send[3:], env)  # and once more, as a user would after a crash
    stored, audited, problems = _held(home)
    assert stored == audited == [done.stdout.strip()] == [again.stdout.strip()]
    assert problems == []
