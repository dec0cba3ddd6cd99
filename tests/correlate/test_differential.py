"""Our pattern evaluator against the OASIS reference matcher (stix2-matcher), with
hypothesis generating patterns and observations (tests/correlate/strategies.py): the same
match results, temporal qualifiers and number_observed included."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from stix2matcher.matcher import match

from accord.correlate.compiler import compile_pattern
from accord.correlate.evaluate import matches, observations_from_stix
from tests.correlate.strategies import observation_bundle, pattern


@settings(
    max_examples=1500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(pattern(), observation_bundle())
def test_same_verdict_as_the_reference_matcher(text: str, bundle: dict[str, Any]) -> None:
    expected = bool(match(text, [bundle], stix_version="2.1"))
    ours = matches(compile_pattern(text), observations_from_stix(bundle["objects"]))
    assert ours == expected, text
