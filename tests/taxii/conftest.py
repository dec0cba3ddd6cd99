"""A node with two organisations and TAXII collections, served in-process."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from accord.config import Settings
from accord.node import HOME_ORG_SETTING
from accord.stix.tlp import Tlp
from accord.store import Store
from accord.store import identity as ids
from accord.taxii.collections import Collection, Rights, add_collection, grant
from accord.taxii.media import TAXII
from accord.web import create_app

MAX_BODY = 64 * 1024


@dataclass
class TaxiiWorld:
    store: Store
    settings: Settings
    orgs: dict[str, ids.Organisation]
    tokens: dict[str, str]
    shared: Collection
    indicators: Collection

    def client(self, who: str) -> TestClient:
        app = create_app(self.settings, self.store)
        return TestClient(
            app, headers={"Authorization": f"Bearer {self.tokens[who]}", "Accept": TAXII}
        )


@pytest.fixture
def world(store: Store, tmp_path: Path) -> TaxiiWorld:
    with store.write() as connection:
        orgs = {name: ids.add_organisation(connection, name) for name in ("A", "B", "C")}
        store.set_setting(connection, HOME_ORG_SETTING, orgs["A"].id)
        tokens = {name: ids.create_token(connection, org) for name, org in orgs.items()}
        shared = add_collection(connection, "Shared", alias="shared", description="all of it")
        indicators = add_collection(
            connection, "Indicators", types=("indicator",), tlp_ceiling=Tlp.AMBER
        )
        for name in ("A", "B"):
            grant(connection, shared, orgs[name].id, Rights(True, True))
        grant(connection, indicators, orgs["A"].id, Rights(True, True))
        grant(connection, indicators, orgs["C"].id, Rights(True, False))
    settings = Settings(home=tmp_path, taxii_max_content_length=MAX_BODY)
    return TaxiiWorld(store, settings, orgs, tokens, shared, indicators)
