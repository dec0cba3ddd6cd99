"""TAXII collections and statuses, federation peers, provenance, date-ordered type index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 20:20:44.840227
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "taxii_collection",
        sa.Column("id", sa.String(length=36), nullable=False, comment="a UUID, as TAXII wants"),
        sa.Column("alias", sa.String(length=100), nullable=True),
        sa.Column("title", sa.String(length=250), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("types", sa.Text(), nullable=False, comment="comma-separated; empty: all"),
        sa.Column(
            "tlp_ceiling",
            sa.String(length=16),
            nullable=True,
            comment="most restrictive TLP shown; NULL: any",
        ),
        sa.Column(
            "creator",
            sa.String(length=300),
            nullable=True,
            comment="only objects created by this identity",
        ),
        sa.Column("created", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxii_collection")),
        sa.UniqueConstraint("alias", name=op.f("uq_taxii_collection_alias")),
        comment="a TAXII collection: a filtered view over the store, read through the gate",
    )
    op.create_table(
        "peer",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("api_root", sa.Text(), nullable=False, comment="the peer's TAXII API root URL"),
        sa.Column(
            "collection", sa.String(length=100), nullable=False, comment="collection pulled from"
        ),
        sa.Column(
            "push_collection",
            sa.String(length=100),
            nullable=True,
            comment="collection pushed to; NULL: no push",
        ),
        sa.Column(
            "token_file", sa.Text(), nullable=False, comment="file holding our credentials there"
        ),
        sa.Column(
            "auth",
            sa.String(length=10),
            nullable=False,
            comment="bearer (a token) or basic (user:pw)",
        ),
        sa.Column("org_id", sa.String(length=300), nullable=False, comment="the peer's org"),
        sa.Column(
            "pull_added_after",
            sa.String(length=40),
            nullable=True,
            comment="checkpoint: pulled up to here",
        ),
        sa.Column(
            "pull_next",
            sa.Text(),
            nullable=True,
            comment="checkpoint: the page a broken pull resumes at",
        ),
        sa.Column(
            "push_after",
            sa.Text(),
            nullable=True,
            comment="checkpoint: (date_added, pk) pushed up to here",
        ),
        sa.Column("last_sync", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisation.id"], name=op.f("fk_peer_org_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_peer")),
        sa.UniqueConstraint("name", name=op.f("uq_peer_name")),
        comment="a node this one federates with over TAXII",
    )
    op.create_table(
        "taxii_collection_access",
        sa.Column("collection_id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=300), nullable=False),
        sa.Column("can_read", sa.Boolean(), nullable=False),
        sa.Column("can_write", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["taxii_collection.id"],
            name=op.f("fk_taxii_collection_access_collection_id_taxii_collection"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisation.id"],
            name=op.f("fk_taxii_collection_access_org_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("collection_id", "org_id", name=op.f("pk_taxii_collection_access")),
    )
    with op.batch_alter_table("taxii_collection_access", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_taxii_collection_access_org_id"), ["org_id"], unique=False
        )

    op.create_table(
        "taxii_collection_community",
        sa.Column("collection_id", sa.String(length=36), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["taxii_collection.id"],
            name=op.f("fk_taxii_collection_community_collection_id_taxii_collection"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_taxii_collection_community_community_id_community"),
        ),
        sa.PrimaryKeyConstraint(
            "collection_id", "community_id", name=op.f("pk_taxii_collection_community")
        ),
        comment="the view shows objects given to these communities (none listed: any)",
    )
    op.create_table(
        "taxii_status",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("collection_id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=300), nullable=False),
        sa.Column("request_timestamp", sa.String(length=32), nullable=False),
        sa.Column("resource", sa.Text(), nullable=False, comment="the TAXII status resource, JSON"),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["taxii_collection.id"],
            name=op.f("fk_taxii_status_collection_id_taxii_collection"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisation.id"], name=op.f("fk_taxii_status_org_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxii_status")),
        comment="answers to TAXII POSTs, kept so that any server process can report them",
    )
    with op.batch_alter_table("stix_object", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "received_from",
                sa.String(length=300),
                nullable=True,
                comment="provenance: the organisation whose node sent it over TAXII; NULL if local",
            )
        )
        batch_op.drop_index(batch_op.f("ix_stix_object_type_pk"))
        batch_op.create_index(
            "ix_stix_object_type_date_added", ["type", "date_added", "pk"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("stix_object", schema=None) as batch_op:
        batch_op.drop_index("ix_stix_object_type_date_added")
        batch_op.create_index(batch_op.f("ix_stix_object_type_pk"), ["type", "pk"], unique=False)
        batch_op.drop_column("received_from")

    op.drop_table("taxii_status")
    op.drop_table("taxii_collection_community")
    with op.batch_alter_table("taxii_collection_access", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taxii_collection_access_org_id"))

    op.drop_table("taxii_collection_access")
    op.drop_table("peer")
    op.drop_table("taxii_collection")
