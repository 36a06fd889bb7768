"""Do two items' neighbourhoods in the corpus say more than the items themselves? A study.

Many missed redundancies are two programmes told in different words (drug rehabilitation by
two ministries, OTOP fairs by three agencies): their own TF-IDF cosine is low, but each sits
among items about the same subject. An item's *neighbourhood vector* is the normalised mean of
its ``NB`` nearest items in the corpus (by TF-IDF, and by LSA; its own document left out, the
other side of the pair counted if it is among them, as a corpus run sees it), and the pair
reads the cosine of its two neighbourhood vectors (``prasan.policy.context.NEIGHBOURHOOD``).

This study scores, on top of the shipped corpus model's features (signals, neighbourhood
statistics, 64 topic dimensions; ``policy_calibrate.context_for``), the two cosines with
``NB`` of 3, 5 and 10, each alone (TF-IDF or LSA), and how many of the ``NB`` nearest the two
sides share. Each set is scored as ``policy_calibrate.py`` scores a model (mean redundancy F1
over repeated stratified 5-fold CV on dev at the best threshold, the same folds for every
set, so the gain per repeat is paired; then the held-out test split at that threshold), at
C = 3 (the corpus model's usual choice). The shipped models use ``NB`` = 3 and both cosines.
Run, after a full analysis (``PRASAN_DATA_DIR=DIR prasan policy analyze thaigov.jsonl.gz
--out DIR/out``): ``.venv/bin/python benchmarks/policy_neighbourhood_study.py --data-dir DIR``
(about 8 minutes on 2 cores), or ``--smoke``. Results:
``benchmarks/results/policy_neighbourhood_study.json``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
import policy_calibrate as pc  # (this folder: what the study shares of the calibration)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results" / "policy_neighbourhood_study.json"
SIZES = (3, 5, 10)
C = 3.0


def shared_nearest(data_dir: Path, rows: list[dict[str, Any]], nb: int) -> list[float]:
    """How many of the ``nb`` nearest items (by TF-IDF) the two sides of each pair share."""
    from prasan.policy import candidates as cand
    from prasan.policy import context as ctx
    from prasan.policy import store
    from prasan.policy.analyzer import doc_keys

    an = store.load_analyzer(store.state_path(data_dir))
    f = an.features
    assert f is not None
    docs_all = (
        np.asarray(an.context_docs)
        if an.context_docs is not None
        else doc_keys(ai.item.doc for ai in an.items)
    )
    sides = [an.analyze_text(r[s]["text"], "", s) for r in rows for s in ("a", "b")]
    extra: dict[str, int] = {}
    fs = an.featurize(sides, extra)
    keys = doc_keys(r[s]["doc"] for r in rows for s in ("a", "b"))
    x = cand.widen(fs.X, f.X.shape[1] + len(extra)).tocsr()
    old, ctx.NB = ctx.NB, nb
    try:
        _, _, nbrs = ctx.measure(x, f.X, fs.Z, np.asarray(f.Z), keys, docs_all, an.context_ref)
    finally:
        ctx.NB = old
    out = []
    for k in range(len(rows)):
        a, b = set(nbrs[2 * k, 0].tolist()) - {-1}, set(nbrs[2 * k + 1, 0].tolist()) - {-1}
        out.append(len(a & b) / nb)
    return out


def run(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data-dir", type=Path, required=True, help="PRASAN_DATA_DIR of a full run")
    ap.add_argument("--devset", type=Path, default=pc.DEVSET)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--smoke", action="store_true", help="first 80 pairs, 2 repeats")
    args = ap.parse_args(argv)
    from prasan.policy import context as ctx
    from prasan.policy.relate import FEATURES, TOPIC_DIMS

    rows = pc.read_rows(args.devset)
    if args.smoke:
        rows, args.repeats = rows[:80], 2
    t0 = time.perf_counter()
    feats = pc.signals_for(rows)
    shipped = ctx.NB
    for nb in SIZES:
        ctx.NB = nb
        try:
            in_corpus, basis = pc.context_for(rows, args.data_dir)
        finally:
            ctx.NB = shipped
        for f, extra in zip(feats, in_corpus, strict=True):
            f.update(extra)  # the statistics and topic do not depend on NB
            for name in ctx.NEIGHBOURHOOD:
                f[f"{name}_{nb}"] = extra[name]
        for f, v in zip(feats, shared_nearest(args.data_dir, rows, nb), strict=True):
            f[f"shared_{nb}"] = v
    seconds = time.perf_counter() - t0

    dims = basis["m"].shape[0]
    base = list(FEATURES) + list(ctx.FEATURES) + pc.topic_columns(min(TOPIC_DIMS, dims))
    for f in feats:  # a small corpus has fewer dimensions
        for col in pc.topic_columns(TOPIC_DIMS):
            f.setdefault(col, 0.0)

    def score(cols: list[str]) -> dict[str, Any]:
        out = pc.score_feature_set(feats, rows, cols, repeats=args.repeats, c=C)
        del out["weights"]
        return out

    none = score(base)
    sets: dict[str, Any] = {"none (session 9's corpus model: signals, context, topic)": none}
    for nb in SIZES:
        both = [f"{name}_{nb}" for name in ctx.NEIGHBOURHOOD]
        for label, extra in (
            (f"neighbourhood cosines, {nb} nearest (TF-IDF and LSA)", both),
            (f"TF-IDF neighbourhood cosine alone, {nb} nearest", both[:1]),
            (f"LSA neighbourhood cosine alone, {nb} nearest", both[1:]),
            (f"share of the {nb} nearest in common (TF-IDF)", [f"shared_{nb}"]),
        ):
            s = score(base + extra)
            sets[label] = s | pc.paired_gain(s, none)
    dev = np.array([r.get("split") == "dev" for r in rows])
    report = {
        "devset": str(args.devset),
        "pairs": {"dev": int(dev.sum()), "test": int((~dev).sum())},
        "smoke": args.smoke,
        "repeats": args.repeats,
        "c": C,
        "shipped_nearest": shipped,
        "corpus_items": basis["corpus_items"],
        "signal_seconds": round(seconds, 1),
        "feature_sets": sets,
    }
    return pc.write_study(args.out, report)


if __name__ == "__main__":
    pc.print_feature_sets(run())
