"""Reading, validating and preparing one source in a process of its own.

The importer runs this in a spawned process for large files, so that parsing and
validation (Python) use one core while the database write uses the other. Messages to
the importer, over a one-way pipe, are tuples:

    ("batch", bytes_read, [(index, PreparedVersion)], [(index, raw, id, property, reason)])
    ("malformed", source, reason)
    ("done",)

A full pipe blocks the worker, so memory stays bounded; a closed pipe (the importer gave
up or died) ends it.
"""

from __future__ import annotations

from multiprocessing.connection import Connection
from typing import Any

from accord.errors import InvalidObject, MalformedInput
from accord.stix.prepared import PreparedVersion, prepare
from accord.stix.reader import open_source
from accord.stix.upgrade import upgrade_stream
from accord.stix.validation import validate

BATCH = 2000

Rejected = tuple[int, Any, str | None, str, str]


def run_worker(pipe: Connection, path: str, upgrade_stix20: bool) -> None:
    """Send every object of ``path``, prepared or rejected, then "done"."""
    try:
        with open_source(path) as reader:
            objects = upgrade_stream(reader) if upgrade_stix20 else reader
            prepared: list[tuple[int, PreparedVersion]] = []
            rejected: list[Rejected] = []
            for index, raw in enumerate(objects):
                try:
                    prepared.append((index, prepare(validate(raw))))
                except InvalidObject as error:
                    rejected.append((index, raw, error.object_id, error.prop, error.reason))
                if len(prepared) + len(rejected) >= BATCH:
                    pipe.send(("batch", reader.position, prepared, rejected))
                    prepared, rejected = [], []
            pipe.send(("batch", reader.position, prepared, rejected))
        pipe.send(("done",))
    except MalformedInput as error:
        pipe.send(("malformed", error.source, error.reason))
    except (BrokenPipeError, EOFError):
        return  # the importer is gone: nothing left to do
    finally:
        pipe.close()
