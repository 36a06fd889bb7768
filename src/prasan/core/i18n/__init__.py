"""Page strings in Thai (the default) and English.

Source strings are written in English in templates and code (``_("Log in")``); ``th.json`` holds
their Thai. A part adds its own catalogue file beside it (``th.<part>.json``) so parts do not
edit one shared file. A string missing from the Thai catalogue shows in English and is caught by
``tests/core/test_i18n.py``, which reads every template.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("th", "en")
_HERE = Path(__file__).resolve().parent

Translate = Callable[..., str]


@lru_cache
def catalogue(lang: str) -> dict[str, str]:
    if lang == "en":
        return {}
    merged: dict[str, str] = {}
    for path in sorted(_HERE.glob(f"{lang}*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def translator(lang: str) -> Translate:
    table = catalogue(lang)

    def _(text: str, /, **values: object) -> str:
        out = table.get(text, text)
        return out.format(**values) if values else out

    return _


def normalise_language(value: str | None, default: str = "th") -> str:
    if not value:
        return default
    value = value.strip().lower()[:2]
    return value if value in LANGUAGES else default
