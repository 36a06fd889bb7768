"""Do the titles and openings, read again, or a non-linear model say more? A study.

Session 11's error analysis put most of the corpus model's false redundancies in one kind:
two instances of one series (two meetings of one committee with other agendas, one series'
days), and most misses in another: one programme told in other words. Session 14 read the test
errors again: the readers decide both by what the two titles and openings say happened (a
launch and its budget, a meeting and the next one). So, on top of the shipped corpus model
(signals, corpus context, neighbourhood vectors, 64 topic dimensions and the readers' memory,
each fold's memory its training pairs only; ``policy_calibrate.memory_columns``):

- **title templates**: the character-3-gram cosine of the two titles with every number and
  month name masked, how much masking raises it (a series' titles differ in their numbers and
  dates only), and that cosine where the titles cite other numbers;
- **openings**: the character-3-gram cosine of the first 400 characters after the date and
  title lines;
- **the encoder on titles and openings** (USE v3): the cosine of the two titles, of the two
  openings, and the better of title against the other's opening;
- all of these together;
- **gradient boosting** (scikit-learn's ``HistGradientBoostingClassifier``) on the shipped
  features in place of the logistic model, and the mean of the two models' probabilities.

Each set is scored as ``policy_calibrate.py`` scores a model (mean redundancy F1 over repeated
stratified 5-fold CV on dev at the best threshold, the same folds for every set, so the gain per
repeat is paired; then the held-out test split at that threshold), at C = 3. Run, after a full
analysis (``PRASAN_DATA_DIR=DIR prasan policy analyze thaigov.jsonl.gz --out DIR/out``):
``.venv/bin/python benchmarks/policy_reread_study.py --data-dir DIR`` (about 10 minutes on 2
cores), or ``--smoke``. Results: ``benchmarks/results/policy_reread_study.json``.
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import policy_calibrate as pc  # (this folder: what the study shares of the calibration)

from prasan.policy.memory import FEATURE

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results" / "policy_reread_study.json"
C = 3.0
OPENING = 400  # characters of an item's opening
BOOSTING = {"max_iter": 200, "learning_rate": 0.05, "max_leaf_nodes": 15, "min_samples_leaf": 20}
FEATURE_SETS = {
    "title templates": ["title_masked", "title_template", "title_series"],
    "openings": ["opening"],
    "the encoder on titles and openings": ["use_titles", "use_openings", "use_cross"],
}


def grams(text: str, n: int = 3) -> Counter[str]:
    """The character ``n``-grams of ``text``, runs of white space as one space."""
    text = re.sub(r"\s+", " ", text)
    return Counter(text[i : i + n] for i in range(len(text) - n + 1))


def cosine(a: Counter[str], b: Counter[str]) -> float:
    dot = sum(v * b[k] for k, v in a.items() if k in b)
    norm = math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def masked(title: str) -> tuple[str, set[str]]:
    """A title with its numbers (Thai digits read as Arabic) as ``#`` and its month names and
    abbreviations as ``@``, and the numbers it cites."""
    from prasan.core.thai import to_arabic_digits
    from prasan.policy.segment import _MONTH_ABBREVIATIONS, _MONTH_NAMES

    title = to_arabic_digits(title)
    numbers = set(re.findall(r"\d+", title))
    out = re.sub(r"\d+", "#", title)
    for m in sorted([*_MONTH_NAMES, *_MONTH_ABBREVIATIONS], key=len, reverse=True):
        out = out.replace(m, "@")
    return out, numbers


def title_features(a: str, b: str) -> dict[str, float]:
    raw = cosine(grams(a), grams(b))
    (ma, na), (mb, nb) = masked(a), masked(b)
    m = cosine(grams(ma), grams(mb))
    return {
        "title_masked": m,
        "title_template": max(0.0, m - raw),
        "title_series": m if na and nb and na != nb else 0.0,
    }


def opening(text: str) -> str:
    """What an item says first: its text after the date and title lines."""
    lines = [line for line in text.split("\n") if line.strip()]
    return " ".join(lines[2:] if len(lines) > 2 else lines)[:OPENING]


def encoder_features(rows: list[dict[str, Any]]) -> list[dict[str, float]]:
    from prasan.policy.embed import get_embedder

    enc = get_embedder("use")
    assert enc is not None

    def unit(texts: list[str]) -> np.ndarray:
        v = np.asarray(enc.encode(texts), dtype=np.float64)
        return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)

    ta, tb = (unit([r[s]["title"][:OPENING] for r in rows]) for s in ("a", "b"))
    oa, ob = (unit([opening(r[s]["text"]) for r in rows]) for s in ("a", "b"))
    cross = np.maximum((ta * ob).sum(axis=1), (oa * tb).sum(axis=1))
    return [
        {"use_titles": float(t), "use_openings": float(o), "use_cross": float(x)}
        for t, o, x in zip((ta * tb).sum(axis=1), (oa * ob).sum(axis=1), cross, strict=True)
    ]


def boosting() -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(random_state=0, **BOOSTING)


def run(argv: list[str] | None = None) -> dict[str, Any]:
    args = pc.corpus_study_parser(__doc__, OUT).parse_args(argv)
    rows, feats, basis, base, seconds = pc.shipped_corpus_study(args)
    y, dev = pc.redundant_and_dev(rows)
    t0 = time.perf_counter()
    col, folds = pc.memory_columns(pc.memory_nearness(basis["x"], dev), y, dev)
    for f, v, r, e in zip(feats, col, rows, encoder_features(rows), strict=True):
        f[FEATURE] = float(v)
        f.update(title_features(r["a"]["title"], r["b"]["title"]), **e)
        f["opening"] = cosine(grams(opening(r["a"]["text"])), grams(opening(r["b"]["text"])))
    seconds += time.perf_counter() - t0
    base = [*base, FEATURE]  # the memory last, as ``set_probabilities`` reads it

    forced, vetoed = pc.rule_masks(feats)

    def probabilities(
        cols: list[str], make: Callable[[], Any] | None = None
    ) -> tuple[np.ndarray, np.ndarray, dict[str, float] | None]:
        x = np.array([[f[k] for k in cols] for f in feats])
        return pc.set_probabilities(
            x, y, dev, cols, repeats=args.repeats, c=C, memory=folds, make=make
        )

    # the shipped features with the logistic model: the base every set is paired with, and one
    # half of the two models' mean below (the same folds)
    pl, tl, _ = probabilities(base)
    none = pc.scored_probabilities(pl, tl, y, dev, forced, vetoed)
    sets: dict[str, Any] = {"none (the shipped corpus model's features)": none}
    every = [k for cols in FEATURE_SETS.values() for k in cols]
    for name, extra in [*FEATURE_SETS.items(), ("all of these", every)]:
        p, test_p, weights = probabilities([*base[:-1], *extra, FEATURE])
        s = pc.scored_probabilities(p, test_p, y, dev, forced, vetoed)
        assert weights is not None
        s["weights"] = {k: weights[k] for k in extra}
        sets[name] = s | pc.paired_gain(s, none)
    pb, tb, _ = probabilities(base, boosting)
    for name, (p, test_p) in (
        ("gradient boosting in place of the logistic model", (pb, tb)),
        ("the mean of the two models' probabilities", ((pl + pb) / 2, (tl + tb) / 2)),
    ):
        s = pc.scored_probabilities(p, test_p, y, dev, forced, vetoed)
        sets[name] = s | pc.paired_gain(s, none)
    return pc.write_corpus_study(
        args, rows, basis, seconds, c=C, boosting=BOOSTING, feature_sets=sets
    )


if __name__ == "__main__":
    pc.print_feature_sets(run())
