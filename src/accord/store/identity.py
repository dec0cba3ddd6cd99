"""Organisations, sharing communities, users and API tokens.

An organisation is a STIX ``identity`` (identity_class ``organization``) stored like any
other object, plus a row that makes it a principal of this node. Passwords are kept as
argon2id hashes; API tokens as SHA-256 hashes (they are 256-bit random, so a fast hash
is enough and lets a request find its token by index).
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from accord.errors import AlreadyExists, NotAuthenticated, NotFound
from accord.stix.ids import check_identifier
from accord.stix.prepared import prepare
from accord.stix.timestamps import format_timestamp, now_timestamp
from accord.stix.tlp import Tlp, marking_definition_for
from accord.stix.validation import validate
from accord.store.distributions import Distribution, distribution_id
from accord.store.schema import (
    api_token,
    community,
    community_member,
    org_client,
    organisation,
    user_account,
)
from accord.store.versions import VersionWriter

TOKEN_PREFIX = "accord_"  # noqa: S105  (a visible prefix, not a secret: helps secret scanners)
_hasher = PasswordHasher()


@functools.cache
def _unknown_user_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(18))


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str


@dataclass(frozen=True)
class Principal:
    """Who is calling: an organisation, and the user or token acting for it."""

    org: Organisation
    username: str | None = None
    is_admin: bool = False


def add_organisation(
    connection: Connection, name: str, identity_id: str | None = None
) -> Organisation:
    """Create an organisation and its STIX identity (TLP:CLEAR: who we are is public).

    With ``identity_id``, the organisation is one whose identity lives on another node
    (a federation peer): it is registered under that id, and its identity object
    arrives with what the peer shares.
    """
    if _find_org(connection, name) is not None:
        raise AlreadyExists("organisation", name)
    if identity_id is not None:
        check_identifier(None, "identity id", identity_id, {"identity"})
        if _find_org(connection, identity_id) is not None:
            raise AlreadyExists("organisation", identity_id)
        connection.execute(
            organisation.insert().values(id=identity_id, name=name, created=now_timestamp())
        )
        return Organisation(identity_id, name)
    created = _stix_now()
    org_id = f"identity--{uuid.uuid4()}"
    identity = {
        "type": "identity",
        "spec_version": "2.1",
        "id": org_id,
        "created": created,
        "modified": created,
        "name": name,
        "identity_class": "organization",
        "object_marking_refs": [marking_definition_for(Tlp.CLEAR)["id"]],
    }
    connection.execute(organisation.insert().values(id=org_id, name=name, created=now_timestamp()))
    writer = VersionWriter(connection, distribution_id(connection, Distribution()), Tlp.CLEAR)
    writer.write([prepare(validate(identity))])
    return Organisation(org_id, name)


def get_organisation(connection: Connection, name_or_id: str) -> Organisation:
    found = _find_org(connection, name_or_id)
    if found is None:
        raise NotFound("organisation", name_or_id)
    return found


def list_organisations(connection: Connection) -> list[Organisation]:
    rows = connection.execute(select(organisation.c.id, organisation.c.name).order_by("name"))
    return [Organisation(row.id, row.name) for row in rows]


def _find_org(connection: Connection, name_or_id: str) -> Organisation | None:
    row = connection.execute(
        select(organisation.c.id, organisation.c.name).where(
            (organisation.c.name == name_or_id) | (organisation.c.id == name_or_id)
        )
    ).first()
    return Organisation(row.id, row.name) if row else None


def add_client(connection: Connection, org: Organisation, client: Organisation) -> None:
    """Make ``client`` a client of ``org``: TLP:AMBER given to ``org`` reaches it."""
    connection.execute(org_client.insert().values(org_id=org.id, client_id=client.id))


def add_community(connection: Connection, name: str, description: str = "") -> int:
    exists = connection.execute(select(community.c.id).where(community.c.name == name)).first()
    if exists:
        raise AlreadyExists("community", name)
    return int(
        connection.execute(
            community.insert()
            .values(name=name, description=description, created=now_timestamp())
            .returning(community.c.id)
        ).scalar_one()
    )


def get_community(connection: Connection, name: str) -> int:
    found = connection.execute(select(community.c.id).where(community.c.name == name)).first()
    if found is None:
        raise NotFound("community", name)
    return int(found.id)


def join_community(connection: Connection, community_id: int, org: Organisation) -> None:
    connection.execute(community_member.insert().values(community_id=community_id, org_id=org.id))


def communities_of(connection: Connection, org: Organisation) -> frozenset[int]:
    rows = connection.execute(
        select(community_member.c.community_id).where(community_member.c.org_id == org.id)
    )
    return frozenset(int(c) for c in rows.scalars())


def list_communities(connection: Connection) -> list[tuple[str, list[str]]]:
    """(community name, member organisation names) pairs."""
    rows = connection.execute(
        select(community.c.name, organisation.c.name.label("org"))
        .select_from(community)
        .outerjoin(community_member, community_member.c.community_id == community.c.id)
        .outerjoin(organisation, organisation.c.id == community_member.c.org_id)
        .order_by(community.c.name, organisation.c.name)
    )
    grouped: dict[str, list[str]] = {}
    for name, org in rows:
        grouped.setdefault(name, [])
        if org:
            grouped[name].append(org)
    return list(grouped.items())


def add_user(
    connection: Connection,
    username: str,
    org: Organisation,
    password: str | None = None,
    is_admin: bool = False,
) -> str:
    """Create a user; returns the password (generated when none is given)."""
    taken = connection.execute(
        select(user_account.c.id).where(user_account.c.username == username)
    ).first()
    if taken:
        raise AlreadyExists("user", username)
    password = password or secrets.token_urlsafe(18)
    connection.execute(
        user_account.insert().values(
            username=username,
            org_id=org.id,
            password_hash=_hasher.hash(password),
            is_admin=is_admin,
            created=now_timestamp(),
        )
    )
    return password


def set_password(connection: Connection, username: str, password: str | None = None) -> str:
    """Replace a user's password; returns it (generated when none is given)."""
    password = password or secrets.token_urlsafe(18)
    changed = connection.execute(
        user_account.update()
        .where(user_account.c.username == username)
        .values(password_hash=_hasher.hash(password))
    ).rowcount
    if not changed:
        raise NotFound("user", username)
    return password


def count_users(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(user_account)).scalar_one())


def create_token(
    connection: Connection, org: Organisation, label: str = "", username: str | None = None
) -> str:
    """Create an API token for ``org``; the token is returned once and stored hashed."""
    user_id = None
    if username is not None:
        user_id = connection.execute(
            select(user_account.c.id).where(user_account.c.username == username)
        ).scalar_one_or_none()
        if user_id is None:
            raise NotFound("user", username)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    connection.execute(
        api_token.insert().values(
            token_hash=_token_hash(token),
            org_id=org.id,
            user_id=user_id,
            label=label,
            created=now_timestamp(),
            revoked=False,
        )
    )
    return token


#: the label of the tokens the web UI makes at sign-in, and how long they last
SESSION_LABEL = "web session"
SESSION_HOURS = 12


def _hours_ago(hours: int) -> str:
    return format_timestamp(datetime.now(UTC) - timedelta(hours=hours))


def revoke_token(connection: Connection, token: str) -> None:
    """The token stops working (a web session's sign-out, a leaked token)."""
    connection.execute(
        api_token.update().where(api_token.c.token_hash == _token_hash(token)).values(revoked=True)
    )


def authenticate_token(connection: Connection, token: str) -> Principal:
    row = connection.execute(
        select(
            organisation.c.id,
            organisation.c.name,
            user_account.c.username,
            user_account.c.is_admin,
            api_token.c.label,
            api_token.c.created,
        )
        .select_from(api_token)
        .join(organisation, organisation.c.id == api_token.c.org_id)
        .outerjoin(user_account, user_account.c.id == api_token.c.user_id)
        .where(api_token.c.token_hash == _token_hash(token), api_token.c.revoked.is_(False))
    ).first()
    if row is None:
        raise NotAuthenticated("unknown or revoked API token")
    if row.label == SESSION_LABEL and row.created < _hours_ago(SESSION_HOURS):
        raise NotAuthenticated("the session has expired: sign in again")
    return Principal(Organisation(row[0], row[1]), row.username, bool(row.is_admin))


def authenticate_password(connection: Connection, username: str, password: str) -> Principal:
    row = connection.execute(
        select(
            organisation.c.id,
            organisation.c.name,
            user_account.c.password_hash,
            user_account.c.is_admin,
        )
        .join(organisation, organisation.c.id == user_account.c.org_id)
        .where(user_account.c.username == username)
    ).first()
    try:
        # An unknown user costs the same argon2 work, so timing does not reveal who exists.
        _hasher.verify(row.password_hash if row else _unknown_user_hash(), password)
        if row is None:
            raise VerificationError
    except (VerificationError, InvalidHashError):
        raise NotAuthenticated("wrong username or password") from None
    return Principal(Organisation(row[0], row[1]), username, bool(row.is_admin))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _stix_now() -> str:
    # STIX timestamps in objects we create: millisecond precision, as the spec's examples.
    stamp = now_timestamp()
    return stamp[:23] + "Z"
