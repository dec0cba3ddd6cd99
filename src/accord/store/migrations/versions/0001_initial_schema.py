"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-24 18:41:15.049439
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "community",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=250), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community")),
        sa.UniqueConstraint("name", name=op.f("uq_community_name")),
    )
    op.create_table(
        "distribution",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.Text(), nullable=False, comment="canonical member list"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_distribution")),
        sa.UniqueConstraint("key", name=op.f("uq_distribution_key")),
    )
    op.create_table(
        "node_setting",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_node_setting")),
        comment="facts about this node kept in its store, e.g. its home organisation",
    )
    op.create_table(
        "organisation",
        sa.Column("id", sa.String(length=300), nullable=False, comment="its STIX identity id"),
        sa.Column("name", sa.String(length=250), nullable=False),
        sa.Column("created", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("name", name=op.f("uq_organisation_name")),
    )
    op.create_table(
        "community_member",
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_community_member_community_id_community"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisation.id"], name=op.f("fk_community_member_org_id_organisation")
        ),
        sa.PrimaryKeyConstraint("community_id", "org_id", name=op.f("pk_community_member")),
    )
    with op.batch_alter_table("community_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_community_member_org_id"), ["org_id"], unique=False)

    op.create_table(
        "distribution_community",
        sa.Column("distribution_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_distribution_community_community_id_community"),
        ),
        sa.ForeignKeyConstraint(
            ["distribution_id"],
            ["distribution.id"],
            name=op.f("fk_distribution_community_distribution_id_distribution"),
        ),
        sa.PrimaryKeyConstraint(
            "distribution_id", "community_id", name=op.f("pk_distribution_community")
        ),
    )
    with op.batch_alter_table("distribution_community", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_distribution_community_community_id"), ["community_id"], unique=False
        )

    op.create_table(
        "distribution_org",
        sa.Column("distribution_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["distribution_id"],
            ["distribution.id"],
            name=op.f("fk_distribution_org_distribution_id_distribution"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisation.id"], name=op.f("fk_distribution_org_org_id_organisation")
        ),
        sa.PrimaryKeyConstraint("distribution_id", "org_id", name=op.f("pk_distribution_org")),
    )
    with op.batch_alter_table("distribution_org", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_distribution_org_org_id"), ["org_id"], unique=False)

    op.create_table(
        "org_client",
        sa.Column("org_id", sa.String(length=300), nullable=False),
        sa.Column("client_id", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["organisation.id"], name=op.f("fk_org_client_client_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisation.id"], name=op.f("fk_org_client_org_id_organisation")
        ),
        sa.PrimaryKeyConstraint("org_id", "client_id", name=op.f("pk_org_client")),
        comment="client_id is a client of org_id: TLP:AMBER given to org_id reaches it",
    )
    op.create_table(
        "stix_object",
        sa.Column(
            "pk",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("id", sa.String(length=300), nullable=False),
        sa.Column("type", sa.String(length=250), nullable=False),
        sa.Column("spec_version", sa.String(length=8), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("created", sa.String(length=32), nullable=True),
        sa.Column("date_added", sa.String(length=32), nullable=False),
        sa.Column("created_by_ref", sa.String(length=300), nullable=True),
        sa.Column(
            "tlp",
            sa.String(length=16),
            nullable=False,
            comment="its TLP; for unmarked objects the level chosen at import",
        ),
        sa.Column("distribution_id", sa.Integer(), nullable=False),
        sa.Column("is_latest", sa.Boolean(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.LargeBinary(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["distribution_id"],
            ["distribution.id"],
            name=op.f("fk_stix_object_distribution_id_distribution"),
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_stix_object")),
        sa.UniqueConstraint("id", "version", name=op.f("uq_stix_object_id_version")),
    )
    with op.batch_alter_table("stix_object", schema=None) as batch_op:
        batch_op.create_index("ix_stix_object_date_added", ["date_added", "pk"], unique=False)
        batch_op.create_index("ix_stix_object_type_pk", ["type", "pk"], unique=False)

    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=150), nullable=False),
        sa.Column("org_id", sa.String(length=300), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False, comment="argon2id"),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("created", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisation.id"], name=op.f("fk_user_account_org_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("username", name=op.f("uq_user_account_username")),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False, comment="sha256 hex"),
        sa.Column("org_id", sa.String(length=300), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=250), nullable=False),
        sa.Column("created", sa.String(length=32), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisation.id"], name=op.f("fk_api_token_org_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_api_token_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("api_token")
    op.drop_table("user_account")
    with op.batch_alter_table("stix_object", schema=None) as batch_op:
        batch_op.drop_index("ix_stix_object_type_pk")
        batch_op.drop_index("ix_stix_object_date_added")

    op.drop_table("stix_object")
    op.drop_table("org_client")
    with op.batch_alter_table("distribution_org", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_distribution_org_org_id"))

    op.drop_table("distribution_org")
    with op.batch_alter_table("distribution_community", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_distribution_community_community_id"))

    op.drop_table("distribution_community")
    with op.batch_alter_table("community_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_community_member_org_id"))

    op.drop_table("community_member")
    op.drop_table("organisation")
    op.drop_table("node_setting")
    op.drop_table("distribution")
    op.drop_table("community")
