"""merge the parts' first revisions (policy, exchange, population) into one head

Revision ID: 0400_merge_parts
Revises: 0100_policy, 0200_exchange, 0300_population
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0400_merge_parts"
down_revision: str | Sequence[str] | None = ("0100_policy", "0200_exchange", "0300_population")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
