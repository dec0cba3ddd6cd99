"""The analyses that the API and the pages both run on what a caller sends: correlating
a log, and attributing evidence. One function each, so that a page and the API give the
same answer from the same code."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from accord.attribution.assess import Assessment
from accord.attribution.evidence import Evidence
from accord.attribution.navigator import navigator_layer
from accord.attribution.report import ASSESSMENT, assessment_objects
from accord.attribution.sources import cached_assessor
from accord.config import retention_window
from accord.correlate.inputs import observed_in, parse_mapping
from accord.correlate.logs import SkipReport
from accord.correlate.run import CorrelationReport, correlate
from accord.credentials import store_of
from accord.errors import InvalidParameter, PayloadTooLarge
from accord.store import import_objects
from accord.store.identity import Organisation


@dataclass
class Correlated:
    """A correlation run over a sent log: what it found, and which lines it left out."""

    report: CorrelationReport
    skipped: SkipReport

    def as_json(self) -> dict[str, Any]:
        return {**self.report.as_json(), "skipped": dict(self.skipped.counts)}


async def correlate_sent(
    request: Request,
    org: Organisation,
    chunks: AsyncIterator[bytes],
    log_format: str | None,
    mapping: Sequence[str],
    source: str,
) -> Correlated:
    """Spool the log in ``chunks`` to a temporary file (up to the node's size limit) and
    match it against ``org``'s indicators; sightings are stored."""
    try:
        fields = parse_mapping(list(mapping))
    except ValueError as exc:
        raise InvalidParameter("map", str(exc)) from None
    limit = request.app.state.settings.taxii_max_content_length
    with tempfile.TemporaryDirectory(prefix="accord-correlate-") as spool:
        log = Path(spool) / "sent.log"
        size = 0
        with log.open("wb") as stream:
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLarge(f"the log is over {limit} bytes; use `accord correlate`")
                stream.write(chunk)
        skipped = SkipReport()
        report = await run_in_threadpool(
            lambda: correlate(
                store_of(request),
                org,
                observed_in(log, log_format, fields, skipped),
                source,
                retention_window(request.app.state.settings),
            )
        )
    return Correlated(report, skipped)


@dataclass
class Attributed:
    """An assessment, with the Navigator layer when asked for and the stored report's id
    when saved."""

    assessment: Assessment
    layer: dict[str, Any] | None = None
    report: str | None = None

    def as_json(self) -> dict[str, Any]:
        answer = self.assessment.as_json()
        if self.layer is not None:
            answer["navigator_layer"] = self.layer
        if self.report is not None:
            answer["report"] = self.report
        return answer


def attribute_evidence(
    request: Request,
    org: Organisation,
    evidence: Evidence,
    top: int,
    save: bool,
    layer: bool,
    source: str,
) -> Attributed:
    """Rank the hypotheses for ``evidence`` with the app's cached assessor; with ``save``
    the assessment is stored as STIX for ``org`` alone (see ``report.ASSESSMENT``)."""
    store = store_of(request)
    assessor = cached_assessor(request.app.state, store, org)
    result = assessor.assess(evidence, top)
    done = Attributed(result)
    if save:
        objects = assessment_objects(result, org.id, evidence.incident)
        import_objects(store, objects, source, ASSESSMENT(org))
        done.report = next(o["id"] for o in objects if o["type"] == "report")
    if layer:
        done.layer = navigator_layer(result, assessor.knowledge)
    return done
