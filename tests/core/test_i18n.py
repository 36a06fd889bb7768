"""Every page string has its Thai; the language switch picks and remembers the language."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from prasan.core.i18n import catalogue, translator
from prasan.web.pages import PARTS

SRC = Path(__file__).resolve().parents[2] / "src" / "prasan"
_CALL = re.compile(r"""_\(\s*(["'])(.+?)(?<!\\)\1""")


def template_strings() -> set[str]:
    found: set[str] = set()
    for path in SRC.rglob("templates/**/*.html"):
        for m in _CALL.finditer(path.read_text(encoding="utf-8")):
            found.add(m.group(2).replace('\\"', '"'))
    for part in PARTS:
        found.update({part.title, part.summary, part.roles})
    return found


def test_every_template_string_has_thai() -> None:
    missing = sorted(s for s in template_strings() if s not in catalogue("th"))
    assert not missing, f"add these to src/prasan/core/i18n/th*.json: {missing}"


def test_translator_formats_values() -> None:
    assert translator("th")("Log in with {provider}", provider="ThaID") == "เข้าสู่ระบบด้วย ThaID"
    assert translator("en")("Log in with {provider}", provider="ThaID") == "Log in with ThaID"


def test_thai_is_the_default_and_english_is_remembered(client: TestClient) -> None:
    home = client.get("/")
    assert '<html lang="th">' in home.text and "หน้าแรก" in home.text
    en = client.get("/?lang=en")
    assert '<html lang="en">' in en.text and en.headers["content-language"] == "en"
    again = client.get("/login")
    assert '<html lang="en">' in again.text
    back = client.get("/?lang=th")
    assert '<html lang="th">' in back.text


def test_unknown_language_falls_back_to_thai(client: TestClient) -> None:
    assert '<html lang="th">' in client.get("/?lang=xx").text
