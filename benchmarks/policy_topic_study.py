"""Would a prior by kind of item lift redundancy F1 in a corpus? A study on the labelled set.

Most of the corpus model's false redundancies are kinds of item that are rarely redundant
(another day's briefing of a series, ministers' visits in one domain), while the same signals
mean redundancy for other kinds. This study adds to the corpus model's features (the pair's
own signals and its corpus context, ``policy_calibrate.py --data-dir``) the pair's *topic*:
the first N dimensions of the full corpus's LSA over its 20,000 most frequent words, summed
over the two sides (``policy_calibrate.context_for``), for N of 32, 64, 96 and 128, with C of
the logistic model 1, 3 or 10; the sum times the pair's cosine; and, as a contrast, what two
items share in specifics: the numbers they cite (>= 10, years left out: Jaccard, count, share
of the fewer) and the words rare in the corpus they share (idf >= 8: Jaccard, share).

Each set is scored as ``policy_calibrate.py`` scores a model (mean redundancy F1 over repeated
stratified 5-fold CV on dev at the best threshold; the same folds for every set, so the gain
per repeat is paired; then the held-out test split at that threshold). The shipped corpus
models use 64 dimensions with C chosen by dev CV (``relate.TOPIC``). Run, after a full
analysis (``PRASAN_DATA_DIR=DIR prasan policy analyze thaigov.jsonl.gz --out DIR/out``):
``.venv/bin/python benchmarks/policy_topic_study.py --data-dir DIR`` (about 4 minutes on 2
cores), or ``--smoke``. Results: ``benchmarks/results/policy_topic_study.json``.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import policy_calibrate as pc  # (this folder: what the study shares of the calibration)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results" / "policy_topic_study.json"
MAX_DIMS = 128
RARE_IDF = 8.0
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def numbers(text: str) -> set[str]:
    """The numbers a text cites, >= 10, Buddhist-era and Common-era years left out."""
    out = set()
    for m in NUMBER.finditer(text.translate(THAI_DIGITS)):
        raw = m.group().replace(",", "").rstrip(".")
        try:
            v = float(raw)
        except ValueError:
            continue
        if v >= 10 and not (2400 <= v <= 2700 or 1950 <= v <= 2100):
            out.add(raw)
    return out


def shared(a: set[str], b: set[str], prefix: str) -> dict[str, float]:
    both = len(a & b)
    return {
        f"{prefix}_jaccard": both / len(a | b) if a | b else 0.0,
        f"{prefix}_count": min(both, 5) / 5,
        f"{prefix}_cover": both / min(len(a), len(b)) if a and b else 0.0,
    }


def topic(n: int) -> list[str]:
    return pc.topic_columns(n)


def feature_sets() -> dict[str, tuple[list[str], float]]:
    """Name -> (extra columns, C)."""
    sets: dict[str, tuple[list[str], float]] = {}
    for n in (32, 64, 96, 128):
        sets[f"topic {n} dims, C=3"] = (topic(n), 3.0)
    sets["topic 64 dims, C=1"] = (topic(64), 1.0)
    sets["topic 64 dims, C=10"] = (topic(64), 10.0)
    sets["topic 64 dims and topic x cosine, C=3"] = (
        topic(64) + [f"{c}_x_cos" for c in topic(64)],
        3.0,
    )
    sets["numbers cited by both"] = (["num_jaccard", "num_count", "num_cover"], 1.0)
    sets["rare words shared"] = (["rare_jaccard", "rare_cover"], 1.0)
    return sets


def run(argv: list[str] | None = None) -> dict[str, Any]:
    args = pc.corpus_study_parser(__doc__, OUT).parse_args(argv)
    from prasan.policy import store
    from prasan.policy.context import FEATURES as CONTEXT
    from prasan.policy.relate import FEATURES

    t0 = time.perf_counter()
    rows, feats = pc.study_pairs(args)
    in_corpus, basis = pc.context_for(rows, args.data_dir, dims=MAX_DIMS)
    an = store.load_analyzer(store.state_path(args.data_dir))

    def rare(text: str) -> set[str]:
        side = an.analyze_text(text, "", "x").side()
        words = {t for sent, boiler in zip(side.tokens, side.boiler, strict=True) if not boiler
                 for t in sent}  # fmt: skip
        return {t for t in words if an.idf_of(t) >= RARE_IDF}

    dims = basis["m"].shape[0]
    for f, extra, r in zip(feats, in_corpus, rows, strict=True):
        f.update(extra)
        for k in range(MAX_DIMS):  # a small corpus has fewer dimensions
            f.setdefault(f"topic_{k}", 0.0)
            f[f"topic_{k}_x_cos"] = f[f"topic_{k}"] * f["cosine"]
        f.update(shared(numbers(r["a"]["text"]), numbers(r["b"]["text"]), "num"))
        f.update(shared(rare(r["a"]["text"]), rare(r["b"]["text"]), "rare"))
    seconds = time.perf_counter() - t0

    base = list(FEATURES) + list(CONTEXT)

    def score(cols: list[str], c: float) -> dict[str, Any]:
        out = pc.score_feature_set(feats, rows, cols, repeats=args.repeats, c=c)
        del out["weights"]
        return out

    none = score(base, 1.0)
    sets: dict[str, Any] = {"none (session 8's corpus model: signals and context, C=1)": none}
    for name, (extra, c) in feature_sets().items():
        s = score(base + extra, c)
        sets[name] = s | pc.paired_gain(s, none)
    report = pc.study_report(
        args,
        rows,
        corpus_items=basis["corpus_items"],
        lsa_dims_available=dims,
        topic_words=len(basis["tokens"]),
        signal_seconds=round(seconds, 1),
        feature_sets=sets,
    )
    return pc.write_study(args.out, report)


if __name__ == "__main__":
    pc.print_feature_sets(run())
