"""Tables for the stored policy analysis: documents, items, labelled pairs, clusters, runs.

Shaped for the explorer (a later issue): an item page reads one ``policy_items`` row and its
``policy_pairs`` (indexed by ``a`` and ``b``), a cluster page reads ``policy_clusters``; pairs
carry their evidence as JSON so a side-by-side view needs no recomputation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from prasan.core.db import Base, UtcDateTime, utcnow


class PolicyDocument(Base):
    __tablename__ = "policy_documents"

    id: Mapped[str] = mapped_column(String(300), primary_key=True)
    title: Mapped[str] = mapped_column(Text, default="")
    date: Mapped[str] = mapped_column(String(100), default="")
    url: Mapped[str] = mapped_column(String(1000), default="")
    agency: Mapped[str] = mapped_column(String(300), default="")
    source: Mapped[str] = mapped_column(String(1000), default="")
    added_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class PolicyItem(Base):
    __tablename__ = "policy_items"

    id: Mapped[str] = mapped_column(String(320), primary_key=True)
    doc_id: Mapped[str] = mapped_column(
        ForeignKey("policy_documents.id", ondelete="CASCADE"), index=True
    )
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column("end_offset", Integer)
    title: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(10), default="th")
    agencies: Mapped[list[str]] = mapped_column(JSON, default=list)
    amounts: Mapped[list[float]] = mapped_column(JSON, default=list)
    targets: Mapped[list[str]] = mapped_column(JSON, default=list)
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    programmes: Mapped[list[str]] = mapped_column(JSON, default=list)
    cluster_id: Mapped[str | None] = mapped_column(String(20), index=True)
    community_id: Mapped[str | None] = mapped_column(String(20), index=True)


class PolicyPair(Base):
    __tablename__ = "policy_pairs"
    __table_args__ = (
        UniqueConstraint("a", "b"),
        Index("ix_policy_pairs_b", "b"),
        Index("ix_policy_pairs_label_score", "label", "score"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    a: Mapped[str] = mapped_column(ForeignKey("policy_items.id", ondelete="CASCADE"))
    b: Mapped[str] = mapped_column(ForeignKey("policy_items.id", ondelete="CASCADE"))
    a_doc: Mapped[str] = mapped_column(String(300))
    b_doc: Mapped[str] = mapped_column(String(300))
    label: Mapped[str] = mapped_column(String(12))
    score: Mapped[float] = mapped_column(Float)
    facets: Mapped[list[str]] = mapped_column(JSON, default=list)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class PolicyCluster(Base):
    __tablename__ = "policy_clusters"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), index=True)
    size: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text, default="")
    fragmentation: Mapped[int] = mapped_column(Integer, default=0)
    items: Mapped[list[str]] = mapped_column(JSON, default=list)
    docs: Mapped[list[str]] = mapped_column(JSON, default=list)
    agencies: Mapped[list[str]] = mapped_column(JSON, default=list)
    ministries: Mapped[list[str]] = mapped_column(JSON, default=list)
    labels: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # {"agencies": {name: items naming it}, "ministries": {...}}; None in rows stored before
    # revision 0500 (``add`` computes it from the members then)
    counts: Mapped[dict[str, dict[str, int]] | None] = mapped_column(JSON, default=None)


class PolicyRun(Base):
    """One ``analyze`` or ``add``: what went in, what came out, how long it took."""

    __tablename__ = "policy_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    documents: Mapped[int] = mapped_column(Integer, default=0)
    items: Mapped[int] = mapped_column(Integer, default=0)
    pairs: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
