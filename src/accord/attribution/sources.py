"""Where an assessor's knowledge comes from: ATT&CK plus what the store lets one see.

The ATT&CK bundle (the packaged v15, or a file given by path) is read as it is; the
store adds what the acting organisation may see through the access gate (intrusion sets,
campaigns and incidents from peers, their relationships, indicators, identities and
locations). The calibration fitted for a body of knowledge is kept in the store's
settings under the knowledge's fingerprint, so that it is fitted once, not per call.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import func, select

from accord.attribution.assess import Assessor
from accord.attribution.attack import attack_bundle_path
from accord.attribution.calibration import learn, scored_cases
from accord.attribution.knowledge import Knowledge, build_knowledge
from accord.attribution.scoring import Params
from accord.store import ObjectQuery, Store, visible
from accord.store.identity import Organisation
from accord.store.schema import stix_object

KNOWLEDGE_TYPES = (
    "intrusion-set", "campaign", "incident", "attack-pattern", "malware", "tool",
    "relationship", "identity", "location", "indicator",
)  # fmt: skip
CALIBRATION_SETTING = "attribution_calibration"
#: fits kept, one per knowledge fingerprint: each organisation of a node sees its own
#: knowledge, and one shared slot made them refit each other's model in turn
KEPT_FITS = 8
#: changes when the model or its calibration changes, so that old fits are not reused
MODEL_VERSION = "7"


def load_knowledge(store: Store | None, org: Organisation | None, attack: Path | None) -> Knowledge:
    source = attack or attack_bundle_path()
    objects = list(orjson.loads(source.read_bytes()).get("objects", []))
    origin = f"ATT&CK from {source.name}"
    if store is not None and org is not None:
        found = visible(store, org.id, ObjectQuery(types=KNOWLEDGE_TYPES))
        objects.extend(version.body for version in found)
        origin += f" and the store as {org.name} sees it"
    return build_knowledge(objects, origin)


def fingerprint(knowledge: Knowledge) -> str:
    """A digest of the actor profiles (what calibration depends on)."""
    digest = hashlib.blake2b(MODEL_VERSION.encode(), digest_size=16)
    for key in sorted(knowledge.actors):
        actor = knowledge.actors[key]
        digest.update(f"{key}|{actor.origin}|{','.join(sorted(actor.uses))}\n".encode())
    return digest.hexdigest()


def assessor_for(
    store: Store | None,
    org: Organisation | None,
    attack: Path | None,
    on_fit: Callable[[], None] | None = None,
) -> Assessor:
    """An assessor over ATT&CK and the store, its calibration reused when still valid
    (``on_fit`` is told before a new one is fitted: it takes a while)."""
    knowledge = load_knowledge(store, org, attack)
    key = fingerprint(knowledge)
    base = Params()
    if store is not None:
        with store.read() as connection:
            kept = _calibrations(store.get_setting(connection, CALIBRATION_SETTING))
        held = next((c for c in kept if c.get("fingerprint") == key), None)
        if held is not None:
            params = replace(
                base,
                temperature=held["temperature"],
                unknown_bias=held["unknown_bias"],
                novelty_weight=held["novelty_weight"],
                weights=tuple(held["weights"]) if held.get("weights") else None,
            )
            return Assessor(knowledge, params)
    if on_fit is not None:
        on_fit()
    params = learn(scored_cases(knowledge, base, knowledge.cases(), novel=True), base)
    if store is not None:
        value = {
            "fingerprint": key,
            "temperature": params.temperature,
            "unknown_bias": params.unknown_bias,
            "novelty_weight": params.novelty_weight,
            "weights": params.weights,
        }
        with store.write() as connection:
            kept = _calibrations(store.get_setting(connection, CALIBRATION_SETTING))
            kept = [c for c in kept if c.get("fingerprint") != key][-(KEPT_FITS - 1) :]
            store.set_setting(
                connection, CALIBRATION_SETTING, orjson.dumps([*kept, value]).decode()
            )
    return Assessor(knowledge, params)


def _calibrations(text: str | None) -> list[dict[str, Any]]:
    """The fits kept: a list (newest last), or one fit as earlier versions kept it."""
    if not text:
        return []
    found = orjson.loads(text)
    return found if isinstance(found, list) else [found]


def cached_assessor(holder: Any, store: Store, org: Organisation) -> Assessor:
    """An assessor kept on ``holder`` (the web app's state) while nothing new is stored."""
    with store.read() as connection:
        stamp = connection.execute(select(func.max(stix_object.c.date_added))).scalar()
    cache: dict[str, tuple[Any, Assessor]] = holder.__dict__.setdefault("assessors", {})
    held = cache.get(org.id)
    if held is not None and held[0] == stamp:
        return held[1]
    assessor = assessor_for(store, org, None)
    cache[org.id] = (stamp, assessor)
    return assessor
