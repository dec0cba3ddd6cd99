"""Three nodes syncing on their own schedulers; one is killed with SIGKILL mid-sync."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from accord.stix.tlp import Tlp
from tests.factories import indicator
from tests.taxii.nodes import Node, make_node, peer_with
from tests.taxii.test_federation import share

OBJECTS = 50_000


def wait_for(condition: Callable[[], bool], timeout: float, what: str, poll: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(poll)


@pytest.mark.slow
def test_a_node_killed_mid_sync_catches_up_with_nothing_doubled(tmp_path: Path) -> None:
    a, b, c = (make_node(tmp_path, name, sync_interval=1) for name in ("A", "B", "C"))
    bulk = [indicator(tlp=Tlp.CLEAR, created_by=a.org.id) for _ in range(OBJECTS)]
    share(a, bulk)
    red = indicator(tlp=Tlp.RED, created_by=c.org.id, name="for A only")
    share(c, [red], to=[a])
    peer_with(b, a)  # B pulls from A, C from B, A from C: a cycle
    peer_with(c, b)
    peer_with(a, c)
    nodes: list[Node] = [a, b, c]
    try:
        for node in nodes:
            node.start()
        wait_for(lambda: b.count(received_from=a.org.id) > 0, 120, "B to start pulling", 0.02)
        assert b.process is not None
        b.process.send_signal(signal.SIGKILL)
        b.process.wait()
        b.process = None
        at_kill = b.count(received_from=a.org.id)
        assert at_kill < OBJECTS, "B finished before it was killed: the test proves nothing"
        b.start()

        red_key = (red["id"], "2024-03-01T10:00:00.000000Z")

        def converged() -> bool:
            held = [set(n.versions()) - {red_key} for n in nodes]
            return held[0] == held[1] == held[2] and len(held[0]) > OBJECTS

        wait_for(converged, 300, "the three nodes to hold the same versions")
    finally:
        for node in nodes:
            node.stop()
    for node in nodes:
        versions = node.versions()
        assert len(versions) == len(set(versions)), f"{node.name} stores a version twice"
    assert red_key in a.versions() and red_key in c.versions()
    assert red_key not in b.versions()
