"""A compiled STIX 2.1 pattern: comparison and observation expressions as plain data.

Built by ``compiler.compile_pattern`` from the OASIS grammar's parse tree; read by the
evaluator (exact semantics) and by the index builder (what to look up).
"""

from __future__ import annotations

import enum
import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeAlias

#: an index step ``[*]`` in an object path
STAR = "*"


class Op(enum.Enum):
    EQ = "="
    NEQ = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    IN = "IN"
    LIKE = "LIKE"
    MATCHES = "MATCHES"
    ISSUBSET = "ISSUBSET"
    ISSUPERSET = "ISSUPERSET"
    EXISTS = "EXISTS"


@dataclass(frozen=True, slots=True)
class ObjectPath:
    """``type:step.step[0].step[*]``: key steps are str, index steps int or STAR."""

    object_type: str
    steps: tuple[str | int, ...]
    #: which steps are index steps (a key step may be named "*" or look like a number)
    index_steps: tuple[bool, ...]

    @property
    def text(self) -> str:
        """Canonical text: ``file:hashes.'SHA-256'``, ``network-traffic:protocols[*]``.

        Keys are quoted only when they are not identifiers, so the spellings a pattern
        may use for one path (``hashes.MD5``, ``hashes.'MD5'``) read the same.
        """
        out = [f"{self.object_type}:"]
        for step, is_index in zip(self.steps, self.index_steps, strict=True):
            if is_index:
                out.append(f"[{step}]")
            else:
                out.append(("" if len(out) == 1 else ".") + key_text(str(step)))
        return "".join(out)


_IDENTIFIER = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


def key_text(key: str) -> str:
    """A path key as a pattern writes it: bare if an identifier, else quoted."""
    if _IDENTIFIER.fullmatch(key):
        return key
    return "'" + key.replace("\\", "\\\\").replace("'", "\\'") + "'"


@dataclass(frozen=True, slots=True)
class Cidr:
    """An IPv4 or IPv6 network: the address as an int, the prefix length, the width."""

    address: int
    prefix: int
    bits: int

    def __str__(self) -> str:
        address = ipaddress.IPv4Address if self.bits == 32 else ipaddress.IPv6Address
        return f"{address(self.address)}/{self.prefix}"

    def contains(self, other: Cidr) -> bool:
        if self.bits != other.bits or self.prefix > other.prefix:
            return False
        shift = self.bits - self.prefix
        return (self.address >> shift) == (other.address >> shift)


@dataclass(frozen=True, slots=True)
class Comparison:
    """``path op literal``, with NOT applied to each value (as the reference does)."""

    path: ObjectPath
    op: Op
    negated: bool
    #: int, float, str, bool, bytes, datetime; frozenset for IN; Cidr for subset tests;
    #: the compiled regular expression for LIKE and MATCHES
    literal: Any
    #: for MATCHES: the same expression compiled for bytes values (None: bytes never match)
    bytes_regex: re.Pattern[bytes] | None = None


@dataclass(frozen=True, slots=True)
class AllOf:
    """Comparisons joined by AND: all hold on the same object."""

    parts: tuple[Test, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    """Comparisons joined by OR."""

    parts: tuple[Test, ...]


Test: TypeAlias = Comparison | AllOf | AnyOf


@dataclass(frozen=True, slots=True)
class Observe:
    """``[ test ]``: one observation in which some object passes ``test``."""

    test: Test


@dataclass(frozen=True, slots=True)
class Both:
    """Observation expressions joined by AND: both, on different observations."""

    left: Expression
    right: Expression


@dataclass(frozen=True, slots=True)
class Either:
    left: Expression
    right: Expression


@dataclass(frozen=True, slots=True)
class FollowedBy:
    left: Expression
    right: Expression


@dataclass(frozen=True, slots=True)
class Repeats:
    expression: Expression
    times: int


@dataclass(frozen=True, slots=True)
class Within:
    expression: Expression
    window: timedelta


@dataclass(frozen=True, slots=True)
class StartStop:
    expression: Expression
    start: datetime
    stop: datetime


Expression: TypeAlias = Observe | Both | Either | FollowedBy | Repeats | Within | StartStop


@dataclass(frozen=True, slots=True)
class CompiledPattern:
    text: str
    expression: Expression

    @property
    def single_observation(self) -> bool:
        """One ``[...]`` with no qualifier: it matches or not on each observation alone."""
        return isinstance(self.expression, Observe)


def leaves(expression: Expression) -> list[Observe]:
    """The ``[...]`` parts of an observation expression, left to right."""
    if isinstance(expression, Observe):
        return [expression]
    if isinstance(expression, Repeats | Within | StartStop):
        return leaves(expression.expression)
    return leaves(expression.left) + leaves(expression.right)
