"""The index and the streaming correlator lose no match and invent none."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from accord.correlate.affixes import regex_affixes
from accord.correlate.compiler import _fast_compile, compile_pattern, parse_pattern
from accord.correlate.engine import Correlator
from accord.correlate.evaluate import matches, observation_fields, observations_from_stix
from accord.correlate.index import (
    AffixAnchor,
    PatternIndex,
    TypeAnchor,
    ValueAnchor,
    anchors,
)
from tests.correlate.strategies import observation_bundle, pattern


@settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(pattern(), observation_bundle())
def test_streaming_through_the_index_agrees_with_the_evaluator(
    text: str, bundle: dict[str, Any]
) -> None:
    compiled = compile_pattern(text)
    observations = observations_from_stix(bundle["objects"])
    observations.sort(key=lambda o: o.first)
    expected = matches(compiled, observations)
    index = PatternIndex()
    index.add("indicator--x", compiled)
    correlator = Correlator(index, retention=timedelta(days=365))
    found = []
    for observation in observations:
        found += correlator.feed(observation_fields(observation), lambda o=observation: o)
    assert bool(found) == expected, text
    for match in found:  # each report is a real match over what it names
        assert matches(compiled, list(match.observations))


def test_anchors_pick_lookups_over_scans() -> None:
    both = compile_pattern("[file:name LIKE '%.exe' AND file:hashes.'SHA-256' = 'ab']")
    assert anchors(both) == {ValueAnchor("file:hashes.'SHA-256'", "ab")}
    either = compile_pattern("[domain-name:value IN ('a.example', 'b.example')]")
    assert anchors(either) == {
        ValueAnchor("domain-name:value", "a.example"),
        ValueAnchor("domain-name:value", "b.example"),
    }
    like_only = compile_pattern("[url:value LIKE 'http://%/wp-admin%']")
    assert anchors(like_only) == {AffixAnchor("url:value", "http://", at_end=False)}
    no_fixed_end = compile_pattern("[url:value LIKE '%/wp-admin/%']")
    assert anchors(no_fixed_end) == {TypeAnchor("url")}
    decoded = compile_pattern("[artifact:payload_bin = 'AQID']")  # bytes: not in the fields
    assert anchors(decoded) == {TypeAnchor("artifact")}
    sequence = compile_pattern("[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [domain-name:value = 'x']")
    assert len(anchors(sequence)) == 2  # every part must be seen


def test_network_lookups_find_addresses_inside() -> None:
    index = PatternIndex()
    index.add("v4", compile_pattern("[ipv4-addr:value ISSUBSET '10.1.0.0/16']"))
    index.add("v6", compile_pattern("[ipv6-addr:value ISSUBSET '2001:db8::/32']"))
    assert index.candidates([("ipv4-addr:value", "10.1.200.3")]) == {0}
    assert index.candidates([("ipv4-addr:value", "10.2.0.1")]) == set()
    assert index.candidates([("ipv6-addr:value", "2001:db8:1::5")]) == {1}
    assert index.candidates([("ipv4-addr:value", "not an address")]) == set()


@pytest.mark.parametrize(
    ("regex", "prefix", "suffix"),
    [
        (r"^cdn[0-9]+\.evil\.example$", "cdn", ".evil.example"),
        (r"\Aadmin\-", "admin-", ""),
        (r"evil\.example\Z", "", "evil.example"),
        (r"^abc$", "abc", "abc"),
        (r"^ab?c", "a", ""),  # b is optional: only a is fixed
        (r"^a{2}b$", "", "b"),
        (r"^[]x]y$", "", "y"),
        (r"^(www\.)?evil$", "", ""),  # groups are not followed
        (r"^evil|good$", "", ""),  # nor alternation
        (r"(?i)^evil", "", ""),  # nor flags
        (r"^\d+\.example$", "", ".example"),
        (r"evil", "", ""),  # found anywhere: no fixed end
    ],
)
def test_regular_expressions_give_their_fixed_ends(regex: str, prefix: str, suffix: str) -> None:
    assert regex_affixes(re.compile(regex)) == (prefix, suffix)


def test_affix_lookups_read_values_as_like_and_matches_do() -> None:
    index = PatternIndex()
    index.add("suffix", compile_pattern("[domain-name:value LIKE '%.evil.example']"))
    index.add("prefix", compile_pattern("[url:value MATCHES '^https://evil\\\\.example/']"))
    index.add("nfc", compile_pattern("[domain-name:value LIKE '\u00e9vil%']"))
    assert index.candidates([("domain-name:value", "www.evil.example")]) == {0}
    assert index.candidates([("domain-name:value", "www.evil.example\n")]) == {0}  # $
    assert index.candidates([("domain-name:value", "evil.example")]) == set()
    assert index.candidates([("url:value", "https://evil.example/x")]) == {1}
    assert index.candidates([("url:value", "http://evil.example/x")]) == set()
    assert index.candidates([("domain-name:value", "e\u0301vil.example")]) == {2}


def test_the_fast_compiler_builds_what_the_grammar_builds() -> None:
    samples = [
        "[ipv4-addr:value = '198.51.100.7']",
        "[file:hashes.'SHA-256' = '" + "ab" * 32 + "']",
        "[ file:hashes.MD5 = '" + "0" * 32 + "' OR file:name = 'a\\'b.exe' ]",
        "[domain-name:value = 'a.example' AND domain-name:value != 'b.example' OR url:value"
        " = 'http://x/\\\\y']",
        "[x-custom:extensions.'x-ext'.field = 'v']",
    ]
    for text in samples:
        fast = _fast_compile(text)
        assert fast is not None and fast == parse_pattern(text), text
