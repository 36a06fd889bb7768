"""The fitted analyser on disk, so ``add`` can relate new documents without refitting.

The state keeps what relating needs (vocabulary, idf, boilerplate, LSA, features, signatures,
the LSH index, and each item's entities) but not item texts and tokens, which live in the
database; evidence for a stored item re-segments its text on demand (a few ms per item).
"""

from __future__ import annotations

import gc
import pickle
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from prasan.policy import candidates as cand
from prasan.policy.analyzer import AnalyzedItem, Analyzer
from prasan.policy.errors import NoAnalysis
from prasan.policy.ingest import Item
from prasan.policy.segment import Processed

STATE_FILE = "analyzer.pkl"
DELTA_SUFFIX = ".delta.pkl"
COMPACT_AFTER = 2000  # items in the delta before ``add`` rewrites the whole state


def state_path(data_dir: Path) -> Path:
    return data_dir / "policy" / STATE_FILE


def _light(ai: AnalyzedItem) -> AnalyzedItem:
    it = ai.item
    p = ai.p
    return AnalyzedItem(
        Item(id=it.id, doc=it.doc, start=it.start, end=it.end, text="", title=it.title),
        Processed(
            spans=[],
            tokens=[],
            agencies=p.agencies,
            amounts=p.amounts,
            targets=p.targets,
            areas=p.areas,
            lang=p.lang,
            programmes=p.programmes,
            date=p.date,
            years=p.years,
            head_years=p.head_years,
            rounds=p.rounds,
            head_areas=p.head_areas,
            appointment=p.appointment,
        ),
    )


def save_analyzer(analyzer: Analyzer, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    embedder, items, text_source = analyzer.embedder, analyzer.items, analyzer.text_source
    try:
        analyzer.embedder = None
        analyzer.text_source = None
        analyzer.items = [_light(ai) for ai in items]
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(analyzer, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        delta_path(path).unlink(missing_ok=True)
    finally:
        analyzer.embedder, analyzer.items, analyzer.text_source = embedder, items, text_source
    analyzer.saved_items = len(analyzer.items)
    analyzer.saved_vocab = len(analyzer.vocab.df)


def delta_path(path: Path) -> Path:
    return path.with_name(path.stem + DELTA_SUFFIX)


def save(analyzer: Analyzer, path: Path) -> None:
    """What ``add`` calls: a small delta file (items added since the last full save), or a
    full rewrite when there is no base yet or the delta has grown large. Rewriting the
    whole ~130 MB state for every added document would cost more than the analysis."""
    base = analyzer.saved_items
    if not path.exists() or base <= 0 or len(analyzer.items) - base > COMPACT_AFTER:
        save_analyzer(analyzer, path)
        return
    assert analyzer.features is not None
    f = analyzer.features
    vocab = analyzer.vocab
    tokens = sorted(vocab.ids, key=vocab.ids.__getitem__)[analyzer.saved_vocab :]
    delta: dict[str, Any] = {
        "base_items": base,
        "base_vocab": analyzer.saved_vocab,
        "items": [_light(ai) for ai in analyzer.items[base:]],
        "X": f.X[base:],
        "T": f.T[base:],
        "Z": f.Z[base:],
        "S": f.S[base:],
        "n_sh": f.n_sh[base:],
        "tokens": tokens,
        "df": np.asarray(vocab.df, dtype=np.int64),
        "n_docs": vocab.n_docs,
        "idf": analyzer.idf,
    }
    d = delta_path(path)
    tmp = d.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump(delta, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(d)


def _apply_delta(analyzer: Analyzer, delta: dict[str, Any]) -> None:
    if delta["base_items"] != len(analyzer.items) or delta["base_vocab"] != len(analyzer.vocab.df):
        raise NoAnalysis(
            "The stored policy analysis and its additions do not match (the state files were "
            "mixed up): run `prasan policy analyze` again",
            detail_th="ไฟล์สถานะการวิเคราะห์ไม่ตรงกัน: รัน `prasan policy analyze` ใหม่",
        )
    vocab = analyzer.vocab
    for tok in delta["tokens"]:
        vocab.ids[tok] = len(vocab.ids)
    vocab.df = [int(x) for x in delta["df"]]
    vocab.n_docs = int(delta["n_docs"])
    analyzer.idf = delta["idf"]
    assert analyzer.features is not None
    f = analyzer.features
    width = max(f.X.shape[1], delta["X"].shape[1])
    f.X = sparse.vstack([cand.widen(f.X, width), cand.widen(delta["X"], width)]).tocsr()
    f.T = sparse.vstack([cand.widen(f.T, width), cand.widen(delta["T"], width)]).tocsr()
    f.Z = np.vstack([f.Z, delta["Z"]])
    f.S = np.vstack([f.S, delta["S"]])
    f.n_sh = np.concatenate([f.n_sh, delta["n_sh"]])
    base = len(analyzer.items)
    for k, ai in enumerate(delta["items"]):
        analyzer.items.append(ai)
        analyzer.index[ai.id] = base + k
        cand.lsh_insert(analyzer.lsh, base + k, delta["S"][k])


def load_analyzer(path: Path) -> Analyzer:
    """The analyser saved by the last ``analyze`` (its file is ours; never load others')."""
    if not path.exists():
        raise NoAnalysis(
            f"No stored policy analysis at {path}: run `prasan policy analyze INPUT --out DIR` first",
            detail_th=f"ไม่พบผลการวิเคราะห์ที่ {path}: รัน `prasan policy analyze` ก่อน",
        )
    # The state holds ~30,000 items of small objects: with the cyclic garbage collector
    # running, unpickling them spends most of its time in collections that find nothing
    # (1.75 s vs 0.67 s for the full corpus), the bulk of a first ``add`` in a fresh process.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        with path.open("rb") as fh:
            analyzer: Analyzer = pickle.load(fh)  # noqa: S301 (a file this program wrote)
        analyzer.saved_items = len(analyzer.items)
        analyzer.saved_vocab = len(analyzer.vocab.df)
        d = delta_path(path)
        if d.exists():
            with d.open("rb") as fh:
                _apply_delta(analyzer, pickle.load(fh))  # noqa: S301 (a file this program wrote)
    finally:
        if was_enabled:
            gc.enable()
    return analyzer
