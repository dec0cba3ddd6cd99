"""Federation: pull from and push to peer nodes over TAXII 2.1, with checkpoints.

Pull: every version the peer's collection shows us, page by page. Each page is
imported in the same transaction that moves the checkpoint, so a node killed mid-sync
resumes where its last page ended and never stores a version twice (a version it
already holds is "unchanged"). Objects pulled are given to this node's organisation
and to the peer's (which had them), and remember the peer as their provenance.

Push: what the access gate lets the peer's organisation see, in (date_added, pk) order
from a checkpoint, except what came from that peer. The gate is what keeps TLP:RED and
AMBER+STRICT with their named recipients and AMBER with the recipients' clients, so a
node never forwards to a third node what the markings forbid. A version with no TLP
marking of its own that was imported at AMBER+STRICT or RED is held back (and counted):
the peer would store it at its own default level.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from accord.errors import AlreadyExists, ConfigError, NotFound
from accord.stix.timestamps import now_timestamp
from accord.store import AccessGate, ImportOptions, Store, Viewer, search
from accord.store.identity import Organisation, get_organisation
from accord.store.importer import import_in
from accord.store.reading import ALL, Cursor, ObjectQuery, travels
from accord.store.schema import peer as peer_table
from accord.store.schema import stix_object
from accord.taxii.client import PeerError, TaxiiClient, authorization

log = logging.getLogger(__name__)
PAGE = 1000
AUTH_SCHEMES = ("bearer", "basic")


@dataclass(frozen=True)
class Peer:
    name: str
    api_root: str
    collection: str
    token_file: str
    auth: str
    org: Organisation
    push_collection: str | None = None
    last_sync: str | None = None
    last_error: str | None = None

    def client(self) -> TaxiiClient:
        try:
            secret = Path(self.token_file).read_text().strip()
        except OSError as exc:
            raise ConfigError("--token-file", f"{self.token_file}: {exc.strerror}") from None
        return TaxiiClient(self.api_root, authorization(self.auth, secret))


@dataclass
class SyncReport:
    peer: str
    pulled: int = 0
    new: int = 0
    unchanged: int = 0
    rejected: int = 0
    pushed: int = 0
    push_failures: int = 0
    #: unmarked versions kept at AMBER+STRICT or RED, not pushed (``reading.travels``)
    held_back: int = 0
    errors: list[str] = field(default_factory=list)


def add_peer(
    connection: Connection,
    name: str,
    api_root: str,
    collection: str,
    token_file: str,
    org: Organisation,
    auth: str = "bearer",
    push_collection: str | None = None,
) -> Peer:
    if auth not in AUTH_SCHEMES:
        raise ConfigError("--auth", f"{auth!r}: use bearer or basic")
    if not api_root.startswith(("http://", "https://")):
        raise ConfigError("API_ROOT", f"{api_root!r} is not an http(s) URL")
    if connection.execute(select(peer_table.c.id).where(peer_table.c.name == name)).first():
        raise AlreadyExists("peer", name)
    connection.execute(
        peer_table.insert().values(
            name=name,
            api_root=api_root,
            collection=collection,
            push_collection=push_collection,
            token_file=str(Path(token_file).resolve()),
            auth=auth,
            org_id=org.id,
            created=now_timestamp(),
        )
    )
    return get_peer(connection, name)


def list_peers(connection: Connection) -> list[Peer]:
    names = connection.execute(select(peer_table.c.name).order_by(peer_table.c.name)).scalars()
    return [get_peer(connection, name) for name in list(names)]


def get_peer(connection: Connection, name: str) -> Peer:
    row = connection.execute(select(peer_table).where(peer_table.c.name == name)).first()
    if row is None:
        raise NotFound("peer", name)
    return Peer(
        name=row.name,
        api_root=row.api_root,
        collection=row.collection,
        token_file=row.token_file,
        auth=row.auth,
        org=get_organisation(connection, row.org_id),
        push_collection=row.push_collection,
        last_sync=row.last_sync,
        last_error=row.last_error,
    )


def received_count(connection: Connection, peer: Peer) -> int:
    """How many stored versions came from ``peer`` (a count over the store: for display)."""
    query = select(func.count()).where(stix_object.c.received_from == peer.org.id)
    return int(connection.execute(query).scalar_one())


def sync(store: Store, peer: Peer, home: Organisation) -> SyncReport:
    """Pull from ``peer``, then push to it; errors are reported and kept, not raised."""
    report = SyncReport(peer.name)
    try:
        with peer.client() as client:
            pull(store, peer, home, client, report)
            if peer.push_collection:
                push(store, peer, client, report)
    except (PeerError, ConfigError) as error:
        report.errors.append(str(error))
        log.warning("sync with %s failed: %s", peer.name, error)
    _record(store, peer, report)
    return report


def pull(
    store: Store, peer: Peer, home: Organisation, client: TaxiiClient, report: SyncReport
) -> None:
    options = ImportOptions(
        org=home,
        recipients=frozenset({peer.org.id}),
        skip_invalid=True,
        received_from=peer.org.id,
        recipients_had_it=True,  # what we pushed comes back: no news for anyone
    )
    with store.read() as connection:
        added_after, next_ = _pull_checkpoint(connection, peer)
    latest = added_after
    while True:
        try:
            page = client.objects(peer.collection, added_after, next_, PAGE)
        except PeerError as error:
            if next_ is None or error.status is None or error.status >= 500:
                raise
            # The peer forgot our paging session (medallion keeps it in memory):
            # start this run again; versions already held come back as unchanged.
            next_ = None
            continue
        if page.last_added and (latest is None or page.last_added > latest):
            latest = page.last_added
        with store.write() as connection:
            imported = import_in(
                connection, store.default_tlp, page.objects, f"peer {peer.name}", options
            )
            # Within a run the resume point is the peer's cursor; at its end, the newest
            # date_added seen becomes the next run's added_after.
            checkpoint = (added_after, page.next) if page.more else (latest, None)
            connection.execute(
                peer_table.update()
                .where(peer_table.c.name == peer.name)
                .values(pull_added_after=checkpoint[0], pull_next=checkpoint[1])
            )
        report.pulled += len(page.objects)
        report.new += imported.stored
        report.unchanged += imported.unchanged
        report.rejected += imported.rejected
        for reject in imported.rejects[:5]:
            report.errors.append(f"rejected from {peer.name}: {reject.error}")
        if not page.more or not page.next:
            return
        next_ = page.next


def push(store: Store, peer: Peer, client: TaxiiClient, report: SyncReport) -> None:
    assert peer.push_collection is not None
    gate = AccessGate(Viewer(peer.org.id))
    query = ObjectQuery(versions=(ALL,), not_received_from=peer.org.id)
    with store.read() as connection:
        saved = connection.execute(
            select(peer_table.c.push_after).where(peer_table.c.name == peer.name)
        ).scalar_one()
    after = Cursor.decode(saved) if saved else None
    while True:
        with store.read() as connection:
            page = search(connection, gate, query, PAGE, after)
        if not page.items:
            return
        sent = [version.body for version in page.items if travels(version)]
        report.held_back += len(page.items) - len(sent)
        if sent:
            status = client.add_objects(peer.push_collection, sent)
            report.pushed += int(status.get("success_count", 0))
            report.push_failures += int(status.get("failure_count", 0))
            for failure in status.get("failures", [])[:5]:
                report.errors.append(
                    f"{peer.name} refused {failure.get('id')}: {failure.get('message')}"
                )
        after = page.items[-1].position
        with store.write() as connection:
            connection.execute(
                peer_table.update()
                .where(peer_table.c.name == peer.name)
                .values(push_after=after.encode())
            )
        if page.next_cursor is None:
            return


def sync_all(store: Store, home: Organisation, only: str | None = None) -> list[SyncReport]:
    """Sync with every peer (or the one named ``only``), one after the other."""
    with store.read() as connection:
        peers = [get_peer(connection, only)] if only else list_peers(connection)
    return [sync(store, peer, home) for peer in peers]


def _pull_checkpoint(connection: Connection, peer: Peer) -> tuple[str | None, str | None]:
    row = connection.execute(
        select(peer_table.c.pull_added_after, peer_table.c.pull_next).where(
            peer_table.c.name == peer.name
        )
    ).one()
    return row.pull_added_after, row.pull_next


def _record(store: Store, peer: Peer, report: SyncReport) -> None:
    with store.write() as connection:
        connection.execute(
            peer_table.update()
            .where(peer_table.c.name == peer.name)
            .values(
                last_sync=now_timestamp(),
                last_error="; ".join(report.errors)[:2000] if report.errors else None,
            )
        )
