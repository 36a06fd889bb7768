"""Speed and scale of the policy analyser on the whole thaigov corpus (issue 3).

Measures, on this machine, in one run:
- the floor: segmenting every document once with PyThaiNLP ``newmm`` on one core;
- the whole pipeline (read → split → segment on 2 processes → fit → candidates → relate with the
  encoder near thresholds → evidence → graph → write) at 5k, 10k, 20k and all documents, each
  in a fresh subprocess so peak memory is that run's own;
- storing the full analysis in SQLite, then adding documents one at a time to it: first each
  as the command ``prasan policy add FILE`` in a fresh process (``cold_add``: imports, the
  state load, the database, the analysis, the process exit; what issue 3's "adding one
  document takes <= 2 s" is about), then in one warm process (the ``add`` path without
  start-up costs; its first add also loads the state).

Writes ``benchmarks/results/policy_speed.json``. Run: ``.venv/bin/python benchmarks/policy_speed.py``
(about 15 minutes on 2 shared cores); ``--smoke`` runs a tiny version on the demo corpus.
``--cold-add-only --store-dir DIR`` measures only the cold command, against a store an
earlier run left (``--keep-store``), into ``--out``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent.parent / "shared" / "data" / "thaigov" / "thaigov.jsonl.gz"
if not CORPUS.exists():
    CORPUS = Path("/work/shared/data/thaigov/thaigov.jsonl.gz")
RESULT = ROOT / "benchmarks" / "results" / "policy_speed.json"


def cpu_s() -> float:
    self_ = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return self_.ru_utime + self_.ru_stime + kids.ru_utime + kids.ru_stime


def read_texts(path: Path, limit: int | None) -> list[str]:
    opener = gzip.open if path.name.endswith(".gz") else open
    texts = []
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            texts.append(json.loads(line)["text"])
            if limit and len(texts) >= limit:
                break
    return texts


def floor(path: Path, limit: int | None) -> dict[str, Any]:
    """One newmm pass over every document, one core: the cost any word-reading method pays."""
    from pythainlp.tokenize import word_tokenize

    texts = read_texts(path, limit)
    word_tokenize("อุ่นเครื่อง", engine="newmm")
    t0, c0 = time.perf_counter(), cpu_s()
    n_tokens = 0
    for t in texts:
        n_tokens += len(word_tokenize(t, engine="newmm"))
    wall, cpu = time.perf_counter() - t0, cpu_s() - c0
    chars = sum(len(t) for t in texts)
    return {
        "documents": len(texts),
        "characters": chars,
        "tokens": n_tokens,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "chars_per_s": round(chars / wall),
    }


def run_one(
    path: Path, limit: int | None, embedder: str, workers: int, out: Path, store: Path | None
) -> dict[str, Any]:
    """The full pipeline in this process (called in a subprocess by ``main``); with ``store``,
    also saves it to a SQLite database there, as ``prasan policy analyze`` does."""
    from prasan.policy import pipeline
    from prasan.policy.embed import get_embedder

    t0, c0 = time.perf_counter(), cpu_s()
    emb = get_embedder(embedder)
    result = pipeline.run([path], embedder=emb, workers=workers, limit=limit)
    pipeline.write_outputs(result, out)
    wall, cpu = time.perf_counter() - t0, cpu_s() - c0
    store_s = None
    if store is not None:
        from prasan.core import db
        from prasan.policy import service

        settings = _settings(store)
        db.upgrade(settings)
        t1 = time.perf_counter()
        with db.session_scope(settings) as session:
            service.save_analysis(session=session, result=result, settings=settings)
        store_s = round(time.perf_counter() - t1, 2)
    s = result.summary
    return {
        "documents": s["documents"],
        "items": s["items"],
        "characters": s["characters"],
        "candidates": s.get("candidates", 0),
        "pairs": s["pairs"],
        "redundancy_clusters": s["redundancy_clusters"],
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "items_per_s": round(s["items"] / wall, 1),
        "timings_s": s["timings_s"],
        "steps_s": s["steps_s"],
        "encoder_items": s["encoder_items"],
        "peak_memory_mb": s["peak_memory"],
        "store_in_sqlite_s": store_s,
    }


def _settings(store: Path) -> Any:
    from prasan.core.settings import Settings

    return Settings(data_dir=store / "var", database_url=f"sqlite:///{store}/policy.db")


def add_one(
    path: Path,
    n_docs: int,
    embedder: str,
    store: Path,
    prefix: str = "added-",
    restate: bool = False,
) -> dict[str, Any]:
    """Add ``n_docs`` documents, one at a time, to the analysis stored in ``store`` (with
    ``restate``, stored pairs near each new document are decided again)."""
    from prasan.core import db
    from prasan.policy import service
    from prasan.policy.embed import get_embedder

    opener = gzip.open if path.name.endswith(".gz") else open
    rows: list[dict[str, Any]] = []
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rows.append(json.loads(line))
    picks = rows[-n_docs:]
    settings = _settings(store)
    emb = get_embedder(embedder)
    times, pairs, restated = [], [], []
    first_load = None
    for k, r in enumerate(picks):
        one = store / f"new{k}.jsonl"
        one.write_text(json.dumps(dict(r, id=prefix + r["id"]), ensure_ascii=False) + "\n")
        t0 = time.perf_counter()
        with db.session_scope(settings) as session:
            rep = service.add_documents(
                session=session, settings=settings, inputs=[one], embedder=emb, restate=restate
            )
        dt = time.perf_counter() - t0
        assert rep.items, rep.problems
        pairs.append(len(rep.pairs))
        restated.append(rep.restated)
        if first_load is None:
            first_load = dt  # includes loading the stored analyser from disk
        else:
            times.append(dt)
    return {
        "first_add_with_state_load_s": round(first_load or 0.0, 3),
        "add_s": [round(t, 3) for t in times],
        "add_median_s": round(sorted(times)[len(times) // 2], 3) if times else None,
        "add_max_s": round(max(times), 3) if times else None,
        "pairs_per_added_document": pairs,
        "restate": restate,
        "stored_pairs_decided_again": restated,
        "note": "each added document repeats a stored one under a new id, so it has neighbours",
    }


def _cold_docs(
    path: Path, n: int, prefix: str, stored: int = 0
) -> list[tuple[str, dict[str, Any]]]:
    """``n`` documents that are new to the stored corpus, of three kinds in turn: a stored
    document repeated under a new id (``copy``), every other line of one (``edited``: shares
    most of its content without being a verbatim copy by Jaccard), and halves of two mixed
    (``mixed``: similar to both). Taken from the last stored documents of ordinary length
    (1,000-20,000 characters) so that they have stored neighbours to relate to (``stored``: the
    store holds the corpus's first ``stored`` documents; 0: all of them)."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    if stored:
        rows = rows[:stored]
    pool = [r for r in reversed(rows) if 1000 <= len(r["text"]) <= 20000][: 3 * n + 1]
    out: list[tuple[str, dict[str, Any]]] = []
    for k in range(n):
        kind = ("copy", "edited", "mixed")[k % 3]
        a, b = pool[2 * k], pool[2 * k + 1]
        if kind == "copy":
            text = a["text"]
        elif kind == "edited":
            text = "\n".join(a["text"].split("\n")[::2])
        else:
            text = "\n".join(a["text"].split("\n")[::2] + b["text"].split("\n")[1::2])
        doc = {"id": f"{prefix}{kind}-{k}-{a['id']}", "title": a.get("title") or "", "text": text}
        out.append((kind, doc))
    return out


def _prasan_command() -> list[str]:
    script = Path(sys.executable).parent / "prasan"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from prasan.cli import app; app()"]


def cold_add(
    path: Path,
    n_docs: int,
    embedder: str,
    store: Path,
    prefix: str,
    stored: int = 0,
    restate: bool = False,
) -> dict[str, Any]:
    """``prasan policy add FILE`` for one new document at a time, each in a fresh process
    against the analysis stored in ``store``: wall time from launch to exit."""
    settings = _settings(store)
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT / "src"),
        PRASAN_DATA_DIR=str(settings.data_dir),
        PRASAN_DATABASE_URL=settings.database_url,
    )
    runs = []
    for k, (kind, doc) in enumerate(_cold_docs(path, n_docs, prefix, stored)):
        one = store / f"cold{k}.jsonl"
        one.write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")
        cmd = [*_prasan_command(), "policy", "add", str(one), "--embedder", embedder]
        if restate:
            cmd.append("--restate")
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        wall = time.perf_counter() - t0
        if proc.returncode != 0 or "added 1 document(s)" not in proc.stdout:
            raise RuntimeError(f"{cmd} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
        with sqlite3.connect(store / "policy.db") as conn:
            pairs, summary = conn.execute(
                "SELECT pairs, summary FROM policy_runs WHERE kind = 'add' ORDER BY id DESC"
            ).fetchone()
        runs.append(
            {
                "kind": kind,
                "characters": len(doc["text"]),
                "wall_s": round(wall, 3),
                "pairs": pairs,
                "encoder_items": json.loads(summary).get("encoder_items"),
                # stored pairs decided again (their neighbourhoods changed), label changes
                "restated_pairs": json.loads(summary).get("restated_pairs"),
                "relabelled_pairs": json.loads(summary).get("relabelled_pairs"),
                "load_avg_1min": round(os.getloadavg()[0], 2),
            }
        )
    walls = [r["wall_s"] for r in runs]
    return {
        "command": "prasan policy add FILE --embedder "
        + embedder
        + (" --restate" if restate else "")
        + " (one new document, a fresh process each time, wall time launch to exit)",
        "runs": runs,
        "median_s": round(statistics.median(walls), 3),
        "max_s": max(walls),
        "target_s": 2.0,
        "runs_with_encoder": sum(1 for r in runs if r["encoder_items"]),
    }


def subprocess_json(args: list[str]) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, env=env, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{args} failed:\n{proc.stderr[-3000:]}")
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--smoke", action="store_true", help="tiny run on the demo corpus")
    ap.add_argument("--corpus", type=Path, default=None)
    ap.add_argument("--sizes", default="5000,10000,20000,0", help="document counts; 0 = all")
    ap.add_argument("--embedder", default="use")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=RESULT)
    ap.add_argument("--add-docs", type=int, default=6)
    ap.add_argument("--cold-add-docs", type=int, default=6)
    ap.add_argument("--no-add", action="store_true")
    ap.add_argument(
        "--keep-store", action="store_true", help="keep the full-corpus store (path on stderr)"
    )
    ap.add_argument(
        "--cold-add-only",
        action="store_true",
        help="only the cold add command, against the store in --store-dir",
    )
    ap.add_argument("--no-variants", action="store_true")
    ap.add_argument(
        "--restate",
        action="store_true",
        help="both adds decide stored pairs again (the command's --restate)",
    )
    # internal: one measurement in this process, JSON on stdout
    ap.add_argument("--one", choices=["floor", "run", "add"], default=None)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--store-dir", type=Path, default=None)
    ap.add_argument(
        "--id-prefix", default="added-", help="ids of added documents (to add again to a store)"
    )
    args = ap.parse_args(argv)

    if args.smoke:
        from prasan.policy.demo import demo_corpus_path

        corpus = args.corpus or demo_corpus_path()
        sizes = [60, 120]
        args.add_docs = 3
        args.cold_add_docs = 3
    else:
        corpus = args.corpus or CORPUS
        sizes = [int(s) for s in args.sizes.split(",")]

    if args.one:
        limit = args.limit or None
        if args.one == "floor":
            res = floor(corpus, limit)
        elif args.one == "run":
            with tempfile.TemporaryDirectory() as tmp:
                res = run_one(corpus, limit, args.embedder, args.workers, Path(tmp), args.store_dir)
        else:
            res = add_one(
                corpus, args.add_docs, args.embedder, args.store_dir, args.id_prefix, args.restate
            )
        print(json.dumps(res, ensure_ascii=False))
        return res

    if args.cold_add_only:
        if args.store_dir is None:
            ap.error("--cold-add-only needs --store-dir (a store left by --keep-store)")
        report = {
            "corpus": str(corpus),
            "machine": {"cpus": os.cpu_count(), "load_avg_at_start": os.getloadavg()},
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "cold_add": cold_add(
                corpus,
                args.cold_add_docs,
                args.embedder,
                args.store_dir,
                args.id_prefix,
                restate=args.restate,
            ),
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        print(json.dumps(report["cold_add"], indent=2), file=sys.stderr)
        return report

    common = ["--corpus", str(corpus), "--embedder", args.embedder, "--workers", str(args.workers)]
    report: dict[str, Any] = {
        "corpus": str(corpus),
        "machine": {"cpus": os.cpu_count(), "load_avg_at_start": os.getloadavg()},
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "command": "python benchmarks/policy_speed.py" + (" --smoke" if args.smoke else ""),
    }
    all_limit = 0 if not args.smoke else max(sizes)
    print("floor: one newmm pass ...", file=sys.stderr)
    report["floor_newmm_one_core"] = subprocess_json(
        ["--one", "floor", "--limit", str(all_limit), *common]
    )
    runs = []
    store = Path(tempfile.mkdtemp(prefix="policy_speed_"))
    for k, n in enumerate(sizes):
        print(f"pipeline on {n or 'all'} documents ...", file=sys.stderr)
        last = ["--store-dir", str(store)] if k == len(sizes) - 1 else []
        runs.append(subprocess_json(["--one", "run", "--limit", str(n), *common, *last]))
        print(f"  {runs[-1]['wall_s']} s", file=sys.stderr)
    report["runs"] = runs
    full = runs[-1]
    fl = report["floor_newmm_one_core"]
    report["full"] = {
        "documents": full["documents"],
        "items": full["items"],
        "wall_s": full["wall_s"],
        "cpu_s": full["cpu_s"],
        "items_per_s": full["items_per_s"],
        "peak_memory_mb": full["peak_memory_mb"]["total_mb"],
        "store_in_sqlite_s": full["store_in_sqlite_s"],
        "ratio_to_newmm_pass_wall": round(full["wall_s"] / fl["wall_s"], 2)
        if fl["wall_s"]
        else None,
        "ratio_to_newmm_pass_cpu": round(full["cpu_s"] / fl["cpu_s"], 2) if fl["cpu_s"] else None,
        "targets": {"wall_s": 600, "peak_memory_mb": 4096, "ratio": 3.0},
    }
    # growth: time per document at each size relative to the smallest run
    base = runs[0]
    report["scaling"] = [
        {
            "documents": r["documents"],
            "wall_s": r["wall_s"],
            "cpu_s": r["cpu_s"],
            "wall_per_1k_docs_s": round(1000 * r["wall_s"] / r["documents"], 2),
            "cpu_ratio_vs_smallest": round(r["cpu_s"] / base["cpu_s"], 2),
            "size_ratio_vs_smallest": round(r["documents"] / base["documents"], 2),
        }
        for r in runs
    ]
    if not args.no_variants:
        n = sizes[0]
        print(f"variants on {n} documents ...", file=sys.stderr)

        def variant(embedder: str, workers: str) -> dict[str, Any]:
            return subprocess_json(
                ["--one", "run", "--limit", str(n), "--corpus", str(corpus),
                 "--embedder", embedder, "--workers", workers]
            )  # fmt: skip

        report["variants"] = {
            "no_encoder": variant("none", str(args.workers)),
            "one_worker": variant(args.embedder, "1"),
        }
    if not args.no_add:
        print("adding documents with the command, each in a fresh process ...", file=sys.stderr)
        report["cold_add"] = cold_add(
            corpus,
            args.cold_add_docs,
            args.embedder,
            store,
            "cold-" + args.id_prefix,
            stored=all_limit,
            restate=args.restate,
        )
        print(
            f"  median {report['cold_add']['median_s']} s, max {report['cold_add']['max_s']} s",
            file=sys.stderr,
        )
        print("incremental add in one process ...", file=sys.stderr)
        report["add"] = subprocess_json(
            ["--one", "add", "--add-docs", str(args.add_docs), "--store-dir", str(store), *common]
            + (["--restate"] if args.restate else [])
        )
    if args.keep_store:
        print(f"store kept in {store}", file=sys.stderr)
    else:
        import shutil

        shutil.rmtree(store, ignore_errors=True)
    report["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report["full"], indent=2), file=sys.stderr)
    return report


if __name__ == "__main__":
    main()
