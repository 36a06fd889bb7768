"""The commands against a real (temporary) platform database: analyze --store, then add."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from prasan.cli import app
from prasan.core import db
from prasan.core.settings import get_settings
from prasan.policy.demo import demo_corpus_path
from prasan.policy.models import PolicyPair, PolicyRun


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("PRASAN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("PRASAN_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_analyze_store_then_add_from_the_command_line(env: Path) -> None:
    with gzip.open(demo_corpus_path(), "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh][:60]
    corpus = env / "c.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows[:50]))
    runner = CliRunner()
    res = runner.invoke(
        app,
        [
            "policy",
            "analyze",
            str(corpus),
            "--out",
            str(env / "out"),
            "--embedder",
            "none",
            "--workers",
            "1",
        ],
    )
    assert res.exit_code == 0, res.output
    new = env / "new.txt"
    new.write_text(rows[3]["text"], encoding="utf-8")  # the text of a stored document
    empty = env / "empty.txt"
    empty.write_text("", encoding="utf-8")
    res = runner.invoke(app, ["policy", "add", str(new), str(empty), "--embedder", "none"])
    assert res.exit_code == 0, res.output
    assert "added 1 document(s), 1 item(s)" in res.output
    assert "empty.txt" in res.output and "empty document" in res.output
    with db.session_scope(get_settings()) as session:
        kinds = list(session.scalars(select(PolicyRun.kind).order_by(PolicyRun.id)))
        assert kinds == ["analyze", "add"]
        pair = session.scalars(
            select(PolicyPair).where((PolicyPair.a == "new") | (PolicyPair.b == "new"))
        ).first()
        assert pair is not None and pair.label == "duplicate"
        assert rows[3]["id"] in (pair.a, pair.b)


def test_add_without_a_stored_analysis_says_what_to_do(env: Path) -> None:
    doc = env / "x.txt"
    doc.write_text("กระทรวงสาธารณสุข", encoding="utf-8")
    res = CliRunner().invoke(app, ["policy", "add", str(doc), "--embedder", "none"])
    assert res.exit_code == 2
    assert "No stored policy analysis" in res.output and "prasan policy analyze" in res.output


def test_compare_in_the_stored_corpus(env: Path) -> None:
    with gzip.open(demo_corpus_path(), "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh][:40]
    a, b = env / "a.txt", env / "b.txt"
    a.write_text(rows[3]["text"], encoding="utf-8")
    b.write_text(rows[3]["text"][: len(rows[3]["text"]) // 2], encoding="utf-8")
    runner = CliRunner()
    args = ["policy", "compare", str(a), str(b), "--embedder", "none", "--json", "--in-corpus"]
    res = runner.invoke(app, args)
    assert res.exit_code == 2  # nothing stored yet: says what to run first
    assert "No stored policy analysis" in res.output and "prasan policy analyze" in res.output
    corpus = env / "c.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    res = runner.invoke(
        app, ["policy", "analyze", str(corpus), "--out", str(env / "out"), "--embedder", "none"]
    )
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["label"] == "duplicate" and out["evidence"]
    # in a corpus the readers' memory is read and shown; outside one it is not
    assert 0.0 <= out["signals"]["memory"] <= 1.0
    res = runner.invoke(app, [*args[:-2], "--in-corpus"])
    assert "memory:" in res.output and "base rate" in res.output
    res = runner.invoke(app, args[:-1])
    assert json.loads(res.output)["signals"]["memory"] is None
    # the command's --embedder none did not take the encoder from the process's default
    from prasan.policy import default_analyzer

    assert default_analyzer().embedder is not None
