"""``prasan exchange ...`` as an administrator uses it, on a scratch database of its own."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from prasan.cli import app
from prasan.core.settings import get_settings


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    if os.environ.get("PRASAN_TEST_DATABASE_URL", "").startswith("postgresql"):
        from tests.conftest import _drop_pg_database, _make_pg_database

        base = os.environ["PRASAN_TEST_DATABASE_URL"]
        url, name = _make_pg_database(base)
    else:
        base, url, name = "", f"sqlite:///{tmp_path / 'cli.db'}", ""
    monkeypatch.setenv("PRASAN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PRASAN_DATABASE_URL", url)
    monkeypatch.setenv("PRASAN_SECRET_KEY", "cli-test-" + "k" * 40)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
    if name:
        _drop_pg_database(base, name)


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, ["exchange", *args])
    assert result.exit_code == code, (args, result.output, result.exception)
    return result.output


def test_administration_from_the_command_line(cli_env: None) -> None:
    hub = run("hub-key")
    assert "TH/GOV/DGA/HUB#" in hub and (get_settings().key_dir / "exchange" / "hub.pem").exists()
    run("member", "add", "TH/GOV/DLT/LICENCE", "--name-en", "DLT", "--name-th", "ขนส่ง")
    run("member", "add", "TH/GOV/TEST/REG", "--name-en", "Reg", "--name-th", "ทะเบียน",
        "--base-url", "http://127.0.0.1:9")  # fmt: skip
    kid = run("key", "new", "TH/GOV/DLT/LICENCE").strip()
    assert kid.startswith("TH/GOV/DLT/LICENCE#")
    assert (get_settings().key_dir / "exchange").is_dir()
    new_kid = run("key", "rotate", "TH/GOV/DLT/LICENCE", "--grace-hours", "1").strip()
    assert new_kid != kid
    run("service", "add", "TH/GOV/TEST/REG", "test.record", "--title-en", "Record",
        "--title-th", "ข้อมูล", "--item", "test.record")  # fmt: skip
    right = json.loads(run("right", "grant", "TH/GOV/DLT/LICENCE", "TH/GOV/TEST/REG",
                           "test.record", "--purpose", "driving-licence-renewal"))  # fmt: skip
    assert right["purposes"] == ["driving-licence-renewal"]
    members = json.loads(run("member", "list"))
    keys = {k["kid"]: k for m in members for k in m["keys"]}
    assert keys[kid]["not_after"] is not None and keys[new_kid]["not_after"] is None
    run("key", "revoke", kid)
    members = json.loads(run("member", "list"))
    assert {k["kid"]: k["status"] for m in members for k in m["keys"]}[kid] == "revoked"
    assert json.loads(run("service", "list"))[0]["code"] == "test.record"
    assert "log verifies" in run("verify")
    given = json.loads(run("consent", "give", "--citizen", "1101700203450", "--consumer",
                           "TH/GOV/DLT/LICENCE", "--provider", "TH/GOV/TEST/REG", "--item",
                           "test.record", "--purpose", "driving-licence-renewal"))  # fmt: skip
    assert given["status"] == "active" and given["receipt"].count(".") == 2
    bad = CliRunner().invoke(app, ["exchange", "member", "add", "nonsense", "--name-en", "x",
                                   "--name-th", "x"])  # fmt: skip
    assert bad.exit_code != 0
