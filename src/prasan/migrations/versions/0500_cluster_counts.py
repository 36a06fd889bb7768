"""policy: each cluster keeps how many of its items name each agency and ministry

``add`` merges redundancy clusters and grows communities; with the counts it updates a
cluster's agencies, ministries and fragmentation from the items that join it, instead of
reading every member again (the largest cluster of the full corpus holds about 6,400 items).
Rows written before this revision have no counts: ``add`` computes them from the members the
first time it touches such a cluster.

Revision ID: 0500_cluster_counts
Revises: 0400_merge_parts
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0500_cluster_counts"
down_revision: str | Sequence[str] | None = "0400_merge_parts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("policy_clusters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("counts", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("policy_clusters", schema=None) as batch_op:
        batch_op.drop_column("counts")
