"""HTML pages the diplomacy module writes: the templates, and the analytics page."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from accord.diplomacy.charts import bar_chart_svg, hbar_chart_svg, line_chart_svg

ENV = Environment(
    loader=PackageLoader("accord", "diplomacy/templates"),
    autoescape=select_autoescape(["html"]),
)


def web_link(url: object) -> str:
    """A link only if it is http(s): sources come from peers, and autoescaping does not
    stop a ``javascript:`` address."""
    text = str(url or "")
    return text if text.lower().startswith(("https://", "http://")) else "#"


ENV.filters["web_link"] = web_link


def analytics_charts(figures: dict[str, Any]) -> dict[str, str]:
    """The charts (SVG) of the analytics (``analytics.analytics``), by name."""
    tension = {
        pair: {int(y): v for y, v in years.items()}
        for pair, years in list(figures["tension"].items())[:5]
    }
    return {
        "by_year": bar_chart_svg({int(y): n for y, n in figures["by_year"].items()}),
        "by_state": hbar_chart_svg(dict(list(figures["by_attributed_state"].items())[:15])),
        "by_effect": hbar_chart_svg(figures["by_effect"]),
        "tension": line_chart_svg(tension),
    }


def analytics_html(figures: dict[str, Any]) -> str:
    """The analytics as a self-contained page of charts (``analytics.analytics``)."""
    delays = figures["days_to_first_attribution"]
    return ENV.get_template("analytics.html").render(
        f=figures, charts=analytics_charts(figures), delays=delays
    )
