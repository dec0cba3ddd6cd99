"""Fixed text that a LIKE or MATCHES comparison requires at the start or end of a value.

``'%.evil.example'`` can only hold for values ending in ``.evil.example``, and
``'^cdn[0-9]+\\.evil\\.example$'`` for values starting with ``cdn`` and ending in
``.evil.example``. The index looks such affixes up in hash tables instead of testing
every value of the type. Reading is conservative: whatever is not plainly fixed text
(groups, alternation, flags, classes, quantified characters) yields no affix, and the
comparison then anchors on its object type as before. The evaluator still decides.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence

_LITERAL_ESCAPES = frozenset(string.punctuation + " ")


def like_affixes(regex: re.Pattern[str]) -> tuple[str, str]:
    """(prefix, suffix) of a LIKE compiled by ``compiler.like_regex``: ``^parts$``,
    where ``%`` became ``.*``, ``_`` became ``.`` and other characters are escaped."""
    source = regex.pattern[1:-1]
    fixed: list[str | None] = []  # a character, or None for a wildcard
    at = 0
    while at < len(source):
        char = source[at]
        if char == "\\":
            fixed.append(source[at + 1])
            at += 2
        elif char == ".":
            fixed.append(None)
            at += 2 if source[at + 1 : at + 2] == "*" else 1
        else:
            fixed.append(char)
            at += 1
    return _runs(fixed)


def regex_affixes(regex: re.Pattern[str]) -> tuple[str, str]:
    """(prefix, suffix) a MATCHES regular expression requires: the literal text right
    after a leading ``^``/``\\A`` and right before a trailing ``$``/``\\Z``."""
    if regex.flags & (re.IGNORECASE | re.MULTILINE | re.VERBOSE):
        return "", ""
    tokens = _tokens(regex.pattern)
    if tokens is None or not tokens:
        return "", ""
    prefix = suffix = ""
    if tokens[0] == _BEGIN:
        prefix = _runs(tokens[1:])[0]
    if tokens[-1] == _END:
        suffix = _runs(tokens[:-1])[1]
    return prefix, suffix


_BEGIN, _END = object(), object()
_Token = str | None | object  # a literal character, None for anything else, or an anchor


def _tokens(source: str) -> list[_Token] | None:
    """The expression as literal characters and opaque items; None if it has groups,
    alternation or anything else this reading does not follow."""
    tokens: list[_Token] = []
    at = 0
    while at < len(source):
        char = source[at]
        if char in "()|":
            return None
        if char == "\\":
            escaped = source[at + 1 : at + 2]
            if escaped in _LITERAL_ESCAPES:
                tokens.append(escaped)
            elif escaped == "A" and not tokens:
                tokens.append(_BEGIN)
            elif escaped == "Z" and at + 2 == len(source):
                tokens.append(_END)
            else:
                tokens.append(None)  # a class like \d, a back reference ...
            at += 2
        elif char == "[":
            end = _class_end(source, at)
            if end is None:
                return None
            tokens.append(None)
            at = end
        elif char in "*+?{":
            if not tokens or tokens[-1] in (_BEGIN, _END):
                return None
            tokens[-1] = None  # the quantified item is no fixed text any more
            at = _quantifier_end(source, at)
        elif char == "^":
            if tokens:
                return None
            tokens.append(_BEGIN)
            at += 1
        elif char == "$":
            if at + 1 != len(source):
                return None
            tokens.append(_END)
            at += 1
        elif char == ".":
            tokens.append(None)
            at += 1
        else:
            tokens.append(char)
            at += 1
    return tokens


def _class_end(source: str, at: int) -> int | None:
    """Index just past the ``]`` closing the class that opens at ``at``."""
    at += 1
    if source[at : at + 1] == "^":
        at += 1
    if source[at : at + 1] == "]":
        at += 1
    while at < len(source):
        if source[at] == "\\":
            at += 2
        elif source[at] == "]":
            return at + 1
        else:
            at += 1
    return None


def _quantifier_end(source: str, at: int) -> int:
    if source[at] == "{":
        close = source.find("}", at)
        at = close + 1 if close != -1 else at + 1
    else:
        at += 1
    while at < len(source) and source[at] in "?+":  # lazy or possessive
        at += 1
    return at


def _runs(tokens: Sequence[_Token]) -> tuple[str, str]:
    """The literal characters at the start and at the end of ``tokens``."""
    head = []
    for token in tokens:
        if not isinstance(token, str):
            break
        head.append(token)
    if len(head) == len(tokens):
        whole = "".join(head)
        return whole, whole
    tail = []
    for token in reversed(tokens):
        if not isinstance(token, str):
            break
        tail.append(token)
    return "".join(head), "".join(reversed(tail))
