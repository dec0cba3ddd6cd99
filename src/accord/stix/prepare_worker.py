"""Reading, validating and preparing one source in a process of its own.

The importer starts ``python -m accord.stix.prepare_worker PATH [--upgrade-stix20]`` for
large files, so that parsing and validation (Python) use one core while the database
write uses the other. The worker writes pickled messages to its standard output:

    ("batch", bytes_read, [(index, PreparedVersion)], [(index, raw, id, property, reason)])
    ("malformed", source, reason)
    ("done",)

A full pipe blocks the worker, so memory stays bounded; a closed pipe (the importer gave
up or died) ends it. A plain subprocess, not multiprocessing: spawning with
multiprocessing re-imports the caller's main module, which a library must not require.
"""

from __future__ import annotations

import pickle
import sys
from typing import IO, Any

from accord.errors import InvalidObject, MalformedInput
from accord.stix.prepared import PreparedVersion, prepare
from accord.stix.reader import open_source
from accord.stix.upgrade import upgrade_stream
from accord.stix.validation import validate

BATCH = 2000

Rejected = tuple[int, Any, str | None, str, str]


def run_worker(out: IO[bytes], path: str, upgrade_stix20: bool) -> None:
    """Send every object of ``path``, prepared or rejected, then "done"."""

    def send(message: tuple[Any, ...]) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

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
                    send(("batch", reader.position, prepared, rejected))
                    prepared, rejected = [], []
            send(("batch", reader.position, prepared, rejected))
        send(("done",))
    except MalformedInput as error:
        send(("malformed", error.source, error.reason))


def main(argv: list[str]) -> int:
    if not argv or argv[0].startswith("-"):
        print(
            "usage: python -m accord.stix.prepare_worker PATH [--upgrade-stix20]", file=sys.stderr
        )
        return 2
    try:
        run_worker(sys.stdout.buffer, argv[0], "--upgrade-stix20" in argv[1:])
    except BrokenPipeError:
        return 0  # the importer is gone: nothing left to do
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
