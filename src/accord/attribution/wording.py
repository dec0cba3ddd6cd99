"""The intelligence community's estimative language (ICD 203) and confidence levels.

ICD 203, "Analytic Standards" (Office of the Director of National Intelligence, 2015),
https://www.dni.gov/files/documents/ICD/ICD-203.pdf, section D.6.b.(2)(a): a likelihood
is said in one of seven terms, each naming a range of probability; confidence in the
judgement is expressed separately.
"""

from __future__ import annotations

from enum import StrEnum

ICD_203 = "https://www.dni.gov/files/documents/ICD/ICD-203.pdf"

#: (upper bound of the range, term); a probability on a bound takes the lower term
LIKELIHOOD_TERMS: tuple[tuple[float, str], ...] = (
    (0.05, "almost no chance"),
    (0.20, "very unlikely"),
    (0.45, "unlikely"),
    (0.55, "roughly even chance"),
    (0.80, "likely"),
    (0.95, "very likely"),
    (1.00, "almost certain"),
)


def likelihood_term(probability: float) -> str:
    """The ICD 203 term for ``probability`` (0 to 1)."""
    if not 0.0 <= probability <= 1.0:
        raise ValueError(f"a probability is between 0 and 1, not {probability}")
    for upper, term in LIKELIHOOD_TERMS:
        if probability <= upper:
            return term
    raise AssertionError("unreachable")


class Confidence(StrEnum):
    """How well founded a judgement is: the amount and quality of its evidence."""

    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
