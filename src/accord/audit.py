"""A tamper-evident audit chain: every recorded action, linked by SHA-256.

Each entry's hash covers its sequence number, time, actor, action, subject and detail
and the previous entry's hash, so that changing, deleting or reordering an entry breaks
the chain at that point, and ``verify`` says where. Truncating the newest entries leaves
a shorter valid chain: ``head`` gives the last hash to keep elsewhere (a signed message,
a partner's node), against which a later check can be made.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from accord.signing import canonical
from accord.stix.timestamps import now_timestamp
from accord.store.database import Store
from accord.store.schema import audit_entry

GENESIS = "0" * 64
_ATTEMPTS = 5  # concurrent writers may take the same sequence number; one retries


@dataclass(frozen=True)
class Entry:
    seq: int
    at: str
    actor: str
    action: str
    subject: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


def entry_hash(
    seq: int, at: str, actor: str, action: str, subject: str, detail: Any, prev: str
) -> str:
    content = canonical(
        {"seq": seq, "at": at, "actor": actor, "action": action, "subject": subject,
         "detail": detail, "prev": prev}
    )  # fmt: skip
    return hashlib.sha256(content).hexdigest()


def record(
    store: Store,
    actor: str,
    action: str,
    subject: str,
    detail: dict[str, Any] | None = None,
    together: Callable[[Connection], object] | None = None,
) -> Entry:
    """Append one entry in its own transaction, with what ``together`` writes in that
    same transaction (so both are stored, or neither); tried again when another writer
    took the chain's next number."""
    for attempt in range(_ATTEMPTS):
        try:
            with store.write() as connection:
                if together is not None:
                    together(connection)
                return append(connection, actor, action, subject, detail or {})
        except IntegrityError:
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def append(
    connection: Connection, actor: str, action: str, subject: str, detail: dict[str, Any]
) -> Entry:
    """Append one entry inside the caller's write transaction (with what it records)."""
    last = connection.execute(
        select(audit_entry.c.seq, audit_entry.c.hash).order_by(audit_entry.c.seq.desc()).limit(1)
    ).first()
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
    at = now_timestamp()
    digest = entry_hash(seq, at, actor, action, subject, detail, prev)
    connection.execute(
        audit_entry.insert().values(
            seq=seq, at=at, actor=actor, action=action, subject=subject,
            detail=orjson.dumps(detail).decode(), prev_hash=prev, hash=digest,
        )
    )  # fmt: skip
    return Entry(seq, at, actor, action, subject, detail, prev, digest)


def recorded(store: Store, action: str, subject: str) -> bool:
    """Has this action on this subject been recorded already?"""
    with store.read() as connection:
        query = select(audit_entry.c.seq).where(
            audit_entry.c.action == action, audit_entry.c.subject == subject
        )
        return connection.execute(query.limit(1)).first() is not None


def entries(connection: Connection, newest: int | None = None) -> list[Entry]:
    """The chain in order: all of it, or its ``newest`` entries."""
    query = select(audit_entry).order_by(audit_entry.c.seq.desc())
    if newest is not None:
        query = query.limit(newest)
    rows = list(connection.execute(query))[::-1]
    return [
        Entry(
            r.seq, r.at, r.actor, r.action, r.subject, orjson.loads(r.detail), r.prev_hash, r.hash
        )
        for r in rows
    ]


def verify(connection: Connection) -> list[str]:
    """Where the chain is broken, entry by entry; empty when it is whole."""
    problems = []
    expected_seq, prev = 1, GENESIS
    for entry in entries(connection):
        if entry.seq != expected_seq:
            missing = (
                f"{expected_seq}"
                if entry.seq == expected_seq + 1
                else (f"{expected_seq}-{entry.seq - 1}")
            )
            problems.append(f"entry {entry.seq}: entries {missing} are missing (deleted)")
        elif entry.prev_hash != prev:
            problems.append(
                f"entry {entry.seq}: does not follow entry {entry.seq - 1} "
                "(reordered, replaced or inserted)"
            )
        recomputed = entry_hash(
            entry.seq, entry.at, entry.actor, entry.action, entry.subject, entry.detail,
            entry.prev_hash,
        )  # fmt: skip
        if recomputed != entry.hash:
            problems.append(f"entry {entry.seq}: its content does not match its hash (edited)")
        expected_seq, prev = entry.seq + 1, entry.hash
    return problems


def head(connection: Connection) -> Entry | None:
    """The newest entry (its hash is the one to keep elsewhere)."""
    last = entries(connection, 1)
    return last[0] if last else None
