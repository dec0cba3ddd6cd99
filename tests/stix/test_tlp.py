"""TLP levels and the published TLP marking definitions."""

from __future__ import annotations

import json

import pytest
import stix2

from accord.stix.tlp import (
    TLP_BY_MARKING_ID,
    TLP_EXTENSION_DEFINITION,
    TLP_EXTENSION_ID,
    TLP_MARKING_DEFINITIONS,
    Tlp,
    marking_definition_for,
    tlp_of,
)
from accord.stix.validation import validate

TLP2 = {
    Tlp.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    Tlp.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    Tlp.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    Tlp.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    Tlp.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("clear", Tlp.CLEAR),
        ("TLP:CLEAR", Tlp.CLEAR),
        (" tlp:clear ", Tlp.CLEAR),
        ("white", Tlp.CLEAR),
        ("TLP:WHITE", Tlp.CLEAR),
        ("green", Tlp.GREEN),
        ("TLP:GREEN", Tlp.GREEN),
        ("amber", Tlp.AMBER),
        ("Amber", Tlp.AMBER),
        ("amber+strict", Tlp.AMBER_STRICT),
        ("AMBER_STRICT", Tlp.AMBER_STRICT),
        ("TLP:AMBER+STRICT", Tlp.AMBER_STRICT),
        ("red", Tlp.RED),
        ("TLP:RED", Tlp.RED),
    ],
)
def test_parse(text: str, level: Tlp) -> None:
    assert Tlp.parse(text) is level


@pytest.mark.parametrize("text", ["", "blue", "TLP:", "amber strict!", "TLP:AMBER+", "rouge"])
def test_parse_refuses_and_lists_the_allowed_values(text: str) -> None:
    with pytest.raises(ValueError, match=r"clear, green, amber, amber\+strict, red"):
        Tlp.parse(text)


def test_values_and_restriction_order() -> None:
    assert [t.value for t in Tlp] == ["clear", "green", "amber", "amber+strict", "red"]
    ranks = [t.restriction for t in (Tlp.CLEAR, Tlp.GREEN, Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED)]
    assert ranks == sorted(ranks) and len(set(ranks)) == 5
    assert Tlp.AMBER_STRICT.label == "TLP:AMBER+STRICT"


def test_tlp_of_picks_the_most_restrictive() -> None:
    assert tlp_of([]) is None
    assert tlp_of(["marking-definition--00000000-0000-4000-8000-000000000000"]) is None
    assert tlp_of([TLP2[Tlp.GREEN], TLP2[Tlp.RED], TLP2[Tlp.AMBER]]) is Tlp.RED
    assert tlp_of([stix2.TLP_AMBER.id, TLP2[Tlp.AMBER_STRICT]]) is Tlp.AMBER_STRICT
    assert tlp_of([stix2.TLP_WHITE.id]) is Tlp.CLEAR


def test_table_covers_both_generations() -> None:
    for level, marking_id in TLP2.items():
        assert TLP_BY_MARKING_ID[marking_id] is level
    tlp1 = {
        stix2.TLP_WHITE.id: Tlp.CLEAR,
        stix2.TLP_GREEN.id: Tlp.GREEN,
        stix2.TLP_AMBER.id: Tlp.AMBER,
        stix2.TLP_RED.id: Tlp.RED,
    }
    for marking_id, level in tlp1.items():
        assert TLP_BY_MARKING_ID[marking_id] is level
    assert len(TLP_BY_MARKING_ID) == 9
    assert {md["id"] for md in TLP_MARKING_DEFINITIONS} == set(TLP_BY_MARKING_ID)


def test_tlp1_objects_match_the_stix2_library() -> None:
    """The stix2 library ships the objects of STIX 2.1 section 7.2.1.4."""
    published = {
        m.id: json.loads(m.serialize())
        for m in (stix2.TLP_WHITE, stix2.TLP_GREEN, stix2.TLP_AMBER, stix2.TLP_RED)
    }
    ours = {md["id"]: md for md in TLP_MARKING_DEFINITIONS if md["id"] in published}
    assert ours == published


def test_tlp2_objects_have_the_published_shape() -> None:
    for level, marking_id in TLP2.items():
        md = marking_definition_for(level)
        assert md == {
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": marking_id,
            "created": "2022-10-01T00:00:00.000Z",
            "name": "TLP:" + level.value.upper(),
            "extensions": {
                TLP_EXTENSION_ID: {
                    "extension_type": "property-extension",
                    "tlp_2_0": level.value,
                }
            },
        }


def test_marking_definition_for_hands_out_copies() -> None:
    copy = marking_definition_for(Tlp.RED)
    copy["extensions"][TLP_EXTENSION_ID]["tlp_2_0"] = "clear"
    assert marking_definition_for(Tlp.RED)["extensions"][TLP_EXTENSION_ID]["tlp_2_0"] == "red"


def test_every_published_object_validates() -> None:
    for md in TLP_MARKING_DEFINITIONS:
        checked = validate(dict(md))
        assert checked.type == "marking-definition"
        assert checked.modified is None
    extension = validate(dict(TLP_EXTENSION_DEFINITION))
    assert extension.id == TLP_EXTENSION_ID
    assert extension.created_by_ref == "identity--b3bca3c2-1f3d-4b54-b44f-dac42c3a8f01"
