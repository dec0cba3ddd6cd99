"""Indicator patterns: the fast path must never disagree with stix2-patterns."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stix2patterns.validator import run_validator

from accord.stix.patterns import check_pattern, fast_accepts

SHA256 = "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f"
MD5 = "d41d8cd98f00b204e9800998ecf8427e"

TYPICAL = [
    f"[file:hashes.'SHA-256' = '{SHA256}']",
    f"[file:hashes.MD5 = '{MD5}']",
    f"[file:hashes.'MD5' = '{MD5}' OR file:hashes.'SHA-256' = '{SHA256}']",
    "[ipv4-addr:value = '198.51.100.1']",
    "[ipv6-addr:value = '2001:db8::1']",
    "[domain-name:value = 'evil.example']",
    "[url:value = 'http://evil.example/a?b=c']",
    "[email-addr:value = 'a@evil.example']",
    "[email-message:from_ref.value = 'a@evil.example' AND email-message:subject = 'Hi']",
    "[file:name = 'evil.exe' AND file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
    "[network-traffic:dst_ref.value = '203.0.113.5' AND network-traffic:dst_port != 'x']",
    "[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\Software\\\\x']",
    "[x-custom-thing:field.'a key with spaces'.sub = 'it\\'s']",
    "[ file:name = 'x' ]",
    "[file:name='x']",
    "[file:name = 'ünïcødé ☃']",
]


def _agrees(pattern: str) -> None:
    authority = run_validator(pattern, stix_version="2.1")
    ours = check_pattern(pattern)
    assert (ours is None) == (authority == []), (pattern, ours, authority)
    if fast_accepts(pattern):
        assert authority == [], (pattern, authority)


@pytest.mark.parametrize("pattern", TYPICAL)
def test_typical_feed_patterns_take_the_fast_path(pattern: str) -> None:
    assert fast_accepts(pattern)
    _agrees(pattern)


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        (f"[file:hashes.MD5 = '{MD5[:-1]}']", "not a valid MD5 hash"),
        (f"[file:hashes.'SHA-256' = '{SHA256}0']", "not a valid SHA-256 hash"),
        (f"[file:hashes.'SHA-1' = '{MD5}']", "not a valid SHA-1 hash"),
        ("[file:name = 'x'", "missing ']'"),
        ("[file:name = 'x' AND]", "mismatched input"),
        ("file:name = 'x'", "missing square brackets"),
        ("[file:name = x]", ""),
        ("[file:hashes.AND = 'x']", ""),
    ],
)
def test_invalid_patterns_get_stix2patterns_message(pattern: str, message: str) -> None:
    problem = check_pattern(pattern)
    assert problem is not None and message in problem
    assert not fast_accepts(pattern)


def test_constructs_outside_the_subset_still_validate() -> None:
    for pattern in [
        "[file:size > 100]",
        "[file:name LIKE 'evil%']",
        "([file:name = 'a'] AND [file:name = 'b']) WITHIN 10 SECONDS",
        "[file:name = 'a'] FOLLOWEDBY [file:name = 'b']",
        "[network-traffic:src_port IN (80, 443)]",
        "[file:name = 'x']  ",
    ]:
        assert not fast_accepts(pattern)
        assert check_pattern(pattern) is None, pattern


# --- the differential test ---------------------------------------------------------------

_types = st.one_of(
    st.sampled_from(["file", "ipv4-addr", "domain-name", "url", "x-custom-obj", "a1-b2"]),
    st.from_regex(r"[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4}){0,2}", fullmatch=True),
)
_near_types = st.sampled_from(
    [
        "File",
        "x--y",
        "1abc",
        "true",
        "false",
        "AND",
        "x-",
        "-x",
        "ab_c",
        "fïle",
        "",
        "x y",
        "file:",
        "true-x",
        "truex",
        "t",
        "b",
        "h",
    ]
)
_idents = st.one_of(
    st.sampled_from(["name", "value", "hashes", "dst_ref", "_x", "a1", "MD5", "SHA256", "e5"]),
    st.from_regex(r"[a-zA-Z_][a-zA-Z0-9_]{0,6}", fullmatch=True),
)
_near_idents = st.sampled_from(
    [
        "AND",
        "OR",
        "NOT",
        "IN",
        "LIKE",
        "true",
        "false",
        "TIMES",
        "START",
        "LAST",
        "EXISTS",
        "x-y",
        "1a",
        "ñame",
        "",
        " ",
        "*",
        "[0]",
        "[*]",
        "MATCHES",
        "ANDx",
        "trueish",
    ]
)
_string_chars = st.one_of(
    st.characters(codec="utf-8", exclude_characters="'\\"),
    st.sampled_from(["\\'", "\\\\", " ", ".", "\n", "%", "☃", "\x00", "\t"]),
)
_near_string_chars = st.sampled_from(["'", "\\", "\\n", "\\x", "\\\\\\", "\\'\\"])


@st.composite
def _strings(draw: st.DrawFn, near: bool) -> str:
    parts = draw(st.lists(_string_chars, max_size=8))
    if near and draw(st.booleans()):
        parts.insert(draw(st.integers(0, len(parts))), draw(_near_string_chars))
    return "'" + "".join(parts) + "'"


_hash_names = st.sampled_from(
    [
        "MD5",
        "'MD5'",
        "'SHA-256'",
        "SHA256",
        "'SHA-1'",
        "'sha-256'",
        "'SHA3-256'",
        "SSDEEP",
        "'SSDEEP'",
        "MD6",
        "'md6'",
        "'WHIRLPOOL'",
        "'RIPEMD-160'",
        "'SHA-512'",
        "'SHA\\'256'",
        "'TLSH'",
        "'ſha256'",
    ]
)
_hex = st.text(alphabet="0123456789abcdefABCDEF", min_size=0, max_size=140)


@st.composite
def _hash_values(draw: st.DrawFn) -> str:
    length = draw(st.sampled_from([32, 40, 56, 64, 96, 128, 31, 33, 63, 65, 0, 7, 129]))
    value = draw(st.text(alphabet="0123456789abcdef", min_size=length, max_size=length))
    tail = draw(st.sampled_from(["", "", "", "\n", "g", ":x", "\\'", "\n    " + "a" * 64]))
    return "'" + value + tail + "'"


@st.composite
def _comparison(draw: st.DrawFn, near: bool) -> str:
    if draw(st.integers(0, 3)) == 0:
        object_type = draw(st.sampled_from(["file", "artifact", "x-thing"]))
        path = "hashes." + draw(_hash_names)
        if draw(st.booleans()):
            path = draw(st.sampled_from(["extensions.x.", "name."])) + path
        value = draw(_hash_values()) if draw(st.integers(0, 4)) else draw(_strings(near))
    else:
        object_type = draw(_near_types if near and draw(st.integers(0, 5)) == 0 else _types)
        steps = [draw(st.from_regex(r"[a-z_][a-z0-9_]{0,5}", fullmatch=True))]
        for _ in range(draw(st.integers(0, 3))):
            if draw(st.booleans()):
                pool = _near_idents if near and draw(st.integers(0, 4)) == 0 else _idents
                steps.append(draw(pool))
            else:
                steps.append(draw(_strings(near)))
        if near and draw(st.integers(0, 8)) == 0:
            steps[0] = draw(_near_idents)
        path = ".".join(steps)
        value = draw(_strings(near))
        if near and draw(st.integers(0, 6)) == 0:
            value = draw(
                st.sampled_from(
                    [
                        "5",
                        "-1",
                        "1.5",
                        "true",
                        "h'00'",
                        "b'AA=='",
                        "t'2020-01-01T00:00:00Z'",
                        "''",
                        "'",
                        "x",
                    ]
                )
            )
    op = draw(st.sampled_from(["=", "!="]))
    if near and draw(st.integers(0, 6)) == 0:
        op = draw(st.sampled_from(["==", "<>", "<", ">=", "LIKE", "= =", "! =", "MATCHES", ""]))
    sp = draw(st.sampled_from([" ", "", "  "] if near else [" ", ""]))
    sp2 = draw(st.sampled_from([" ", "", "\t"] if near else [" ", ""]))
    return f"{object_type}:{path}{sp}{op}{sp2}{value}"


@st.composite
def _patterns(draw: st.DrawFn, near: bool) -> str:
    comparisons = [draw(_comparison(near)) for _ in range(draw(st.integers(1, 3)))]
    joins = [" AND ", " OR "]
    if near:
        joins += ["AND", " and ", " FOLLOWEDBY ", " NOT ", " AND NOT ", ",", "  OR  "]
    body = comparisons[0]
    for comparison in comparisons[1:]:
        body += draw(st.sampled_from(joins)) + comparison
    inner_left, inner_right = draw(st.sampled_from([("", ""), (" ", " "), (" ", ""), ("", " ")]))
    pattern = f"[{inner_left}{body}{inner_right}]"
    if near and draw(st.booleans()):
        # str.replace, not str.format: generated literals may themselves contain braces.
        pattern = draw(
            st.sampled_from(
                [
                    "@",
                    "[@",
                    "@]",
                    "[@]",
                    "(@)",
                    "NOT @",
                    "@ garbage",
                    "@ AND [file:x = 'y']",
                    "@\n",
                    " @",
                    "@/* c */",
                    "@ WITHIN 5 SECONDS",
                    "[@] REPEATS 2 TIMES",
                ]
            )
        ).replace("@", pattern, 1)
    if near and draw(st.integers(0, 3)) == 0:
        # A random single-character edit anywhere: the nearest of near misses.
        where = draw(st.integers(0, len(pattern)))
        edit = draw(st.sampled_from(["'", "\\", "]", "[", " ", "-", ".", ":", "A", "é", ""]))
        cut = draw(st.integers(0, 1))
        pattern = pattern[:where] + edit + pattern[where + cut :]
    return pattern


_settings = settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))


@_settings
@given(_patterns(near=False))
def test_fast_path_agrees_with_stix2patterns_on_the_subset(pattern: str) -> None:
    _agrees(pattern)


@_settings
@given(_patterns(near=True))
def test_fast_path_agrees_with_stix2patterns_on_near_misses(pattern: str) -> None:
    _agrees(pattern)


def test_the_subset_generator_mostly_hits_the_fast_path() -> None:
    """Guards the differential test against a fast path that accepts nothing."""
    hits = 0

    # Derandomized: a count must not depend on the run. Typical seeds give 160-185 of 300.
    @settings(
        max_examples=300,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    @given(_patterns(near=False))
    def count(pattern: str) -> None:
        nonlocal hits
        hits += fast_accepts(pattern)

    count()
    assert hits > 100
