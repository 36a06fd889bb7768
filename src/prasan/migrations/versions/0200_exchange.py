"""exchange: members, keys, services, rights, consents, transparency log

Revision ID: 0200_exchange
Revises: 0001_accounts
Create Date: 2026-11-26 10:54:33.483436
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0200_exchange"
down_revision: str | Sequence[str] | None = "0001_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exchange_consents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("citizen_id", sa.String(length=13), nullable=False),
        sa.Column("consumer_id", sa.String(length=200), nullable=False),
        sa.Column("provider_id", sa.String(length=200), nullable=False),
        sa.Column("data_items", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.String(length=120), nullable=False),
        sa.Column("legal_basis", sa.String(length=500), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("single_use", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("receipt", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_consents")),
    )
    with op.batch_alter_table("exchange_consents", schema=None) as batch_op:
        batch_op.create_index("ix_exchange_consents_citizen", ["citizen_id"], unique=False)

    op.create_table(
        "exchange_log",
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("call_id", sa.String(length=36), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=True),
        sa.Column("consumer", sa.String(length=200), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("service", sa.String(length=120), nullable=False),
        sa.Column("purpose", sa.String(length=120), nullable=False),
        sa.Column("consent_id", sa.String(length=36), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("replay_key", sa.String(length=400), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("leaf_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("idx", name=op.f("pk_exchange_log")),
        sa.UniqueConstraint("call_id", name=op.f("uq_exchange_log_call_id")),
        sa.UniqueConstraint("replay_key", name=op.f("uq_exchange_log_replay_key")),
    )
    with op.batch_alter_table("exchange_log", schema=None) as batch_op:
        batch_op.create_index("ix_exchange_log_at", ["at"], unique=False)
        batch_op.create_index("ix_exchange_log_consumer", ["consumer"], unique=False)
        batch_op.create_index("ix_exchange_log_subject", ["subject"], unique=False)

    log_head = op.create_table(
        "exchange_log_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("frontier", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_log_head")),
    )
    # The log's one head row: appenders lock it, so indexes are gap-free and in commit order.
    op.bulk_insert(log_head, [{"id": 1, "size": 0, "frontier": ""}])
    op.create_table(
        "exchange_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("name_th", sa.String(length=300), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_members")),
        sa.UniqueConstraint("member_id", name=op.f("uq_exchange_members_member_id")),
    )
    op.create_table(
        "exchange_tree_heads",
        sa.Column("size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.Column("timestamp_ms", sa.BigInteger(), nullable=False),
        sa.Column("kid", sa.String(length=260), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("size", name=op.f("pk_exchange_tree_heads")),
    )
    op.create_table(
        "exchange_keys",
        sa.Column("kid", sa.String(length=260), nullable=False),
        sa.Column("member_pk", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("not_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("certificate", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_pk"],
            ["exchange_members.id"],
            name=op.f("fk_exchange_keys_member_pk_exchange_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_exchange_keys")),
    )
    op.create_table(
        "exchange_services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_pk", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=120), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("title_th", sa.String(length=300), nullable=False),
        sa.Column("data_items", sa.JSON(), nullable=False),
        sa.Column("personal", sa.Boolean(), nullable=False),
        sa.Column("openapi", sa.JSON(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_pk"],
            ["exchange_members.id"],
            name=op.f("fk_exchange_services_provider_pk_exchange_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_services")),
        sa.UniqueConstraint("provider_pk", "code", name=op.f("uq_exchange_services_provider_pk")),
    )
    op.create_table(
        "exchange_rights",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consumer_pk", sa.Integer(), nullable=False),
        sa.Column("service_pk", sa.Integer(), nullable=False),
        sa.Column("purposes", sa.JSON(), nullable=False),
        sa.Column("legal_basis", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["consumer_pk"],
            ["exchange_members.id"],
            name=op.f("fk_exchange_rights_consumer_pk_exchange_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_pk"],
            ["exchange_services.id"],
            name=op.f("fk_exchange_rights_service_pk_exchange_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_rights")),
        sa.UniqueConstraint(
            "consumer_pk", "service_pk", name=op.f("uq_exchange_rights_consumer_pk")
        ),
    )


def downgrade() -> None:
    op.drop_table("exchange_rights")
    op.drop_table("exchange_services")
    op.drop_table("exchange_keys")
    op.drop_table("exchange_tree_heads")
    op.drop_table("exchange_members")
    op.drop_table("exchange_log_head")
    with op.batch_alter_table("exchange_log", schema=None) as batch_op:
        batch_op.drop_index("ix_exchange_log_subject")
        batch_op.drop_index("ix_exchange_log_consumer")
        batch_op.drop_index("ix_exchange_log_at")

    op.drop_table("exchange_log")
    with op.batch_alter_table("exchange_consents", schema=None) as batch_op:
        batch_op.drop_index("ix_exchange_consents_citizen")

    op.drop_table("exchange_consents")
