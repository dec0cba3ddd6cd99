"""STIX timestamps, normalised to one fixed width so that text order is time order.

STIX 2.1 section 3.2 (timestamp): RFC 3339, UTC, with a literal upper-case ``Z``:
https://docs.oasis-open.org/cti/stix/v2.1/os/stix-v2.1-os.html#_i1sw27qw1v0s

Accord stores ``YYYY-MM-DDTHH:MM:SS.ffffffZ``: the fraction truncated or zero-padded to
six digits.  Every normalised value has the same length and the same separators, so a
plain string comparison (in Python or in SQL) orders them in time.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

__all__ = ["format_timestamp", "normalize_timestamp", "now_timestamp"]

# Ranges live in the regex so the hot path needs no int() conversions; only days 29-31
# need a calendar look-up.  [0-9] rather than \d: \d also matches non-ASCII digits.
_TIMESTAMP = re.compile(
    r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\.([0-9]+))?Z"
)
_SHAPE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"(Z|z|[+-][0-9]{2}:[0-9]{2}|)"
)
_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_FORMAT = "YYYY-MM-DDTHH:MM:SS[.fraction]Z"


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _days_in(year: int, month: int) -> int:
    if month == 2 and _is_leap(year):
        return 29
    return _DAYS_IN_MONTH[month]


def normalize_timestamp(value: object) -> str:
    """Check a STIX timestamp and return it as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``.

    Raises ValueError with a reason on anything that is not an RFC 3339 UTC timestamp
    ending in ``Z`` with a real calendar date (a leap second ``:60`` is allowed).
    """
    if type(value) is not str:
        raise ValueError(f"a timestamp must be a string, not {type(value).__name__}")
    match = _TIMESTAMP.fullmatch(value)
    if match is None:
        raise ValueError(_problem(value))
    if value[8:10] >= "29":
        year, month, day = int(value[0:4]), int(value[5:7]), int(value[8:10])
        if day > _days_in(year, month):
            raise ValueError(f"{value!r}: {value[:10]} is not a calendar date")
    length = len(value)
    if length == 27:  # already six fraction digits
        return value
    if length == 24:  # milliseconds, the most common precision in the wild
        return value[:23] + "000Z"
    if length == 20:
        return value[:19] + ".000000Z"
    fraction = match.group(1)
    return f"{value[:19]}.{fraction[:6].ljust(6, '0')}Z"


def _problem(value: str) -> str:
    """Why ``value`` is not a STIX timestamp (error path only)."""
    shape = _SHAPE.fullmatch(value)
    if shape is None:
        return f"{value!r} is not a timestamp of the form {_FORMAT}"
    year, month, day, hour, minute, second, _fraction, zone = shape.groups()
    if value[10] == "t":
        return f"{value!r}: STIX timestamps use an upper-case 'T'"
    if zone != "Z":
        if zone == "z":
            return f"{value!r}: STIX timestamps end in an upper-case 'Z'"
        if zone in ("+00:00", "-00:00"):
            return f"{value!r}: STIX timestamps end in 'Z', not {zone!r}"
        found = f"found {zone!r}" if zone else "no zone given"
        return f"{value!r}: STIX timestamps must be in UTC and end in 'Z' ({found})"
    if not 1 <= int(month) <= 12:
        return f"{value!r}: month {month} is out of range 01-12"
    if not 1 <= int(day) <= _days_in(int(year), int(month)):
        return f"{value!r}: {value[:10]} is not a calendar date"
    if int(hour) > 23:
        return f"{value!r}: hour {hour} is out of range 00-23"
    if int(minute) > 59:
        return f"{value!r}: minute {minute} is out of range 00-59"
    return f"{value!r}: second {second} is out of range 00-60"


def format_timestamp(moment: datetime) -> str:
    """Format an aware datetime in Accord's fixed timestamp form (converted to UTC).

    A naive datetime is refused: guessing its zone would silently shift times.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a naive datetime has no time zone; give one in UTC")
    utc = moment.astimezone(UTC)
    # Not strftime: its %Y does not zero-pad years before 1000 on every platform.
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T"
        f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}.{utc.microsecond:06d}Z"
    )


def now_timestamp() -> str:
    """The current time in Accord's fixed timestamp form."""
    return format_timestamp(datetime.now(UTC))
