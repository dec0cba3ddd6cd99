"""Interoperability with the OASIS peers: taxii2-client against a live Accord node, and
our federation client pulling from a live medallion server (memory backend)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from taxii2client.common import TokenAuth
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from accord.stix.tlp import Tlp
from accord.store import identity as ids
from accord.taxii.federation import add_peer, sync_all
from tests.factories import indicator
from tests.live import free_port, running
from tests.taxii.nodes import Node, make_node

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def node(tmp_path: Path) -> Iterator[tuple[Node, str, str]]:
    """A live node, an API token of its organisation, and a user's password."""
    served = make_node(tmp_path, "alpha")
    with served.store() as store, store.write() as connection:
        token = ids.create_token(connection, served.org)
        password = ids.add_user(connection, "analyst", served.org)
    served.start()
    yield served, token, password
    served.stop()


def test_taxii2_client_speaks_to_accord(node: tuple[Node, str, str]) -> None:
    served, token, password = node
    auth = TokenAuth(token)
    server = Server(f"http://127.0.0.1:{served.port}/taxii2/", auth=auth)
    assert server.title.startswith("alpha")
    root: ApiRoot = server.default
    assert root.url == served.api_root
    assert root.versions == ["application/taxii+json;version=2.1"]
    collection: Collection = next(c for c in root.collections if c.alias == "shared")
    assert collection.can_read and collection.can_write

    first = [indicator(tlp=Tlp.GREEN) for _ in range(25)]
    status = collection.add_objects({"objects": first})
    assert status.status == "complete" and status.success_count == 25
    status.refresh()  # GET /status/{id}/ through the client
    assert status.total_count == 25 and status.failure_count == 0

    pages = list(as_pages(collection.get_objects, per_request=10, type="indicator"))
    assert [len(p["objects"]) for p in pages] == [10, 10, 5]
    assert sorted(o["id"] for p in pages for o in p["objects"]) == sorted(o["id"] for o in first)

    manifest = collection.get_manifest(type="indicator")
    assert len(manifest["objects"]) == 25
    cut = manifest["objects"][-1]["date_added"]
    later = indicator(tlp=Tlp.GREEN, modified="2024-03-01T10:00:00.000Z")
    newer = dict(later, modified="2024-05-01T00:00:00.000Z", name="renamed")
    assert collection.add_objects({"objects": [later, newer]}).success_count == 2
    since = collection.get_objects(added_after=cut, type="indicator")["objects"]
    assert [o["name"] for o in since] == ["renamed"]  # the latest version only
    versions = collection.object_versions(later["id"])["versions"]
    assert versions == ["2024-03-01T10:00:00.000000Z", "2024-05-01T00:00:00.000000Z"]
    oldest = collection.get_object(later["id"], version="first")["objects"]
    assert [o["name"] for o in oldest] == [later["name"]]

    # HTTP Basic works too, and bad credentials are refused
    by_password = Server(
        f"http://127.0.0.1:{served.port}/taxii2/", user="analyst", password=password
    )
    assert by_password.default.url == served.api_root
    with pytest.raises(requests.HTTPError, match="401"):
        _ = Server(f"http://127.0.0.1:{served.port}/taxii2/", auth=TokenAuth("nope")).title


def _medallion_config(tmp_path: Path) -> tuple[Path, str]:
    collection_id = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
    data = {
        "/discovery": {
            "title": "medallion",
            "default": "http://127.0.0.1/api1/",
            "api_roots": ["http://127.0.0.1/api1/"],
        },
        "api1": {
            "information": {
                "title": "medallion api1",
                "versions": ["application/taxii+json;version=2.1"],
                "max_content_length": 104857600,
            },
            "status": [],
            "collections": [
                {
                    "id": collection_id,
                    "title": "medallion collection",
                    "can_read": True,
                    "can_write": True,
                    "media_types": ["application/stix+json;version=2.1"],
                    "objects": [],
                    "manifest": [],
                }
            ],
        },
    }
    data_file = tmp_path / "medallion-data.json"
    data_file.write_text(json.dumps(data))
    config = {
        "backend": {
            "module_class": "MemoryBackend",
            "module": "medallion.backends.memory_backend",
            "filename": str(data_file),
        },
        "users": {"puller": "medallion-secret"},
        "taxii": {"max_page_size": 40},
    }
    config_file = tmp_path / "medallion.json"
    config_file.write_text(json.dumps(config))
    return config_file, collection_id


def test_federation_pulls_from_medallion(tmp_path: Path) -> None:
    config, collection_id = _medallion_config(tmp_path)
    port = free_port()
    medallion_root = f"http://127.0.0.1:{port}/api1/"
    command = [sys.executable, "-m", "medallion.scripts.run", "--host", "127.0.0.1"]
    command += ["--port", str(port), str(config)]
    local = make_node(tmp_path, "beta")
    with running(command, f"http://127.0.0.1:{port}/taxii2/"):
        # Fill medallion through its own API (taxii2-client), as a producer would.
        producer = Collection(
            f"{medallion_root}collections/{collection_id}/",
            user="puller",
            password="medallion-secret",
        )
        shared = [indicator(tlp=Tlp.GREEN) for _ in range(100)]
        assert producer.add_objects({"objects": shared}).success_count == 100
        revised = dict(shared[0], modified="2024-06-01T00:00:00.000Z", name="revised")
        assert producer.add_objects({"objects": [revised]}).success_count == 1

        credentials = local.home / "medallion.credentials"
        credentials.write_text("puller:medallion-secret")
        with local.store() as store:
            with store.write() as connection:
                peer_org = ids.add_organisation(connection, "Medallion peer")
            with store.write() as connection:
                add_peer(
                    connection,
                    "medallion",
                    medallion_root,
                    collection_id,
                    str(credentials),
                    peer_org,
                    auth="basic",
                )
            home = local.org
            first = sync_all(store, home)[0]
            assert first.errors == [] and first.new == 101 and first.pulled == 101
            again = sync_all(store, home)[0]
            assert again.errors == [] and again.new == 0
    stored = [v for v in local.versions() if v[0].startswith("indicator--")]
    assert len(stored) == 101 == len(set(stored))
    assert local.count(received_from=peer_org.id) == 101
