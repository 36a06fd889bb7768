"""Tables of the population register: places, persons, ID cards and house registrations.

Keys are the register's own natural identifiers (DOPA place codes, the 13-digit citizen ID, the
11-digit house code), so a row means the same thing in every copy of the register and the bulk
generator can write rows without waiting for database-assigned ids. Table names start with
``population_`` because the register shares one Alembic history with the rest of Prasan even
though it runs on its own database in deployment.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from prasan.core.db import Base

SEXES = ("M", "F")
RELATIONS = (
    "head",
    "spouse",
    "child",
    "parent",
    "grandchild",
    "sibling",
    "relative",
    "resident",
)


class Province(Base):
    """A province (จังหวัด); ``code`` is the official two-digit DOPA code (10 = Bangkok)."""

    __tablename__ = "population_provinces"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name_th: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    region_th: Mapped[str] = mapped_column(String(60))
    region_en: Mapped[str] = mapped_column(String(60))


class District(Base):
    """A district (อำเภอ, or เขต in Bangkok); ``code`` is the four-digit DOPA code."""

    __tablename__ = "population_districts"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("population_provinces.code"), index=True)
    name_th: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))


class SubDistrict(Base):
    """A sub-district (ตำบล, or แขวง in Bangkok); ``code`` is the six-digit DOPA code."""

    __tablename__ = "population_subdistricts"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("population_districts.code"), index=True)
    name_th: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    postal_code: Mapped[str] = mapped_column(String(5))


class House(Base):
    """A house registration (ทะเบียนบ้าน): an address with its 11-digit house code.

    The house code is the registering office's four-digit code, six running digits and a check
    digit, as DOPA prints it on the booklet.
    """

    __tablename__ = "population_houses"

    house_code: Mapped[str] = mapped_column(String(11), primary_key=True)
    house_number: Mapped[str] = mapped_column(String(20))
    moo: Mapped[int | None] = mapped_column(Integer)
    village_th: Mapped[str | None] = mapped_column(String(100))
    village_en: Mapped[str | None] = mapped_column(String(100))
    soi_th: Mapped[str | None] = mapped_column(String(100))
    soi_en: Mapped[str | None] = mapped_column(String(100))
    road_th: Mapped[str | None] = mapped_column(String(100))
    road_en: Mapped[str | None] = mapped_column(String(100))
    subdistrict_code: Mapped[str] = mapped_column(
        ForeignKey("population_subdistricts.code"), index=True
    )
    postal_code: Mapped[str] = mapped_column(String(5))


class Person(Base):
    """A person in the register, living or dead, and their place in one house registration."""

    __tablename__ = "population_persons"
    __table_args__ = (
        CheckConstraint("sex IN ('M', 'F')", name="sex"),
        CheckConstraint(
            "relation IS NULL OR relation IN "
            "('head', 'spouse', 'child', 'parent', 'grandchild', 'sibling', 'relative', 'resident')",
            name="relation",
        ),
        CheckConstraint("deceased OR death_date IS NULL", name="death_date_only_if_deceased"),
    )

    citizen_id: Mapped[str] = mapped_column(String(13), primary_key=True)
    title_th: Mapped[str] = mapped_column(String(30))
    title_en: Mapped[str] = mapped_column(String(20))
    first_name_th: Mapped[str] = mapped_column(String(100))
    last_name_th: Mapped[str] = mapped_column(String(100))
    first_name_en: Mapped[str] = mapped_column(String(100))
    last_name_en: Mapped[str] = mapped_column(String(100))
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    deceased: Mapped[bool] = mapped_column(Boolean, default=False)
    death_date: Mapped[dt.date | None] = mapped_column(Date)
    house_code: Mapped[str | None] = mapped_column(
        ForeignKey("population_houses.house_code"), index=True
    )
    relation: Mapped[str | None] = mapped_column(String(20))


class IdCard(Base):
    """An ID card (บัตรประจำตัวประชาชน) issued to a person; one is current at a time.

    ``expiry_date`` is empty for a lifelong card (issued at age 70 or over). The issuing office is
    the district office of ``issuing_district_code``.
    """

    __tablename__ = "population_id_cards"
    __table_args__ = (Index("ix_population_id_cards_citizen_current", "citizen_id", "is_current"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    citizen_id: Mapped[str] = mapped_column(ForeignKey("population_persons.citizen_id"))
    card_number: Mapped[str] = mapped_column(String(14), unique=True)
    issue_date: Mapped[dt.date] = mapped_column(Date)
    expiry_date: Mapped[dt.date | None] = mapped_column(Date)
    issuing_district_code: Mapped[str] = mapped_column(ForeignKey("population_districts.code"))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
