"""Ping rounds: who acknowledged in time, late, or not at all, and how fast."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from accord.hotline.directory import add_contact
from accord.hotline.messages import acknowledge
from accord.hotline.pings import ping_html, round_report, rounds, start_round
from accord.store import Store
from accord.store import identity as ids
from tests.cli_runner import accord_env, run_accord
from tests.hotline.test_hotline import _contact

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_a_round_reports_each_state(store: Store, tmp_path: Path) -> None:
    home = tmp_path / "home"
    with store.write() as connection:
        secretariat = ids.add_organisation(connection, "OSCE Secretariat")
        states = {
            code: ids.add_organisation(connection, f"CERT-{code}") for code in ("EE", "FI", "LV")
        }
    everyone = [secretariat.id, *(o.id for o in states.values())]
    for code, org in [("AT", secretariat), *states.items()]:  # the secretariat sits in Vienna
        add_contact(store, home, org, _contact(org, code), everyone)
    round_id, pinged = start_round(store, home, secretariat, now=START)
    assert len(pinged) == 3
    pings = {r.organisation: r for r in round_report(store, secretariat, round_id, now=START)}
    assert {r.outcome for r in pings.values()} == {"waiting"}
    from accord.hotline.messages import inbox

    def ping_to(org: ids.Organisation) -> str:
        return next(r.message["id"] for r in inbox(store, org) if r.message["template"] == "ping")

    acknowledge(store, home, states["EE"], ping_to(states["EE"]), now=START + timedelta(minutes=10))
    acknowledge(store, home, states["FI"], ping_to(states["FI"]), now=START + timedelta(hours=3))
    results = {
        r.state: r
        for r in round_report(store, secretariat, round_id, now=START + timedelta(hours=5))
    }
    assert results["EE"].outcome == "acknowledged" and results["EE"].seconds == 600
    assert results["FI"].outcome == "late" and results["LV"].outcome == "silent"
    assert [r["pinged"] for r in rounds(store, secretariat)] == [3]
    page = ping_html(round_id, list(results.values()))
    assert "<svg" in page and "EE acknowledged" in page
    second, _ = start_round(store, home, secretariat, ["Latvia"], now=START + timedelta(days=1))
    assert [r.state for r in round_report(store, secretariat, second)] == ["LV"]
    assert len(rounds(store, secretariat)) == 2  # history across rounds


def test_ping_from_the_command_line(tmp_path: Path) -> None:
    env = accord_env(tmp_path / "home")
    assert run_accord(["init", "--org", "Secretariat"], env).returncode == 0
    assert run_accord(["orgs", "add", "CERT-EE"], env).returncode == 0
    for org, state in (("CERT-EE", "EE"), ("Secretariat", "AT")):
        command = ["poc", "add", "--name", f"{state} duty", "--state", state, "--role", "technical"]
        assert run_accord([*command, "--org", org], env).returncode == 0
    started = run_accord(["ping", "start"], env)
    assert started.returncode == 0, started.stderr
    round_id = started.stdout.strip()
    inbox = orjson.loads(
        run_accord(["hotline", "inbox", "--org", "CERT-EE", "--format", "json"], env).stdout
    )
    assert run_accord(["hotline", "ack", inbox[0]["id"], "--org", "CERT-EE"], env).returncode == 0
    report = orjson.loads(run_accord(["ping", "report", round_id, "--format", "json"], env).stdout)
    assert [(r["state"], r["outcome"]) for r in report] == [("EE", "acknowledged")]
    history = orjson.loads(run_accord(["ping", "history", "--format", "json"], env).stdout)
    assert history[0]["acknowledged"] == 1


def test_a_silent_state_is_not_pinged_again_by_escalation(store: Store, tmp_path: Path) -> None:
    """A ping tests that contact: its silence is the finding, so escalation leaves it."""
    from accord.hotline.messages import escalate

    home = tmp_path / "home"
    with store.write() as connection:
        secretariat = ids.add_organisation(connection, "OSCE Secretariat")
        ee = ids.add_organisation(connection, "CERT-EE")
    for code, org in (("AT", secretariat), ("EE", ee)):
        add_contact(store, home, org, _contact(org, code), [secretariat.id, ee.id])
    round_id, _ = start_round(store, home, secretariat, now=START)
    assert escalate(store, home, secretariat, now=START + timedelta(days=1)) == []
    report = round_report(store, secretariat, round_id, now=START + timedelta(days=1))
    assert [(r.state, r.outcome) for r in report] == [("EE", "silent")]
    assert [r["pinged"] for r in rounds(store, secretariat)] == [1]


def test_only_the_organisation_pinged_can_answer_its_ping(store: Store, tmp_path: Path) -> None:
    from accord.hotline.messages import inbox, send

    home = tmp_path / "home"
    with store.write() as connection:
        secretariat = ids.add_organisation(connection, "OSCE Secretariat")
        ee = ids.add_organisation(connection, "CERT-EE")
        lv = ids.add_organisation(connection, "CERT-LV")
    everyone = [secretariat.id, ee.id, lv.id]
    for code, org in (("AT", secretariat), ("EE", ee), ("LV", lv)):
        add_contact(store, home, org, _contact(org, code), everyone)
    round_id, _ = start_round(store, home, secretariat, ["EE"], now=START)
    ping = next(r.message for r in inbox(store, ee) if r.message["template"] == "ping")
    # LV, genuine but not the one pinged, answers EE's ping
    send(store, home, lv, secretariat.id, "acknowledgement", {}, in_reply_to=ping["id"],
         now=START + timedelta(minutes=1))  # fmt: skip
    report = round_report(store, secretariat, round_id, now=START + timedelta(minutes=2))
    assert [(r.state, r.outcome) for r in report] == [("EE", "waiting")]
    acknowledge(store, home, ee, ping["id"], now=START + timedelta(minutes=3))
    report = round_report(store, secretariat, round_id, now=START + timedelta(minutes=4))
    assert [(r.state, r.outcome) for r in report] == [("EE", "acknowledged")]
