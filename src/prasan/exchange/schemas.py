"""Pydantic shapes of the exchange's admin API, consent API and log views."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

MEMBER_ID_RE = re.compile(
    r"^TH/(GOV|COM|NGO|EDU)/[A-Z0-9][A-Z0-9-]{0,39}/[A-Za-z0-9][A-Za-z0-9._-]{0,79}$"
)
PURPOSE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,118}$")
ITEM_RE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")


def check_member_id(value: str) -> str:
    if not MEMBER_ID_RE.match(value):
        raise ValueError(
            f"{value!r} is not a member id: write TH/GOV/<agency-code>/<system>, "
            "e.g. TH/GOV/DOPA/POPREG (agency code in capitals)"
        )
    return value


class MemberCreate(BaseModel):
    member_id: str
    name_en: str = Field(min_length=1, max_length=300)
    name_th: str = Field(min_length=1, max_length=300)
    base_url: str | None = Field(default=None, max_length=500)

    _check = field_validator("member_id")(check_member_id)

    @field_validator("base_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("http://", "https://")):
            raise ValueError("base_url must start with http:// or https://")
        return v.rstrip("/") if v else v


class KeyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kid: str
    public_key: str
    status: str
    created_at: dt.datetime
    not_after: dt.datetime | None
    revoked_at: dt.datetime | None
    certificate: str | None = None


class MemberRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    member_id: str
    name_en: str
    name_th: str
    base_url: str | None
    is_active: bool
    keys: list[KeyRead]


class KeyAdd(BaseModel):
    """Register a public key the member generated itself (base64 of the 32 raw bytes)."""

    public_key: str


class ServiceCreate(BaseModel):
    provider: str
    code: str = Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_-]+)+$", max_length=120)
    title_en: str = Field(min_length=1, max_length=300)
    title_th: str = Field(min_length=1, max_length=300)
    data_items: list[str] = Field(min_length=1)
    personal: bool = True
    openapi: dict[str, Any] | None = None

    @field_validator("data_items")
    @classmethod
    def _items(cls, v: list[str]) -> list[str]:
        for item in v:
            if not ITEM_RE.match(item):
                raise ValueError(f"{item!r} is not a data item: write e.g. population.id_card")
        return v


class ServiceRead(BaseModel):
    provider: str
    code: str
    title_en: str
    title_th: str
    data_items: list[str]
    personal: bool
    openapi: dict[str, Any] | None


class RightCreate(BaseModel):
    consumer: str
    provider: str
    service: str
    purposes: list[str] = Field(min_length=1)
    legal_basis: str | None = Field(default=None, max_length=500)

    @field_validator("purposes")
    @classmethod
    def _purposes(cls, v: list[str]) -> list[str]:
        for p in v:
            if not PURPOSE_RE.match(p):
                raise ValueError(
                    f"{p!r} is not a purpose code: lower-case words joined by '-', "
                    "e.g. driving-licence-renewal"
                )
        return v


class RightRead(BaseModel):
    id: int
    consumer: str
    provider: str
    service: str
    purposes: list[str]
    legal_basis: str | None
    revoked_at: dt.datetime | None


class ConsentCreate(BaseModel):
    citizen_id: str
    consumer: str
    provider: str
    data_items: list[str] = Field(min_length=1)
    purpose: str
    legal_basis: str = Field(default="PDPA B.E. 2562 s.19 (consent)", max_length=500)
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None
    single_use: bool = False


class ConsentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    citizen_id: str
    consumer_id: str
    provider_id: str
    data_items: list[str]
    purpose: str
    legal_basis: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    single_use: bool
    status: str
    created_at: dt.datetime
    granted_at: dt.datetime | None
    revoked_at: dt.datetime | None
    used_at: dt.datetime | None
    receipt: str | None


class LogEntryRead(BaseModel):
    index: int
    entry: dict[str, Any]
    leaf_hash: str


class ProvedEntry(LogEntryRead):
    tree_head: dict[str, Any]
    inclusion_proof: list[str]
