"""Charts as inline SVG: no script, no external asset, readable in print and offline.

Every mark carries a ``<title>`` with its value, so a screen reader and a hover both
give the number.
"""

from __future__ import annotations

from html import escape

BAR = "#2f5d8a"
LINES = ("#2f5d8a", "#b5562d", "#3f8a3f", "#7a4c9a", "#a38a1c")


def bar_chart_svg(by_year: dict[int, int], width: int = 560, height: int = 160) -> str:
    """Counts per year as bars, every year between the first and the last shown."""
    if not by_year:
        return ""
    years = list(range(min(by_year), max(by_year) + 1))
    top = max(by_year.values()) or 1
    step = width / len(years)
    marks = []
    for n, year in enumerate(years):
        count = by_year.get(year, 0)
        h = (height - 30) * count / top
        x, y = n * step + 2, height - 20 - h
        marks.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step - 4:.1f}" height="{h:.1f}" '
            f'fill="{BAR}"><title>{year}: {count}</title></rect>'
        )
        if len(years) <= 20 or year % 5 == 0:
            marks.append(
                f'<text x="{x + (step - 4) / 2:.1f}" y="{height - 5}" font-size="10" '
                f'text-anchor="middle">{year}</text>'
            )
    return _svg(width, height, "counts per year", marks)


def hbar_chart_svg(counts: dict[str, int], width: int = 560, row: int = 18) -> str:
    """Counts per label as horizontal bars, in the order given."""
    if not counts:
        return ""
    top = max(counts.values()) or 1
    label_width = 150
    marks = []
    for n, (label, count) in enumerate(counts.items()):
        y = n * row
        w = (width - label_width - 50) * count / top
        marks.append(
            f'<text x="{label_width - 6}" y="{y + row - 5}" font-size="11" '
            f'text-anchor="end">{escape(str(label))}</text>'
            f'<rect x="{label_width}" y="{y + 2}" width="{w:.1f}" height="{row - 4}" '
            f'fill="{BAR}"><title>{escape(str(label))}: {count}</title></rect>'
            f'<text x="{label_width + w + 4:.1f}" y="{y + row - 5}" font-size="11">{count}</text>'
        )
    return _svg(width, row * len(counts) + 4, "counts", marks)


def line_chart_svg(series: dict[str, dict[int, float]], width: int = 560, height: int = 200) -> str:
    """One line per series over the years, with a legend."""
    points = [(y, v) for values in series.values() for y, v in values.items()]
    if not points:
        return ""
    first, last = min(y for y, _ in points), max(y for y, _ in points)
    top = max(v for _, v in points) or 1.0
    span = max(last - first, 1)
    left, bottom = 30, height - 20
    marks = []
    for n, (name, values) in enumerate(series.items()):
        colour = LINES[n % len(LINES)]
        coords = [
            (
                left + (width - left - 10) * (y - first) / span,
                bottom - (bottom - 10) * v / top,
                y,
                v,
            )
            for y, v in sorted(values.items())
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in coords)
        marks.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        marks += [
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}">'
            f"<title>{escape(name)} {year}: {value:g}</title></circle>"
            for x, y, year, value in coords
        ]
        marks.append(
            f'<text x="{left + 4}" y="{14 + 13 * n}" font-size="11" fill="{colour}">'
            f"{escape(name)}</text>"
        )
    marks.append(f'<text x="{left}" y="{height - 4}" font-size="10">{first}</text>')
    marks.append(
        f'<text x="{width - 10}" y="{height - 4}" font-size="10" text-anchor="end">{last}</text>'
    )
    return _svg(width, height, "values per year", marks)


def _svg(width: int, height: int, label: str, marks: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">{"".join(marks)}</svg>'
    )
