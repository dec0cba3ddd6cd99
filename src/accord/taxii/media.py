"""TAXII 2.1 media types: what requests must say, how answers and errors are written."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from accord.errors import NotAcceptable, UnsupportedMediaType

TAXII = "application/taxii+json;version=2.1"
STIX = "application/stix+json;version=2.1"
_TAXII_TYPE = "application/taxii+json"
_ANY = ("*/*", "application/*")


class TaxiiResponse(Response):
    """A TAXII 2.1 answer; ``content`` may be bytes already rendered."""

    media_type = TAXII

    def render(self, content: Any) -> bytes:
        return content if isinstance(content, bytes) else orjson.dumps(content)


def _media_ranges(header: str) -> list[tuple[str, dict[str, str]]]:
    ranges = []
    for part in header.split(","):
        kind, *params = (p.strip() for p in part.split(";"))
        parameters = {}
        for param in params:
            name, _, value = param.partition("=")
            parameters[name.strip().lower()] = value.strip().strip('"')
        ranges.append((kind.lower(), parameters))
    return ranges


def check_accept(header: str | None) -> None:
    """Raise NotAcceptable unless ``header`` admits TAXII 2.1 JSON (absent admits all)."""
    if not header:
        return
    for kind, params in _media_ranges(header):
        if kind in _ANY:
            return
        if kind == _TAXII_TYPE and params.get("version", "2.1") == "2.1":
            return
    raise NotAcceptable(f"this server answers only in {TAXII}; the request accepts {header!r}")


def check_content_type(header: str | None) -> None:
    """Raise UnsupportedMediaType unless the body is declared TAXII 2.1 JSON."""
    ranges = _media_ranges(header or "")
    kind, params = ranges[0]
    if kind == _TAXII_TYPE and params.get("version", "2.1") == "2.1":
        return
    raise UnsupportedMediaType(f"send the envelope as {TAXII}; got {header or 'no Content-Type'!r}")


def error_resource(status: int, title: str, description: str, code: str) -> dict[str, Any]:
    """A TAXII 2.1 error message (section 3.6.1)."""
    return {
        "title": title,
        "description": description,
        "error_code": code,
        "http_status": str(status),
    }
