"""An assessment as STIX 2.1: a report, ``attributed-to`` relationships, a note.

The assessed activity is the evidence's incident when it names one (``"incident":
"incident--…"``), else a campaign made for it. Each shown hypothesis becomes an
``attributed-to`` relationship from the activity to the actor, its ``confidence`` the
probability in percent; the report lists them with its judgement in words, and a note
on the report keeps the whole assessment as JSON.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import orjson

from accord.attribution.assess import Assessment
from accord.attribution.knowledge import HYPOTHESIS
from accord.stix.timestamps import format_timestamp
from accord.stix.tlp import Tlp
from accord.store import ImportOptions, ObjectQuery, Store, visible
from accord.store.identity import Organisation

NAMESPACE = uuid.UUID("0b8a6f2e-5c1d-5e4f-8a9b-7c6d5e4f3a2b")
#: marks the relationships an assessment proposes, so that knowledge never takes a
#: hypothesis for a fact
HYPOTHESIS_LABEL = HYPOTHESIS
ASSESSMENT_ABSTRACT = "Attribution assessment (JSON)"
ASSESSMENT_NAME = "Attribution assessment"


def ASSESSMENT(org: Organisation) -> ImportOptions:  # noqa: N802 - reads as a constant
    """How an assessment is stored: for the organisation alone (TLP:AMBER+STRICT, no
    community), since the knowledge behind it may hold anything the organisation sees,
    TLP:RED included."""
    return ImportOptions(org=org, communities=frozenset(), unmarked_tlp=Tlp.AMBER_STRICT)


def assessment_objects(
    assessment: Assessment, author: str, incident: str | None = None, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The STIX objects that record ``assessment``, created by identity ``author``."""
    stamp = format_timestamp(now or datetime.now(UTC))
    digest = orjson.dumps(assessment.as_json(), option=orjson.OPT_SORT_KEYS).decode()

    def new_id(kind: str, *parts: str) -> str:  # a save is a new product, never a version
        return f"{kind}--{uuid.uuid5(NAMESPACE, '|'.join((author, digest, stamp, *parts)))}"

    common = {"spec_version": "2.1", "created": stamp, "modified": stamp, "created_by_ref": author}
    objects: list[dict[str, Any]] = []
    subject = incident
    if subject is None:
        subject = new_id("campaign")
        objects.append(
            {
                "type": "campaign",
                "id": subject,
                **common,
                "name": f"Assessed activity {assessment.id or subject[10:18]}",
                "description": "Activity described by the evidence of an attribution assessment.",
            }
        )
    relationships = []
    for hypothesis in assessment.hypotheses:
        relationships.append(
            {
                "type": "relationship",
                "id": new_id("relationship", hypothesis.actor.stix_id),
                **common,
                "relationship_type": "attributed-to",
                "labels": [HYPOTHESIS_LABEL],
                "source_ref": subject,
                "target_ref": hypothesis.actor.stix_id,
                "confidence": max(0, min(100, round(hypothesis.probability * 100))),
                "description": f"{hypothesis.term} ({hypothesis.probability:.0%})",
            }
        )
    objects += relationships
    lead = assessment.hypotheses[0] if assessment.hypotheses else None
    summary = (
        f"It is {lead.term} ({lead.probability:.0%}) that {lead.actor.name} is responsible"
        if lead
        else "No actor could be assessed"
    )
    report_id = new_id("report")
    objects.append(
        {
            "type": "report",
            "id": report_id,
            **common,
            "name": f"{ASSESSMENT_NAME} {assessment.id or ''}".strip(),
            "description": f"{summary}; an unknown actor: "
            f"{assessment.unknown_probability:.0%}. Confidence: {assessment.confidence.value}.",
            "report_types": ["threat-actor"],
            "published": stamp,
            "object_refs": [subject, *(r["id"] for r in relationships)],
        }
    )
    objects.append(
        {
            "type": "note",
            "id": new_id("note"),
            **common,
            "abstract": ASSESSMENT_ABSTRACT,
            "content": orjson.dumps(assessment.as_json()).decode(),
            "object_refs": [report_id],
        }
    )
    return objects


def own_assessments(store: Store, org: Organisation) -> list[dict[str, Any]]:
    """The assessment reports ``org`` itself stored (a partner's must not pass for its
    own), newest first."""
    reports = [
        v.body
        for v in visible(store, org.id, ObjectQuery(types=["report"]))
        if v.body.get("created_by_ref") == org.id
        and str(v.body.get("name", "")).startswith(ASSESSMENT_NAME)
    ]
    return sorted(reports, key=lambda r: r["created"], reverse=True)
