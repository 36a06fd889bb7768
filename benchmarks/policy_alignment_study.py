"""Would sentence alignment lift redundancy F1? A study on the labelled set.

Most of the relation model's false redundancies are two instances of one recurring series
(another day's report, another site of one campaign), and some missed ones are long items that
share one resolution. Both look like a question about *passages*, not whole documents: does a
pair have sentences that match one to one, and how much of each item do they cover? This study
takes the one-to-one sentence matching the evidence is drawn from
(``prasan.policy.evidence.matched_scores``, TF-IDF with ``compare_texts``'s statistics) and
adds its numbers to the relation model's features:

- ``best``: the best sentence pair's cosine; ``top3``: the mean of the three best (0 padded);
- ``cover``: the share of the shorter and of the longer side's sentences matched at cosine
  >= 0.5; ``matched``: how many such sentence pairs (capped at 5, over 5).

Each set is scored as ``policy_calibrate.py`` scores the model (mean redundancy F1 over repeated
stratified 5-fold CV on dev at the best threshold, then the held-out test split at that
threshold), against no extra features on the same folds. Run:
``.venv/bin/python benchmarks/policy_alignment_study.py`` (about 4 minutes on 2 cores) or
``--smoke``. Results: ``benchmarks/results/policy_alignment_study.json``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
import policy_calibrate as pc  # (this folder: what the study shares of the calibration)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results" / "policy_alignment_study.json"
GOOD = 0.5  # a sentence pair at this cosine or above counts as matched
FEATURE_SETS: dict[str, list[str]] = {
    "best sentence pair": ["best"],
    "three best pairs": ["top3"],
    "coverage (shorter, longer side)": ["cover_short", "cover_long"],
    "all of the above and the matched count": [
        "best", "top3", "cover_short", "cover_long", "matched",
    ],
}  # fmt: skip


def alignment_features(scores: list[float], n_a: int, n_b: int) -> dict[str, float]:
    """The study's numbers from one pair's matching (``matched_scores``)."""
    top = [*scores[:3], 0.0, 0.0, 0.0][:3]
    good = sum(1 for s in scores if s >= GOOD)
    short, long_ = sorted((n_a, n_b))
    return {
        "best": top[0],
        "top3": float(np.mean(top)),
        "cover_short": good / short if short else 0.0,
        "cover_long": good / long_ if long_ else 0.0,
        "matched": min(good, 5) / 5,
    }


def run(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--smoke", action="store_true", help="80 pairs, 2 repeats")
    args = ap.parse_args(argv)
    from prasan.policy import default_analyzer
    from prasan.policy.evidence import matched_scores
    from prasan.policy.relate import FEATURES

    rows = pc.read_rows(pc.DEVSET)
    if args.smoke:
        rows = rows[:40] + rows[-40:]
        args.repeats = 2
    t0 = time.perf_counter()
    feats = pc.signals_for(rows)
    an = default_analyzer()
    for f, r in zip(feats, rows, strict=True):
        a = an.analyze_text(r["a"]["text"], "", "a").side()
        b = an.analyze_text(r["b"]["text"], "", "b").side()
        f.update(alignment_features(*matched_scores(a, b, an.idf_of)))
    seconds = time.perf_counter() - t0

    base = list(FEATURES)

    def score(cols: list[str]) -> dict[str, Any]:
        out = pc.score_feature_set(feats, rows, cols, repeats=args.repeats)
        extra = cols[len(base) :]
        weights = out.pop("weights")
        del out["c"]
        return {"features": extra} | out | {"weights": {c: weights[c] for c in extra}}

    none = score(base)
    sets = {"none (the shipped features)": none}
    for name, extra in FEATURE_SETS.items():
        s = score(base + extra)
        sets[name] = s | pc.paired_gain(s, none)  # the same folds for every set
    dev = np.array([r.get("split") == "dev" for r in rows])
    report = {
        "devset": str(pc.DEVSET.relative_to(ROOT)),
        "pairs": {"dev": int(dev.sum()), "test": int((~dev).sum())},
        "smoke": args.smoke,
        "repeats": args.repeats,
        "matched_at": GOOD,
        "signal_seconds": round(seconds, 1),
        "feature_sets": sets,
    }
    return pc.write_study(args.out, report)


if __name__ == "__main__":
    pc.print_feature_sets(run())
