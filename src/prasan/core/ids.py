"""Thai 13-digit citizen identification numbers (เลขประจำตัวประชาชน).

Validation uses python-stdnum's ``th.pin`` rules, but each failure is explained separately
(wrong length, stray characters, a first digit that is never issued, the check digit) so a
citizen or an officer knows what to fix.
"""

from __future__ import annotations

import re
from typing import NewType

from stdnum.th import pin as _pin

from prasan.core.errors import InvalidCitizenId

CitizenId = NewType("CitizenId", str)

_SEPARATORS = re.compile(r"[\s\-.]")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def check_digit(first12: str) -> str:
    """The 13th digit for twelve leading digits (mod-11 weighted sum, as the DOPA issues them)."""
    return str(_pin.calc_check_digit(first12))


def validate_citizen_id(raw: str, *, field: str = "citizen_id") -> CitizenId:
    """Return the ID as 13 plain digits, or raise ``InvalidCitizenId`` saying what is wrong.

    Accepts the printed form ``1-1017-00203-45-1``, spaces and Thai digits.
    """
    shown = raw.strip()
    digits = _SEPARATORS.sub("", shown).translate(_THAI_DIGITS)

    def fail(en: str, th: str) -> InvalidCitizenId:
        return InvalidCitizenId(
            en, detail_th=th, errors=[{"field": field, "message": en, "message_th": th}]
        )

    if not digits:
        raise fail(
            "The citizen ID is empty: enter the 13 digits printed on the ID card",
            "ยังไม่ได้กรอกเลขประจำตัวประชาชน: กรอกตัวเลข 13 หลักตามบัตรประชาชน",
        )
    bad = sorted({c for c in digits if not c.isdigit()})
    if bad:
        chars = " ".join(repr(c) for c in bad)
        raise fail(
            f"ID {shown} contains {chars}: a citizen ID has digits only",
            f"เลข {shown} มีอักขระ {chars}: เลขประจำตัวประชาชนมีเฉพาะตัวเลข",
        )
    if len(digits) != 13:
        raise fail(
            f"ID {shown} has {len(digits)} digits: a citizen ID has 13",
            f"เลข {shown} มี {len(digits)} หลัก: เลขประจำตัวประชาชนต้องมี 13 หลัก",
        )
    if digits[0] in "09":
        raise fail(
            f"ID {digits} starts with {digits[0]}: citizen IDs start with 1 to 8",
            f"เลข {digits} ขึ้นต้นด้วย {digits[0]}: เลขประจำตัวประชาชนขึ้นต้นด้วย 1 ถึง 8",
        )
    if check_digit(digits[:12]) != digits[12]:
        raise fail(
            f"ID {digits} fails its check digit: check the 13 digits",
            f"เลข {digits} หลักตรวจสอบไม่ถูกต้อง: ตรวจเลขทั้ง 13 หลักอีกครั้ง",
        )
    return CitizenId(digits)


def format_citizen_id(cid: str) -> str:
    """The printed form, ``1-1017-00203-45-1``."""
    d = validate_citizen_id(cid)
    return f"{d[0]}-{d[1:5]}-{d[5:10]}-{d[10:12]}-{d[12]}"
