"""Thai calendar and numerals: Buddhist-era dates shown and read the way Thai documents print them.

The Buddhist era (พ.ศ.) is the Common Era plus 543. Government documents write dates as
``๙ มีนาคม ๒๕๖๑``, ``9 มี.ค. 2561`` or ``วันศุกร์ที่ 9 มีนาคม 2561``; all of these parse here.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from prasan.core.errors import InvalidDate

BE_OFFSET = 543

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_TO_THAI = str.maketrans("0123456789", THAI_DIGITS)
_TO_ARABIC = str.maketrans(THAI_DIGITS, "0123456789")

MONTHS_TH = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
MONTHS_TH_ABBR = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
WEEKDAYS_TH = ("จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์", "อาทิตย์")

Style = Literal["long", "short", "full"]


def to_thai_digits(text: str) -> str:
    return text.translate(_TO_THAI)


def to_arabic_digits(text: str) -> str:
    return text.translate(_TO_ARABIC)


def format_date(
    day: dt.date, *, lang: str = "th", style: Style = "long", thai_digits: bool = False
) -> str:
    """``9 มีนาคม 2561`` (long), ``9 มี.ค. 2561`` (short), ``วันศุกร์ที่ 9 มีนาคม 2561`` (full).

    English uses the Common Era: ``9 March 2018``, ``9 Mar 2018``, ``Friday 9 March 2018``.
    """
    if lang == "en":
        month = MONTHS_EN[day.month - 1]
        if style == "short":
            month = month[:3]
        text = f"{day.day} {month} {day.year}"
        if style == "full":
            text = f"{day.strftime('%A')} {text}"
        return text
    months = MONTHS_TH_ABBR if style == "short" else MONTHS_TH
    text = f"{day.day} {months[day.month - 1]} {day.year + BE_OFFSET}"
    if style == "full":
        text = f"วัน{WEEKDAYS_TH[day.weekday()]}ที่ {text}"
    return to_thai_digits(text) if thai_digits else text


_MONTH_LOOKUP: dict[str, int] = {}
for _i, (_full, _abbr, _en) in enumerate(zip(MONTHS_TH, MONTHS_TH_ABBR, MONTHS_EN, strict=True)):
    _MONTH_LOOKUP[_full] = _i + 1
    _MONTH_LOOKUP[_abbr] = _i + 1
    _MONTH_LOOKUP[_abbr.replace(".", "")] = _i + 1
    _MONTH_LOOKUP[_abbr.replace(" ", "")] = _i + 1
    _MONTH_LOOKUP[_en.lower()] = _i + 1
    _MONTH_LOOKUP[_en[:3].lower()] = _i + 1

_ERA_RE = re.compile(r"(พ\.\s?ศ\.|ค\.\s?ศ\.)")
_DATE_RE = re.compile(r"(?P<day>\d{1,2})\s*(?P<month>[^\d\s]+)\s*(?P<year>\d{2,4})")


def parse_date(text: str, *, era: Literal["auto", "be", "ce"] = "auto") -> dt.date:
    """Read a Thai or English date; years above 2400 are taken as Buddhist era.

    Accepts Thai numerals, abbreviated or full month names, a leading weekday
    (``วันอังคารที่ 23 สิงหาคม 2559``), ``พ.ศ.``/``ค.ศ.`` markers, ISO dates, and two-digit
    Buddhist years as in ``9 มี.ค. 61``.
    """
    raw = text
    s = to_arabic_digits(text).strip()
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        pass
    era_mark = _ERA_RE.search(s)
    marker = era_mark.group(1).replace(" ", "") if era_mark else None
    m = _DATE_RE.search(_ERA_RE.sub(" ", s))
    if not m:
        raise InvalidDate(
            f"Cannot read {raw!r} as a date: write it like 9 มีนาคม 2561, 9 มี.ค. 2561 or 2018-03-09",
            detail_th=f"อ่าน {raw!r} เป็นวันที่ไม่ได้: เขียนเช่น 9 มีนาคม 2561, 9 มี.ค. 2561 หรือ 2018-03-09",
        )
    month_name = m["month"].strip().lower().replace(" ", "")
    month = _MONTH_LOOKUP.get(month_name) or _MONTH_LOOKUP.get(month_name.rstrip("."))
    if month is None:
        raise InvalidDate(
            f"{m['month']!r} in {raw!r} is not a month name: use e.g. มีนาคม, มี.ค. or March",
            detail_th=f"{m['month']!r} ใน {raw!r} ไม่ใช่ชื่อเดือน: ใช้เช่น มีนาคม, มี.ค. หรือ March",
        )
    year = int(m["year"])
    if len(m["year"]) == 2:
        year += 2500 if (marker != "ค.ศ." and era != "ce") else 2000
    is_be = marker == "พ.ศ." or era == "be" or (era == "auto" and marker != "ค.ศ." and year > 2400)
    if is_be:
        year -= BE_OFFSET
    try:
        return dt.date(year, month, int(m["day"]))
    except ValueError as exc:
        raise InvalidDate(
            f"{raw!r} is not a real date ({exc}): check the day and the month",
            detail_th=f"{raw!r} ไม่ใช่วันที่ที่มีอยู่จริง: ตรวจวันและเดือนอีกครั้ง",
        ) from exc
