"""STIX identifiers: the type-name and RFC 4122 rules."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.errors import InvalidObject
from accord.stix.ids import check_identifier, is_identifier, is_type_name, object_type_of

GOOD_UUID = "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"


@pytest.mark.parametrize(
    "value",
    [
        f"indicator--{GOOD_UUID}",
        f"x-mitre-tactic--{GOOD_UUID}",
        f"indicator--{GOOD_UUID.upper()}",
        f"abc--{uuid.uuid5(uuid.NAMESPACE_URL, 'x')}",  # version 5, as SCO ids are
        f"a1-b2--{GOOD_UUID}",
    ],
)
def test_valid_identifiers(value: str) -> None:
    assert is_identifier(value)


@pytest.mark.parametrize(
    "value",
    [
        f"ab--{GOOD_UUID}",  # type shorter than 3
        f"Indicator--{GOOD_UUID}",  # upper case type
        f"1abc--{GOOD_UUID}",  # starts with a digit
        f"x--mitre--{GOOD_UUID}",  # '--' inside the type
        f"indicator-{GOOD_UUID}",  # single hyphen
        f"indicator--{GOOD_UUID}\n",  # trailing newline
        "indicator--8e2e2d2b-17d4-4cbf-738f-98ee46b3cd3f",  # NCS variant bits (7)
        "indicator--8e2e2d2b-17d4-4cbf-c38f-98ee46b3cd3f",  # Microsoft variant bits (c)
        "indicator--00000000-0000-0000-0000-000000000000",  # the nil UUID
        "indicator--8e2e2d2b17d44cbf938f98ee46b3cd3f",  # not 8-4-4-4-12
        "indicator--{8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f}",
        f"indicator--{GOOD_UUID[:-1]}g",
        f"{'a' * 251}--{GOOD_UUID}",  # type longer than 250
        "",
        None,
        42,
    ],
)
def test_invalid_identifiers(value: object) -> None:
    assert not is_identifier(value)


@given(st.uuids())
def test_any_rfc4122_uuid_is_accepted_and_others_are_not(value: uuid.UUID) -> None:
    identifier = f"indicator--{value}"
    assert is_identifier(identifier) == (value.variant == uuid.RFC_4122)


def test_type_names() -> None:
    assert is_type_name("x-mitre-data-component")
    assert is_type_name("a" * 250)
    assert not is_type_name("a" * 251)
    assert not is_type_name("ab")
    assert not is_type_name("x--y")
    assert not is_type_name("x_y")


def test_object_type_of() -> None:
    assert object_type_of(f"x-mitre-matrix--{GOOD_UUID}") == "x-mitre-matrix"
    with pytest.raises(ValueError, match="not a STIX type name"):
        object_type_of(f"X--{GOOD_UUID}")


def test_check_identifier_names_the_property_and_target() -> None:
    assert check_identifier("o", "p", f"identity--{GOOD_UUID}", {"identity"}) == "identity"
    with pytest.raises(InvalidObject) as caught:
        check_identifier("report--x", "object_refs[3]", f"indicator--{GOOD_UUID}", {"identity"})
    assert (caught.value.object_id, caught.value.prop) == ("report--x", "object_refs[3]")
    assert "must reference a identity" in caught.value.reason
    with pytest.raises(InvalidObject, match="RFC 4122 variant"):
        check_identifier(None, "id", "indicator--8e2e2d2b-17d4-4cbf-738f-98ee46b3cd3f")
