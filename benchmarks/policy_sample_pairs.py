"""Draw a labelled-set sample from a full corpus run, and merge its blind readings back.

``draw``: from the output of ``prasan policy analyze ... --out RUN_DIR``, draw ``--per-stratum``
pairs at random (``--seed``) from each label the run emitted (duplicate, overlap, related),
leaving out pairs already in the labelled set. Each side is the run's policy item, cut at the
last line break before 4,000 characters, with its offsets in the document. Writes the
candidates (``--candidates``, for ``merge``) and, for the readers, the same pairs in a shuffled
order with only their titles and texts (``--blind``): no run label, score or id of a document.

``merge``: each reading is a JSONL of ``{"id", "label", "note"}`` (the first may add ``topic``
and ``hard``); the pairs get the readings' verdict as their label (``adjudicate``: a third
reading is needed wherever the first two differ), the split (within each label, ordered by
SHA-1 of the documents and offsets, the first 30 % are ``test``, as for the earlier samples),
and are appended to ``benchmarks/data/policy_devset.jsonl``; the run, its stratum sizes and
each pair's stratum go to ``benchmarks/data/policy_corpus_sample.json``.

``--store FILE`` draws from a stored analysis (the SQLite file of ``PRASAN_DATABASE_URL``, e.g.
the one ``policy_speed.py --keep-store`` leaves) instead, without the documents added to it
since (``--skip-prefix``, default ``added-``).

``tally`` (same arguments as ``merge`` but the run note) prints what the sampled run emitted,
read off the readings alone, without adding them to the set: each stratum's redundant share,
the run's precision and its recall over the pairs it emitted.

``parts`` lays the blind pairs out for readers in ``--out``: ``GUIDE.md`` (the label guide
and every run's hardest calls from ``POLICY_LABELLING.md``, and how to answer), ``--parts``
parts (``partN.jsonl`` for the first readers, ``partN_reversed.jsonl`` in reverse order for the
second) and an empty ``answers/``. ``third`` writes the pairs whose first two readings differ
to ``part_thirdN.jsonl`` files in ``--out`` (``--parts`` of them) and prints the agreement, per
part where ``--out`` holds the parts: a part whose readings agree on every pair is read again
by a fresh reader.

Run: ``.venv/bin/python benchmarks/policy_sample_pairs.py draw --run-dir DIR --run run3
--seed 2563 --candidates C.jsonl --blind B.jsonl``, then, with the readings,
``... merge --candidates C.jsonl --first R1.jsonl --second R2.jsonl [--third R3.jsonl]
--run-note "..."``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEVSET = HERE / "data" / "policy_devset.jsonl"
SAMPLE = HERE / "data" / "policy_corpus_sample.json"
LABELLING = HERE / "POLICY_LABELLING.md"
STRATA = ("duplicate", "overlap", "related")
MAX_CHARS = 4000
TEST_SHARE = 0.3


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def cut(text: str, limit: int = MAX_CHARS) -> str:
    """The text up to its last line break before ``limit`` characters (whole if shorter)."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    return head[: head.rfind("\n")] if "\n" in head else head


def side(item: dict[str, Any]) -> dict[str, Any]:
    text = cut(item["text"])
    start = int(item["start"])
    return {
        "doc": item["doc"],
        "title": item.get("title") or text.split("\n", 1)[0][:200],
        "text": text,
        "start": start,
        "end": start + len(text),
    }


def _run_pairs(args: argparse.Namespace) -> Iterator[dict[str, Any]]:
    """The run's pairs: from its ``pairs.jsonl``, or from a stored analysis (``--store``, a
    SQLite file), leaving out documents added to it later (``--skip-prefix``)."""
    if args.store is None:
        with (args.run_dir / "pairs.jsonl").open(encoding="utf-8") as fh:
            yield from (json.loads(line) for line in fh)
        return
    with sqlite3.connect(args.store) as conn:
        for a, b, a_doc, b_doc, label in conn.execute(
            "SELECT a, b, a_doc, b_doc, label FROM policy_pairs ORDER BY id"
        ):
            skip = tuple(args.skip_prefix or ["added-"])
            if not (a_doc.startswith(skip) or b_doc.startswith(skip)):
                yield {"a": a, "b": b, "a_doc": a_doc, "b_doc": b_doc, "label": label}


def _run_items(args: argparse.Namespace, wanted: set[str]) -> dict[str, dict[str, Any]]:
    """The run's items with these ids, as ``items.jsonl`` has them."""
    items: dict[str, dict[str, Any]] = {}
    if args.store is None:
        with (args.run_dir / "items.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                it = json.loads(line)
                if it["id"] in wanted:
                    items[it["id"]] = it
        return items
    with sqlite3.connect(args.store) as conn:
        for iid, doc, start, end, text, title in conn.execute(
            "SELECT id, doc_id, start, end_offset, text, title FROM policy_items"
        ):
            if iid in wanted:
                items[iid] = {
                    "id": iid, "doc": doc, "start": start, "end": end, "text": text,
                    "title": title,
                }  # fmt: skip
    return items


def draw(args: argparse.Namespace) -> None:
    rows = _jsonl(args.devset)
    have = {frozenset((r["a"]["doc"], r["b"]["doc"])) for r in rows}
    last = max(int(r["id"][1:]) for r in rows)
    by_stratum: dict[str, list[dict[str, Any]]] = {s: [] for s in STRATA}
    for p in _run_pairs(args):
        if p["label"] in by_stratum and frozenset((p["a_doc"], p["b_doc"])) not in have:
            by_stratum[p["label"]].append(p)
    rng = random.Random(args.seed)
    picked = {s: rng.sample(ps, min(args.per_stratum, len(ps))) for s, ps in by_stratum.items()}
    wanted = {p[k] for ps in picked.values() for p in ps for k in ("a", "b")}
    items = _run_items(args, wanted)
    out = []
    for stratum in STRATA:
        for p in picked[stratum]:
            last += 1
            out.append(
                {
                    "id": f"p{last:03d}",
                    "source": "corpus_run_sample",
                    "run": args.run,
                    "stratum": stratum,
                    "a": side(items[p["a"]]),
                    "b": side(items[p["b"]]),
                }
            )
    args.candidates.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out), encoding="utf-8"
    )
    blind = [
        {"id": r["id"], "a": {k: r["a"][k] for k in ("title", "text")},
         "b": {k: r["b"][k] for k in ("title", "text")}}
        for r in out
    ]  # fmt: skip
    rng.shuffle(blind)
    args.blind.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in blind), encoding="utf-8"
    )
    population = {s: len(ps) for s, ps in by_stratum.items()}
    args.candidates.with_suffix(".population.json").write_text(
        json.dumps({"population": population, "per_stratum": args.per_stratum,
                    "seed": args.seed}, indent=1) + "\n", encoding="utf-8",
    )  # fmt: skip
    print(f"{len(out)} pairs drawn; run strata (pairs not in the set): {population}")


def split_of(records: list[dict[str, Any]]) -> dict[str, str]:
    """Within each label: ordered by SHA-1 of the documents and offsets, the first 30 % test."""
    out: dict[str, str] = {}
    by_label: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by_label.setdefault(r["label"], []).append(r)

    def key(r: dict[str, Any]) -> str:
        a, b = r["a"], r["b"]
        raw = f"{a['doc']}:{a['start']}:{b['doc']}:{b['start']}"
        return hashlib.sha1(raw.encode()).hexdigest()  # an ordering, not security

    for rows in by_label.values():
        rows = sorted(rows, key=key)
        n_test = round(len(rows) * TEST_SHARE)
        for k, r in enumerate(rows):
            out[r["id"]] = "test" if k < n_test else "dev"
    return out


def _verdicts(args: argparse.Namespace) -> list[dict[str, Any]]:
    """The drawn pairs as labelled-set records (split not set yet), each with the verdict of
    its readings (``adjudicate``); stops if a reading is missing or a third one is needed."""
    from policy_quality import adjudicate

    cands = _jsonl(args.candidates)
    first = {r["id"]: r for r in _jsonl(args.first)}
    second = {r["id"]: r for r in _jsonl(args.second)}
    third = {r["id"]: r for r in _jsonl(args.third)} if args.third else {}
    missing = [c["id"] for c in cands if c["id"] not in first or c["id"] not in second]
    if missing:
        raise SystemExit(f"not merged: no first or second reading for {missing[:10]}")
    differ = [
        c["id"]
        for c in cands
        if first[c["id"]]["label"] != second[c["id"]]["label"] and c["id"] not in third
    ]
    if differ:
        raise SystemExit(f"not merged: the first two readings differ, read a third: {differ}")
    records = []
    for c in cands:
        one, two = first[c["id"]], second[c["id"]]
        readings: dict[str, Any] = {
            "first": one["label"],
            "second": {"label": two["label"], "note": two["note"]},
        }
        if c["id"] in third:
            readings["third"] = {"label": third[c["id"]]["label"], "note": third[c["id"]]["note"]}
        rec = {
            "id": c["id"],
            "topic": one.get("topic") or "corpus-run sample",
            "label": adjudicate(one["label"], two["label"], readings.get("third", {}).get("label")),
            "split": "",
            "a": c["a"],
            "b": c["b"],
            "hard": bool(one.get("hard", False)),
            "note": one["note"],
            "source": "corpus_run_sample",
            "readings": readings,
        }
        records.append(rec)
    return records


def tally(args: argparse.Namespace) -> dict[str, Any]:
    """What the sampled run emitted, from the readings alone, without merging them: per
    stratum the redundant share, and the run's precision and recall over its emitted pairs
    (``policy_calibrate.as_emitted``, as the report gives it for merged runs)."""
    from policy_calibrate import as_emitted

    records = _verdicts(args)
    cands = _jsonl(args.candidates)
    meta = json.loads(args.candidates.with_suffix(".population.json").read_text("utf-8"))
    run = cands[0]["run"]
    sample = {
        "runs": {run: {"population": meta["population"]}},
        "stratum": {c["id"]: {"run": run, "stratum": c["stratum"]} for c in cands},
    }
    out: dict[str, Any] = as_emitted(records, sample)[run]
    out["labels"] = dict(Counter(r["label"] for r in records))
    print(json.dumps({run: out}, indent=1))
    return out


def merge(args: argparse.Namespace) -> None:
    from policy_quality import validate_devset

    cands = _jsonl(args.candidates)
    meta = json.loads(args.candidates.with_suffix(".population.json").read_text("utf-8"))
    records = _verdicts(args)
    splits = split_of(records)
    for r in records:
        r["split"] = splits[r["id"]]
    problems = validate_devset(records)
    if problems:
        raise SystemExit("not merged:\n  " + "\n  ".join(problems[:20]))
    with args.devset.open("a", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    sample = json.loads(args.sample.read_text(encoding="utf-8"))
    sample["runs"][cands[0]["run"]] = {
        "run": args.run_note,
        "population": meta["population"],
        "sampled_per_stratum": meta["per_stratum"],
        "seed": meta["seed"],
    }
    for c in cands:
        sample["stratum"][c["id"]] = {"run": c["run"], "stratum": c["stratum"]}
    args.sample.write_text(json.dumps(sample, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(f"merged {len(records)} pairs: {dict(Counter(r['label'] for r in records))}")


HOW_TO_ANSWER = """## How to answer

- Your part file is a JSONL file; each line is one pair: `{"id", "a": {"title", "text"}, "b":
  {"title", "text"}}`.
- Print pairs with inline commands only, e.g.
  `python3 -c "import json;p=[json.loads(l) for l in open('FILE')][0];print(p['a']['title']);print(p['a']['text']);print('=====');print(p['b']['title']);print(p['b']['text'])"`
  Write no file except your answer file: no scripts, no notes, nothing in /tmp.
- Do not list the folder or open any file other than this guide and your part file.
- Answer file: one JSON object per line, for every pair of your part, in any order:
  `{"id": "p....", "label": "duplicate|overlap|related|unrelated", "note": "one line why, in English"}`
  If you are told to, also add `"topic"` (a few English words naming the programme or domain)
  and `"hard"` (true if the call was genuinely difficult, false otherwise).
- Redundancy matters most: whether a pair is duplicate/overlap (redundant) or related/unrelated
  (not). Take care on that boundary.
"""


def guide(labelling: str) -> str:
    """The readers' guide: the label guide of ``POLICY_LABELLING.md``, every run's recorded
    hardest calls (decisions to stay consistent with), and how to answer."""
    start = labelling.index("## Label guide")
    rules = labelling[start : labelling.index("\n## ", start + 1)].strip()
    calls = re.findall(
        r"(?:hardest\s+calls|recorded as hardest)\**:\**\s*(.*?)(?:\n\n|$)", labelling, re.S
    )
    return (
        "# Reading guide: label pairs of Thai government policy items\n\n"
        "You read pairs of items from thaigov.go.th (news releases, cabinet resolutions) and give\n"
        "each pair ONE label: duplicate, overlap, related or unrelated. Read both texts; decide\n"
        "from what they say, not from how similar the words look.\n\n"
        f"{rules}\n\n## Earlier readers' hardest calls (decisions to stay consistent with)\n\n"
        + "".join(f"- {' '.join(c.split())}\n" for c in calls)
        + "\n"
        + HOW_TO_ANSWER
    )


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


def _chunks(rows: list[dict[str, Any]], n: int) -> list[list[dict[str, Any]]]:
    size = -(-len(rows) // n) if rows else 1
    return [rows[k * size : (k + 1) * size] for k in range(n)]


def parts(args: argparse.Namespace) -> None:
    blind = _jsonl(args.blind)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "answers").mkdir(exist_ok=True)
    (args.out / "GUIDE.md").write_text(guide(args.labelling.read_text("utf-8")), "utf-8")
    for k, part in enumerate(_chunks(blind, args.parts), 1):
        _write_jsonl(args.out / f"part{k}.jsonl", part)
        _write_jsonl(args.out / f"part{k}_reversed.jsonl", part[::-1])
    print(f"{len(blind)} pairs in {args.parts} parts, guide and parts in {args.out}")


def third(args: argparse.Namespace) -> list[str]:
    """The pairs whose first two readings differ, for a third reader; returns their ids."""
    blind = _jsonl(args.blind)
    first = {r["id"]: r["label"] for r in _jsonl(args.first)}
    second = {r["id"]: r["label"] for r in _jsonl(args.second)}
    missing = [b["id"] for b in blind if b["id"] not in first or b["id"] not in second]
    if missing:
        raise SystemExit(f"no first or second reading for {missing[:10]}")
    differ = [b for b in blind if first[b["id"]] != second[b["id"]]]
    args.out.mkdir(parents=True, exist_ok=True)
    for k, part in enumerate(_chunks(differ, args.parts), 1):
        _write_jsonl(args.out / f"part_third{k}.jsonl", part)
    print(f"agreement {1 - len(differ) / len(blind):.4f}: {len(differ)} of {len(blind)} pairs "
          f"for a third reading")  # fmt: skip
    ids = {b["id"] for b in differ}
    for path in sorted(args.out.glob("part[0-9]*.jsonl")):
        if path.stem.endswith("_reversed"):
            continue
        own = [r["id"] for r in _jsonl(path)]
        n = sum(i in ids for i in own)
        again = "  (all agree: have a fresh reader read it again)" if own and not n else ""
        print(f"{path.stem}: {n} of {len(own)} differ{again}")
    return [b["id"] for b in differ]


def _readings(parser: argparse.ArgumentParser, pairs: str, *, third: bool) -> None:
    """The pairs file (``--candidates`` or ``--blind``) and the readings of them."""
    parser.add_argument(pairs, type=Path, required=True)
    parser.add_argument("--first", type=Path, required=True)
    parser.add_argument("--second", type=Path, required=True)
    if third:
        parser.add_argument("--third", type=Path, default=None)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("draw")
    src = d.add_mutually_exclusive_group(required=True)
    src.add_argument("--run-dir", type=Path, help="the --out of a prasan policy analyze run")
    src.add_argument("--store", type=Path, help="a stored analysis (SQLite file) instead")
    d.add_argument(
        "--skip-prefix",
        action="append",
        help="with --store: ids of documents added after the run (repeatable; default added-)",
    )
    d.add_argument("--run", required=True, help="a name for the run, e.g. run3")
    d.add_argument("--seed", type=int, required=True)
    d.add_argument("--per-stratum", type=int, default=50)
    d.add_argument("--candidates", type=Path, required=True)
    d.add_argument("--blind", type=Path, required=True)
    d.add_argument("--devset", type=Path, default=DEVSET)
    m = sub.add_parser("merge")
    _readings(m, "--candidates", third=True)
    m.add_argument("--run-note", required=True, help="the command and commit of the run")
    m.add_argument("--devset", type=Path, default=DEVSET)
    m.add_argument("--sample", type=Path, default=SAMPLE)
    t = sub.add_parser("tally", help="what the sampled run emitted, without merging")
    _readings(t, "--candidates", third=True)
    p = sub.add_parser("parts", help="the readers' guide and parts of a blind sample")
    p.add_argument("--blind", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--parts", type=int, default=6)
    p.add_argument("--labelling", type=Path, default=LABELLING)
    h = sub.add_parser("third", help="the pairs whose first two readings differ")
    _readings(h, "--blind", third=False)
    h.add_argument("--out", type=Path, required=True)
    h.add_argument("--parts", type=int, default=2)
    args = ap.parse_args(argv)
    commands = {"draw": draw, "tally": tally, "merge": merge, "parts": parts, "third": third}
    commands[args.cmd](args)


if __name__ == "__main__":
    main()
