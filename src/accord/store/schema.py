"""The store's tables (SQLAlchemy Core). Alembic migrations in ``migrations/`` build them.

Every STIX object version is one row of ``stix_object``, keyed by (id, version) where
version is the normalized ``modified`` (or ``created``; for objects with neither, the
time it was added). Projections (type, tlp, created_by_ref, name, is_latest) serve the
hot queries; ``body`` is the object as received, canonical JSON.

Who may read a row is decided by the access gate from its ``tlp``, its
``created_by_ref`` and its ``distribution``: the set of organisations and sharing
communities it was given to.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL wants 64 bits at scale.
RowId = BigInteger().with_variant(Integer(), "sqlite")

organisation = Table(
    "organisation",
    metadata,
    Column("id", String(300), primary_key=True, comment="its STIX identity id"),
    Column("name", String(250), nullable=False, unique=True),
    Column("created", String(32), nullable=False),
)

org_client = Table(
    "org_client",
    metadata,
    Column("org_id", ForeignKey("organisation.id"), primary_key=True),
    Column("client_id", ForeignKey("organisation.id"), primary_key=True),
    comment="client_id is a client of org_id: TLP:AMBER given to org_id reaches it",
)

community = Table(
    "community",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(250), nullable=False, unique=True),
    Column("description", Text, nullable=False, default=""),
    Column("created", String(32), nullable=False),
)

community_member = Table(
    "community_member",
    metadata,
    Column("community_id", ForeignKey("community.id"), primary_key=True),
    Column("org_id", ForeignKey("organisation.id"), primary_key=True, index=True),
)

distribution = Table(
    "distribution",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", Text, nullable=False, unique=True, comment="canonical member list"),
)

distribution_org = Table(
    "distribution_org",
    metadata,
    Column("distribution_id", ForeignKey("distribution.id"), primary_key=True),
    Column("org_id", ForeignKey("organisation.id"), primary_key=True, index=True),
)

distribution_community = Table(
    "distribution_community",
    metadata,
    Column("distribution_id", ForeignKey("distribution.id"), primary_key=True),
    Column("community_id", ForeignKey("community.id"), primary_key=True, index=True),
)

stix_object = Table(
    "stix_object",
    metadata,
    Column("pk", RowId, primary_key=True, autoincrement=True),
    Column("id", String(300), nullable=False),
    Column("type", String(250), nullable=False),
    Column("spec_version", String(8), nullable=False),
    Column("version", String(32), nullable=False),
    Column("created", String(32)),
    Column("date_added", String(32), nullable=False),
    Column("created_by_ref", String(300)),
    Column(
        "tlp",
        String(16),
        nullable=False,
        comment="its TLP; for unmarked objects the level chosen at import",
    ),
    Column("distribution_id", ForeignKey("distribution.id"), nullable=False),
    Column("is_latest", Boolean, nullable=False),
    Column("revoked", Boolean, nullable=False),
    Column("name", Text),
    Column("content_hash", LargeBinary(16), nullable=False),
    Column(
        "received_from",
        String(300),
        comment="provenance: the organisation whose node sent it over TAXII; NULL if local",
    ),
    Column("body", Text, nullable=False),
    UniqueConstraint("id", "version"),
    # Reads page in (date_added, pk) order, as TAXII wants; within a type too.
    Index("ix_stix_object_type_date_added", "type", "date_added", "pk"),
    Index("ix_stix_object_date_added", "date_added", "pk"),
)

user_account = Table(
    "user_account",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(150), nullable=False, unique=True),
    Column("org_id", ForeignKey("organisation.id"), nullable=False),
    Column("password_hash", Text, nullable=False, comment="argon2id"),
    Column("is_admin", Boolean, nullable=False, default=False),
    Column("created", String(32), nullable=False),
)

api_token = Table(
    "api_token",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True, comment="sha256 hex"),
    Column("org_id", ForeignKey("organisation.id"), nullable=False),
    Column("user_id", ForeignKey("user_account.id")),
    Column("label", String(250), nullable=False, default=""),
    Column("created", String(32), nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
)

node_setting = Table(
    "node_setting",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
    comment="facts about this node kept in its store, e.g. its home organisation",
)

taxii_collection = Table(
    "taxii_collection",
    metadata,
    Column("id", String(36), primary_key=True, comment="a UUID, as TAXII wants"),
    Column("alias", String(100), unique=True),
    Column("title", String(250), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("types", Text, nullable=False, default="", comment="comma-separated; empty: all"),
    Column("tlp_ceiling", String(16), comment="most restrictive TLP shown; NULL: any"),
    Column("creator", String(300), comment="only objects created by this identity"),
    Column("created", String(32), nullable=False),
    comment="a TAXII collection: a filtered view over the store, read through the gate",
)

taxii_collection_community = Table(
    "taxii_collection_community",
    metadata,
    Column("collection_id", ForeignKey("taxii_collection.id"), primary_key=True),
    Column("community_id", ForeignKey("community.id"), primary_key=True),
    comment="the view shows objects given to these communities (none listed: any)",
)

taxii_collection_access = Table(
    "taxii_collection_access",
    metadata,
    Column("collection_id", ForeignKey("taxii_collection.id"), primary_key=True),
    Column("org_id", ForeignKey("organisation.id"), primary_key=True, index=True),
    Column("can_read", Boolean, nullable=False),
    Column("can_write", Boolean, nullable=False),
)

taxii_status = Table(
    "taxii_status",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("collection_id", ForeignKey("taxii_collection.id"), nullable=False),
    Column("org_id", ForeignKey("organisation.id"), nullable=False),
    Column("request_timestamp", String(32), nullable=False),
    Column("resource", Text, nullable=False, comment="the TAXII status resource, JSON"),
    comment="answers to TAXII POSTs, kept so that any server process can report them",
)

peer = Table(
    "peer",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("api_root", Text, nullable=False, comment="the peer's TAXII API root URL"),
    Column("collection", String(100), nullable=False, comment="collection pulled from"),
    Column("push_collection", String(100), comment="collection pushed to; NULL: no push"),
    Column("token_file", Text, nullable=False, comment="file holding our credentials there"),
    Column("auth", String(10), nullable=False, comment="bearer (a token) or basic (user:pw)"),
    Column("org_id", ForeignKey("organisation.id"), nullable=False, comment="the peer's org"),
    Column("pull_added_after", String(40), comment="checkpoint: pulled up to here"),
    Column("pull_next", Text, comment="checkpoint: the page a broken pull resumes at"),
    Column("push_after", Text, comment="checkpoint: (date_added, pk) pushed up to here"),
    Column("last_sync", String(32)),
    Column("last_error", Text),
    Column("created", String(32), nullable=False),
    comment="a node this one federates with over TAXII",
)

retained_observation = Table(
    "retained_observation",
    metadata,
    Column("pk", RowId, primary_key=True, autoincrement=True),
    Column("org_id", ForeignKey("organisation.id"), nullable=False),
    Column("first_observed", String(32), nullable=False),
    Column("last_observed", String(32), nullable=False),
    Column("number_observed", Integer, nullable=False),
    Column("source", Text, nullable=False),
    Column("fields", Text, nullable=False, comment="JSON list of [object path, value]"),
    Index("ix_retained_observation_org_last", "org_id", "last_observed"),
    comment="an organisation's recent observations, kept so later indicators meet them",
)

audit_entry = Table(
    "audit_entry",
    metadata,
    Column("seq", RowId, primary_key=True, autoincrement=False),
    Column("at", String(32), nullable=False),
    Column("actor", String(300), nullable=False),
    Column("action", String(100), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("detail", Text, nullable=False, comment="JSON"),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    comment="a tamper-evident log: each entry's hash covers its content and the previous hash",
)
