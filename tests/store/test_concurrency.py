"""Writers from several threads (or processes) never trip over each other."""

from __future__ import annotations

import threading

from accord.store import ImportOptions, ImportReport, Store, import_objects
from accord.store.identity import add_organisation
from tests.factories import indicator


def test_concurrent_imports_of_the_same_objects_both_succeed(store: Store) -> None:
    with store.write() as connection:
        options = ImportOptions(org=add_organisation(connection, "CERT-A"))
    objects = [indicator() for _ in range(3000)]
    reports: list[ImportReport] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def run() -> None:
        start.wait()
        try:
            reports.append(import_objects(store, objects, "feed", options))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(r.new_objects for r in reports) == [0, 0, 0, 3000]
    assert sorted(r.unchanged for r in reports) == [0, 3000, 3000, 3000]
