"""A joint statement between two live nodes: the draft travels to the partner's node,
the signed answer travels back, and the lead publishes with the partner's signature."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from accord.diplomacy.statements import (
    draft_statement,
    party_keys,
    publish,
    respond,
    statement,
    verify_statement,
)
from accord.hotline.directory import Contact, add_contact
from tests.taxii.nodes import Node, know, peer_with, running, sync


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[tuple[Node, Node]]:
    with running(tmp_path, "A", "B") as (first, second):
        yield first, second


def test_the_partner_on_another_node_co_signs(nodes: tuple[Node, Node]) -> None:
    lead, partner = nodes
    peer_with(partner, lead)  # B pulls from A
    peer_with(lead, partner)  # A pulls from B
    for node, other, state in ((lead, partner, "FR"), (partner, lead, "DE")):
        with node.store() as store:  # each publishes its key to the other
            know(store, other.org)
            contact = Contact(f"{state} duty", state, "diplomatic", node.org.id, "")
            add_contact(store, node.home, node.org, contact, [other.org.id])
    with lead.store() as store:
        draft = draft_statement(
            store,
            lead.org,
            "On X",
            "We attribute X to Y.",
            [partner.org.id],
            "2020-01-01T00:00:00Z",
        )
    sync(partner)
    with partner.store() as store:
        assert statement(store, partner.org, draft["id"])["status"] == "draft"
        respond(store, partner.home, partner.org, draft["id"], "signed")
    sync(lead)
    with lead.store() as store:
        done = publish(store, lead.home, lead.org, draft["id"])
    signers = {s["identity_ref"]: s["decision"] for s in done["signatures"]}
    assert signers == {lead.org.id: "signed", partner.org.id: "signed"}
    with lead.store() as store:
        keys = party_keys(store, lead.home, lead.org)
    assert all(check.valid for check in verify_statement(done, keys))
    sync(partner)  # the published statement reaches the partner's node too
    with partner.store() as store:
        assert statement(store, partner.org, draft["id"])["status"] == "published"
