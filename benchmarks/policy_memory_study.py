"""Do the readers' decisions on similar pairs say more than the features? A study.

Most of the corpus model's remaining errors are kinds of pair the readers decide by a rule the
features cannot read (two meetings of one committee with other agendas are ``related``; one
minister's visits to two sites of one drive are ``duplicate``), and the labelled set holds
many pairs of the same kinds: its corpus-run samples come from the same series. A *memory* of
labelled pairs reads them back: for a pair (a, b), a labelled pair (a', b') is as near as the
lesser of its two sides' TF-IDF cosines in the corpus's vocabulary, the sides matched the
better way round (``pair_similarity``); the feature is the mean redundancy of its ``k``
nearest labelled pairs, each weighted by how far its nearness exceeds a ``floor``, and the
memory's base rate where none does (``memory_feature``).

Measured honestly, as ``policy_calibrate.py`` measures a model: 10 repeats of stratified 5-fold
cross-validation on dev, the same folds as the model without the memory (``oof_probabilities``),
each fold's memory holding only its training pairs (their own features leave themselves out);
the redundancy threshold with the best mean F1; then the held-out test split, its memory all of
dev. Variants: ``k`` 5 or 20, ``floor`` 0.2, 0.3 or 0.4, and the memory with or without the
labelled pairs that share a document with the pair (how much of the gain is the same item
read again, which a corpus run also meets, and how much is the same kind of pair). The base is
the shipped corpus model's features at C = 3. Run, after a full analysis (``PRASAN_DATA_DIR=DIR
prasan policy analyze thaigov.jsonl.gz --out DIR/out``): ``.venv/bin/python
benchmarks/policy_memory_study.py --data-dir DIR`` (about 6 minutes on 2 cores), or
``--smoke``. Results: ``benchmarks/results/policy_memory_study.json``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import policy_calibrate as pc  # (this folder: what the study shares of the calibration)
from scipy import sparse

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results" / "policy_memory_study.json"
C = 3.0
SIZES = (5, 20)
FLOORS = (0.2, 0.3, 0.4)


def pair_similarity(x: sparse.csr_matrix) -> np.ndarray:
    """``(n, n)`` for the ``n`` pairs whose sides are the rows of ``x`` (pair k: rows 2k and
    2k+1, unit TF-IDF): the lesser of the two sides' cosines, sides matched the better way
    round; -1 on the diagonal (a pair is not its own neighbour)."""
    a, b = x[0::2], x[1::2]
    aa, bb = (a @ a.T).toarray(), (b @ b.T).toarray()
    ab = (a @ b.T).toarray()
    s = np.maximum(np.minimum(aa, bb), np.minimum(ab, ab.T))
    np.fill_diagonal(s, -1.0)
    return s


def memory_feature(s: np.ndarray, y: np.ndarray, k: int, floor: float, prior: float) -> np.ndarray:
    """For each row of ``s`` (a pair's nearness to each memory pair, whose redundancy is ``y``):
    the weighted mean of ``y`` over its ``k`` nearest, weights their nearness above ``floor``;
    ``prior`` where no memory pair is nearer than ``floor``."""
    k = min(k, s.shape[1])
    if k == 0:
        return np.full(s.shape[0], prior)
    top = np.argpartition(-s, k - 1, axis=1)[:, :k]
    w = np.clip(np.take_along_axis(s, top, axis=1) - floor, 0.0, None)
    total = w.sum(axis=1)
    mean = (w * y[top]).sum(axis=1) / np.maximum(total, 1e-12)
    return np.where(total > 0, mean, prior)


def score_with_memory(
    x: np.ndarray,
    s: np.ndarray,
    y: np.ndarray,
    dev: np.ndarray,
    forced: np.ndarray,
    vetoed: np.ndarray,
    *,
    k: int,
    floor: float,
    repeats: int,
) -> dict[str, Any]:
    """The base features ``x`` plus the memory feature, scored as ``score_feature_set`` scores
    a set, each fold's memory its training pairs only."""
    from sklearn.model_selection import RepeatedStratifiedKFold

    d = np.flatnonzero(dev)
    yd = y[d].astype(float)
    p = np.zeros((repeats, len(d)))
    cv = RepeatedStratifiedKFold(n_splits=5, n_repeats=repeats, random_state=0)
    for n, (tr, te) in enumerate(cv.split(x[d], y[d])):
        prior = float(yd[tr].mean())
        mem = s[np.ix_(d, d[tr])]
        f_tr = memory_feature(mem[tr], yd[tr], k, floor, prior)
        f_te = memory_feature(mem[te], yd[tr], k, floor, prior)
        model = pc.logistic(C).fit(np.column_stack([x[d][tr], f_tr]), y[d][tr])
        p[n // 5, te] = model.predict_proba(np.column_stack([x[d][te], f_te]))[:, 1]
    cv_f1, th = pc.best_mean_f1(p, y[d], forced[d], vetoed[d])
    per_repeat = pc.redundancy_f1_by_repeat(p, y[d], forced[d], vetoed[d], th)
    t = np.flatnonzero(~dev)
    prior = float(yd.mean())
    f_dev = memory_feature(s[np.ix_(d, d)], yd, k, floor, prior)
    f_test = memory_feature(s[np.ix_(t, d)], yd, k, floor, prior)
    model = pc.logistic(C).fit(np.column_stack([x[d], f_dev]), y[d])
    q = model.predict_proba(np.column_stack([x[t], f_test]))[:, 1]
    pred = ((q >= th) & ~vetoed[t]) | forced[t]
    return {
        "c": C,
        "dev_cv_f1": round(cv_f1, 4),
        "threshold": th,
        "dev_cv_f1_per_repeat": [round(float(v), 4) for v in per_repeat],
        "test_f1": round(pc.f1(y[t], pred), 4),
        "memory_weight": round(float(model.coef_[0][-1]), 4),
        "test_pairs_with_a_memory_hit": int((s[np.ix_(t, d)].max(axis=1) > floor).sum()),
    }


def shares_a_document(rows: list[dict[str, Any]]) -> np.ndarray:
    """``(n, n)``: whether two labelled pairs share a document on either side."""
    docs = [{r["a"]["doc"], r["b"]["doc"]} for r in rows]
    return np.array([[bool(p & q) for q in docs] for p in docs])


def run(argv: list[str] | None = None) -> dict[str, Any]:
    args = pc.corpus_study_parser(__doc__, OUT).parse_args(argv)
    rows, feats, basis, base, seconds = pc.shipped_corpus_study(args)
    t0 = time.perf_counter()
    near = pair_similarity(basis["x"])
    apart = np.where(shares_a_document(rows), -1.0, near)
    seconds += time.perf_counter() - t0

    none = pc.score_feature_set(feats, rows, base, repeats=args.repeats, c=C)
    del none["weights"]
    x = np.array([[f[k] for k in base] for f in feats])
    y = np.isin([r["label"] for r in rows], pc.REDUNDANT)
    dev = np.array([r.get("split") == "dev" for r in rows])
    forced, vetoed = pc.rule_masks(feats)
    sets: dict[str, Any] = {"none (the shipped corpus model's features)": none}
    for label, s in (("", near), (", pairs sharing a document left out", apart)):
        for k in SIZES:
            for floor in FLOORS:
                out = score_with_memory(
                    x, s, y, dev, forced, vetoed, k=k, floor=floor, repeats=args.repeats
                )
                sets[f"memory, {k} nearest above {floor}{label}"] = out | pc.paired_gain(out, none)
    return pc.write_corpus_study(
        args,
        rows,
        basis,
        seconds,
        c=C,
        feature_sets=sets,
    )


if __name__ == "__main__":
    pc.print_feature_sets(run())
