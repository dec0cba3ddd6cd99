"""Fitted calibrations kept in the store, one per knowledge: two organisations of one
node see different knowledge, and neither makes the other fit again."""

from __future__ import annotations

import uuid
from pathlib import Path

import orjson
import pytest

from accord.attribution import sources
from accord.stix.tlp import Tlp
from accord.store import ImportOptions, Store, import_objects
from accord.store import identity as ids
from tests.attribution.world import as_stix21, small_world


def test_each_organisations_fit_is_kept(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nothing = tmp_path / "no-attack.json"  # the small world stands in for ATT&CK
    nothing.write_bytes(orjson.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}"}))
    monkeypatch.setattr(sources, "attack_bundle_path", lambda: nothing)
    with store.write() as connection:
        a = ids.add_organisation(connection, "CERT-A")
        b = ids.add_organisation(connection, "CERT-B")
    _, objects = small_world()
    shared = ImportOptions(org=a, communities=frozenset(), unmarked_tlp=Tlp.CLEAR)
    import_objects(store, [as_stix21(o) for o in objects], "small world", shared)
    own = as_stix21(
        {"type": "intrusion-set", "id": f"intrusion-set--{uuid.uuid4()}", "name": "B's own"}
    )
    import_objects(store, [own], "B alone", ImportOptions(org=b, communities=frozenset(),
                                                          unmarked_tlp=Tlp.RED))  # fmt: skip
    fits: list[str] = []
    for org in (a, b, a, b):
        sources.assessor_for(store, org, None, on_fit=lambda o=org: fits.append(o.name))
    assert fits == ["CERT-A", "CERT-B"]  # each fitted once; the second round reuses both
