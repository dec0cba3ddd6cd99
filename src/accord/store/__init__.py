"""The store: versioned STIX objects, identities, and the access gate in front of them."""

from __future__ import annotations

from accord.stix.prepared import prepare
from accord.stix.tlp import TLP_MARKING_DEFINITIONS, Tlp
from accord.stix.validation import validate
from accord.store.access_gate import AccessGate, Viewer
from accord.store.database import Store
from accord.store.distributions import Distribution, distribution_id
from accord.store.engine import create_store_engine, migrate
from accord.store.importer import (
    ImportOptions,
    ImportReport,
    Reject,
    import_file,
    import_objects,
)
from accord.store.reading import (
    ObjectQuery,
    Page,
    StoredVersion,
    count_by_type,
    iter_versions,
    search,
    visible,
)
from accord.store.versions import VersionWriter

__all__ = [
    "AccessGate",
    "ImportOptions",
    "ImportReport",
    "ObjectQuery",
    "Page",
    "Reject",
    "Store",
    "StoredVersion",
    "Viewer",
    "count_by_type",
    "import_file",
    "import_objects",
    "iter_versions",
    "open_store",
    "search",
    "visible",
]


def open_store(url: str, default_tlp: Tlp = Tlp.AMBER) -> Store:
    """Open the store at ``url``: create and migrate it if needed, seed the TLP markings.

    The TLP 2.0 and 1.0 marking-definitions are in every store from the start, so that
    bundles referencing them validate.
    """
    engine = create_store_engine(url)
    migrate(engine)
    store = Store(engine, default_tlp)
    with store.write() as connection:
        writer = VersionWriter(connection, distribution_id(connection, Distribution()), Tlp.CLEAR)
        writer.write([prepare(validate(dict(obj))) for obj in TLP_MARKING_DEFINITIONS])
    return store
