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

import time
from pathlib import Path
from typing import Any

import policy_calibrate as pc  # (this folder: what the study shares of the calibration)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results" / "policy_neighbourhood_study.json"
SIZES = (3, 5, 10)
C = 3.0


def run(argv: list[str] | None = None) -> dict[str, Any]:
    args = pc.corpus_study_parser(__doc__, OUT).parse_args(argv)
    from prasan.policy import context as ctx
    from prasan.policy.relate import FEATURES, TOPIC_DIMS

    t0 = time.perf_counter()
    rows, feats = pc.study_pairs(args)
    shipped = ctx.NB
    for nb in SIZES:
        ctx.NB = nb
        try:
            in_corpus, basis = pc.context_for(rows, args.data_dir)
        finally:
            ctx.NB = shipped
        for f, extra in zip(feats, in_corpus, strict=True):
            f.update(extra)  # the statistics and topic do not depend on NB
            for name in (*ctx.NEIGHBOURHOOD, "x_shared_nearest"):
                f[f"{name}_{nb}"] = extra[name]
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
            (f"share of the {nb} nearest in common (TF-IDF)", [f"x_shared_nearest_{nb}"]),
        ):
            s = score(base + extra)
            sets[label] = s | pc.paired_gain(s, none)
    return pc.write_corpus_study(
        args,
        rows,
        basis,
        seconds,
        c=C,
        shipped_nearest=shipped,
        feature_sets=sets,
    )


if __name__ == "__main__":
    pc.print_feature_sets(run())
