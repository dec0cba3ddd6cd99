"""Accord nodes for federation tests: each its own home and SQLite store, served on loopback."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from accord.errors import NotFound
from accord.node import HOME_ORG_SETTING
from accord.store import Store, open_store
from accord.store import identity as ids
from accord.store.schema import stix_object
from accord.taxii.collections import Rights, add_collection, get_collection, grant
from accord.taxii.federation import SyncReport, add_peer, sync_all
from tests.cli_runner import accord_env
from tests.live import free_port, start_node, stop


@dataclass
class Node:
    name: str
    home: Path
    port: int
    org: ids.Organisation
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"sqlite:///{self.home / 'accord.db'}"

    @property
    def api_root(self) -> str:
        return f"http://127.0.0.1:{self.port}/taxii2/api/"

    @contextmanager
    def store(self) -> Iterator[Store]:
        opened = open_store(self.url)
        try:
            yield opened
        finally:
            opened.close()

    def start(self) -> None:
        self.process = start_node(self.env, self.port, self.home / "server.log")

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None

    def versions(self) -> list[tuple[str, str]]:
        """Every (id, version) this node stores, with repeats if there were any."""
        with self.store() as store, store.read() as connection:
            rows = connection.execute(select(stix_object.c.id, stix_object.c.version))
            return sorted((row.id, row.version) for row in rows)

    def count(self, received_from: str | None = None) -> int:
        with self.store() as store, store.read() as connection:
            query = select(func.count()).select_from(stix_object)
            if received_from:
                query = query.where(stix_object.c.received_from == received_from)
            return int(connection.execute(query).scalar_one())


def make_node(root: Path, name: str, sync_interval: float = 0) -> Node:
    """A node with its own organisation and a collection 'shared' (everything) it may use."""
    home = root / name
    env = accord_env(home) | {
        "ACCORD_SYNC_INTERVAL": str(sync_interval),
        "ACCORD_NODE_NAME": name,
    }
    store = open_store(f"sqlite:///{home / 'accord.db'}")
    with store.write() as connection:
        org = ids.add_organisation(connection, f"{name} CERT")
        store.set_setting(connection, HOME_ORG_SETTING, org.id)
        shared = add_collection(connection, "Shared", alias="shared")
        grant(connection, shared, org.id, Rights(True, True))
    store.close()
    return Node(name, home, free_port(), org, env)


def know(store: Store, org: ids.Organisation) -> None:
    """Register another node's organisation under its own identity id (once)."""
    with store.write() as connection:
        try:
            ids.get_organisation(connection, org.id)
        except NotFound:
            ids.add_organisation(connection, org.name, org.id)


def peer_with(puller: Node, server: Node, push: bool = False) -> None:
    """Let ``puller`` sync with ``server``'s 'shared' collection, with a token from it."""
    with server.store() as store:
        know(store, puller.org)
        with store.write() as connection:
            shared = get_collection(connection, "shared")
            grant(connection, shared, puller.org.id, Rights(True, True))
            token = ids.create_token(connection, puller.org, label=f"peer {puller.name}")
    token_file = puller.home / f"token-at-{server.name}"
    token_file.write_text(token)
    with puller.store() as store:
        know(store, server.org)
        with store.write() as connection:
            add_peer(
                connection,
                server.name,
                server.api_root,
                "shared",
                str(token_file),
                ids.get_organisation(connection, server.org.id),
                push_collection="shared" if push else None,
            )


@contextmanager
def running(root: Path, *names: str) -> Iterator[list[Node]]:
    """Nodes made and started for a test, stopped after it."""
    made = [make_node(root, name) for name in names]
    for node in made:
        node.start()
    try:
        yield made
    finally:
        for node in made:
            node.stop()


def sync(node: Node, peer: str | None = None) -> list[SyncReport]:
    """Sync ``node`` with its peers (or one), asserting that nothing failed."""
    with node.store() as store:
        reports = sync_all(store, node.org, peer)
    for report in reports:
        assert report.errors == [], report.errors
    return reports
