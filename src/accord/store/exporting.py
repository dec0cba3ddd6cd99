"""Export: a STIX 2.1 bundle of what an organisation may see, written as a stream."""

from __future__ import annotations

import uuid
from typing import IO

from accord.store.access_gate import AccessGate, Viewer
from accord.store.database import Store
from accord.store.identity import Organisation
from accord.store.reading import ObjectQuery, iter_versions


def write_bundle(store: Store, org: Organisation, stream: IO[bytes], query: ObjectQuery) -> int:
    """Write the bundle of what ``query`` selects among what ``org`` may see to ``stream``,
    object by object, each as stored; returns the number of objects."""
    gate = AccessGate(Viewer(org.id))
    stream.write(b'{"type":"bundle","id":"bundle--' + str(uuid.uuid4()).encode() + b'","objects":[')
    count = 0
    with store.read() as connection:
        for version in iter_versions(connection, gate, query):
            stream.write((b",\n" if count else b"\n") + version.body_json.encode())
            count += 1
    stream.write(b"\n]}\n")
    return count
