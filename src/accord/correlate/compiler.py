"""Compiling STIX 2.1 patterns (OASIS grammar, via ``stix2patterns``) into ``model`` data.

Literals become Python values once, here: timestamps, bytes, sets, CIDRs and the
regular expressions of LIKE and MATCHES, so that matching never re-reads pattern text.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from stix2patterns.exceptions import ParseException
from stix2patterns.v21.grammars.STIXPatternParser import STIXPatternParser as P
from stix2patterns.v21.pattern import Pattern

from accord.correlate.model import (
    STAR,
    AllOf,
    AnyOf,
    Both,
    Cidr,
    Comparison,
    CompiledPattern,
    Either,
    Expression,
    FollowedBy,
    ObjectPath,
    Observe,
    Op,
    Repeats,
    StartStop,
    Test,
    Within,
)
from accord.stix.patterns import COMPARISON_PARTS, PATH_STEP, fast_accepts


class PatternError(ValueError):
    """A pattern that cannot be matched, and why."""


@lru_cache(maxsize=65536)
def compile_pattern(text: str) -> CompiledPattern:
    """Compile ``text``; raises PatternError for syntax errors and unusable literals.

    Most feed indicators are one ``[...]`` of ``=`` comparisons on strings; those are
    read by a scanner (tens of times faster than the ANTLR parser), the rest parsed.
    """
    fast = _fast_compile(text)
    if fast is not None:
        return fast
    return parse_pattern(text)


def parse_pattern(text: str) -> CompiledPattern:
    """Compile ``text`` through the OASIS grammar (no shortcut)."""
    try:
        tree = Pattern(text)._Pattern__parse_tree  # the parse tree has no public accessor
    except ParseException as exc:
        raise PatternError(str(exc)) from None
    return CompiledPattern(text, _expressions(tree.observationExpressions()))


def parse_timestamp(text: str) -> datetime:
    """An RFC 3339 UTC timestamp as the reference matcher reads one (micro-seconds)."""
    if any(c.islower() for c in text):
        raise ValueError(f"{text!r} is not a timestamp (lower-case letters)")
    if "." in text:
        head, _, fraction = text.partition(".")
        text = f"{head}.{fraction[:-1][:6]}Z" if fraction.endswith("Z") else text
        moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    else:
        moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
    return moment.replace(tzinfo=UTC)


def like_regex(like: str) -> re.Pattern[str]:
    """LIKE as the reference reads it: % any run, _ one character, no escape character."""
    parts = []
    for char in unicodedata.normalize("NFC", like):
        if char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        elif char.isalnum():
            parts.append(char)
        else:
            parts.append("\\" + char)
    return re.compile("^" + "".join(parts) + "$")


def parse_cidr(text: str) -> Cidr | None:
    """``a.b.c.d/n`` or an IPv6 network; a bare address is a /32 (/128). None if invalid."""
    try:
        if "/" in text:
            network = ipaddress.ip_network(text, strict=False)
            if network.prefixlen == 0:
                return None
            address = int(ipaddress.ip_address(text.split("/", 1)[0]))
            return Cidr(address, network.prefixlen, network.max_prefixlen)
        parsed = ipaddress.ip_address(text)
    except ValueError:
        return None
    return Cidr(int(parsed), parsed.max_prefixlen, parsed.max_prefixlen)


def _fast_compile(text: str) -> CompiledPattern | None:
    """The fast subset (see accord.stix.patterns): None when ``text`` is outside it."""
    if not fast_accepts(text):
        return None
    pos = 2 if text[1:2] == " " else 1
    groups: list[list[Test]] = [[]]
    while True:
        found = COMPARISON_PARTS.match(text, pos)
        assert found is not None  # fast_accepts scanned the same way
        object_type, path, operator, literal, connective, closing = found.groups()
        first = path.partition(".")[0]
        steps: list[str | int] = [first]
        for ident, quoted in PATH_STEP.findall(path, len(first)):
            steps.append(ident or _unescape(quoted))
        comparison = Comparison(
            ObjectPath(object_type, tuple(steps), (False,) * len(steps)),
            Op.NEQ if operator == "!=" else Op.EQ,
            False,
            _unescape(literal[1:-1]),
        )
        groups[-1].append(comparison)
        if closing is not None:
            break
        if connective == "OR":
            groups.append([])
        pos = found.end()
    ands: list[Test] = [g[0] if len(g) == 1 else AllOf(tuple(g)) for g in groups]
    return CompiledPattern(text, Observe(ands[0] if len(ands) == 1 else AnyOf(tuple(ands))))


def _unescape(quoted: str) -> str:
    return quoted.replace("\\'", "'").replace("\\\\", "\\")


# -- observation expressions ---------------------------------------------------------


def _expressions(ctx: Any) -> Expression:
    parts = ctx.observationExpressions()
    if parts:  # left FOLLOWEDBY right (left-associative in the grammar)
        return FollowedBy(_expressions(parts[0]), _expressions(parts[1]))
    return _or(ctx.observationExpressionOr())


def _or(ctx: Any) -> Expression:
    parts = ctx.observationExpressionOr()
    if parts:
        return Either(_or(parts[0]), _or(parts[1]))
    return _and(ctx.observationExpressionAnd())


def _and(ctx: Any) -> Expression:
    parts = ctx.observationExpressionAnd()
    if parts:
        return Both(_and(parts[0]), _and(parts[1]))
    return _observation(ctx.observationExpression())


def _observation(ctx: Any) -> Expression:
    if isinstance(ctx, P.ObservationExpressionSimpleContext):
        return Observe(_test(ctx.comparisonExpression()))
    if isinstance(ctx, P.ObservationExpressionCompoundContext):
        return _expressions(ctx.observationExpressions())
    inner = _observation(ctx.observationExpression())
    if isinstance(ctx, P.ObservationExpressionRepeatedContext):
        times = int(ctx.repeatedQualifier().IntPosLiteral().getText())
        if times < 1:
            raise PatternError("REPEATS needs a positive count")
        return Repeats(inner, times)
    if isinstance(ctx, P.ObservationExpressionWithinContext):
        qualifier = ctx.withinQualifier()
        number = qualifier.IntPosLiteral() or qualifier.FloatPosLiteral()
        seconds = float(number.getText())
        if seconds <= 0:
            raise PatternError("WITHIN needs a positive number of seconds")
        return Within(inner, timedelta(seconds=seconds))
    if isinstance(ctx, P.ObservationExpressionStartStopContext):
        start, stop = ctx.startStopQualifier().TimestampLiteral()
        return StartStop(inner, _timestamp(start.getText()), _timestamp(stop.getText()))
    raise PatternError(f"unsupported observation expression {ctx.getText()!r}")


# -- comparison expressions ----------------------------------------------------------


def _test(ctx: Any) -> Test:
    parts = ctx.comparisonExpression()
    if parts:
        return _flat(AnyOf, [_test(p) for p in parts])
    return _test_and(ctx.comparisonExpressionAnd())


def _test_and(ctx: Any) -> Test:
    parts = ctx.comparisonExpressionAnd()
    if parts:
        return _flat(AllOf, [_test_and(p) for p in parts])
    return _prop_test(ctx.propTest())


def _flat(kind: type[AllOf] | type[AnyOf], parts: list[Test]) -> Test:
    flat: list[Test] = []
    for part in parts:
        flat.extend(part.parts if isinstance(part, kind) else [part])
    return kind(tuple(flat))


def _prop_test(ctx: Any) -> Test:
    if isinstance(ctx, P.PropTestParenContext):
        return _test(ctx.comparisonExpression())
    negated = ctx.NOT() is not None
    path = _path(ctx.objectPath())
    if isinstance(ctx, P.PropTestEqualContext):
        op = Op.NEQ if ctx.NEQ() is not None else Op.EQ
        return Comparison(path, op, negated, _primitive(ctx.primitiveLiteral()))
    if isinstance(ctx, P.PropTestOrderContext):
        op = Op.GT if ctx.GT() else Op.LT if ctx.LT() else Op.GE if ctx.GE() else Op.LE
        return Comparison(path, op, negated, _orderable(ctx.orderableLiteral()))
    if isinstance(ctx, P.PropTestSetContext):
        values = frozenset(_primitive(p) for p in ctx.setLiteral().primitiveLiteral())
        return Comparison(path, Op.IN, negated, values)
    if isinstance(ctx, P.PropTestLikeContext):
        return Comparison(path, Op.LIKE, negated, like_regex(_string(ctx.StringLiteral())))
    if isinstance(ctx, P.PropTestRegexContext):
        return _matches(path, negated, _string(ctx.StringLiteral()))
    if isinstance(ctx, P.PropTestIsSubsetContext):
        cidr = parse_cidr(_string(ctx.StringLiteral()))
        return Comparison(path, Op.ISSUBSET, negated, cidr)
    if isinstance(ctx, P.PropTestIsSupersetContext):
        cidr = parse_cidr(_string(ctx.StringLiteral()))
        return Comparison(path, Op.ISSUPERSET, negated, cidr)
    if isinstance(ctx, P.PropTestExistsContext):
        return Comparison(path, Op.EXISTS, negated, None)
    raise PatternError(f"unsupported comparison {ctx.getText()!r}")


def _matches(path: ObjectPath, negated: bool, expression: str) -> Comparison:
    expression = unicodedata.normalize("NFC", expression)
    try:
        regex = re.compile(expression)
        as_bytes = (
            re.compile(expression.encode("latin-1"))
            if all(ord(c) < 256 for c in expression)
            else None
        )
    except re.error as exc:
        raise PatternError(f"MATCHES {expression!r}: {exc}") from None
    return Comparison(path, Op.MATCHES, negated, regex, as_bytes)


def _path(ctx: Any) -> ObjectPath:
    object_type = ctx.objectType().getText()
    first = ctx.firstPathComponent()
    steps: list[str | int] = [
        _string(first.StringLiteral()) if first.StringLiteral() else first.getText()
    ]
    index_steps = [False]
    component = ctx.objectPathComponent()
    if component is not None:
        _components(component, steps, index_steps)
    return ObjectPath(object_type, tuple(steps), tuple(index_steps))


def _components(ctx: Any, steps: list[str | int], index_steps: list[bool]) -> None:
    if isinstance(ctx, P.PathStepContext):
        for part in ctx.objectPathComponent():
            _components(part, steps, index_steps)
    elif isinstance(ctx, P.KeyPathStepContext):
        literal = ctx.StringLiteral()
        steps.append(_string(literal) if literal else ctx.IdentifierWithoutHyphen().getText())
        index_steps.append(False)
    else:  # IndexPathStepContext
        if ctx.ASTERISK() is not None:
            steps.append(STAR)
        else:
            number = ctx.IntPosLiteral() or ctx.IntNegLiteral()
            steps.append(int(number.getText()))
        index_steps.append(True)


# -- literals ------------------------------------------------------------------------


def _string(token: Any) -> str:
    return _unescape(token.getText()[1:-1])


def _timestamp(text: str) -> datetime:
    try:
        return parse_timestamp(text[2:-1])
    except ValueError as exc:
        raise PatternError(f"invalid timestamp literal {text}: {exc}") from None


def _primitive(ctx: Any) -> Any:
    if ctx.BoolLiteral() is not None:
        return ctx.BoolLiteral().getText() == "true"
    return _orderable(ctx.orderableLiteral())


def _orderable(ctx: Any) -> Any:
    if ctx.StringLiteral() is not None:
        return _string(ctx.StringLiteral())
    if ctx.IntPosLiteral() is not None or ctx.IntNegLiteral() is not None:
        return int(ctx.getText())
    if ctx.FloatPosLiteral() is not None or ctx.FloatNegLiteral() is not None:
        return float(ctx.getText())
    if ctx.TimestampLiteral() is not None:
        return _timestamp(ctx.getText())
    text = ctx.getText()
    try:
        if ctx.BinaryLiteral() is not None:
            return base64.b64decode(text[2:-1])
        return bytes.fromhex(text[2:-1])  # HexLiteral
    except (binascii.Error, ValueError) as exc:
        raise PatternError(f"invalid literal {text}: {exc}") from None
