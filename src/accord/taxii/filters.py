"""TAXII 2.1 URL filters (match[...], added_after, limit, next) read into a store query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Query

from accord.errors import InvalidParameter
from accord.stix.timestamps import normalize_timestamp
from accord.store.reading import ALL, FIRST, LAST, Cursor, ObjectQuery

DEFAULT_PAGE = 1000
MAX_PAGE = 10_000
SPEC_VERSIONS = ("2.0", "2.1")


@dataclass(frozen=True)
class Filters:
    """The filters of one request, parsed; ``versions`` None means the endpoint's default."""

    ids: tuple[str, ...]
    types: tuple[str, ...]
    versions: tuple[str, ...] | None
    spec_versions: tuple[str, ...]
    added_after: str | None
    limit: int
    after: Cursor | None

    def query(self, default_versions: tuple[str, ...] = (LAST,)) -> ObjectQuery:
        return ObjectQuery(
            types=self.types,
            ids=self.ids,
            added_after=self.added_after,
            versions=self.versions or default_versions,
            spec_versions=self.spec_versions,
        )


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip()) if value else ()


def _timestamp(name: str, value: str) -> str:
    try:
        return normalize_timestamp(value)
    except ValueError as exc:
        raise InvalidParameter(name, f"{value!r} is not an RFC 3339 timestamp: {exc}") from None


def _versions(value: str | None) -> tuple[str, ...] | None:
    parts = _split(value)
    if not parts:
        return None
    return tuple(p if p in (FIRST, LAST, ALL) else _timestamp("match[version]", p) for p in parts)


def _spec_versions(value: str | None) -> tuple[str, ...]:
    parts = _split(value)
    for part in parts:
        if part not in SPEC_VERSIONS:
            raise InvalidParameter("match[spec_version]", f"{part!r} is not a STIX spec version")
    return parts


def taxii_filters(
    match_id: Annotated[
        str | None, Query(alias="match[id]", description="object ids, comma-separated")
    ] = None,
    match_type: Annotated[
        str | None, Query(alias="match[type]", description="STIX types, comma-separated")
    ] = None,
    match_version: Annotated[
        str | None,
        Query(alias="match[version]", description="first, last, all, or version timestamps"),
    ] = None,
    match_spec_version: Annotated[
        str | None, Query(alias="match[spec_version]", description="2.0 and/or 2.1")
    ] = None,
    added_after: Annotated[
        str | None, Query(description="only versions added after this time")
    ] = None,
    limit: Annotated[int | None, Query(ge=1, description=f"page size (at most {MAX_PAGE})")] = None,
    next_: Annotated[
        str | None, Query(alias="next", description="the `next` of the previous page")
    ] = None,
) -> Filters:
    """FastAPI dependency: the request's TAXII filters."""
    return Filters(
        ids=_split(match_id),
        types=_split(match_type),
        versions=_versions(match_version),
        spec_versions=_spec_versions(match_spec_version),
        added_after=_timestamp("added_after", added_after) if added_after else None,
        limit=min(limit or DEFAULT_PAGE, MAX_PAGE),
        after=Cursor.decode(next_) if next_ else None,
    )
