"""Fit the relation model on the DEV split of the labelled set; report the held-out TEST split.

The analyser's signals (TF-IDF cosine, MinHash Jaccard and containment, title cosine, LSA,
the USE encoder over the first 2,000 characters, shared target groups/areas/budgets/programmes/
agencies, the gap between the items' dates, the years they name) are computed by
``compare_texts``'s default analyser (statistics from the bundled demo corpus) for every pair of
``benchmarks/data/policy_devset.jsonl``. Four small logistic regressions are fitted on the
``dev`` split only:

- ``redundant_encoder`` / ``redundant_plain``: duplicate-or-overlap vs the rest, with and without
  the encoder (batch analysis consults the encoder only near the threshold);
- ``duplicate_vs_overlap`` (on redundant dev pairs) and ``related_vs_unrelated`` (on the rest),
  each with the cut of the best cross-validated macro F1 of its two labels;
- with ``--data-dir DIR`` (a stored full-corpus analysis), also ``redundant_encoder_context`` /
  ``redundant_plain_context``: the same plus each pair's corpus context
  (``prasan.policy.context``), the topic prior and the readers' memory (the dev pairs nearest
  to the pair, ``prasan.policy.memory``; in cross-validation each fold's memory holds its
  training pairs only, ``memory_columns``), which batch analysis and ``add`` read; their
  corpus-run threshold is set on the context model's probabilities. The memory's sides' words
  go to ``data/relate_memory.npz`` beside the model (``--no-memory``: fit without it).

The redundancy threshold is the best mean F1 over 10 repeats of stratified 5-fold
cross-validation on dev (with the copy rule ``decide`` applies before the model). Coefficients go to
``src/prasan/policy/data/relate_model.json``; the report (dev CV and the untouched test split)
to ``benchmarks/results/policy_calibration.json``. Rerun:
``.venv/bin/python benchmarks/policy_calibrate.py [--devset PATH] [--data-dir DIR]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT / "benchmarks" / "data" / "policy_devset.jsonl"
MODEL = ROOT / "src" / "prasan" / "policy" / "data" / "relate_model.json"
REPORT = ROOT / "benchmarks" / "results" / "policy_calibration.json"
REDUNDANT = ("duplicate", "overlap")
LABELS = ("duplicate", "overlap", "related", "unrelated")
SAMPLE = ROOT / "benchmarks" / "data" / "policy_corpus_sample.json"


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The labelled pairs of a JSONL file."""
    text = path.read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def signals_for(rows: list[dict[str, Any]]) -> list[dict[str, float]]:
    from prasan.policy import default_analyzer
    from prasan.policy.relate import features, instance_features, is_copy

    an = default_analyzer()
    out = []
    for r in rows:
        s = an.pair_signals(r["a"]["text"], r["b"]["text"])
        f = features(s)
        f.update(instance_features(s))
        # what ``relate.decide`` settles before the model: near-verbatim copies, and the
        # labelling guide's rules that ``relate.decide`` applies around the model
        f["_copy"] = float(is_copy(s))
        f["_not_redundant"] = float(s.instance_conflict or s.both_appointments)
        out.append(f)
    return out


def context_for(
    rows: list[dict[str, Any]], data_dir: Path, dims: int | None = None
) -> tuple[list[dict[str, float]], dict[str, Any]]:
    """Each pair's corpus-context features (``prasan.policy.context``: the neighbourhood
    statistics and the cosines of the two neighbourhood vectors) and topic dimensions, read
    against the full analysis stored under ``data_dir`` (``PRASAN_DATA_DIR`` of ``prasan
    policy analyze``): both sides are featurised in that corpus's space and measured against
    all its items, their own document left out, exactly as a corpus run measures its items.

    The topic dimensions (``topic_0`` ...) are the first ``relate.TOPIC_DIMS`` of that corpus's
    LSA over its ``relate.TOPIC_TOKENS`` most frequent words, summed over the pair's two sides
    (unnormalised, so that they are linear in each side's TF-IDF row). The basis comes back
    with them (``tokens``, ``m``: dims x tokens) to fold a fit's weights into weights per word
    (``fold_topic``), and ``x``: both sides' TF-IDF rows in the corpus's vocabulary (side a of
    pair k in row 2k, side b in row 2k+1), for the studies. ``dims`` other than the shipped number is for studies
    (``policy_topic_study.py``)."""
    from prasan.policy import candidates as cand
    from prasan.policy import context as ctx
    from prasan.policy import store
    from prasan.policy.analyzer import doc_keys
    from prasan.policy.relate import TOPIC_DIMS, TOPIC_TOKENS

    an = store.load_analyzer(store.state_path(data_dir))
    assert an.features is not None
    docs_all = (
        np.asarray(an.context_docs)
        if an.context_docs is not None
        else doc_keys(ai.item.doc for ai in an.items)
    )
    extra: dict[str, int] = {}  # words the corpus never saw: shared columns for all sides
    sides = [an.analyze_text(r[s]["text"], "", s) for r in rows for s in ("a", "b")]
    fs = an.featurize(sides, extra)
    keys = doc_keys(r[s]["doc"] for r in rows for s in ("a", "b"))
    f = an.features
    stats, _, nbrs = ctx.measure(fs.X, f.X, fs.Z, np.asarray(f.Z), keys, docs_all, an.context_ref)
    pairs = np.arange(len(rows) * 2, dtype=np.int64).reshape(-1, 2)
    nbhd = ctx.neighbourhood_cosines(nbrs, pairs, f.X, np.asarray(f.Z))
    x = cand.widen(fs.X, f.X.shape[1] + len(extra)).tocsr()
    # the LSA keeps its words most frequent first (``Analyzer._fit_lsa``)
    cols = np.asarray(an.lsa_cols[:TOPIC_TOKENS])
    m = np.asarray(an.lsa_components[: dims or TOPIC_DIMS, : len(cols)], dtype=np.float64)
    word = {i: t for t, i in an.vocab.ids.items()}
    basis = {
        "tokens": [word[int(c)] for c in cols],
        "m": m,
        "corpus_items": len(an.items),
        "x": x,
        "side_tokens": [ai.content_tokens() for ai in sides],
    }
    topic = np.asarray(x[:, cols] @ m.T)
    out = []
    for k in range(len(rows)):
        a, b = 2 * k, 2 * k + 1
        cos = float((x[a] @ x[b].T).toarray()[0, 0])
        dense = float(np.asarray(fs.Z[a]) @ np.asarray(fs.Z[b]))
        feats = ctx.pair_features(stats[a], stats[b], cos, dense)
        feats.update(ctx.neighbourhood_features(nbhd[k]))
        # for the studies, not a model feature: the share of the nearest items (by TF-IDF)
        # the two sides have in common
        near_a, near_b = set(nbrs[a, 0].tolist()) - {-1}, set(nbrs[b, 0].tolist()) - {-1}
        feats["x_shared_nearest"] = len(near_a & near_b) / nbrs.shape[2]
        feats.update({f"topic_{j}": float(topic[a, j] + topic[b, j]) for j in range(m.shape[0])})
        out.append(feats)
    return out, basis


def bare_topic_for(rows: list[dict[str, Any]], basis: dict[str, Any]) -> np.ndarray:
    """Each pair's topic dimensions as ``compare_texts`` sees it: both sides' TF-IDF rows in
    its default analyser's vocabulary (the demo corpus: words it does not know count nothing,
    as in ``Analyzer._topic_columns``) times the corpus basis, summed over the pair."""
    from prasan.policy import default_analyzer

    an = default_analyzer()
    m = basis["m"]
    aligned = np.zeros((m.shape[0], len(an.vocab.ids)))
    for j, token in enumerate(basis["tokens"]):
        col = an.vocab.ids.get(token)
        if col is not None:
            aligned[:, col] = m[:, j]
    sides = [an.analyze_text(r[s]["text"], "", s) for r in rows for s in ("a", "b")]
    x = an.featurize(sides, {}).X.tocsr()
    width = min(x.shape[1], aligned.shape[1])
    dims = np.asarray(x[:, :width] @ aligned[:, :width].T)
    return dims[0::2] + dims[1::2]


def topic_columns(dims: int) -> list[str]:
    return [f"topic_{j}" for j in range(dims)]


def fold_topic(
    m: dict[str, Any], basis: dict[str, Any], mat: np.ndarray, cols: list[str]
) -> tuple[np.ndarray, list[str]]:
    """Fold a fit's weights of the topic dimensions into one weight per word (``m["topic"]``,
    aligned with ``basis["tokens"]``) and one feature, ``topic``, of weight 1: the pair's two
    items' TF-IDF rows times those weights, which is what the analyser computes
    (``Analyzer._attach_topic``). Returns ``mat`` and ``cols`` with that one column in place of
    the dimensions (exactly the same probabilities)."""
    from prasan.policy.relate import TOPIC

    names = topic_columns(basis["m"].shape[0])
    idx = [cols.index(c) for c in names]
    w = np.array([m["weights"].pop(c) for c in names])
    m["topic"] = [round(float(v), 7) for v in basis["m"].T @ w]
    m["weights"][TOPIC] = 1.0
    keep = [k for k, c in enumerate(cols) if c not in names]
    return np.column_stack([mat[:, keep], mat[:, idx] @ w]), [cols[k] for k in keep] + [TOPIC]


def rule_masks(feats: list[dict[str, float]]) -> tuple[np.ndarray, np.ndarray]:
    """``(forced, vetoed)``: the pairs ``decide``'s rules settle before any model, copies
    (redundant) and the guide's not-redundant cases (another instance; appointments), which
    win over a copy."""
    vetoed = np.array([bool(f["_not_redundant"]) for f in feats])
    forced = np.array([bool(f["_copy"]) for f in feats]) & ~vetoed
    return forced, vetoed


# (train, test) indices of a fold within dev -> the memory feature of its training and test
# pairs, read from a memory of its training pairs only (``memory_columns``)
MemoryFolds = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def memory_nearness(x: Any, dev: np.ndarray) -> np.ndarray:
    """``(pairs, dev pairs)``: how near each labelled pair is to each dev pair
    (``memory.nearness``; ``x``: the sides' TF-IDF rows, pair k in rows 2k and 2k+1, as
    ``context_for``'s basis has them), -1 for a dev pair with itself."""
    from prasan.policy import memory as mem

    a, b = x[0::2], x[1::2]
    d = np.flatnonzero(dev)
    s = np.asarray(mem.nearness(a, b, a[d], b[d]), dtype=np.float64)
    s[d, np.arange(len(d))] = -1.0
    return s


def memory_columns(
    s: np.ndarray,
    y: np.ndarray,
    dev: np.ndarray,
    *,
    k: int | None = None,
    floor: float | None = None,
) -> tuple[np.ndarray, MemoryFolds]:
    """The memory feature of every labelled pair, its memory all dev pairs (a dev pair's
    reading of itself left out, ``s`` from ``memory_nearness``), and what cross-validation
    on dev reads instead (``MemoryFolds``): each fold's memory holds its training pairs only,
    so that the measure is not flattered by the held-out pairs' own labels."""
    from prasan.policy import memory as mem

    k = mem.K if k is None else k
    floor = mem.FLOOR if floor is None else floor
    yd = y[dev].astype(np.float64)
    col = mem.feature(s, yd, k, floor, float(yd.mean()))
    s_dev = s[dev]

    def folds(tr: np.ndarray, te: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        prior, near = float(yd[tr].mean()), s_dev[:, tr]
        return (
            mem.feature(near[tr], yd[tr], k, floor, prior),
            mem.feature(near[te], yd[tr], k, floor, prior),
        )

    return col, folds


def f1(gold: np.ndarray, pred: np.ndarray) -> float:
    tp = int((gold & pred).sum())
    fp = int((~gold & pred).sum())
    fn = int((gold & ~pred).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


# ``--standardise`` (session 8's study, not the shipped fit): standardised features, C of this
# grid chosen by dev CV. Dev CV rose (+0.02 in a corpus), but the corpus-run threshold chosen
# for it fell to 0.275, and run 10 read what that emits: precision 0.41 (docs/policy.md).
C_GRID = (0.3, 1.0, 3.0, 10.0, 30.0)
# The corpus models with the topic prior (``relate.TOPIC``): ~70 more features, C by dev CV.
TOPIC_C = (1.0, 3.0, 10.0)


def logistic(c: float, standardise: bool = False) -> Any:
    """The relation model: a logistic regression, on standardised features if asked."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if not standardise:
        return LogisticRegression(C=c, max_iter=5000)
    return make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=20000))


def fit(
    x: np.ndarray, y: np.ndarray, names: list[str], c: float, standardise: bool = False
) -> dict[str, Any]:
    """``logistic(c)`` fitted on ``x``; a standardisation is folded into the weights, since the
    analyser reads raw features (``relate._prob``)."""
    if standardise:
        model = logistic(c, True).fit(x, y)
        scaler, lr = model[0], model[-1]
        w = lr.coef_[0] / scaler.scale_
        intercept = float(lr.intercept_[0]) - float(w @ scaler.mean_)
    else:
        lr = logistic(c).fit(x, y)
        w, intercept = lr.coef_[0], float(lr.intercept_[0])
    return {
        "intercept": round(intercept, 6),
        "weights": {n: round(float(v), 6) for n, v in zip(names, w, strict=True)},
    }


def prob(m: dict[str, Any], x: np.ndarray, names: list[str]) -> np.ndarray:
    w = np.array([m["weights"][n] for n in names])
    out: np.ndarray = 1 / (1 + np.exp(-(x @ w + m["intercept"])))
    return out


def evaluate_compare_texts(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """``compare_texts`` exactly as callers get it, with the model just written."""
    from prasan.policy import compare_texts
    from prasan.policy.relate import calibrated_model

    calibrated_model.cache_clear()
    out: dict[str, Any] = {}
    preds = [compare_texts(r["a"]["text"], r["b"]["text"]).label for r in rows]
    for split in ("dev", "test"):
        idx = [k for k, r in enumerate(rows) if r.get("split") == split]
        g = np.array([rows[k]["label"] for k in idx])
        p = np.array([preds[k] for k in idx])
        gr, pr = np.isin(g, REDUNDANT), np.isin(p, REDUNDANT)
        out[split] = {
            "n": len(idx),
            "redundancy_f1": round(f1(gr, pr), 4),
            "redundancy_precision": round(float((gr & pr).sum() / max(1, pr.sum())), 4),
            "redundancy_recall": round(float((gr & pr).sum() / max(1, gr.sum())), 4),
            "per_label_f1": {
                lab: round(f1(g == lab, p == lab), 4)
                for lab in ("duplicate", "overlap", "related", "unrelated")
            },
        }
    return out


def oof_probabilities(
    x: np.ndarray,
    y: np.ndarray,
    *,
    repeats: int = 10,
    c: float = 1.0,
    random_state: int = 0,
    share: float = 1.0,
    rng: np.random.Generator | None = None,
    standardise: bool = False,
    memory: MemoryFolds | None = None,
    make: Callable[[], Any] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold probabilities of the logistic model over ``repeats`` × stratified 5-fold CV:
    ``(p, fold)``, each ``(repeats, len(y))``, ``fold`` saying which fold held each pair out.
    ``share`` < 1 fits each fold on that share of its training pairs, drawn with ``rng``.
    With ``memory`` (``memory_columns``), the last column of ``x`` is the labelled pairs'
    memory, and each fold reads it again from a memory of its training pairs only. ``make``:
    another scikit-learn classifier in place of the logistic model (the studies)."""
    from sklearn.model_selection import RepeatedStratifiedKFold

    cv = RepeatedStratifiedKFold(n_splits=5, n_repeats=repeats, random_state=random_state)
    p = np.zeros((repeats, len(y)))
    fold = np.zeros((repeats, len(y)), dtype=np.int64)
    for k, (tr, te) in enumerate(cv.split(x, y)):
        if share < 1.0:
            assert rng is not None
            tr = rng.choice(tr, max(10, int(len(tr) * share)), replace=False)
        x_tr, x_te = x[tr], x[te]
        if memory is not None:
            m_tr, m_te = memory(tr, te)
            x_tr = np.column_stack([x_tr[:, :-1], m_tr])
            x_te = np.column_stack([x_te[:, :-1], m_te])
        model = (make() if make else logistic(c, standardise)).fit(x_tr, y[tr])
        p[k // 5, te] = model.predict_proba(x_te)[:, 1]
        fold[k // 5, te] = k % 5
    return p, fold


def redundancy_f1_by_repeat(
    p: np.ndarray, y: np.ndarray, forced: np.ndarray, vetoed: np.ndarray, t: float
) -> np.ndarray:
    """Redundancy F1 of each repeat's out-of-fold probabilities at threshold ``t``, with
    ``decide``'s rules applied (``forced`` pairs are copies, ``vetoed`` pairs are the guide's
    not-redundant cases)."""
    return np.array([f1(y, ((row >= t) & ~vetoed) | forced) for row in p])


THRESHOLDS = np.round(np.linspace(0.1, 0.8, 29), 3)


def best_mean_f1(
    p: np.ndarray, y: np.ndarray, forced: np.ndarray, vetoed: np.ndarray
) -> tuple[float, float]:
    """``(mean F1 over the repeats, threshold)`` at the best threshold of the grid."""
    return max(
        (float(redundancy_f1_by_repeat(p, y, forced, vetoed, t).mean()), float(t))
        for t in THRESHOLDS
    )


def learning_curve(
    x: np.ndarray,
    y: np.ndarray,
    forced: np.ndarray,
    vetoed: np.ndarray,
    *,
    repeats: int,
    c: float = 1.0,
    memory: MemoryFolds | None = None,
) -> list[dict[str, Any]]:
    """Dev CV redundancy F1 with each training fold cut to 25, 50, 75 and 100 % of its pairs
    (drawn with a generator seeded 0 for each share), each at its own best threshold; with
    ``memory``, the memory holds the fold's cut training pairs only."""
    out = []
    for share in (0.25, 0.5, 0.75, 1.0):
        rng = np.random.default_rng(0)
        p, _ = oof_probabilities(x, y, repeats=repeats, c=c, share=share, rng=rng, memory=memory)
        f1_, th = best_mean_f1(p, y, forced, vetoed)
        out.append(
            {
                "share": share,
                "training_pairs": int(len(y) * 0.8 * share),
                "dev_cv_f1": round(f1_, 4),
                "threshold": th,
            }
        )
    return out


def cv_redundancy_f1(
    x: np.ndarray,
    y: np.ndarray,
    forced: np.ndarray,
    vetoed: np.ndarray,
    *,
    repeats: int = 10,
    c: float = 1.0,
    standardise: bool = False,
    memory: MemoryFolds | None = None,
) -> tuple[float, float]:
    """Mean redundancy F1 of the logistic model over ``repeats`` × stratified 5-fold CV, at the
    best threshold of the grid, with ``decide``'s rules applied: ``(f1, threshold)``."""
    p, _ = oof_probabilities(x, y, repeats=repeats, c=c, standardise=standardise, memory=memory)
    return best_mean_f1(p, y, forced, vetoed)


def cv_label_cut(
    x: np.ndarray, y: np.ndarray, *, repeats: int = 10, c: float = 1.0, standardise: bool = False
) -> tuple[float, float]:
    """The cut on P(y) that best tells the two labels apart (mean macro F1 of both over
    ``repeats`` × stratified 5-fold CV): ``(that macro F1, the cut)``. With 21 overlaps among
    140 redundant dev pairs, 0.5 would call almost every redundant pair a duplicate."""
    p, fold = oof_probabilities(x, y, repeats=repeats, c=c, standardise=standardise)
    folds = [(y[fold[r] == k], p[r, fold[r] == k]) for r in range(repeats) for k in range(5)]
    grid = np.round(np.linspace(0.3, 0.8, 21), 3)
    scores = [
        (float(np.mean([(f1(g, q >= t) + f1(~g, q < t)) / 2 for g, q in folds])), float(t))
        for t in grid
    ]
    return max(scores)


def redundant_and_dev(rows: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """Per labelled pair: whether its gold label is redundant, and whether it is in dev."""
    y = np.isin([r["label"] for r in rows], REDUNDANT)
    return y, np.array([r.get("split") == "dev" for r in rows])


def set_probabilities(
    x: np.ndarray,
    y: np.ndarray,
    dev: np.ndarray,
    cols: list[str],
    *,
    repeats: int,
    c: float = 1.0,
    memory: MemoryFolds | None = None,
    make: Callable[[], Any] | None = None,
) -> tuple[np.ndarray, np.ndarray, dict[str, float] | None]:
    """A feature set's out-of-fold dev probabilities (``oof_probabilities``), its test
    probabilities from a fit on all of dev, and that fit's weights (the logistic model's;
    None with ``make``, another classifier)."""
    p, _ = oof_probabilities(x[dev], y[dev], repeats=repeats, c=c, memory=memory, make=make)
    if make is not None:
        return p, make().fit(x[dev], y[dev]).predict_proba(x[~dev])[:, 1], None
    m = fit(x[dev], y[dev], cols, c)
    return p, prob(m, x[~dev], cols), m["weights"]


def score_feature_set(
    feats: list[dict[str, float]],
    rows: list[dict[str, Any]],
    cols: list[str],
    *,
    repeats: int,
    c: float = 1.0,
    memory: MemoryFolds | None = None,
) -> dict[str, Any]:
    """A feature set scored for the studies as this script scores a model: mean redundancy F1
    over ``repeats`` x stratified 5-fold CV on dev at the best threshold (the same folds for
    every set, so per-repeat gains are paired), and the held-out test split at that threshold,
    ``decide``'s copy and guide rules applied. With ``memory``, the last of ``cols`` is the
    memory feature, read in each fold from its training pairs (``memory_columns``)."""
    y, dev = redundant_and_dev(rows)
    forced, vetoed = rule_masks(feats)
    x = np.array([[f[k] for k in cols] for f in feats])
    p, test_p, weights = set_probabilities(x, y, dev, cols, repeats=repeats, c=c, memory=memory)
    scores = scored_probabilities(p, test_p, y, dev, forced, vetoed)
    return {"c": c} | scores | {"weights": weights}


def scored_probabilities(
    p: np.ndarray,
    test_p: np.ndarray,
    y: np.ndarray,
    dev: np.ndarray,
    forced: np.ndarray,
    vetoed: np.ndarray,
) -> dict[str, Any]:
    """``score_feature_set``'s figures from out-of-fold dev probabilities ``p`` (repeats x dev
    pairs) and test probabilities ``test_p``, at the threshold with the best mean dev F1."""
    cv, th = best_mean_f1(p, y[dev], forced[dev], vetoed[dev])
    per_repeat = redundancy_f1_by_repeat(p, y[dev], forced[dev], vetoed[dev], th)
    pred = ((test_p >= th) & ~vetoed[~dev]) | forced[~dev]
    return {
        "dev_cv_f1": round(cv, 4),
        "threshold": th,
        "dev_cv_f1_per_repeat": [round(float(v), 4) for v in per_repeat],
        "test_f1": round(f1(y[~dev], pred), 4),
    }


def paired_gain(s: dict[str, Any], none: dict[str, Any]) -> dict[str, Any]:
    """``s``'s dev CV gain over ``none`` repeat by repeat (both from ``score_feature_set``)."""
    gain = np.subtract(s["dev_cv_f1_per_repeat"], none["dev_cv_f1_per_repeat"])
    return {
        "dev_cv_gain_per_repeat_mean": round(float(gain.mean()), 4),
        "dev_cv_gain_repeats_positive": int((gain > 0).sum()),
    }


def corpus_study_parser(doc: str | None, out: Path) -> argparse.ArgumentParser:
    """The arguments of a study that reads a stored full analysis (``context_for``)."""
    ap = argparse.ArgumentParser(description=doc)
    ap.add_argument("--data-dir", type=Path, required=True, help="PRASAN_DATA_DIR of a full run")
    ap.add_argument("--devset", type=Path, default=DEVSET)
    ap.add_argument("--out", type=Path, default=out)
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--smoke", action="store_true", help="first 80 pairs, 2 repeats")
    return ap


def study_pairs(args: argparse.Namespace) -> tuple[list[dict[str, Any]], list[dict[str, float]]]:
    """A study's labelled pairs (the first 80 with ``--smoke``, which also cuts the repeats to
    2) and their signals (``signals_for``)."""
    rows = read_rows(args.devset)
    if args.smoke:
        rows, args.repeats = rows[:80], 2
    return rows, signals_for(rows)


def shipped_corpus_study(
    args: argparse.Namespace,
) -> tuple[list[dict[str, Any]], list[dict[str, float]], dict[str, Any], list[str], float]:
    """What a study on top of the shipped corpus model starts from: its pairs and their
    signals with the corpus context (``study_pairs``, ``context_for``; topic columns a small
    corpus lacks set to 0), the basis, the shipped corpus model's columns (signals, context,
    neighbourhood vectors, topic dimensions; not the memory, which each fold must read again,
    ``memory_columns``) and the seconds all that took."""
    from prasan.policy import context as ctx
    from prasan.policy.relate import FEATURES, TOPIC_DIMS

    t0 = time.perf_counter()
    rows, feats = study_pairs(args)
    in_corpus, basis = context_for(rows, args.data_dir)
    for f, extra in zip(feats, in_corpus, strict=True):
        f.update(extra)
        for col in topic_columns(TOPIC_DIMS):
            f.setdefault(col, 0.0)
    base = list(FEATURES) + list(ctx.FEATURES) + list(ctx.NEIGHBOURHOOD)
    return rows, feats, basis, base + topic_columns(TOPIC_DIMS), time.perf_counter() - t0


def study_report(
    args: argparse.Namespace, rows: list[dict[str, Any]], **fields: Any
) -> dict[str, Any]:
    """What every study's report opens with (the set, its splits, the run's size), then
    ``fields``."""
    dev = sum(1 for r in rows if r.get("split") == "dev")
    return {
        "devset": str(args.devset),
        "pairs": {"dev": dev, "test": len(rows) - dev},
        "smoke": args.smoke,
        "repeats": args.repeats,
    } | fields


def write_corpus_study(
    args: argparse.Namespace,
    rows: list[dict[str, Any]],
    basis: dict[str, Any],
    seconds: float,
    **fields: Any,
) -> dict[str, Any]:
    """Write a corpus study's report (``study_report`` with the corpus's size and the seconds
    its signals took, then ``fields``) to ``args.out`` and return it."""
    report = study_report(
        args,
        rows,
        corpus_items=basis["corpus_items"],
        signal_seconds=round(seconds, 1),
        **fields,
    )
    return write_study(args.out, report)


def write_study(path: Path, report: dict[str, Any]) -> dict[str, Any]:
    """Write a study's report as JSON (what the studies' ``run`` returns)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return report


def print_feature_sets(report: dict[str, Any]) -> None:
    """A study's feature sets, one line each, on stderr."""
    import sys

    width = max(len(name) for name in report["feature_sets"])
    for name, s in report["feature_sets"].items():
        print(
            f"{name:{width}s}  dev CV {s['dev_cv_f1']:.4f}  test {s['test_f1']:.4f}",
            file=sys.stderr,
        )


def weighted_prf(gold: np.ndarray, pred: np.ndarray, w: np.ndarray) -> dict[str, float]:
    """Precision, recall and F1 with each pair standing for ``w`` pairs of the corpus run."""
    tp = float((w * (gold & pred)).sum())
    fp = float((w * (~gold & pred)).sum())
    fn = float((w * (gold & ~pred)).sum())
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f, 4)}


def corpus_run_thresholds(
    rows: list[dict[str, Any]],
    p_red: np.ndarray,
    forced: np.ndarray,
    vetoed: np.ndarray,
    sample_path: Path,
) -> dict[str, Any]:
    """The corpus-run threshold (``batch_threshold``), set against labels.

    ``benchmarks/data/policy_corpus_sample.json`` says from which full corpus run and which of
    its strata (the pairs it called duplicate, overlap or related) each ``source:
    corpus_run_sample`` pair was drawn, and how big each stratum was: each pair stands for its
    share of its run's emitted pairs (population / sample / run total; runs count equally).
    The threshold is the best weighted redundancy F1 on the DEV pairs of the sample; the TEST
    pairs of the sample report it. Pairs the run did not emit (its ``unrelated`` candidates)
    were not sampled, so recall is over emitted pairs only."""
    meta = json.loads(sample_path.read_text(encoding="utf-8"))
    where = meta["stratum"]  # pair id -> {"run": ..., "stratum": ...}
    idx = [k for k, r in enumerate(rows) if r["id"] in where]
    if not idx:
        return {"status": "no corpus-run sample in the dev set"}
    counts: dict[tuple[str, str], int] = {}
    for k in idx:
        key = (where[rows[k]["id"]]["run"], where[rows[k]["id"]]["stratum"])
        counts[key] = counts.get(key, 0) + 1

    def weight(pair_id: str) -> float:
        # the pair's share of its run's emitted pairs; each run counts equally
        run, stratum = where[pair_id]["run"], where[pair_id]["stratum"]
        pop = meta["runs"][run]["population"]
        return float(pop[stratum]) / counts[(run, stratum)] / float(sum(pop.values()))

    w_all = np.array([weight(rows[k]["id"]) for k in idx])
    gold = np.array([rows[k]["label"] in REDUNDANT for k in idx])
    dev = np.array([rows[k]["split"] == "dev" for k in idx])
    p, fo, ve = p_red[idx], forced[idx], vetoed[idx]
    grid = np.round(np.linspace(0.2, 0.95, 31), 3)
    curve = []
    for t in grid:
        pred = ((p >= t) & ~ve) | fo
        curve.append(
            {
                "threshold": float(t),
                "dev": weighted_prf(gold[dev], pred[dev], w_all[dev]),
                "test": weighted_prf(gold[~dev], pred[~dev], w_all[~dev]),
            }
        )
    best = max(curve, key=lambda c: (c["dev"]["f1"], c["threshold"]))
    return {
        "pairs": {"dev": int(dev.sum()), "test": int((~dev).sum())},
        "runs": meta["runs"],
        "chosen_on": "dev pairs of the corpus-run sample, weighted F1",
        "batch_threshold": best["threshold"],
        "at_threshold": best,
        "curve": curve,
    }


def as_emitted(rows: list[dict[str, Any]], meta: dict[str, Any]) -> dict[str, Any]:
    """What each sampled corpus run actually emitted, read off its sample's labels alone (no
    model refitted): the redundant share of each stratum, the run's precision for redundancy
    (its ``duplicate`` and ``overlap`` strata, weighted by their sizes) and its recall over the
    pairs it emitted (redundant pairs it called ``related`` are the misses it can measure).
    Dev and test pairs alike: this describes the runs, it chooses nothing. ``meta``: the
    runs' strata as ``policy_corpus_sample.json`` holds them (``runs`` with each run's
    ``population``, ``stratum`` with each sampled pair's run and stratum)."""
    label = {r["id"]: r["label"] for r in rows}
    out: dict[str, Any] = {}
    for run, info in meta["runs"].items():
        share: dict[str, Any] = {}
        for stratum, size in info["population"].items():
            got = [label[i] in REDUNDANT for i, w in meta["stratum"].items()
                   if w["run"] == run and w["stratum"] == stratum and i in label]  # fmt: skip
            if got:
                share[stratum] = {"sampled": len(got), "redundant": int(sum(got)), "size": size}
        if not share:
            continue
        red = {s: v["size"] * v["redundant"] / v["sampled"] for s, v in share.items()}
        said = [s for s in ("duplicate", "overlap") if s in share]
        tp = sum(red[s] for s in said)
        emitted = sum(share[s]["size"] for s in said)
        out[run] = {
            "strata": share,
            "precision": round(tp / emitted, 3) if emitted else None,
            "recall_over_emitted": round(tp / sum(red.values()), 3) if red else None,
        }
    return out


def design_study(
    feats: list[dict[str, float]],
    y: np.ndarray,
    forced: np.ndarray,
    vetoed: np.ndarray,
    repeats: int,
) -> list[dict[str, Any]]:
    """Candidate designs compared by repeated stratified 5-fold CV on the DEV rows only.

    Every design gets the same folds and its own best threshold (mean F1 over the repeats, the
    copy rule applied); the chosen design is the simplest one within noise of the best."""
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import RepeatedStratifiedKFold

    from prasan.policy.relate import FEATURES, INSTANCE_FEATURES

    base = list(FEATURES)
    sets = {"base": base, "base+instance": base + list(INSTANCE_FEATURES)}
    makers: list[tuple[str, Any]] = []
    for c in (0.3, 1.0, 3.0):
        makers.append((f"logistic C={c}", lambda c=c: LogisticRegression(C=c, max_iter=5000)))
    for n, d in ((15, 2), (30, 2), (60, 1)):
        makers.append(
            (
                f"gradient boosting {n} trees depth {d}",
                lambda n=n, d=d: GradientBoostingClassifier(
                    n_estimators=n, max_depth=d, subsample=0.8, random_state=0
                ),
            )
        )
    cv = RepeatedStratifiedKFold(n_splits=5, n_repeats=repeats, random_state=0)
    out = []
    for set_name, cols in sets.items():
        xm = np.array([[f[c] for c in cols] for f in feats])
        for name, make in makers:
            p = np.zeros((repeats, len(y)))
            for k, (tr, te) in enumerate(cv.split(xm, y)):
                p[k // 5, te] = make().fit(xm[tr], y[tr]).predict_proba(xm[te])[:, 1]
            scores = []
            for t in THRESHOLDS:
                per = redundancy_f1_by_repeat(p, y, forced, vetoed, t)
                scores.append((float(per.mean()), float(per.std()), float(t)))
            best = max(scores)
            out.append(
                {
                    "features": set_name,
                    "model": name,
                    "dev_cv_redundancy_f1": round(best[0], 4),
                    "std_over_repeats": round(best[1], 4),
                    "threshold": best[2],
                }
            )
            print(f"design {set_name:14s} {name:36s} dev-CV F1 {best[0]:.4f} (th {best[2]})")
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    from prasan.policy.relate import FEATURES

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--devset", type=Path, default=DEVSET)
    ap.add_argument("--model-out", type=Path, default=MODEL)
    ap.add_argument("--report-out", type=Path, default=REPORT)
    ap.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    ap.add_argument(
        "--standardise",
        action="store_true",
        help=f"study: standardised features, the redundancy models' C of {C_GRID} by dev CV "
        "(write to other --model-out/--report-out paths; not the shipped fit)",
    )
    ap.add_argument(
        "--no-topic",
        action="store_true",
        help="corpus models without the topic prior (as shipped before session 9)",
    )
    ap.add_argument(
        "--no-neighbourhood",
        action="store_true",
        help="corpus models without the neighbourhood vectors' cosines (before session 10)",
    )
    ap.add_argument(
        "--no-memory",
        action="store_true",
        help="corpus models without the labelled pairs' memory (before session 12)",
    )
    ap.add_argument(
        "--corpus-related-cut",
        action="store_true",
        help="study: also a corpus model for related vs unrelated (write to other "
        "--model-out/--report-out paths; not the shipped fit, see docs/policy.md)",
    )
    ap.add_argument("--repeats", type=int, default=10, help="repeats of 5-fold CV on dev")
    ap.add_argument("--no-study", action="store_true", help="skip the dev-only design study")
    ap.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="PRASAN_DATA_DIR of a stored full-corpus analysis: also fit the corpus-context "
        "models (redundant_*_context) that batch analysis and add use",
    )
    args = ap.parse_args(argv)

    raw = args.devset.read_bytes()
    rows = [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]
    t0 = time.perf_counter()
    feats = signals_for(rows)
    seconds = time.perf_counter() - t0
    names = list(FEATURES)
    plain = [n for n in names if n != "encoder"]
    x = np.array([[f[n] for n in names] for f in feats])
    xp = np.array([[f[n] for n in plain] for f in feats])
    gold = np.array([r["label"] for r in rows])
    dev = np.array([r.get("split") == "dev" for r in rows])
    y = np.isin(gold, REDUNDANT)

    # a copy is a copy (``relate.decide`` calls these duplicate whatever the model says)
    # ... unless the guide's rules call them not redundant (another instance; appointments)
    forced, vetoed = rule_masks(feats)
    model: dict[str, Any] = {}
    report: dict[str, Any] = {"devset": str(args.devset), "sha256": hashlib.sha256(raw).hexdigest()}

    std = args.standardise

    def fit_redundant(
        mat: np.ndarray,
        cols: list[str],
        grid: tuple[float, ...] | None = None,
        memory: MemoryFolds | None = None,
    ) -> dict[str, Any]:
        """A redundancy model fitted on dev, with its cross-validated threshold and F1 (and C,
        when chosen by dev CV from ``grid``, or from ``C_GRID`` with ``--standardise``); with
        ``memory``, the last column is the memory feature (``memory_columns``)."""
        grid = grid or (C_GRID if std else (args.c,))
        cv = {
            c: cv_redundancy_f1(
                mat[dev],
                y[dev],
                forced[dev],
                vetoed[dev],
                repeats=args.repeats,
                c=c,
                standardise=std,
                memory=memory,
            )
            for c in grid
        }
        c = max(cv, key=lambda k: cv[k])
        best_f1, th = cv[c]
        out = fit(mat[dev], y[dev], cols, c, std) | {
            "threshold": th,
            "dev_cv_f1": round(best_f1, 4),
        }
        return out | {"c": c} if len(grid) > 1 else out

    # the single-comparison models; with a corpus basis (``--data-dir``), with the topic prior
    # as ``compare_texts`` sees it (``bare_topic_for``), folded like the corpus models'
    bare: list[tuple[str, np.ndarray, list[str]]] = [
        ("redundant_encoder", x, names),
        ("redundant_plain", xp, plain),
    ]
    contextual: list[tuple[str, np.ndarray, list[str]]] = []
    basis: dict[str, Any] | None = None
    if args.data_dir is not None:
        in_corpus, basis = context_for(rows, args.data_dir)
        for f, extra in zip(feats, in_corpus, strict=True):
            f.update(extra)
    if basis is not None and not args.no_topic:
        dims = bare_topic_for(rows, basis)
        folded = []
        for key, mat, cols in bare:
            tcols = cols + topic_columns(dims.shape[1])
            tmat = np.column_stack([mat, dims])
            model[key] = fit_redundant(tmat, tcols, TOPIC_C)
            folded.append((key, *fold_topic(model[key], basis, tmat, tcols)))
        bare = folded
    else:
        for key, mat, cols in bare:
            model[key] = fit_redundant(mat, cols)
    if basis is not None:
        from prasan.policy import memory as mem
        from prasan.policy.context import FEATURES as CONTEXT
        from prasan.policy.context import NEIGHBOURHOOD

        topic = topic_columns(basis["m"].shape[0])
        nbhd = [] if args.no_neighbourhood else list(NEIGHBOURHOOD)
        folds: MemoryFolds | None = None
        if not args.no_memory:
            col, folds = memory_columns(memory_nearness(basis["x"], dev), y, dev)
            for f, v in zip(feats, col, strict=True):
                f[mem.FEATURE] = float(v)
            shipped = mem.Memory.of_pairs(
                [t for k in np.flatnonzero(dev) for t in basis["side_tokens"][2 * k : 2 * k + 2]],
                list(y[dev]),
                report["sha256"],
            )
            shipped.save(args.model_out.parent / Path(mem.FILE).name)
            model[mem.FEATURE] = {
                "k": mem.K,
                "floor": mem.FLOOR,
                "prior": round(shipped.prior, 6),
                "pairs": len(shipped.y),
                "sides": len(shipped.sides),
                "devset_sha256": report["sha256"],
            }
        for key, cols in (("redundant_encoder", names), ("redundant_plain", plain)):
            ccols = cols + list(CONTEXT) + nbhd + ([] if args.no_topic else topic)
            ccols += [] if folds is None else [mem.FEATURE]  # last: what ``folds`` replaces
            mat = np.array([[f[n] for n in ccols] for f in feats])
            model[key + "_context"] = fit_redundant(
                mat, ccols, None if args.no_topic else TOPIC_C, folds
            )
            if not args.no_topic:  # one weight per word in place of the dimensions
                mat, ccols = fold_topic(model[key + "_context"], basis, mat, ccols)
            contextual.append((key + "_context", mat, ccols))
        if not args.no_topic:
            model["topic_tokens"] = basis["tokens"]
            report["topic"] = {
                "dims": len(topic),
                "tokens": len(basis["tokens"]),
                "corpus_items": basis["corpus_items"],
                "c": {k: model[k].get("c") for k, _, _ in [*bare, *contextual]},
            }
    # the label models: which redundant pairs are duplicates, which of the rest related
    cuts = (
        ("duplicate_vs_overlap", dev & y, "duplicate"),
        ("related_vs_unrelated", dev & ~y, "related"),
    )
    for name, idx, first in cuts:
        model[name] = fit(x[idx], gold[idx] == first, names, args.c, std)
        model[name]["threshold"] = cv_label_cut(
            x[idx], gold[idx] == first, repeats=args.repeats, c=args.c, standardise=std
        )[1]
    # ... and in a corpus (``relate.corpus_model_key``): the corpus context, the neighbourhood
    # vectors and the topic prior tell overlaps from duplicates far better than the pair's own
    # signals (session 14); not the encoder, which a corpus run consults for few pairs, nor the
    # memory, which reads redundancy. Not related vs unrelated unless asked: the labelled set
    # holds no sample of the candidate pairs a run leaves unrelated, and a corpus cut fitted
    # without them called 115,533 of a full run's pairs related (8,854 with the pair's own
    # signals), an extrapolation nobody has read (docs/policy.md)
    label_mats: dict[str, tuple[np.ndarray, list[str]]] = {name: (x, names) for name, _, _ in cuts}
    if basis is not None:
        lcols = plain + list(CONTEXT) + nbhd + ([] if args.no_topic else topic)
        lmat = np.array([[f[n] for n in lcols] for f in feats])
        for name, idx, first in cuts if args.corpus_related_cut else cuts[:1]:
            g = gold[idx] == first
            by_c = {c: cv_label_cut(lmat[idx], g, repeats=args.repeats, c=c) for c in TOPIC_C}
            c = max(by_c, key=lambda k: by_c[k])
            key = name + "_context"
            model[key] = fit(lmat[idx], g, lcols, c) | {
                "threshold": by_c[c][1],
                "dev_cv_macro_f1": round(by_c[c][0], 4),
                "c": c,
            }
            label_mats[key] = (
                (lmat, lcols) if args.no_topic else fold_topic(model[key], basis, lmat, lcols)
            )
    model["trained_on"] = {
        "devset_sha256": report["sha256"],
        "split": "dev",
        "pairs": int(dev.sum()),
        "analyser": "compare_texts default (demo-corpus statistics, USE over first 2,000 chars)",
    }

    # the held-out test split, for information only (never used above)
    test = ~dev

    def labels(
        idx: np.ndarray, key: str, mat: np.ndarray, cols: list[str], *, context: bool = False
    ) -> list[str]:
        """The labels ``decide`` gives pairs ``idx`` under the redundancy model ``key``, with
        the corpus label models when ``context`` (``relate.corpus_model_key``)."""
        from prasan.policy.relate import corpus_model_key

        p = prob(model[key], mat[idx], cols)
        cut = {}
        for name, _, _ in cuts:
            k = corpus_model_key(model, name, context=context)
            lm, lc = label_mats[k]
            cut[name] = prob(model[k], lm[idx], lc) >= model[k]["threshold"]
        fo, ve = forced[idx], vetoed[idx]
        out = []
        for k in range(len(p)):
            if fo[k]:
                out.append("duplicate")
            elif p[k] >= model[key]["threshold"] and not ve[k]:
                out.append("duplicate" if cut["duplicate_vs_overlap"][k] else "overlap")
            else:
                out.append("related" if cut["related_vs_unrelated"][k] else "unrelated")
        return out

    def per_label_f1(g: np.ndarray, pred: list[str]) -> dict[str, float]:
        return {lab: round(f1(g == lab, np.array(pred) == lab), 4) for lab in LABELS}

    for split_name, idx in (("dev_fitted", dev), ("test", test)):
        for key, mat, cols in bare:
            pred = labels(idx, key, mat, cols)
            g = gold[idx]
            report.setdefault(split_name, {})[key] = {
                "n": int(idx.sum()),
                "redundancy_f1": round(f1(np.isin(g, REDUNDANT), np.isin(pred, REDUNDANT)), 4),
                "per_label_f1": per_label_f1(g, pred),
            }
    report["dev_cv_redundancy_f1"] = {
        k: model[k]["dev_cv_f1"] for k in ("redundant_encoder", "redundant_plain")
    }
    if not args.no_study:
        report["design_study_dev_only"] = design_study(
            [feats[k] for k in np.flatnonzero(dev)],
            y[dev],
            forced[dev],
            vetoed[dev],
            max(2, args.repeats // 2),
        )
    if SAMPLE.exists():
        key, mat, cols = bare[0]  # the sample's signals include the encoder, as in compare
        p_red = prob(model[key], mat, cols)
        batch = corpus_run_thresholds(rows, p_red, forced, vetoed, SAMPLE)
        report["corpus_run"] = batch
        report["corpus_runs_as_emitted"] = as_emitted(
            rows, json.loads(SAMPLE.read_text(encoding="utf-8"))
        )
        if "batch_threshold" in batch:
            for k in ("redundant_encoder", "redundant_plain"):
                model[k]["batch_threshold"] = batch["batch_threshold"]
        if contextual:  # a corpus run reads the context models: their own corpus-run threshold
            key, mat, cols = contextual[0]
            batch_c = corpus_run_thresholds(
                rows, prob(model[key], mat, cols), forced, vetoed, SAMPLE
            )
            report["corpus_run_context"] = batch_c
            if "batch_threshold" in batch_c:
                for k, _, _ in contextual:
                    model[k]["batch_threshold"] = batch_c["batch_threshold"]
    if contextual:
        keyword = np.array([r.get("source") != "corpus_run_sample" for r in rows])
        scored: dict[str, Any] = {}
        for k, mat, cols in contextual:
            pred = ((prob(model[k], mat, cols) >= model[k]["threshold"]) & ~vetoed) | forced
            t = test
            scored[k] = {
                "test": weighted_prf(y[t], pred[t], np.ones(int(t.sum()))),
                # per label, at the dev threshold (``policy_quality.py`` reads a corpus run's)
                "test_per_label_f1": {
                    "with the corpus label models": per_label_f1(
                        gold[t], labels(t, k, mat, cols, context=True)
                    ),
                    "with the single-comparison label models": per_label_f1(
                        gold[t], labels(t, k, mat, cols)
                    ),
                },
                "test_keyword_f1": round(f1(y[t & keyword], pred[t & keyword]), 4),
                "test_corpus_f1": round(f1(y[t & ~keyword], pred[t & ~keyword]), 4),
            }
        report["context"] = {
            "data_dir": str(args.data_dir),
            "dev_cv_redundancy_f1": {k: model[k]["dev_cv_f1"] for k, _, _ in contextual},
            "test_redundancy_f1": {k: v["test"]["f1"] for k, v in scored.items()},
            "test": scored,
        }
    report["signal_seconds"] = round(seconds, 2)
    args.model_out.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    if args.model_out == MODEL:
        report["compare_texts"] = evaluate_compare_texts(rows)
    args.report_out.parent.mkdir(parents=True, exist_ok=True)
    args.report_out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    main()
