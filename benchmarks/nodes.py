"""Accord nodes for the benchmarks: each its own home, keys and SQLite store, served on
127.0.0.1, as an `accord serve` process each (``served``) or as many uvicorn servers in a
few host processes (``hosted``), and peered over TAXII.

The benchmark process acts for each node's operator and scheduler on that node's store,
as `accord` commands and the scheduler thread do.

    python benchmarks/nodes.py SPEC.json   # serve the nodes listed, until SIGTERM
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson

from accord.config import Settings
from accord.errors import NotFound
from accord.node import HOME_ORG_SETTING
from accord.store import Store, open_store
from accord.store import identity as ids
from accord.taxii.collections import Rights, add_collection, get_collection, grant
from accord.taxii.federation import SyncReport, add_peer, sync_all
from taxii import serving

_HANDED_OUT: set[int] = set()


def server_port() -> int:
    """A free port below the kernel's ephemeral range, never handed out twice: with 194
    servers, ports the kernel picks (``taxii.free_port``) repeat, and a client connection
    can take one before its server binds it."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    while True:
        port = random.randrange(low // 2, low)
        if port in _HANDED_OUT:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port


@dataclass
class Node:
    name: str
    home: Path
    port: int
    org: ids.Organisation
    store: Store  # opened here, as the node's operator (CLI) and scheduler would

    @property
    def api_root(self) -> str:
        return f"http://127.0.0.1:{self.port}/taxii2/api/"

    @property
    def health(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/health"


def make_node(root: Path, name: str) -> Node:
    """A node with its own organisation and a collection 'shared' it may read and write."""
    home = root / name
    home.mkdir(parents=True)
    store = open_store(f"sqlite:///{home / 'accord.db'}")
    with store.write() as connection:
        org = ids.add_organisation(connection, f"{name} CERT")
        store.set_setting(connection, HOME_ORG_SETTING, org.id)
        shared = add_collection(connection, "Shared", alias="shared")
        grant(connection, shared, org.id, Rights(True, True))
    return Node(name, home, server_port(), org, store)


def know(node: Node, other: Node) -> None:
    """Register ``other``'s organisation on ``node`` under its own identity id (once)."""
    with node.store.write() as connection:
        try:
            ids.get_organisation(connection, other.org.id)
        except NotFound:
            ids.add_organisation(connection, other.org.name, other.org.id)


def peer(puller: Node, server: Node) -> None:
    """``puller`` pulls from and pushes to ``server``'s 'shared', with a token from it."""
    know(server, puller)
    with server.store.write() as connection:
        grant(connection, get_collection(connection, "shared"), puller.org.id, Rights(True, True))
        token = ids.create_token(connection, puller.org, label=f"peer {puller.name}")
    token_file = puller.home / f"token-at-{server.name}"
    token_file.write_text(token)
    know(puller, server)
    with puller.store.write() as connection:
        org = ids.get_organisation(connection, server.org.id)
        add_peer(
            connection,
            server.name,
            server.api_root,
            "shared",
            str(token_file),
            org,
            push_collection="shared",
        )


def checked(reports: list[SyncReport]) -> list[SyncReport]:
    for report in reports:
        assert report.errors == [], report.errors
    return reports


Tick = tuple[float, int, int]  # seconds, objects pulled, objects pushed


def settle(nodes: list[Node], limit: int = 12) -> list[Tick]:
    """Scheduler ticks (each node syncs with all its peers, one node after another) until
    a tick moves nothing: the directory is out, and every echo and regrant played out."""
    ticks = []
    for _ in range(limit):
        begin = time.perf_counter()
        reports = [r for node in nodes for r in checked(sync_all(node.store, node.org))]
        pulled, pushed = sum(r.pulled for r in reports), sum(r.pushed for r in reports)
        ticks.append((time.perf_counter() - begin, pulled, pushed))
        if pulled == pushed == 0:
            return ticks
    raise AssertionError(f"federation still busy after {limit} ticks: {ticks}")


def ticks_text(ticks: list[Tick]) -> str:
    return "; ".join(
        f"{s:,.1f} s ({pulled:,} pulled, {pushed:,} pushed)" for s, pulled, pushed in ticks
    )


def node_env(node: Node) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCORD_")}
    return env | {
        "ACCORD_HOME": str(node.home),
        "ACCORD_SYNC_INTERVAL": "0",  # the benchmark runs each sync itself
        "ACCORD_NODE_NAME": node.name,
    }


@contextlib.contextmanager
def served(nodes: list[Node]) -> Iterator[None]:
    """Each node an `accord serve` process on 127.0.0.1, until the block ends."""
    with contextlib.ExitStack() as stack:
        for node in nodes:
            command = [sys.executable, "-m", "accord", "serve", "--host", "127.0.0.1"]
            command += ["--port", str(node.port)]
            stack.enter_context(
                serving(command, node.health, node.home / "server.log", node_env(node))
            )
        yield


def children_rss_mb() -> float:
    """Resident memory of this process's children (the servers), MB."""
    me = os.getpid()
    pids = Path(f"/proc/{me}/task/{me}/children").read_text().split()
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def host_nodes(spec: str) -> None:
    """Serve the nodes listed in ``spec`` (home, port, name), each its own uvicorn server
    in this one process and event loop, until SIGTERM."""
    import uvicorn

    from accord.node import open_node_store
    from accord.web.app import create_app

    class OneOfMany(uvicorn.Server):
        """A server that leaves the signals to its host."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield  # one handler for all servers, below

    servers = []
    for item in orjson.loads(Path(spec).read_bytes()):
        settings = Settings(
            home=Path(item["home"]), port=item["port"], sync_interval=0, node_name=item["name"]
        )
        app = create_app(settings, open_node_store(settings))
        config = uvicorn.Config(app, host="127.0.0.1", port=item["port"], log_level="warning")
        servers.append(OneOfMany(config))

    def stop() -> None:
        for server in servers:
            server.should_exit = True

    async def serve_all() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop)
        await asyncio.gather(*(server.serve() for server in servers))

    asyncio.run(serve_all())


@contextlib.contextmanager
def hosted(tmp: Path, nodes: list[Node], hosts: int) -> Iterator[None]:
    """The nodes served by ``hosts`` processes, nodes dealt out in turn."""
    with contextlib.ExitStack() as stack:
        for h in range(hosts):
            mine = nodes[h::hosts]
            if not mine:
                continue
            spec = tmp / f"host{h}.json"
            spec.write_bytes(
                orjson.dumps([{"home": str(n.home), "port": n.port, "name": n.name} for n in mine])
            )
            command = [sys.executable, __file__, str(spec)]
            stack.enter_context(serving(command, mine[-1].health, tmp / f"host{h}.log"))
        for node in nodes:  # every server of every host answers
            deadline = time.monotonic() + 120
            while True:
                try:
                    httpx.get(node.health, timeout=5)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, f"{node.name} did not come up"
                    time.sleep(0.1)
        yield


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    host_nodes(sys.argv[1])
