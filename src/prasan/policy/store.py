"""The fitted analyser on disk, so ``add`` can relate new documents without refitting.

The state keeps what relating needs (vocabulary, idf, boilerplate, LSA, features, signatures,
the LSH index, and each item's entities) but not item texts and tokens, which live in the
database; evidence for a stored item re-segments its text on demand (a few ms per item).
"""

from __future__ import annotations

import pickle
from pathlib import Path

from prasan.policy.analyzer import AnalyzedItem, Analyzer
from prasan.policy.errors import NoAnalysis
from prasan.policy.ingest import Item
from prasan.policy.segment import Processed

STATE_FILE = "analyzer.pkl"


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
    finally:
        analyzer.embedder, analyzer.items, analyzer.text_source = embedder, items, text_source


def load_analyzer(path: Path) -> Analyzer:
    """The analyser saved by the last ``analyze`` (its file is ours; never load others')."""
    if not path.exists():
        raise NoAnalysis(
            f"No stored policy analysis at {path}: run `prasan policy analyze INPUT --out DIR` first",
            detail_th=f"ไม่พบผลการวิเคราะห์ที่ {path}: รัน `prasan policy analyze` ก่อน",
        )
    with path.open("rb") as fh:
        analyzer: Analyzer = pickle.load(fh)  # noqa: S301 (a file this program wrote)
    return analyzer
