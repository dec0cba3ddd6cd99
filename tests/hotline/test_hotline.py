"""The directory and the hotline: forms checked, messages signed and verified against
the directory, acknowledgements signed, deadlines and overdue, tampering rejected."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from accord import audit
from accord.errors import InvalidObject
from accord.hotline.directory import Contact, add_contact, contacts
from accord.hotline.messages import acknowledge, check, inbox, outbox, send
from accord.store import Store
from accord.store import identity as ids
from accord.taxii.federation import sync_all
from tests.cli_runner import accord_env, run_accord
from tests.taxii.nodes import Node, know, peer_with, running, sync

NOTICE = {
    "summary": "Wiper on the grid operator",
    "severity": "high",
    "observed_at": "2026-11-24T06:00:00Z",
}


def _contact(org: ids.Organisation, state: str, role: str = "technical") -> Contact:
    return Contact(f"{state} CERT duty officer", state, role, org.id, "", ["en"], "08:00-18:00",
                   "Europe/Kyiv", ["email:duty@example.org"])  # fmt: skip


def test_a_message_from_sending_to_acknowledgement(store: Store, tmp_path: Path) -> None:
    with store.write() as connection:
        ua = ids.add_organisation(connection, "CERT-UA")
        ee = ids.add_organisation(connection, "CERT-EE")
    home = tmp_path / "home"
    add_contact(store, home, ua, _contact(ua, "UA"), [ee.id])
    add_contact(store, home, ee, _contact(ee, "EE"), [ua.id])
    assert [c.state for c in contacts(store, ee, "UA")] == ["UA"]
    with pytest.raises(InvalidObject) as missing:
        send(store, home, ua, ee.id, "incident-notification", {"summary": "x"})
    assert missing.value.prop == "form.severity"
    sent_at = datetime(2026, 11, 24, 6, 30, tzinfo=UTC)
    sent = send(store, home, ua, ee.id, "incident-notification", NOTICE, now=sent_at)
    received = inbox(store, ee, now=sent_at + timedelta(hours=1))
    assert [(r.genuine, r.status) for r in received] == [(True, "waiting")]
    late = inbox(store, ee, now=sent_at + timedelta(hours=25))
    assert late[0].status == "overdue"
    acknowledge(store, home, ee, sent["id"], now=sent_at + timedelta(hours=2))
    assert [r.status for r in outbox(store, ua)] == ["answered"]
    assert [r.message["template"] for r in inbox(store, ua)] == ["acknowledgement"]
    with store.read() as connection:
        actions = [e.action for e in audit.entries(connection)]
        assert audit.verify(connection) == []
    assert actions == ["hotline-sent-incident-notification", "hotline-sent-acknowledgement"]


def test_broken_signatures_and_unknown_keys_are_never_genuine(store: Store, tmp_path: Path) -> None:
    with store.write() as connection:
        ua = ids.add_organisation(connection, "CERT-UA")
        ee = ids.add_organisation(connection, "CERT-EE")
    home = tmp_path / "home"
    add_contact(store, home, ua, _contact(ua, "UA"), [ee.id])
    sent = send(store, home, ua, ee.id, "request-for-assistance",
                {"assistance_needed": "forensics", "critical_infrastructure": True})  # fmt: skip
    assert sent["form"]["norm"] == "13(h)"
    keys = {ua.id: {sent["signature"]["public_key"]}}
    assert check(sent, keys) == (True, "")
    forged = copy.deepcopy(sent)
    forged["form"]["assistance_needed"] = "send us your passwords"
    assert check(forged, keys) == (False, "the signature does not match the message")
    assert check(sent, {})[0] is False  # a key no directory entry vouches for
    # a sender with no point of contact in the directory: shown, rejected, audited
    stranger = send(store, home, ee, ua.id, "request-for-information", {"question": "?"})
    found = {r.message["id"]: r for r in inbox(store, ua)}
    assert found[stranger["id"]].genuine is False
    with store.read() as connection:
        assert "hotline-rejected" in [e.action for e in audit.entries(connection)]


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[tuple[Node, Node]]:
    with running(tmp_path, "UA", "EE") as (first, second):
        yield first, second


def test_a_message_between_two_nodes(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    peer_with(b, a)
    peer_with(a, b)
    with a.store() as store:
        know(store, b.org)
        add_contact(store, a.home, a.org, _contact(a.org, "UA"), [b.org.id])
        sent = send(store, a.home, a.org, b.org.id, "incident-notification", NOTICE)
    with b.store() as store:
        add_contact(store, b.home, b.org, _contact(b.org, "EE"), [a.org.id])
    sync(b)
    with b.store() as store:
        received = inbox(store, b.org)
        assert [(r.message["id"], r.genuine) for r in received] == [(sent["id"], True)]
        acknowledge(store, b.home, b.org, sent["id"])
    sync(a)
    with a.store() as store:
        assert [r.status for r in outbox(store, a.org)] == ["answered"]


def test_the_hotline_from_the_command_line(tmp_path: Path) -> None:
    env = accord_env(tmp_path / "home")
    assert run_accord(["init", "--org", "CERT-UA"], env).returncode == 0
    assert run_accord(["orgs", "add", "CERT-EE"], env).returncode == 0
    for org, state in (("CERT-UA", "UA"), ("CERT-EE", "Estonia")):
        command = ["poc", "add", "--name", f"{state} duty", "--state", state]
        command += ["--role", "technical", "--time-zone", "Europe/Tallinn", "--org", org]
        added = run_accord(command, env)
        assert added.returncode == 0, added.stderr
    form = tmp_path / "form.json"
    form.write_bytes(orjson.dumps(NOTICE))
    sent = run_accord(["hotline", "send", "--to", "EE", "--template", "incident-notification",
                       "--file", str(form)], env)  # fmt: skip
    assert sent.returncode == 0, sent.stderr
    message_id = sent.stdout.strip()
    got = orjson.loads(
        run_accord(["hotline", "inbox", "--org", "CERT-EE", "--format", "json"], env).stdout
    )
    assert [(m["id"], m["genuine"], m["status"]) for m in got] == [(message_id, True, "waiting")]
    assert run_accord(["hotline", "ack", message_id, "--org", "CERT-EE"], env).returncode == 0
    mine = orjson.loads(run_accord(["hotline", "outbox", "--format", "json"], env).stdout)
    assert mine[0]["status"] == "answered"
    assert run_accord(["audit", "verify"], env).returncode == 0


def test_a_message_to_a_node_that_is_down_arrives_once_when_it_returns(
    nodes: tuple[Node, Node],
) -> None:
    a, b = nodes
    peer_with(a, b, push=True)  # A pushes to B
    peer_with(b, a)
    with a.store() as store:
        know(store, b.org)
        add_contact(store, a.home, a.org, _contact(a.org, "UA"), [b.org.id])
    sync(a)  # the directory entry reaches B
    b.stop()
    with a.store() as store:
        sent = send(store, a.home, a.org, b.org.id, "incident-notification", NOTICE)
        report = sync_all(store, a.org)[0]
    assert report.errors  # B is unreachable: the message waits in A's store
    b.start()
    sync(a)
    sync(a)  # pushing again delivers nothing twice
    sync(b)  # nor does B pulling what it was pushed
    with b.store() as store:
        received = [r for r in inbox(store, b.org) if r.message["id"] == sent["id"]]
    assert len(received) == 1 and received[0].genuine


def _two_roles(
    store: Store, tmp_path: Path
) -> tuple[ids.Organisation, ids.Organisation, Path, dict[str, Any], dict[str, Any]]:
    """CERT-UA with one contact, and MFA-EE with a technical and a diplomatic one."""
    with store.write() as connection:
        ua = ids.add_organisation(connection, "CERT-UA")
        ee = ids.add_organisation(connection, "MFA-EE")
    home = tmp_path / "home"
    add_contact(store, home, ua, _contact(ua, "UA"), [ee.id])
    technical = add_contact(store, home, ee, _contact(ee, "EE", "technical"), [ua.id])
    diplomatic = add_contact(store, home, ee, _contact(ee, "EE", "diplomatic"), [ua.id])
    return ua, ee, home, technical, diplomatic


def test_receipts_on_delivery_and_escalation_when_overdue(store: Store, tmp_path: Path) -> None:
    from accord.hotline.messages import escalate, send_receipts

    ua, ee, home, technical, diplomatic = _two_roles(store, tmp_path)
    start = datetime(2026, 11, 24, 6, 30, tzinfo=UTC)
    sent = send(store, home, ua, ee.id, "incident-notification", NOTICE, now=start,
                to_contact=technical["id"])  # fmt: skip
    assert outbox(store, ua, now=start)[0].delivered is False
    receipts = send_receipts(store, home, ee, now=start + timedelta(minutes=1))
    assert [r["in_reply_to"] for r in receipts] == [sent["id"]]
    assert send_receipts(store, home, ee) == []  # one receipt per message
    first = outbox(store, ua, now=start + timedelta(minutes=2))[0]
    assert first.delivered and first.status == "waiting"  # delivered is not answered
    late = start + timedelta(hours=25)
    again = escalate(store, home, ua, now=late)
    assert [(m["escalated_from"], m["to_contact_ref"]) for m in again] == [
        (sent["id"], diplomatic["id"])  # the other role of the same state
    ]
    assert escalate(store, home, ua, now=late) == []  # once
    with store.read() as connection:
        assert "hotline-escalated" in [e.action for e in audit.entries(connection)]


def test_a_sealed_form_is_read_by_the_recipient_only(store: Store, tmp_path: Path) -> None:
    from accord.signing import exchange_key, unseal

    with store.write() as connection:
        ua = ids.add_organisation(connection, "CERT-UA")
        ee = ids.add_organisation(connection, "CERT-EE")
        lv = ids.add_organisation(connection, "CERT-LV")
    home = tmp_path / "home"
    add_contact(store, home, ua, _contact(ua, "UA"), [ee.id])
    add_contact(store, home, ee, _contact(ee, "EE"), [ua.id])
    sent = send(store, home, ua, ee.id, "incident-notification", NOTICE, encrypt=True)
    assert sent["form"] == {} and NOTICE["summary"] not in orjson.dumps(sent).decode()
    opened = inbox(store, ee, home=home)[0]
    assert opened.genuine and opened.form == NOTICE
    assert inbox(store, ee)[0].as_json()["sealed"] is True  # without the key: still sealed
    context = sent["id"].encode()
    assert unseal(exchange_key(home, lv.id), sent["sealed"], context) is None  # not LV's
    assert unseal(exchange_key(home, ee.id), sent["sealed"], b"another message") is None


def test_a_message_never_reaches_a_third_node(tmp_path: Path) -> None:
    """A full mesh, pushing and pulling: the message and its answers stay between the
    two organisations, on every node (they are marked TLP:AMBER+STRICT on the object)."""
    with running(tmp_path, "UA", "EE", "LT") as (a, b, c):
        for puller in (a, b, c):
            for server in (a, b, c):
                if puller is not server:
                    peer_with(puller, server, push=True)
        with a.store() as store:
            entry = add_contact(store, a.home, a.org, _contact(a.org, "UA"), [b.org.id, c.org.id])
            sent = send(store, a.home, a.org, b.org.id, "incident-notification", NOTICE)
        with b.store() as store:
            add_contact(store, b.home, b.org, _contact(b.org, "EE"), [a.org.id, c.org.id])
        for node in (a, b, c, a, b, c):
            sync(node)
        with b.store() as store:
            assert [r.message["id"] for r in inbox(store, b.org)] == [sent["id"]]
            answer = acknowledge(store, b.home, b.org, sent["id"])
        for node in (b, a, c, b, a, c):
            sync(node)
        private = {sent["id"], answer["id"]}
        held_by_c = {identifier for identifier, _ in c.versions()}
        assert entry["id"] in held_by_c  # the mesh did reach C with what was C's to see
        assert held_by_c & private == set()
        assert {i for i, _ in b.versions()} >= private  # while the two have both
        with a.store() as store:
            assert [r.status for r in outbox(store, a.org)] == ["answered"]


def test_a_sealed_overdue_message_does_not_stop_escalation(store: Store, tmp_path: Path) -> None:
    """Its sender cannot open a sealed form to send it again, so it is left as overdue;
    the other overdue messages are escalated still."""
    from accord.hotline.messages import escalate

    ua, ee, home, technical, _ = _two_roles(store, tmp_path)
    start = datetime(2026, 11, 24, 6, 30, tzinfo=UTC)
    sealed = send(store, home, ua, ee.id, "incident-notification", NOTICE, now=start,
                  to_contact=technical["id"], encrypt=True)  # fmt: skip
    plain = send(store, home, ua, ee.id, "request-for-assistance",
                 {"assistance_needed": "forensics", "critical_infrastructure": True},
                 now=start, to_contact=technical["id"])  # fmt: skip
    again = escalate(store, home, ua, now=start + timedelta(days=4))
    assert [m["escalated_from"] for m in again] == [plain["id"]]
    assert sealed["id"] not in [m["escalated_from"] for m in again]
