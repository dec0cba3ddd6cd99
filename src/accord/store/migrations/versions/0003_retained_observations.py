"""retained observations

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 21:58:40.137592
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retained_observation",
        sa.Column(
            "pk",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("org_id", sa.String(length=300), nullable=False),
        sa.Column("first_observed", sa.String(length=32), nullable=False),
        sa.Column("last_observed", sa.String(length=32), nullable=False),
        sa.Column("number_observed", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False, comment="JSON list of [object path, value]"),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisation.id"],
            name=op.f("fk_retained_observation_org_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_retained_observation")),
        comment="an organisation's recent observations, kept so later indicators meet them",
    )
    with op.batch_alter_table("retained_observation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_retained_observation_org_last", ["org_id", "last_observed"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("retained_observation", schema=None) as batch_op:
        batch_op.drop_index("ix_retained_observation_org_last")

    op.drop_table("retained_observation")
