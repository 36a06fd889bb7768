"""Thailand's provinces, districts and sub-districts, loaded from the bundled CSVs, and addresses.

The CSVs in ``data/`` are copies of the kongvut/thai-province-data tables (MIT licence, see
``data/LICENSE``). District and sub-district ids there are official DOPA codes; province ids are
that project's own 1-77, so the official province code is taken from the first two digits of
the province's district codes. Addresses are written the way Thai documents print them: แขวง
and เขต in Bangkok, ตำบล, อำเภอ and จังหวัด elsewhere.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from prasan.registries.population.models import District, Province, SubDistrict

DATA_DIR = Path(__file__).resolve().parent / "data"
BANGKOK = "10"

REGIONS_EN = {
    "ภาคเหนือ": "Northern",
    "ภาคกลาง": "Central",
    "ภาคตะวันออกเฉียงเหนือ": "Northeastern",
    "ภาคตะวันตก": "Western",
    "ภาคตะวันออก": "Eastern",
    "ภาคใต้": "Southern",
}


def _read(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return [row for row in csv.DictReader(fh) if not row.get("deleted_at")]


def place_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Province, district and sub-district rows from the CSVs, keyed by official codes."""
    regions = {r["id"]: r["name"] for r in _read("geographies.csv")}
    districts_csv = _read("districts.csv")
    province_code: dict[str, str] = {}
    for d in districts_csv:
        province_code.setdefault(d["province_id"], d["id"][:2])
    provinces = [
        {
            "code": province_code[p["id"]],
            "name_th": p["name_th"].strip(),
            "name_en": p["name_en"].strip(),
            "region_th": regions[p["geography_id"]],
            "region_en": REGIONS_EN[regions[p["geography_id"]]],
        }
        for p in _read("provinces.csv")
        if p["id"] in province_code
    ]
    districts = [
        {
            "code": d["id"],
            "province_code": province_code[d["province_id"]],
            "name_th": d["name_th"].strip(),
            "name_en": d["name_en"].strip(),
        }
        for d in districts_csv
    ]
    subdistricts = [
        {
            "code": s["id"],
            "district_code": s["district_id"],
            "name_th": s["name_th"].strip(),
            "name_en": s["name_en"].strip(),
            "postal_code": s["zip_code"].strip(),
        }
        for s in _read("sub_districts.csv")
    ]
    return provinces, districts, subdistricts


def ensure_places(*, session: Session) -> int:
    """Load the places once (idempotent); returns how many rows were added (0 if present)."""
    if session.scalar(select(func.count()).select_from(Province)):
        return 0
    provinces, districts, subdistricts = place_rows()
    session.execute(insert(Province), provinces)
    session.execute(insert(District), districts)
    session.execute(insert(SubDistrict), subdistricts)
    return len(provinces) + len(districts) + len(subdistricts)


@dataclass(frozen=True, slots=True)
class Place:
    """A sub-district with its district and province, as an address needs them."""

    subdistrict_code: str
    subdistrict_th: str
    subdistrict_en: str
    district_code: str
    district_th: str
    district_en: str
    province_code: str
    province_th: str
    province_en: str

    @property
    def is_bangkok(self) -> bool:
        return self.province_code == BANGKOK

    @property
    def district_plain_en(self) -> str:
        """Bangkok's English district names start with "Khet"; an address says "District"."""
        return self.district_en.removeprefix("Khet ").strip()


def place_of(*, session: Session, subdistrict_code: str) -> Place | None:
    row = session.execute(
        select(SubDistrict, District, Province)
        .join(District, SubDistrict.district_code == District.code)
        .join(Province, District.province_code == Province.code)
        .where(SubDistrict.code == subdistrict_code)
    ).one_or_none()
    if row is None:
        return None
    s, d, p = row
    return Place(
        s.code, s.name_th, s.name_en, d.code, d.name_th, d.name_en, p.code, p.name_th, p.name_en
    )


def office_of(*, session: Session, district_code: str) -> dict[str, str]:
    """Code and bilingual name of a district office (where ID cards are issued)."""
    row = session.execute(
        select(District.name_th, District.name_en, District.province_code).where(
            District.code == district_code
        )
    ).one()
    th, en, province = row
    if province == BANGKOK:
        return {
            "code": district_code,
            "th": f"สำนักงาน{th}",
            "en": f"{en.removeprefix('Khet ')} District Office",
        }
    return {"code": district_code, "th": f"ที่ว่าการอำเภอ{th}", "en": f"{en} District Office"}


def address_lines(
    *,
    place: Place,
    house_number: str,
    moo: int | None,
    village_th: str | None,
    village_en: str | None,
    soi_th: str | None,
    soi_en: str | None,
    road_th: str | None,
    road_en: str | None,
    postal_code: str,
) -> tuple[str, str]:
    """The address on one line in Thai and in English, as an envelope or a form prints it."""
    th = [house_number]
    en = [house_number]
    if moo is not None:
        th.append(f"หมู่ {moo}")
        en[0] += f" Moo {moo}"
    if village_th:
        th.append(village_th)
    if village_en:
        en.append(village_en)
    if soi_th:
        th.append(f"ซอย{soi_th}")
    if soi_en:
        en.append(f"Soi {soi_en}")
    if road_th:
        th.append(f"ถนน{road_th}")
    if road_en:
        en.append(f"{road_en} Road")
    if place.is_bangkok:
        th += [f"แขวง{place.subdistrict_th}", place.district_th, place.province_th, postal_code]
    else:
        th += [
            f"ตำบล{place.subdistrict_th}",
            f"อำเภอ{place.district_th}",
            f"จังหวัด{place.province_th}",
            postal_code,
        ]
    en += [
        f"{place.subdistrict_en} Subdistrict",
        f"{place.district_plain_en} District",
        f"{place.province_en} {postal_code}",
    ]
    return " ".join(th), ", ".join(en)
