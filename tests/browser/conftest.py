"""Browser fixtures: a real Prasan server on loopback and Debian's headless Chromium.

Skipped, with the reason, where Chromium or the Playwright package is missing; ``make test``
installs both, so CI always runs these.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from prasan.core import db
from prasan.core.settings import Settings
from prasan.web.app import create_app
from tests.servers import serve

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A whole server with its own migrated, seeded SQLite file (pages see what a person sees)."""
    from prasan.demo import seed

    data_dir = tmp_path_factory.mktemp("live")
    settings = Settings(data_dir=data_dir, secret_key="browser-test-" + "y" * 40, mode="demo")
    db.upgrade(settings)
    with db.session_scope(settings) as session:
        list(seed(session=session, settings=settings))
    with serve(create_app(settings, migrate=False)) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium: run `make browsers`")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(bypass_csp=True)  # lets the test inject axe-core
    pg = context.new_page()
    yield pg
    context.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (from npm) in the page; returns the violations, each with its nodes."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `make install` (npm ci)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    return json.dumps(
        [
            {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in violations
        ],
        ensure_ascii=False,
        indent=1,
    )
