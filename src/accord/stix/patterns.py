"""Checking STIX indicator patterns, fast for the patterns feeds actually send.

The authority is ``stix2patterns`` (the OASIS ANTLR grammar for STIX 2.1 patterning,
https://docs.oasis-open.org/cti/stix/v2.1/os/stix-v2.1-os.html#_e8slinrhxcc9), but it
checks only a few thousand patterns a second.  Most feed indicators are one observation
of ``=`` comparisons on string literals, e.g. ``[file:hashes.'SHA-256' = '…']``, so:

1. A hand scanner recognises exactly that conservative subset of the grammar.  When it
   recognises a pattern it can say "valid" on its own; the only semantic check
   ``stix2patterns`` makes inside the subset is its hash-value check, which the scanner
   reproduces.  The scanner never says "invalid": anything it does not recognise, and
   any hash value it would reject, goes to step 2 (so messages come from one place).
2. Everything else goes to ``stix2patterns``, through a bounded LRU cache.

A differential test (tests/stix/test_patterns.py) holds the two to the same verdicts.
"""

from __future__ import annotations

import re
from functools import lru_cache

from stix2patterns.validator import run_validator

__all__ = ["COMPARISON_PARTS", "PATH_STEP", "check_pattern", "fast_accepts"]

# Token shapes of the subset; they are deliberately narrower than the grammar's lexer.
# The lexer reads these words as keywords, never as identifiers (true/false are boolean
# literals), so no type name or path step may be one.
_KEYWORDS = (
    "AND|OR|NOT|FOLLOWEDBY|LIKE|MATCHES|ISSUPERSET|ISSUBSET|EXISTS|LAST|IN|START|STOP"
    "|SECONDS|WITHIN|REPEATS|TIMES|true|false"
)
_NOT_KEYWORD = rf"(?!(?:{_KEYWORDS})(?![a-zA-Z0-9_]))"
_OBJECT_TYPE = r"(?!(?:true|false):)[a-z][a-z0-9]*(?:-[a-z0-9]+)*"
_FIRST_STEP = rf"{_NOT_KEYWORD}[a-z_][a-z0-9_]*"
# Later steps may be upper case (hashes.MD5).
_IDENT = rf"{_NOT_KEYWORD}[a-zA-Z_][a-zA-Z0-9_]*"
# Only the two escapes the STIX lexer knows, \' and \\.
_STRING = r"'(?:[^'\\]|\\['\\])*'"
_PATH = rf"{_FIRST_STEP}(?:\.(?:{_IDENT}|{_STRING}))*"

# One comparison, then either a connective and another comparison, or the closing bracket
# and the end of the text.  AND/OR need a space either side: 'x'ANDfile lexes differently.
_COMPARISON = re.compile(rf"{_OBJECT_TYPE}:({_PATH}) ?!?= ?({_STRING})(?: (?:AND|OR) | ?(\])\Z)")
_PATH_STEP = re.compile(r"\.(?:([a-zA-Z_][a-zA-Z0-9_]*)|'((?:[^'\\]|\\['\\])*)')")
PATH_STEP = _PATH_STEP
#: The fast subset's comparison with its parts captured: type, path, operator, quoted
#: literal, then the connective (AND/OR) or the closing bracket.
COMPARISON_PARTS = re.compile(
    rf"({_OBJECT_TYPE}):({_PATH}) ?(!?=) ?({_STRING})(?: (AND|OR) | ?(\])\Z)"
)

# Hash names that stix2patterns checks (after upper-casing and dropping '-' and "'"), and
# what it accepts.  It tests each with re.match and a '$', so a single trailing newline is
# tolerated; these patterns accept the same strings.  For MD6 stix2patterns' expression is
# looser than it looks (any value starting with 32 hex digits passes); we accept only that
# case and leave the rest to stix2patterns itself.
_HASH_VALUE = {
    "MD5": re.compile(r"[a-fA-F0-9]{32}\n?\Z"),
    "MD6": re.compile(r"[a-fA-F0-9]{32}"),
    "RIPEMD160": re.compile(r"[a-fA-F0-9]{40}\n?\Z"),
    "SHA1": re.compile(r"[a-fA-F0-9]{40}\n?\Z"),
    "SHA224": re.compile(r"[a-fA-F0-9]{56}\n?\Z"),
    "SHA256": re.compile(r"[a-fA-F0-9]{64}\n?\Z"),
    "SHA384": re.compile(r"[a-fA-F0-9]{96}\n?\Z"),
    "SHA512": re.compile(r"[a-fA-F0-9]{128}\n?\Z"),
    "SHA3224": re.compile(r"[a-fA-F0-9]{56}\n?\Z"),
    "SHA3256": re.compile(r"[a-fA-F0-9]{64}\n?\Z"),
    "SHA3384": re.compile(r"[a-fA-F0-9]{96}\n?\Z"),
    "SHA3512": re.compile(r"[a-fA-F0-9]{128}\n?\Z"),
    "SSDEEP": re.compile(r"[a-zA-Z0-9/+:.]{1,128}\n?\Z"),
    "WHIRLPOOL": re.compile(r"[a-fA-F0-9]{128}\n?\Z"),
}

_CACHE_SIZE = 8192


def fast_accepts(pattern: str) -> bool:
    """True if ``pattern`` is in the fast subset and valid; False means "ask stix2patterns"."""
    if pattern[:1] != "[":
        return False
    pos = 2 if pattern[1:2] == " " else 1
    match_at = _COMPARISON.match
    while True:
        found = match_at(pattern, pos)
        if found is None:
            return False
        path, value, closing = found.groups()
        if "hashes" in path and not _hash_value_ok(path, value):
            return False
        if closing is not None:
            return True
        pos = found.end()


def _hash_value_ok(path: str, literal: str) -> bool:
    """stix2patterns' hash check, for a comparison the scanner recognised."""
    steps = [path.partition(".")[0]]
    for ident, quoted in _PATH_STEP.findall(path, len(steps[0])):
        # Unescape the way stix2patterns' inspector does, in the same order.
        steps.append(ident or quoted.replace("\\'", "'").replace("\\\\", "\\"))
    if "hashes" not in steps:
        return True
    rule = _HASH_VALUE.get(steps[-1].upper().replace("-", "").replace("'", ""))
    if rule is None:
        return True
    # stix2patterns compares the literal's text with every quote character removed.
    return rule.match(literal.replace("'", "")) is not None


@lru_cache(maxsize=_CACHE_SIZE)
def _check_with_stix2patterns(pattern: str) -> str | None:
    try:
        errors = run_validator(pattern, stix_version="2.1")
    except Exception as exc:  # the ANTLR runtime must not take the importer down
        return f"the pattern could not be parsed: {exc}"
    if not errors:
        return None
    return "; ".join(str(error) for error in errors)


def check_pattern(pattern: str) -> str | None:
    """None if ``pattern`` is a valid STIX 2.1 pattern, else the reason it is not."""
    if fast_accepts(pattern):
        return None
    return _check_with_stix2patterns(pattern)
