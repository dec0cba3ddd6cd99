"""Countries, their languages and their time zones, from the Unicode CLDR (via Babel).

CLDR (https://cldr.unicode.org/) gives English country names, the languages spoken in
each territory (with official status and population share) and each territory's IANA
time zones. Accord reads them from there rather than keeping lists of its own.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.core import get_global

#: Adjectives that name a state in the way threat reports write them ("a Russia-based
#: group", "Iranian-sponsored"): a matter of English, mapped to ISO 3166 codes.
DEMONYMS = {
    "american": "US", "belarusian": "BY", "brazilian": "BR", "british": "GB",
    "chinese": "CN", "emirati": "AE", "indian": "IN", "iranian": "IR", "israeli": "IL",
    "lebanese": "LB", "nigerian": "NG", "north korean": "KP", "pakistani": "PK",
    "palestinian": "PS", "russian": "RU", "south korean": "KR", "syrian": "SY",
    "turkish": "TR", "ukrainian": "UA", "vietnamese": "VN",
}  # fmt: skip
#: Other spellings of a country that reports use.
ALIASES = {
    "usa": "US", "u.s.": "US", "united states of america": "US", "uk": "GB",
    "dprk": "KP", "prc": "CN", "russian federation": "RU", "türkiye": "TR", "turkey": "TR",
    "n korea": "KP", "s korea": "KR", "palestine": "PS",
}  # fmt: skip
#: a language counts for a territory if official there or spoken by this share of people
_SPOKEN_SHARE = 20.0


@cache
def _names() -> dict[str, str]:
    """Lower-case English name → ISO 3166 alpha-2 code (countries only, not regions)."""
    found = {
        name.lower(): code
        for code, name in Locale("en").territories.items()
        if re.fullmatch(r"[A-Z]{2}", code) and code not in ("ZZ", "EU", "UN", "EZ", "QO")
    }
    return found | ALIASES


def country_code(value: str) -> str | None:
    """The ISO 3166 alpha-2 code of a code or an English country name; None if neither."""
    text = value.strip()
    if re.fullmatch(r"[A-Za-z]{2}", text) and text.upper() in _codes():
        return text.upper()
    return _names().get(text.lower()) or DEMONYMS.get(text.lower())


@cache
def _codes() -> frozenset[str]:
    return frozenset(_names().values())


def country_name(code: str) -> str:
    return str(Locale("en").territories.get(code, code))


@cache
def country_words() -> str:
    """A regular-expression alternation of every country name, alias and adjective."""
    words = sorted({*_names(), *DEMONYMS}, key=len, reverse=True)
    words = [w for w in words if len(w) > 3 or w in ("u.s.", "prc", "uk", "usa")]
    return "|".join(re.escape(w) for w in words)


@cache
def _mention_pattern() -> re.Pattern[str]:
    return re.compile(rf"(?<![\w.])({country_words()})(?![\w])", re.IGNORECASE)


def countries_in(text: str) -> list[str]:
    """ISO codes of the countries ``text`` names (by name, alias or adjective), in order."""
    found: list[str] = []
    for match in _mention_pattern().finditer(text):
        code = country_code(match.group(1))
        if code and code not in found:
            found.append(code)
    return found


@cache
def languages_of(code: str) -> frozenset[str]:
    """ISO 639 codes of the languages official in, or widely spoken in, a territory."""
    spoken = get_global("territory_languages").get(code, {})
    return frozenset(
        language.split("_")[0]
        for language, facts in spoken.items()
        if facts.get("official_status") in ("official", "de_facto_official")
        or (facts.get("population_percent") or 0) >= _SPOKEN_SHARE
    )


@cache
def _zones(code: str) -> tuple[ZoneInfo, ...]:
    return tuple(ZoneInfo(name) for name in get_global("territory_zones").get(code, ()))


def utc_offsets(code: str, moment: datetime) -> list[timedelta]:
    """The UTC offset of each of a territory's time zones at ``moment``."""
    return [moment.astimezone(zone).utcoffset() or timedelta(0) for zone in _zones(code)]
