"""Do the readers' decisions on similar pairs say more than the features? A study.

Most of the corpus model's remaining errors are kinds of pair the readers decide by a rule the
features cannot read (two meetings of one committee with other agendas are ``related``; one
minister's visits to two sites of one drive are ``duplicate``), and the labelled set holds many
pairs of the same kinds: its corpus-run samples come from the same series. A *memory* of
labelled pairs reads them back: for a pair (a, b), a labelled pair (a', b') is as near as the
lesser of its two sides' TF-IDF cosines in the corpus's vocabulary, the sides matched the
better way round (``prasan.policy.memory.nearness``); the feature is the mean redundancy of its
``k`` nearest labelled pairs, each weighted by how far its nearness exceeds a ``floor``, and
the memory's base rate where none does (``memory.feature``). Session 12 built it into the
corpus models at 5 nearest above 0.3 (``policy_calibrate.py``); this study keeps the measure
that chose it.

Measured honestly, as ``policy_calibrate.py`` measures a model: 10 repeats of stratified 5-fold
cross-validation on dev, the same folds as the model without the memory
(``oof_probabilities``), each fold's memory holding only its training pairs
(``policy_calibrate.memory_columns``); the redundancy threshold with the best mean F1; then the
held-out test split, its memory all of dev. Variants: ``k`` 5 or 20, ``floor`` 0.2, 0.3 or 0.4,
and the memory with or without the labelled pairs that share a document with the pair (how much
of the gain is the same item read again, which a corpus run also meets, and how much is the
same kind of pair); and the learning curve with and without the memory (each fold cut to
25–100 % of its training pairs, the memory with it). The base is the shipped corpus model's
other features at C = 3. Run, after a full analysis (``PRASAN_DATA_DIR=DIR prasan policy
analyze thaigov.jsonl.gz --out DIR/out``): ``.venv/bin/python benchmarks/policy_memory_study.py
--data-dir DIR`` (about 6 minutes on 2 cores), or ``--smoke``. Results:
``benchmarks/results/policy_memory_study.json``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import policy_calibrate as pc  # (this folder: what the study shares of the calibration)

from prasan.policy.memory import FEATURE

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results" / "policy_memory_study.json"
C = 3.0
SIZES = (5, 20)
FLOORS = (0.2, 0.3, 0.4)


def shares_a_document(rows: list[dict[str, Any]]) -> np.ndarray:
    """``(n, n)``: whether two labelled pairs share a document on either side."""
    docs = [{r["a"]["doc"], r["b"]["doc"]} for r in rows]
    return np.array([[bool(p & q) for q in docs] for p in docs])


def run(argv: list[str] | None = None) -> dict[str, Any]:
    args = pc.corpus_study_parser(__doc__, OUT).parse_args(argv)
    rows, feats, basis, base, seconds = pc.shipped_corpus_study(args)
    y, dev = pc.redundant_and_dev(rows)
    t0 = time.perf_counter()
    near = pc.memory_nearness(basis["x"], dev)
    apart = np.where(shares_a_document(rows)[:, dev], -1.0, near)
    seconds += time.perf_counter() - t0

    none = pc.score_feature_set(feats, rows, base, repeats=args.repeats, c=C)
    del none["weights"]
    test = ~dev
    sets: dict[str, Any] = {"none (the shipped corpus model's other features)": none}
    for label, s in (("", near), (", pairs sharing a document left out", apart)):
        for k in SIZES:
            for floor in FLOORS:
                col, folds = pc.memory_columns(s, y, dev, k=k, floor=floor)
                for f, v in zip(feats, col, strict=True):
                    f[FEATURE] = float(v)
                out = pc.score_feature_set(
                    feats, rows, [*base, FEATURE], repeats=args.repeats, c=C, memory=folds
                )
                out["memory_weight"] = out.pop("weights")[FEATURE]
                out["test_pairs_with_a_memory_hit"] = int((s[test].max(axis=1) > floor).sum())
                sets[f"memory, {k} nearest above {floor}{label}"] = out | pc.paired_gain(out, none)
    # does the memory gain grow with the labelled set? each fold cut to a share of its pairs,
    # the memory cut with it
    col, folds = pc.memory_columns(near, y, dev)
    for f, v in zip(feats, col, strict=True):
        f[FEATURE] = float(v)
    forced, vetoed = pc.rule_masks(feats)
    curves = {}
    for name, cols, mem in (("without", base, None), ("with the memory", [*base, FEATURE], folds)):
        x = np.array([[f[k] for k in cols] for f in feats])[dev]
        curves[name] = pc.learning_curve(
            x, y[dev], forced[dev], vetoed[dev], repeats=args.repeats, c=C, memory=mem
        )
    return pc.write_corpus_study(
        args,
        rows,
        basis,
        seconds,
        c=C,
        feature_sets=sets,
        learning_curve_dev=curves,
    )


if __name__ == "__main__":
    pc.print_feature_sets(run())
