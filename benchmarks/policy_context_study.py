"""Would more labels, or the corpus around a pair, lift redundancy F1? Two studies.

1. **Learning curve** (dev split only): the relation model's cross-validated redundancy F1 when
   each training fold keeps only 25 %, 50 %, 75 % or all of its pairs. A curve that is still
   climbing says "label more pairs"; a flat one says the signals are the limit.
2. **Corpus context** (needs a stored analysis of the whole corpus): for each side of a
   labelled pair, how its content TF-IDF and LSA vectors sit among all corpus items (other
   documents only): the mean cosine of its 5 and 20 nearest items (a recurring series has many
   near items, a one-off programme few), how many items lie within cosine 0.5, and the pair's
   margin over those neighbourhoods (cosine minus the mean of the two sides' top-5), as the
   analyser measures them (``prasan.policy.context``, via ``policy_calibrate.context_for``). Each
   feature set is added to the relation model's features and scored as in
   ``policy_calibrate.py`` (dev CV, then the held-out test split), and all of them against none
   on the same folds (the per-repeat gain says whether it is more than fold noise).

The store: ``PRASAN_DATA_DIR=DIR prasan policy analyze shared/data/thaigov/thaigov.jsonl.gz
--out DIR/out`` (about 3-5 minutes), then
``.venv/bin/python benchmarks/policy_context_study.py --data-dir DIR``. Without
``--data-dir`` only the learning curve runs. Results:
``benchmarks/results/policy_context_study.json``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import policy_calibrate as pc  # (this folder: what the study shares of the calibration)

from prasan.policy.context import FEATURES as CONTEXT_FEATURES

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results" / "policy_context_study.json"
CONTEXT_SETS: dict[str, list[str]] = {
    "tfidf margin": ["x_margin"],
    "lsa margin": ["z_margin"],
    "both margins": ["x_margin", "z_margin"],
    "tfidf neighbourhood (top-5, top-20 means)": ["x_dens5", "x_dens20"],
    "lsa neighbourhood (top-5, top-20 means)": ["z_dens5", "z_dens20"],
    "near items within 0.5 (fewer side, log)": ["x_near", "z_near"],
    "all of the above": list(CONTEXT_FEATURES),
}


def paired_gain(
    x_base: np.ndarray,
    x_more: np.ndarray,
    y: np.ndarray,
    forced: np.ndarray,
    vetoed: np.ndarray,
    repeats: int,
    pc: Any,
) -> dict[str, float]:
    """Dev CV F1 of two feature sets on the same folds, each at its own best threshold (as
    each would ship): the per-repeat difference says whether a gain is more than fold noise."""
    scores = []
    for x in (x_base, x_more):
        p = pc.oof_probabilities(x, y, repeats=repeats, random_state=1)[0]
        _, t = pc.best_mean_f1(p, y, forced, vetoed)
        scores.append((t, pc.redundancy_f1_by_repeat(p, y, forced, vetoed, t)))
    (t_base, base), (t_more, more) = scores
    diff = more - base
    return {
        "thresholds": {"base": t_base, "with_context": t_more},
        "repeats": repeats,
        "base_mean": round(float(base.mean()), 4),
        "with_context_mean": round(float(more.mean()), 4),
        "gain_mean": round(float(diff.mean()), 4),
        "gain_std": round(float(diff.std()), 4),
        "gain_min": round(float(diff.min()), 4),
        "gain_max": round(float(diff.max()), 4),
    }


def run(argv: list[str] | None = None) -> dict[str, Any]:
    from prasan.policy.relate import FEATURES

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--devset", type=Path, default=pc.DEVSET)
    ap.add_argument("--data-dir", type=Path, default=None, help="PRASAN_DATA_DIR of a full run")
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--smoke", action="store_true", help="first 80 pairs, 2 repeats")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    rows = pc.read_rows(args.devset)
    if args.smoke:
        rows, args.repeats = rows[:80], 2
    feats = pc.signals_for(rows)
    names = list(FEATURES)
    y, dev = pc.redundant_and_dev(rows)
    forced, vetoed = pc.rule_masks(feats)
    x = np.array([[f[n] for n in names] for f in feats])
    report: dict[str, Any] = {
        "devset": {"n": len(rows), "smoke": args.smoke},
        "learning_curve_dev": pc.learning_curve(
            x[dev], y[dev], forced[dev], vetoed[dev], repeats=args.repeats
        ),
    }
    if args.data_dir is not None:
        for f, extra in zip(feats, pc.context_for(rows, args.data_dir)[0], strict=True):
            f.update(extra)
        study = {}
        for label, extra_cols in {"none (the shipped features)": [], **CONTEXT_SETS}.items():
            cols = names + extra_cols
            xm = np.array([[f[c] for c in cols] for f in feats])
            cv_f1, th = pc.cv_redundancy_f1(
                xm[dev], y[dev], forced[dev], vetoed[dev], repeats=args.repeats
            )
            model = pc.fit(xm[dev], y[dev], cols, 1.0)
            pred = ((pc.prob(model, xm[~dev], cols) >= th) & ~vetoed[~dev]) | forced[~dev]
            study[label] = {
                "dev_cv_f1": round(cv_f1, 4),
                "threshold": th,
                "test_f1": round(pc.f1(y[~dev], pred), 4),
            }
            print(f"{label:45s} {study[label]}", flush=True)
        every = names + CONTEXT_SETS["all of the above"]
        paired = paired_gain(
            x[dev],
            np.array([[f[c] for c in every] for f in feats])[dev],
            y[dev],
            forced[dev],
            vetoed[dev],
            2 * args.repeats,
            pc,
        )
        print("all of the above vs none, paired:", paired, flush=True)
        report["corpus_context"] = {
            "data_dir": str(args.data_dir),
            "feature_sets": study,
            "all_vs_none_paired_dev_cv": paired,
        }
    else:
        report["corpus_context"] = {"status": "skipped: no --data-dir"}
    print(json.dumps(report["learning_curve_dev"]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    run()
