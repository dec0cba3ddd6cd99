"""Timestamps: RFC 3339 UTC with 'Z', normalised to a fixed, sortable width."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.stix.timestamps import format_timestamp, normalize_timestamp, now_timestamp


@pytest.mark.parametrize(
    ("given_text", "expected"),
    [
        ("2024-03-01T10:00:00Z", "2024-03-01T10:00:00.000000Z"),
        ("2024-03-01T10:00:00.1Z", "2024-03-01T10:00:00.100000Z"),
        ("2024-03-01T10:00:00.123Z", "2024-03-01T10:00:00.123000Z"),
        ("2024-03-01T10:00:00.123456Z", "2024-03-01T10:00:00.123456Z"),
        ("2024-03-01T10:00:00.123456789Z", "2024-03-01T10:00:00.123456Z"),
        ("2024-02-29T23:59:59.9Z", "2024-02-29T23:59:59.900000Z"),
        ("2000-02-29T00:00:00Z", "2000-02-29T00:00:00.000000Z"),
        ("2016-12-31T23:59:60Z", "2016-12-31T23:59:60.000000Z"),  # leap second
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000000Z"),
    ],
)
def test_normalises(given_text: str, expected: str) -> None:
    assert normalize_timestamp(given_text) == expected


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("2024-03-01T10:00:00+00:00", "end in 'Z', not"),
        ("2024-03-01T10:00:00.5+01:00", "must be in UTC"),
        ("2024-03-01T10:00:00z", "upper-case 'Z'"),
        ("2024-03-01t10:00:00Z", "upper-case 'T'"),
        ("2024-03-01T10:00:00", "must be in UTC"),
        ("2024-03-01 10:00:00Z", "not a timestamp"),
        ("2023-02-29T00:00:00Z", "not a calendar date"),
        ("1900-02-29T00:00:00Z", "not a calendar date"),
        ("2024-04-31T00:00:00Z", "not a calendar date"),
        ("2024-02-30T00:00:00Z", "not a calendar date"),
        ("2024-13-01T00:00:00Z", "month 13"),
        ("2024-00-01T00:00:00Z", "month 00"),
        ("2024-01-00T00:00:00Z", "not a calendar date"),
        ("2024-01-01T24:00:00Z", "hour 24"),
        ("2024-01-01T23:60:00Z", "minute 60"),
        ("2024-01-01T23:59:61Z", "second 61"),
        ("2024-01-01T23:59:59.Z", "not a timestamp"),
        ("2024-1-01T00:00:00Z", "not a timestamp"),
        ("２０２４-01-01T00:00:00Z", "not a timestamp"),  # full-width digits
        ("2024-01-01T00:00:00Z\n", "not a timestamp"),
        ("2024-03-01T10:00:00", "no zone given"),
        ("", "not a timestamp"),
    ],
)
def test_rejects_with_a_reason(bad: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        normalize_timestamp(bad)


@pytest.mark.parametrize("bad", [None, 1709287200, 1.5, b"2024-03-01T10:00:00Z", ["x"]])
def test_rejects_non_strings(bad: object) -> None:
    with pytest.raises(ValueError, match="must be a string"):
        normalize_timestamp(bad)


def _render(moment: datetime, digits: int) -> str:
    """Write a UTC datetime as STIX text with ``digits`` fraction digits (0 = none)."""
    base = f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}"
    if digits == 0:
        return base + "Z"
    fraction = f"{moment.microsecond:06d}"
    return f"{base}.{fraction[:digits] if digits <= 6 else fraction + '0' * (digits - 6)}Z"


_moments = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31))


@given(_moments, _moments, st.integers(0, 9), st.integers(0, 9))
def test_text_order_is_time_order(a: datetime, b: datetime, da: int, db: int) -> None:
    # Dropping fraction digits truncates, so compare the times the texts actually say.
    text_a, text_b = _render(a, da), _render(b, db)
    said_a = datetime.strptime(normalize_timestamp(text_a), "%Y-%m-%dT%H:%M:%S.%fZ")
    said_b = datetime.strptime(normalize_timestamp(text_b), "%Y-%m-%dT%H:%M:%S.%fZ")
    norm_a, norm_b = normalize_timestamp(text_a), normalize_timestamp(text_b)
    assert len(norm_a) == len(norm_b) == 27
    assert (norm_a < norm_b) == (said_a < said_b)
    assert (norm_a == norm_b) == (said_a == said_b)


@given(_moments)
def test_format_round_trips(moment: datetime) -> None:
    text = format_timestamp(moment.replace(tzinfo=UTC))
    assert normalize_timestamp(text) == text
    assert datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ") == moment


def test_format_converts_to_utc_and_refuses_naive() -> None:
    paris = timezone(timedelta(hours=2))
    assert format_timestamp(datetime(2024, 6, 1, 12, 0, tzinfo=paris)) == (
        "2024-06-01T10:00:00.000000Z"
    )
    with pytest.raises(ValueError, match="naive"):
        format_timestamp(datetime(2024, 6, 1, 12, 0))


def test_now_is_normalised_and_current() -> None:
    before = format_timestamp(datetime.now(UTC))
    now = now_timestamp()
    assert normalize_timestamp(now) == now
    assert before <= now <= format_timestamp(datetime.now(UTC))
