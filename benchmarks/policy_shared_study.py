"""Does what two items share, read word by word, say more than their cosine? A study.

The shipped corpus model reads a pair's shared words only through sums (TF-IDF cosine, MinHash,
the topic prior of each side). Three ways of reading the specifics, on top of its features
(signals, corpus context, neighbourhood vectors, 64 topic dimensions;
``policy_calibrate.context_for``), and its learning curve:

- **a shared-word model**: a logistic regression over the pair's word-by-word product of its two
  TF-IDF rows in the corpus's vocabulary (each word's share of the cosine), or over which words
  both sides contain, learns which shared words mean redundancy (one programme's name) and
  which do not (a series' template). Its probability joins the corpus model as one feature,
  stacked: out of fold on dev (5 folds of its own), and from a fit on all of dev for test;
- **the dates both name** (day and month, ``segment._DATE``): Jaccard, both name one, and
  both name dates but none in common (two meetings of one committee);
- **the numbers both cite** (``policy_topic_study.numbers``: >= 10, years left out);
- **the learning curve**: the shipped feature set fitted on 25, 50, 75 and 100 % of each
  training fold.

Each set is scored as ``policy_calibrate.py`` scores a model (mean redundancy F1 over repeated
stratified 5-fold CV on dev at the best threshold, the same folds for every set, so the gain per
repeat is paired; then the held-out test split at that threshold), at C = 3. Run, after a full
analysis (``PRASAN_DATA_DIR=DIR prasan policy analyze thaigov.jsonl.gz --out DIR/out``):
``.venv/bin/python benchmarks/policy_shared_study.py --data-dir DIR`` (about 8 minutes on 2
cores), or ``--smoke``. Results: ``benchmarks/results/policy_shared_study.json``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import policy_calibrate as pc  # (this folder: what the study shares of the calibration)
from policy_topic_study import numbers, shared
from scipy import sparse

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results" / "policy_shared_study.json"
C = 3.0
WORD_C = (1.0, 10.0, 100.0)


def dates(text: str) -> set[tuple[int, int]]:
    """The (day, month 1-12) of each full date a text names, months written out or abbreviated."""
    from prasan.core.thai import to_arabic_digits
    from prasan.policy.segment import _DATE, _MONTH_ABBREVIATIONS, _MONTH_NAMES

    month = {
        m: k + 1 for names in (_MONTH_NAMES, _MONTH_ABBREVIATIONS) for k, m in enumerate(names)
    }
    return {(int(d), month[m]) for d, m, _ in _DATE.findall(to_arabic_digits(text))}


def date_features(a: set[tuple[int, int]], b: set[tuple[int, int]]) -> dict[str, float]:
    both = bool(a and b)
    return {
        "date_jaccard": len(a & b) / len(a | b) if both else 0.0,
        "date_both": float(both),
        "date_conflict": float(both and not a & b),
    }


def stacked(m: sparse.csr_matrix, y: np.ndarray, dev: np.ndarray, c: float) -> np.ndarray:
    """A logistic model over ``m``'s rows as one probability per pair: out of fold on dev (its
    own 5 stratified folds), and from a fit on all of dev for the other pairs."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    out = np.zeros(len(y))
    d = np.flatnonzero(dev)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=7)
    for tr, te in folds.split(d, y[d]):
        model = LogisticRegression(C=c, max_iter=2000).fit(m[d[tr]], y[d[tr]])
        out[d[te]] = model.predict_proba(m[d[te]])[:, 1]
    model = LogisticRegression(C=c, max_iter=2000).fit(m[d], y[d])
    out[~dev] = model.predict_proba(m[~dev])[:, 1]
    return out


def run(argv: list[str] | None = None) -> dict[str, Any]:
    args = pc.corpus_study_parser(__doc__, OUT).parse_args(argv)
    rows, feats, basis, base, seconds = pc.shipped_corpus_study(args)
    t0 = time.perf_counter()
    for f, r in zip(feats, rows, strict=True):
        f.update(date_features(dates(r["a"]["text"]), dates(r["b"]["text"])))
        f.update(shared(numbers(r["a"]["text"]), numbers(r["b"]["text"]), "num"))
    x = basis["x"]
    a, b = x[0::2], x[1::2]
    products = {
        "product": a.multiply(b).tocsr(),
        "both contain": (a > 0).multiply(b > 0).astype(np.float64).tocsr(),
    }
    y, dev = pc.redundant_and_dev(rows)
    words: dict[str, list[str]] = {}
    for kind, m in products.items():
        for c in WORD_C:
            name = f"shared-word model ({kind}, C={c:g})"
            col = f"words_{kind.replace(' ', '_')}_{c:g}"
            for f, v in zip(feats, stacked(m, y, dev, c), strict=True):
                f[col] = float(v)
            words[name] = [col]
    seconds += time.perf_counter() - t0

    def score(cols: list[str]) -> dict[str, Any]:
        return pc.score_feature_set(feats, rows, cols, repeats=args.repeats, c=C)

    x_base = np.array([[f[k] for k in base] for f in feats])
    forced, vetoed = pc.rule_masks(feats)
    none = score(base)
    del none["weights"]
    sets: dict[str, Any] = {"none (the shipped corpus model's features)": none}
    extras = words | {
        "dates named by both": ["date_jaccard", "date_both", "date_conflict"],
        "numbers cited by both": ["num_jaccard", "num_count", "num_cover"],
    }
    for name, extra in extras.items():
        s = score(base + extra)
        s["weights"] = {k: s["weights"][k] for k in extra}
        sets[name] = s | pc.paired_gain(s, none)
    return pc.write_corpus_study(
        args,
        rows,
        basis,
        seconds,
        c=C,
        feature_sets=sets,
        learning_curve_dev=pc.learning_curve(
            x_base[dev], y[dev], forced[dev], vetoed[dev], repeats=args.repeats, c=C
        ),
    )


if __name__ == "__main__":
    pc.print_feature_sets(run())
