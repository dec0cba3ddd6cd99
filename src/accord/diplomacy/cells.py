"""Reading the cells of incident datasets: lists, countries, dates, URLs.

Datasets write several values in one cell (Python-list text, semicolons, commas),
countries by ISO names ("Korea, Republic of"), by common names or adjectives, and
dates in several forms. Each reader returns None (or an empty list) for what it cannot
read, and the importer reports it.
"""

from __future__ import annotations

import ast
import re
from datetime import date, datetime

import pycountry

from accord.attribution.places import country_code

_URL = re.compile(r"https?://[^\s'\"<>\]]+")


def values(cell: str | None) -> list[str]:
    """The values of a multi-value cell: ``['a', 'b']`` (nested lists flattened), or
    ``a; b``; blanks left out."""
    text = (cell or "").strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            parsed = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            parsed = None
        if isinstance(parsed, list):
            return [v for v in _flatten(parsed) if v]
    return [part.strip() for part in text.split(";") if part.strip()]


def _flatten(items: list[object]) -> list[str]:
    out: list[str] = []
    for item in items:
        if isinstance(item, list):
            out += _flatten(item)
        elif item is not None:
            out.append(str(item).strip())
    return out


def country(name: str) -> str | None:
    """ISO 3166 alpha-2 code of a country named in any of the usual ways."""
    text = name.strip()
    if not text or text.lower() in ("unknown", "not available", "none", "nan"):
        return None
    found = country_code(text)
    if found:
        return found
    cleaned = re.sub(r"\s*\((.*)\)$", r", \1", text)  # "Iran (Islamic Republic of)"
    for candidate in (text, cleaned):  # exact names only: a fuzzy match invents victims
        try:
            return str(pycountry.countries.lookup(candidate).alpha_2)
        except LookupError:
            continue
    return None


def day(cell: object) -> str | None:
    """YYYY-MM-DD from an ISO date, a US m/d/yyyy date, or a datetime; None otherwise."""
    if isinstance(cell, datetime | date):
        return cell.strftime("%Y-%m-%d")
    text = str(cell or "").strip()
    for form in ("%Y-%m-%d", "%m/%d/%Y", "%Y-%m-%d %H:%M:%S", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, form).strftime("%Y-%m-%d")
        except ValueError:
            continue
    return None


def urls(*cells: object) -> list[str]:
    """Every http(s) URL in the cells, in order, once each."""
    found: list[str] = []
    for cell in cells:
        for url in _URL.findall(str(cell or "")):
            url = url.rstrip(".,;)")
            if url not in found:
                found.append(url)
    return found


def first(items: list[str]) -> str | None:
    return items[0] if items else None
