"""Analytics as a page: the charts of ``diplomacy.analytics`` over the incidents the
organisation may see, and a world map of them by victim country or by attributed state.

The map is the world map that ``pygal_maps_world`` ships (each country a ``<g>`` whose
class is its ISO 3166 code), read once and coloured here on the server: a ``<style>``
gives each country with incidents its shade, and a ``<title>`` its name and count, so
the page needs no script.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from html import escape
from importlib.resources import files

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from accord.attribution.places import country_name
from accord.credentials import store_of
from accord.diplomacy.analytics import analytics
from accord.diplomacy.incidents import IncidentRecord
from accord.diplomacy.pages import analytics_charts
from accord.diplomacy.registry import incidents
from accord.web.ui.base import page, signed_in

router = APIRouter(include_in_schema=False)

#: the maps the page can show (``?by=``) → what a country's count is of
MAPS = {"victims": "victim country", "states": "attributed state"}
#: a sequential scale (ColorBrewer Blues); a shade per class of count, lowest first
SHADES = ("#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594")
NO_DATA = "#eeeeec"
_COUNTRY = re.compile(r'<g class="([a-z]{2}) country map-element">')


@dataclass(frozen=True)
class WorldMap:
    opening: str  # what comes before the first country
    countries: tuple[tuple[str, str], ...]  # (code, its shapes and what follows them)


@cache
def world_map() -> WorldMap:
    """The package's world map, split at each country (read once per process)."""
    text = (files("pygal_maps_world") / "worldmap.svg").read_text(encoding="utf-8")
    inside = text[text.index(">") + 1 : text.rindex("</svg>")]  # within the root element
    body = re.sub(r">\s+<", "><", inside.strip()).replace(' id="countries"', "")
    pieces = _COUNTRY.split(body)
    countries = tuple(zip(pieces[1::2], pieces[2::2], strict=True))
    return WorldMap(pieces[0], countries)


def classes(top: int) -> list[tuple[int, int]]:
    """Classes of count (low, high) doubling in width, 1, 2-3, 4-7, ..., the last
    ending at ``top`` (and taking in every count above it when shades run out)."""
    found: list[tuple[int, int]] = []
    low = 1
    while low <= top and len(found) < len(SHADES):
        found.append((low, 2 * low - 1))
        low *= 2
    if found:
        found[-1] = (found[-1][0], top)
    return found


def shade(count: int, bands: list[tuple[int, int]]) -> str:
    for n, (low, high) in enumerate(bands):
        if low <= count <= high:
            return SHADES[n]
    return NO_DATA


def map_svg(counts: dict[str, int], label: str, element_id: str) -> str:
    """The world map with each country shaded by its count (ISO 3166 alpha-2 codes)."""
    bands = classes(max(counts.values(), default=0))
    held = world_map()
    rules = [
        f"#{element_id} .country{{fill:{NO_DATA};stroke:#fff;stroke-width:.6}}",
        f"#{element_id} .country:hover{{stroke:#000;stroke-width:1.5}}",
    ]
    parts = []
    for code, rest in held.countries:
        n = counts.get(code.upper(), 0)
        if n:
            rules.append(f"#{element_id} .{code}{{fill:{shade(n, bands)}}}")
        name = escape(country_name(code.upper()))
        count = f"{n} incident{'s' if n != 1 else ''}" if n else "no incidents"
        parts.append(f'<g class="{code} country map-element"><title>{name}: {count}</title>{rest}')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2475 1388" id="{element_id}" '
        f'class="worldmap" role="img" aria-label="{escape(label)}">'
        f"<style>{''.join(rules)}</style>{held.opening}{''.join(parts)}</svg>"
    )


def map_counts(records: list[IncidentRecord], by: str) -> Counter[str]:
    """Incidents per country: by victim country, or by the state they are attributed to
    (an incident counts once for each country it names)."""
    counts: Counter[str] = Counter()
    for record in records:
        if by == "states":
            counts.update(record.attributed_states)
        else:
            counts.update(set(record.victim_countries))
    return counts


@router.get("/analytics", response_class=HTMLResponse)
def analytics_page(request: Request, by: str = "victims") -> HTMLResponse:
    caller = signed_in(request)
    by = by if by in MAPS else "victims"
    records = list(incidents(store_of(request), caller.org).values())
    figures = analytics(records)
    counts = map_counts(records, by)
    bands = classes(max(counts.values(), default=0))
    label = f"World map of the incidents in {caller.org.name}'s store by {MAPS[by]}"
    return page(
        request,
        "analytics_page.html",
        caller,
        title="Analytics",
        f=figures,
        charts=analytics_charts(figures),
        by=by,
        maps=MAPS,
        world=map_svg(dict(counts), label, f"worldmap-{by}"),
        legend=[(SHADES[n], low, high) for n, (low, high) in enumerate(bands)],
        no_data=NO_DATA,
        map_rows=[(code, country_name(code), n) for code, n in counts.most_common()],
        names={c: country_name(c) for c in figures["by_attributed_state"]},
    )
