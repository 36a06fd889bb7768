"""``analyze`` end to end on a slice of the demo corpus; storing; incremental ``add``."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

import networkx as nx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from prasan.cli import app
from prasan.core.settings import Settings
from prasan.policy import pipeline, service
from prasan.policy.demo import demo_corpus_path
from prasan.policy.models import PolicyCluster, PolicyItem, PolicyPair
from prasan.policy.store import state_path


def demo_rows(n: int) -> list[dict[str, str]]:
    with gzip.open(demo_corpus_path(), "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    return rows[:n]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """120 demo documents plus an exact copy of one under another id (a known duplicate)."""
    rows = demo_rows(120)
    copy = dict(rows[5], id="copy-of-" + rows[5]["id"])
    path = tmp_path_factory.mktemp("corpus") / "corpus.jsonl"
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [*rows, copy]), encoding="utf-8"
    )
    return path


@pytest.fixture(scope="module")
def result(corpus: Path) -> pipeline.AnalysisResult:
    return pipeline.run([corpus], embedder=None, workers=1)


def test_analyze_command_writes_every_output(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = CliRunner().invoke(
        app,
        [
            "policy",
            "analyze",
            str(corpus),
            "--out",
            str(out),
            "--no-store",
            "--embedder",
            "none",
            "--workers",
            "1",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "policy items" in res.output  # the summary table
    items = [json.loads(x) for x in (out / "items.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(items) >= 121
    assert {"id", "doc", "start", "end", "text", "agencies"} <= set(items[0])
    pairs = [json.loads(x) for x in (out / "pairs.jsonl").read_text(encoding="utf-8").splitlines()]
    assert pairs
    for p in pairs:
        assert {"a", "b", "a_doc", "b_doc", "label", "score", "facets", "evidence"} <= set(p)
        assert p["label"] in ("duplicate", "overlap", "related")
        if p["label"] in ("duplicate", "overlap"):
            assert p["evidence"], f"{p['a']}–{p['b']} has no evidence"
            assert {"a", "b", "score"} <= set(p["evidence"][0])
    doc_pairs = [
        json.loads(x) for x in (out / "doc_pairs.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert all({"a", "b", "label", "score"} <= set(d) for d in doc_pairs)
    assert (out / "clusters.jsonl").stat().st_size > 0
    g = nx.read_graphml(out / "graph.graphml")
    assert g.number_of_nodes() == len(items)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["items"] == len(items) and "segment" in summary["timings_s"]
    assert summary["peak_memory"]["total_mb"] > 0


def test_known_copy_is_found_as_duplicate(result: pipeline.AnalysisResult) -> None:
    an = result.analyzer
    rows = demo_rows(6)
    orig, copy = rows[5]["id"], "copy-of-" + rows[5]["id"]
    found = [
        p for p in result.pairs if {an.items[p.a].item.doc, an.items[p.b].item.doc} == {orig, copy}
    ]
    assert found and found[0].relation.label == "duplicate"
    assert found[0].evidence


def test_clusters_group_redundant_items(result: pipeline.AnalysisResult) -> None:
    red = [c for c in result.clusters if c.kind == "redundancy"]
    assert red
    an = result.analyzer
    redundant = {
        an.items[k].id
        for p in result.pairs
        if p.relation.label in ("duplicate", "overlap")
        for k in (p.a, p.b)
    }
    assert {i for c in red for i in c.items} == redundant
    assert all(c.fragmentation == len(c.ministries) for c in red)


def test_store_then_add_a_document_incrementally(
    result: pipeline.AnalysisResult, session: Session, settings: Settings, tmp_path: Path
) -> None:
    service.save_analysis(session=session, result=result, settings=settings)
    stored = service.counts(session=session)
    assert stored["items"] == len(result.analyzer.items)
    assert stored["pairs"] == len(result.pairs)
    assert state_path(settings.data_dir).exists()

    # a new document repeating a stored one, and one about something else
    rows = demo_rows(121)
    new = tmp_path / "new.jsonl"
    new.write_text(
        json.dumps(dict(rows[10], id="new-repeat"), ensure_ascii=False)
        + "\n"
        + json.dumps(rows[120], ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    t0 = time.perf_counter()
    report = service.add_documents(session=session, settings=settings, inputs=[new])
    elapsed = time.perf_counter() - t0
    assert report.documents == ["new-repeat", rows[120]["id"]]
    assert elapsed < 10  # the ≤ 2 s target is measured on the full corpus by the benchmark
    dup = session.scalars(
        select(PolicyPair).where(
            PolicyPair.label == "duplicate",
            (PolicyPair.a == "new-repeat") | (PolicyPair.b == "new-repeat"),
        )
    ).all()
    assert any({d.a, d.b} == {"new-repeat", rows[10]["id"]} for d in dup)
    assert all(d.evidence for d in dup)
    item = session.get(PolicyItem, "new-repeat")
    assert item is not None and item.cluster_id is not None
    cluster = session.get(PolicyCluster, item.cluster_id)
    assert cluster is not None and rows[10]["id"] in cluster.items
    assert service.counts(session=session)["items"] == stored["items"] + 2

    # the addition is on disk as a small delta next to the full state, and loads back
    from prasan.policy.store import delta_path, load_analyzer

    path = state_path(settings.data_dir)
    assert delta_path(path).exists()
    state_bytes = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    assert delta_path(path).stat().st_size < state_bytes / 5
    reloaded = load_analyzer(path)
    assert "new-repeat" in reloaded.index
    assert reloaded.features is not None
    assert reloaded.features.X.shape[0] == len(reloaded.items) == stored["items"] + 2
    service._cache.clear()  # the next add reads the state from disk, delta included

    # adding the same id again is reported, not lost
    again = service.add_documents(session=session, settings=settings, inputs=[new])
    assert any("duplicate document id 'new-repeat'" in str(p) for p in again.problems)
