"""Jinja2 set-up shared by every part's pages: language, the signed-in person, the CSRF token.

Templates live in ``web/templates`` and in each part's own ``templates/`` folder; a part's page
extends ``base.html``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader
from starlette.responses import HTMLResponse

from prasan import __version__
from prasan.core.i18n import translator
from prasan.core.roles import Role
from prasan.core.thai import format_date, to_thai_digits
from prasan.web.deps import CSRF_FIELD, csrf_token

_PKG = Path(__file__).resolve().parent.parent
_dirs = [_PKG / "web" / "templates", *sorted(p for p in _PKG.glob("*/templates") if p.is_dir())]
templates = Jinja2Templates(directory=str(_dirs[0]))
templates.env.loader = ChoiceLoader([FileSystemLoader(str(d)) for d in dict.fromkeys(_dirs)])
templates.env.globals.update(version=__version__, Role=Role, CSRF_FIELD=CSRF_FIELD)


def lang_of(request: Request) -> str:
    return str(getattr(request.state, "lang", "th"))


def page_context(request: Request) -> dict[str, Any]:
    lang = lang_of(request)
    user = getattr(request.state, "user", None)

    def fmt_date(value: dt.date, style: str = "long") -> str:
        return format_date(value, lang=lang, style=style)  # type: ignore[arg-type]

    return {
        "request": request,
        "lang": lang,
        "other_lang": "en" if lang == "th" else "th",
        "_": translator(lang),
        "user": user,
        "csrf_token": lambda: csrf_token(request),
        "format_date": fmt_date,
        "thai_digits": to_thai_digits,
    }


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    ctx = page_context(request)
    ctx.update(context or {})
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)
