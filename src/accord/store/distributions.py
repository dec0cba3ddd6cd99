"""Distributions: to whom a stored object version was given.

A distribution is a set of recipient organisations and sharing communities. Imports
with the same recipients share one row, so the access gate's test is a lookup of a
small integer, whatever the number of objects.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection

from accord.store.schema import distribution, distribution_community, distribution_org


@dataclass(frozen=True)
class Distribution:
    """Recipient organisations (identity ids) and communities (ids)."""

    orgs: frozenset[str] = frozenset()
    communities: frozenset[int] = frozenset()

    @property
    def key(self) -> str:
        return (
            "orgs="
            + ",".join(sorted(self.orgs))
            + ";communities="
            + ",".join(str(c) for c in sorted(self.communities))
        )

    def union(self, other: Distribution) -> Distribution:
        return Distribution(self.orgs | other.orgs, self.communities | other.communities)


def distribution_id(connection: Connection, wanted: Distribution) -> int:
    """The id of ``wanted``'s row, creating it if needed."""
    found = connection.execute(
        select(distribution.c.id).where(distribution.c.key == wanted.key)
    ).scalar_one_or_none()
    if found is not None:
        return int(found)
    new_id = connection.execute(
        distribution.insert().values(key=wanted.key).returning(distribution.c.id)
    ).scalar_one()
    if wanted.orgs:
        connection.execute(
            distribution_org.insert(),
            [{"distribution_id": new_id, "org_id": org} for org in sorted(wanted.orgs)],
        )
    if wanted.communities:
        connection.execute(
            distribution_community.insert(),
            [{"distribution_id": new_id, "community_id": c} for c in sorted(wanted.communities)],
        )
    return int(new_id)


def load_distribution(connection: Connection, dist_id: int) -> Distribution:
    """The members of distribution ``dist_id``."""
    orgs = connection.execute(
        select(distribution_org.c.org_id).where(distribution_org.c.distribution_id == dist_id)
    ).scalars()
    communities = connection.execute(
        select(distribution_community.c.community_id).where(
            distribution_community.c.distribution_id == dist_id
        )
    ).scalars()
    return Distribution(frozenset(orgs), frozenset(int(c) for c in communities))
