"""Traffic Light Protocol: levels, and the STIX marking definitions that carry them.

Two generations of TLP marking-definition objects are in use:

* TLP 1.0 (WHITE, GREEN, AMBER, RED), fixed by STIX 2.1 section 7.2.1.4:
  https://docs.oasis-open.org/cti/stix/v2.1/os/stix-v2.1-os.html#_yd3ar14ekwrs
* TLP 2.0 (CLEAR, GREEN, AMBER, AMBER+STRICT, RED), published by the OASIS CTI TC as a
  STIX property extension in cti-stix-common-objects (see the URLs beside each object).

TLP 1.0 WHITE means what TLP 2.0 CLEAR means, so both map to ``Tlp.CLEAR``.
"""

from __future__ import annotations

import copy
import enum
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "TLP_BY_MARKING_ID",
    "TLP_EXTENSION_DEFINITION",
    "TLP_EXTENSION_ID",
    "TLP_MARKING_DEFINITIONS",
    "Tlp",
    "marking_definition_for",
    "tlp_of",
]


class Tlp(enum.Enum):
    """A TLP level; the value is the TLP 2.0 name in lower case."""

    CLEAR = "clear"
    GREEN = "green"
    AMBER = "amber"
    AMBER_STRICT = "amber+strict"
    RED = "red"

    @property
    def restriction(self) -> int:
        """Rank by how restricted sharing is: CLEAR 0 (least) … RED 4 (most)."""
        return _RESTRICTION[self]

    @property
    def label(self) -> str:
        """The TLP 2.0 label as written on documents, e.g. ``TLP:AMBER+STRICT``."""
        return "TLP:" + self.value.upper()

    @classmethod
    def parse(cls, text: str) -> Tlp:
        """Read a TLP level as people write it.

        Accepts ``clear``, ``TLP:CLEAR``, ``amber+strict``, ``AMBER_STRICT``,
        ``TLP:AMBER+STRICT`` and the TLP 1.0 name ``white`` (= CLEAR), in any case.
        """
        key = text.strip().lower() if isinstance(text, str) else ""
        key = key.removeprefix("tlp:").strip().replace("_", "+").replace(" ", "+")
        found = _ALIASES.get(key)
        if found is None:
            allowed = ", ".join(t.value for t in cls)
            raise ValueError(
                f"unknown TLP level {text!r}; use one of {allowed} "
                "(optionally prefixed 'TLP:'; 'white' means clear)"
            )
        return found


_RESTRICTION: dict[Tlp, int] = {
    Tlp.CLEAR: 0,
    Tlp.GREEN: 1,
    Tlp.AMBER: 2,
    Tlp.AMBER_STRICT: 3,
    Tlp.RED: 4,
}
_ALIASES: dict[str, Tlp] = {t.value: t for t in Tlp} | {"white": Tlp.CLEAR}

TLP_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

# TLP 1.0, as given in STIX 2.1 section 7.2.1.4 "TLP Marking Object Representations".

_TLP1_WHITE: dict[str, Any] = {
    "type": "marking-definition",
    "spec_version": "2.1",
    "id": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
    "created": "2017-01-20T00:00:00.000Z",
    "definition_type": "tlp",
    "name": "TLP:WHITE",
    "definition": {"tlp": "white"},
}

_TLP1_GREEN: dict[str, Any] = {
    "type": "marking-definition",
    "spec_version": "2.1",
    "id": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
    "created": "2017-01-20T00:00:00.000Z",
    "definition_type": "tlp",
    "name": "TLP:GREEN",
    "definition": {"tlp": "green"},
}

_TLP1_AMBER: dict[str, Any] = {
    "type": "marking-definition",
    "spec_version": "2.1",
    "id": "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
    "created": "2017-01-20T00:00:00.000Z",
    "definition_type": "tlp",
    "name": "TLP:AMBER",
    "definition": {"tlp": "amber"},
}

_TLP1_RED: dict[str, Any] = {
    "type": "marking-definition",
    "spec_version": "2.1",
    "id": "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
    "created": "2017-01-20T00:00:00.000Z",
    "definition_type": "tlp",
    "name": "TLP:RED",
    "definition": {"tlp": "red"},
}


# TLP 2.0, as published by the OASIS CTI TC, each wrapped in a bundle.  CLEAR and AMBER are
# published only in the extension's examples folder; the others also under objects/.

# Source: https://github.com/oasis-open/cti-stix-common-objects/blob/main/extension-definition-specifications/tlp-2.0/examples/tlp-clear.json
_TLP2_CLEAR: dict[str, Any] = {
    "type": "marking-definition",
    "spec_version": "2.1",
    "id": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "created": "2022-10-01T00:00:00.000Z",
    "name": "TLP:CLEAR",
    "extensions": {
        TLP_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": "clear"},
    },
}

# Source: https://github.com/oasis-open/cti-stix-common-objects/blob/main/objects/marking-definition/marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb.json
_TLP2_GREEN: dict[str, Any] = {
    "type": "marking-definition",
    "spec_version": "2.1",
    "id": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "created": "2022-10-01T00:00:00.000Z",
    "name": "TLP:GREEN",
    "extensions": {
        TLP_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": "green"},
    },
}

# Source: https://github.com/oasis-open/cti-stix-common-objects/blob/main/extension-definition-specifications/tlp-2.0/examples/tlp-amber.json
_TLP2_AMBER: dict[str, Any] = {
    "type": "marking-definition",
    "spec_version": "2.1",
    "id": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "created": "2022-10-01T00:00:00.000Z",
    "name": "TLP:AMBER",
    "extensions": {
        TLP_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": "amber"},
    },
}

# Source: https://github.com/oasis-open/cti-stix-common-objects/blob/main/objects/marking-definition/marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003.json
_TLP2_AMBER_STRICT: dict[str, Any] = {
    "type": "marking-definition",
    "spec_version": "2.1",
    "id": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "created": "2022-10-01T00:00:00.000Z",
    "name": "TLP:AMBER+STRICT",
    "extensions": {
        TLP_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": "amber+strict"},
    },
}

# Source: https://github.com/oasis-open/cti-stix-common-objects/blob/main/objects/marking-definition/marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1.json
_TLP2_RED: dict[str, Any] = {
    "type": "marking-definition",
    "spec_version": "2.1",
    "id": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
    "created": "2022-10-01T00:00:00.000Z",
    "name": "TLP:RED",
    "extensions": {
        TLP_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": "red"},
    },
}

# Source: https://github.com/oasis-open/cti-stix-common-objects/blob/main/objects/extension-definition/extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d.json
# (Published wrapped in a bundle, like the marking definitions; the object is reproduced
# field for field, including the "tree/master" in its schema URL.)
_TLP_EXTENSION_DEFINITION: dict[str, Any] = {
    "id": TLP_EXTENSION_ID,
    "type": "extension-definition",
    "spec_version": "2.1",
    "name": "TLP 2.0",
    "description": "This defines TLP 2.0 as a STIX extension",
    "created": "2022-10-01T00:00:00.000Z",
    "modified": "2022-10-01T00:00:00.000Z",
    "created_by_ref": "identity--b3bca3c2-1f3d-4b54-b44f-dac42c3a8f01",
    "schema": (
        "https://github.com/oasis-open/cti-stix-common-objects/tree/master/"
        "extension-definition-specifications/tlp-2.0"
    ),
    "version": "1.0.0",
    "extension_types": ["property-extension"],
}

_TLP2_BY_LEVEL: dict[Tlp, dict[str, Any]] = {
    Tlp.CLEAR: _TLP2_CLEAR,
    Tlp.GREEN: _TLP2_GREEN,
    Tlp.AMBER: _TLP2_AMBER,
    Tlp.AMBER_STRICT: _TLP2_AMBER_STRICT,
    Tlp.RED: _TLP2_RED,
}

#: Every published TLP marking definition, TLP 2.0 first, then TLP 1.0.
#: Shared data: read it, do not change it; ``marking_definition_for`` hands out copies.
TLP_MARKING_DEFINITIONS: tuple[Mapping[str, Any], ...] = (
    _TLP2_CLEAR,
    _TLP2_GREEN,
    _TLP2_AMBER,
    _TLP2_AMBER_STRICT,
    _TLP2_RED,
    _TLP1_WHITE,
    _TLP1_GREEN,
    _TLP1_AMBER,
    _TLP1_RED,
)

#: The TLP 2.0 extension-definition object that the TLP 2.0 markings reference.
TLP_EXTENSION_DEFINITION: Mapping[str, Any] = _TLP_EXTENSION_DEFINITION

#: marking-definition id → TLP level, for both TLP generations.
TLP_BY_MARKING_ID: Mapping[str, Tlp] = {
    _TLP2_CLEAR["id"]: Tlp.CLEAR,
    _TLP2_GREEN["id"]: Tlp.GREEN,
    _TLP2_AMBER["id"]: Tlp.AMBER,
    _TLP2_AMBER_STRICT["id"]: Tlp.AMBER_STRICT,
    _TLP2_RED["id"]: Tlp.RED,
    _TLP1_WHITE["id"]: Tlp.CLEAR,
    _TLP1_GREEN["id"]: Tlp.GREEN,
    _TLP1_AMBER["id"]: Tlp.AMBER,
    _TLP1_RED["id"]: Tlp.RED,
}


def tlp_of(marking_refs: Iterable[str]) -> Tlp | None:
    """The most restrictive TLP level among ``marking_refs``; None if none is TLP."""
    found: Tlp | None = None
    for ref in marking_refs:
        level = TLP_BY_MARKING_ID.get(ref)
        if level is not None and (found is None or _RESTRICTION[level] > _RESTRICTION[found]):
            found = level
    return found


def marking_id(tlp: Tlp) -> str:
    """The id of the TLP 2.0 marking-definition for ``tlp`` (for object_marking_refs)."""
    return str(_TLP2_BY_LEVEL[tlp]["id"])


def marking_definition_for(tlp: Tlp) -> dict[str, Any]:
    """A fresh copy of the TLP 2.0 marking-definition object for ``tlp``."""
    return copy.deepcopy(_TLP2_BY_LEVEL[tlp])
