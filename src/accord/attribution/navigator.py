"""An ATT&CK Navigator layer (format 4.5) of the evidence against the leading actor.

Each technique gets a score: 3 seen in the evidence and known for the actor, 2 seen
only in the evidence, 1 known for the actor only; colours from a three-step gradient, and
a comment saying which. Layer format: https://github.com/mitre-attack/attack-navigator
(layers/LAYERFORMATv4_5.md).
"""

from __future__ import annotations

from typing import Any

from accord.attribution.assess import Assessment
from accord.attribution.knowledge import Knowledge

BOTH, EVIDENCE_ONLY, ACTOR_ONLY = 3, 2, 1


def navigator_layer(assessment: Assessment, knowledge: Knowledge) -> dict[str, Any]:
    seen = {item.value for item in assessment.evidence.of_kind("technique")}
    lead = assessment.hypotheses[0].actor if assessment.hypotheses else None
    known = {f for f in (lead.uses if lead else {}) if f.startswith("T")}
    techniques = []
    for technique in sorted(seen | known):
        if technique in seen and technique in known:
            value, comment = BOTH, "in the evidence and known for the actor"
        elif technique in seen:
            value, comment = EVIDENCE_ONLY, "in the evidence only"
        else:
            value, comment = ACTOR_ONLY, "known for the actor, not in the evidence"
        techniques.append(
            {"techniqueID": technique, "score": value, "comment": comment, "enabled": True}
        )
    name = lead.name if lead else "no actor"
    return {
        "name": f"Evidence vs {name}",
        "versions": {"attack": "15", "navigator": "4.9.1", "layer": "4.5"},
        "domain": "enterprise-attack",
        "description": f"Accord attribution {assessment.id or ''}: evidence against {name} "
        f"({assessment.hypotheses[0].term if lead else 'n/a'})".strip(),
        "techniques": techniques,
        "gradient": {
            "colors": ["#66b1ff", "#ffe766", "#ff6666"],
            "minValue": ACTOR_ONLY,
            "maxValue": BOTH,
        },
        "legendItems": [
            {"label": "evidence and actor", "color": "#ff6666"},
            {"label": "evidence only", "color": "#ffe766"},
            {"label": "actor only", "color": "#66b1ff"},
        ],
        "showTacticRowBackground": False,
        "selectSubtechniquesWithParent": False,
        "hideDisabled": False,
        "sorting": 3,
        "layout": {"layout": "side", "showName": True, "showID": True},
        "metadata": [{"name": "knowledge", "value": knowledge.origin or "ATT&CK"}],
    }
