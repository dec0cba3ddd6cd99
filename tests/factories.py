"""Builders of valid STIX 2.1 objects for tests: each call makes a new, distinct object."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

from accord.stix.tlp import Tlp, marking_definition_for

_counter = itertools.count(1)
CREATED = "2024-03-01T10:00:00.000Z"


def tlp_ref(level: Tlp) -> str:
    return str(marking_definition_for(level)["id"])


def indicator(
    *,
    tlp: Tlp | None = None,
    created_by: str | None = None,
    name: str | None = None,
    modified: str = CREATED,
    object_id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    n = next(_counter)
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": object_id or f"indicator--{uuid.uuid4()}",
        "created": CREATED,
        "modified": modified,
        "name": name or f"Indicator {n}",
        "description": f"C2 address number {n} seen in phishing follow-up",
        "indicator_types": ["malicious-activity"],
        "pattern": f"[ipv4-addr:value = '198.51.100.{n % 250}']",
        "pattern_type": "stix",
        "valid_from": CREATED,
    }
    if tlp is not None:
        obj["object_marking_refs"] = [tlp_ref(tlp)]
    if created_by is not None:
        obj["created_by_ref"] = created_by
    obj.update(extra)
    return obj


def bundle(*objects: dict[str, Any]) -> dict[str, Any]:
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": list(objects)}
