"""Drawing a labelled-set sample from a corpus run, and merging its readings back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.benchmark_scripts import load_benchmark

ROOT = Path(__file__).resolve().parents[2]


sp = load_benchmark("policy_sample_pairs")


def test_cut_keeps_whole_lines_under_the_limit() -> None:
    assert sp.cut("short") == "short"
    text = "a" * 10 + "\n" + "b" * 10 + "\n" + "c" * 10
    assert sp.cut(text, limit=25) == "a" * 10 + "\n" + "b" * 10


def test_split_holds_out_thirty_percent_of_each_label() -> None:
    recs = [
        {"id": f"p{k}", "label": lab, "a": {"doc": f"d{k}", "start": 0},
         "b": {"doc": f"e{k}", "start": 0}}
        for k, lab in enumerate(["related"] * 10 + ["duplicate"] * 7)
    ]  # fmt: skip
    split = sp.split_of(recs)
    assert sum(split[r["id"]] == "test" for r in recs if r["label"] == "related") == 3
    assert sum(split[r["id"]] == "test" for r in recs if r["label"] == "duplicate") == 2
    assert split == sp.split_of(list(reversed(recs)))  # an order of the pairs, not of the file


def _texts() -> dict[str, str]:
    return {f"d{k}": f"หัวข้อ {k}\n" + "ข้อความ " * (40 + k) for k in range(6)}


def _write_run(run: Path, texts: dict[str, str], pairs: list[tuple[str, str, str]]) -> Path:
    """A run's output folder as ``prasan policy analyze`` writes it (one item a document)."""
    run.mkdir()
    (run / "items.jsonl").write_text(
        "".join(
            json.dumps({"id": d, "doc": d, "start": 0, "end": len(t), "title": f"หัวข้อ {d}",
                        "text": t}, ensure_ascii=False) + "\n"
            for d, t in texts.items()
        ),
        encoding="utf-8",
    )  # fmt: skip
    (run / "pairs.jsonl").write_text(
        "".join(
            json.dumps({"a": a, "b": b, "a_doc": a, "b_doc": b, "label": lab}) + "\n"
            for a, b, lab in pairs
        ),
        encoding="utf-8",
    )
    return run


def test_draw_then_merge_appends_blind_read_pairs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    texts = _texts()
    pairs = [("d0", "d1", "duplicate"), ("d2", "d3", "overlap"), ("d4", "d5", "related"),
             ("d0", "d5", "related")]  # fmt: skip
    run = _write_run(tmp_path / "run", texts, pairs)
    devset = tmp_path / "devset.jsonl"
    shutil.copy(ROOT / "benchmarks" / "data" / "policy_devset.jsonl", devset)
    sample = tmp_path / "sample.json"
    shutil.copy(ROOT / "benchmarks" / "data" / "policy_corpus_sample.json", sample)
    before = devset.read_text(encoding="utf-8")
    cands, blind = tmp_path / "c.jsonl", tmp_path / "b.jsonl"
    sp.main(["draw", "--run-dir", str(run), "--run", "runX", "--seed", "1", "--per-stratum", "1",
             "--candidates", str(cands), "--blind", str(blind), "--devset", str(devset)])  # fmt: skip
    drawn = [json.loads(x) for x in cands.read_text(encoding="utf-8").splitlines()]
    assert [c["stratum"] for c in drawn] == ["duplicate", "overlap", "related"]
    for line in blind.read_text(encoding="utf-8").splitlines():
        seen = json.loads(line)  # the readers see texts and titles only
        assert set(seen) == {"id", "a", "b"} and set(seen["a"]) == {"title", "text"}
    ids = [c["id"] for c in drawn]

    def readings(path: Path, labels: list[str]) -> Path:
        path.write_text(
            "".join(
                json.dumps({"id": i, "label": lab, "note": "n", "topic": "t", "hard": True}) + "\n"
                for i, lab in zip(ids, labels, strict=True)
            ),
            encoding="utf-8",
        )
        return path

    first = readings(tmp_path / "r1", ["duplicate", "overlap", "related"])
    second = readings(tmp_path / "r2", ["duplicate", "related", "related"])
    args = ["merge", "--candidates", str(cands), "--first", str(first), "--second", str(second),
            "--run-note", "test run", "--devset", str(devset), "--sample", str(sample)]  # fmt: skip
    with pytest.raises(SystemExit):  # the first two differ on one pair: a third is needed
        sp.main(args)
    assert devset.read_text(encoding="utf-8") == before  # nothing half-merged
    third = readings(tmp_path / "r3", ["duplicate", "related", "related"])
    # what the run emitted, from the readings alone: 1 of its 1 duplicate-stratum pair
    # redundant, 0 of 1 overlap, 0 of 1 related (populations 1, 1 and 2)
    capsys.readouterr()
    sp.main(["tally", "--candidates", str(cands), "--first", str(first), "--second",
             str(second), "--third", str(third)])  # fmt: skip
    emitted = json.loads(capsys.readouterr().out)["runX"]
    assert emitted["precision"] == 0.5 and emitted["recall_over_emitted"] == 1.0
    assert emitted["labels"] == {"duplicate": 1, "related": 2}
    assert devset.read_text(encoding="utf-8") == before  # tally adds nothing
    sp.main([*args, "--third", str(third)])
    added = [json.loads(x) for x in devset.read_text(encoding="utf-8").splitlines()][-3:]
    assert [r["label"] for r in added] == ["duplicate", "related", "related"]
    assert added[1]["readings"]["third"]["label"] == "related"
    meta = json.loads(sample.read_text(encoding="utf-8"))
    assert meta["runs"]["runX"]["sampled_per_stratum"] == 1
    assert {meta["stratum"][i]["stratum"] for i in ids} == {"duplicate", "overlap", "related"}


def test_draw_from_a_stored_analysis_matches_its_run_and_skips_added_documents(
    tmp_path: Path,
) -> None:
    import sqlite3

    texts = _texts() | {"added-d0": _texts()["d0"]}
    pairs = [("d0", "d1", "duplicate"), ("d2", "d3", "overlap"), ("d4", "d5", "related"),
             ("d0", "d5", "related"), ("added-d0", "d0", "duplicate")]  # fmt: skip
    # the run's own output has no added document; the store has one, added after the run
    run = _write_run(
        tmp_path / "run",
        {d: t for d, t in texts.items() if not d.startswith("added-")},
        [p for p in pairs if not p[0].startswith("added-")],
    )
    db = tmp_path / "policy.db"
    with sqlite3.connect(db) as conn:
        conn.execute(
            "CREATE TABLE policy_items (id TEXT, doc_id TEXT, start INT, end_offset INT,"
            " text TEXT, title TEXT)"
        )
        conn.execute(
            "CREATE TABLE policy_pairs (id INTEGER PRIMARY KEY, a TEXT, b TEXT, a_doc TEXT,"
            " b_doc TEXT, label TEXT)"
        )
        conn.executemany(
            "INSERT INTO policy_items VALUES (?, ?, 0, ?, ?, ?)",
            [(d, d, len(t), t, f"หัวข้อ {d}") for d, t in texts.items()],
        )
        conn.executemany(
            "INSERT INTO policy_pairs (a, b, a_doc, b_doc, label) VALUES (?, ?, ?, ?, ?)",
            [(a, b, a, b, lab) for a, b, lab in pairs],
        )
    devset = ROOT / "benchmarks" / "data" / "policy_devset.jsonl"
    out = {}
    for name, source in (("run", ["--run-dir", str(run)]), ("store", ["--store", str(db)])):
        cands, blind = tmp_path / f"{name}-c.jsonl", tmp_path / f"{name}-b.jsonl"
        sp.main(["draw", *source, "--run", "runX", "--seed", "3", "--per-stratum", "2",
                 "--candidates", str(cands), "--blind", str(blind), "--devset", str(devset)])  # fmt: skip
        out[name] = cands.read_text(encoding="utf-8")
    assert out["store"] == out["run"]
    assert "added-" not in out["store"]


def _blind(n: int) -> list[dict[str, object]]:
    return [{"id": f"p{k}", "a": {"title": f"a{k}", "text": "ก"}, "b": {"title": f"b{k}", "text": "ข"}}
            for k in range(n)]  # fmt: skip


def test_parts_lay_out_the_guide_and_each_part_both_ways(tmp_path: Path) -> None:
    blind = tmp_path / "b.jsonl"
    sp._write_jsonl(blind, _blind(7))
    labelling = tmp_path / "L.md"
    labelling.write_text(
        "# Set\n\n## Label guide\n\nThe rules.\n\n## How pairs were found\n\nNot for readers.\n\n"
        "**Run 1:** ... Its readers' hardest calls: two banks'\nloans (`overlap`).\n\n"
        "**Run 2:** ... The readers' hardest calls: one drive at two sites (`duplicate`).\n",
        encoding="utf-8",
    )
    out = tmp_path / "readers"
    sp.main(["parts", "--blind", str(blind), "--out", str(out), "--parts", "3",
             "--labelling", str(labelling)])  # fmt: skip
    text = (out / "GUIDE.md").read_text(encoding="utf-8")
    assert "## Label guide\n\nThe rules." in text and "Not for readers" not in text
    assert "- two banks' loans (`overlap`).\n- one drive at two sites (`duplicate`).\n" in text
    assert "## How to answer" in text
    ids = [[r["id"] for r in sp._jsonl(out / f"part{k}.jsonl")] for k in (1, 2, 3)]
    assert ids == [["p0", "p1", "p2"], ["p3", "p4", "p5"], ["p6"]]
    back = [r["id"] for r in sp._jsonl(out / "part2_reversed.jsonl")]
    assert back == ["p5", "p4", "p3"]  # the second reader meets them the other way round
    assert (out / "answers").is_dir()


def test_the_repository_guide_holds_every_runs_hardest_calls() -> None:
    text = sp.guide(sp.LABELLING.read_text(encoding="utf-8"))
    calls = [x for x in text.split("\n") if x.startswith("- ")]
    assert "| `duplicate` |" in text and len(calls) >= 15  # one line per recorded run


def test_third_reading_gets_exactly_the_pairs_the_first_two_differ_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blind, out = tmp_path / "b.jsonl", tmp_path / "readers"
    sp._write_jsonl(blind, _blind(6))
    sp.main(["parts", "--blind", str(blind), "--out", str(out), "--parts", "2"])
    labels = ["duplicate", "related", "overlap", "related", "unrelated", "duplicate"]
    other = ["duplicate", "related", "overlap", "duplicate", "related", "duplicate"]
    first, second = tmp_path / "r1.jsonl", tmp_path / "r2.jsonl"
    sp._write_jsonl(first, [{"id": f"p{k}", "label": lab} for k, lab in enumerate(labels)])
    sp._write_jsonl(second, [{"id": f"p{k}", "label": lab} for k, lab in enumerate(other)])
    capsys.readouterr()
    sp.main(["third", "--blind", str(blind), "--first", str(first), "--second",
             str(second), "--out", str(out), "--parts", "2"])  # fmt: skip
    disputed = [r["id"] for k in (1, 2) for r in sp._jsonl(out / f"part_third{k}.jsonl")]
    assert disputed == ["p3", "p4"]
    printed = capsys.readouterr().out
    assert "2 of 6 pairs for a third reading" in printed
    assert "part1: 0 of 3 differ  (all agree: have a fresh reader read it again)" in printed
    assert "part2: 2 of 3 differ\n" in printed
    sp._write_jsonl(second, [{"id": "p0", "label": "duplicate"}])
    with pytest.raises(SystemExit):  # a reading missing for a pair
        sp.main(["third", "--blind", str(blind), "--first", str(first), "--second",
                 str(second), "--out", str(out)])  # fmt: skip
