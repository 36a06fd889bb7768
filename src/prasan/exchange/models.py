"""Tables of the exchange: members (agency systems) and their keys, services and access rights,
consents, and the transparency log (entries, its running head, and signed tree heads)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from prasan.core.db import Base, UtcDateTime, utcnow


class Member(Base):
    """One system of one agency, identified as ``TH/GOV/<agency-code>/<system>``."""

    __tablename__ = "exchange_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[str] = mapped_column(String(200), unique=True)
    name_en: Mapped[str] = mapped_column(String(300))
    name_th: Mapped[str] = mapped_column(String(300))
    # Where the hub forwards calls for this member's services (providers only).
    base_url: Mapped[str | None] = mapped_column(String(500))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    keys: Mapped[list[MemberKey]] = relationship(back_populates="member", lazy="selectin")


class MemberKey(Base):
    """An Ed25519 public key of a member. Rotation adds a key; the old one stays valid until it
    is retired (``not_after``) or revoked (at once)."""

    __tablename__ = "exchange_keys"

    kid: Mapped[str] = mapped_column(String(260), primary_key=True)
    member_pk: Mapped[int] = mapped_column(ForeignKey("exchange_members.id", ondelete="CASCADE"))
    public_key: Mapped[str] = mapped_column(String(64))  # raw 32 bytes, base64
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | revoked
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    not_after: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    # X.509 certificate (PEM) from the platform CA for this key, for mutual TLS (optional).
    certificate: Mapped[str | None] = mapped_column(Text)
    member: Mapped[Member] = relationship(back_populates="keys")


class Service(Base):
    __tablename__ = "exchange_services"
    __table_args__ = (UniqueConstraint("provider_pk", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_pk: Mapped[int] = mapped_column(ForeignKey("exchange_members.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(120))
    title_en: Mapped[str] = mapped_column(String(300))
    title_th: Mapped[str] = mapped_column(String(300))
    data_items: Mapped[list[str]] = mapped_column(JSON)
    personal: Mapped[bool] = mapped_column(Boolean, default=True)
    openapi: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    provider: Mapped[Member] = relationship(lazy="joined")


class AccessRight(Base):
    """Consumer system x service x purposes; ``legal_basis`` set means no consent is needed."""

    __tablename__ = "exchange_rights"
    __table_args__ = (UniqueConstraint("consumer_pk", "service_pk"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consumer_pk: Mapped[int] = mapped_column(ForeignKey("exchange_members.id", ondelete="CASCADE"))
    service_pk: Mapped[int] = mapped_column(ForeignKey("exchange_services.id", ondelete="CASCADE"))
    purposes: Mapped[list[str]] = mapped_column(JSON)
    legal_basis: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    consumer: Mapped[Member] = relationship(lazy="joined", foreign_keys=[consumer_pk])
    service: Mapped[Service] = relationship(lazy="joined")


class Consent(Base):
    __tablename__ = "exchange_consents"
    __table_args__ = (Index("ix_exchange_consents_citizen", "citizen_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    citizen_id: Mapped[str] = mapped_column(String(13))
    consumer_id: Mapped[str] = mapped_column(String(200))
    provider_id: Mapped[str] = mapped_column(String(200))
    data_items: Mapped[list[str]] = mapped_column(JSON)
    purpose: Mapped[str] = mapped_column(String(120))
    legal_basis: Mapped[str] = mapped_column(String(500))
    valid_from: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    valid_until: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    single_use: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    granted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    receipt: Mapped[str | None] = mapped_column(Text)


class LogEntry(Base):
    """One call, allowed or refused. ``body`` is the canonical JSON the leaf hash covers; the
    other columns repeat fields of it for filtering. No personal data: the citizen appears only
    as a keyed pseudonym (``subject``)."""

    __tablename__ = "exchange_log"
    __table_args__ = (
        Index("ix_exchange_log_subject", "subject"),
        Index("ix_exchange_log_consumer", "consumer"),
        Index("ix_exchange_log_at", "at"),
    )

    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    call_id: Mapped[str] = mapped_column(String(36), unique=True)
    subject: Mapped[str | None] = mapped_column(String(64))
    consumer: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200))
    service: Mapped[str] = mapped_column(String(120))
    purpose: Mapped[str] = mapped_column(String(120))
    consent_id: Mapped[str | None] = mapped_column(String(36))
    outcome: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(60))
    status: Mapped[int] = mapped_column(Integer)
    # keyid + nonce of a verified signature: unique, so a replayed request cannot be logged twice.
    replay_key: Mapped[str | None] = mapped_column(String(400), unique=True)
    body: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[str] = mapped_column(String(64))


class LogHead(Base):
    """The log's running state in one row: size and the Merkle frontier (roots of the perfect
    subtrees, left to right), so an append and a new root cost O(log n), never a scan."""

    __tablename__ = "exchange_log_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    frontier: Mapped[str] = mapped_column(Text, default="")


class TreeHead(Base):
    """A signed tree head (STH): the hub's signed statement of the log's size and root."""

    __tablename__ = "exchange_tree_heads"

    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root: Mapped[str] = mapped_column(String(64))
    timestamp_ms: Mapped[int] = mapped_column(BigInteger)
    kid: Mapped[str] = mapped_column(String(260))
    signature: Mapped[str] = mapped_column(String(100))
