"""The policy relationship and overlap analyser (issue 3): which policies duplicate, overlap or
relate, with evidence.

``compare_texts(a, b)`` is the stable entry point for two texts; ``prasan policy analyze`` runs
the batch pipeline (``pipeline.run``); ``service`` stores results in the platform database.
Heavy modules are imported lazily so ``import prasan.policy`` stays cheap.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prasan.policy.analyzer import Analyzer, Comparison

__all__ = ["compare_texts", "default_analyzer"]

_lock = threading.Lock()
_default: Analyzer | None = None


def default_analyzer() -> Analyzer:
    """An analyser fitted on the bundled demo corpus (built once, on first use, ~5 s)."""
    global _default
    with _lock:
        if _default is None:
            from prasan.policy.analyzer import analyzer_from_documents
            from prasan.policy.demo import demo_corpus_path
            from prasan.policy.embed import get_embedder
            from prasan.policy.ingest import InputProblem, read_documents

            problems: list[InputProblem] = []
            docs = list(read_documents([demo_corpus_path()], problems))
            _default = analyzer_from_documents(docs, embedder=get_embedder("use"), workers=1)
        return _default


def compare_texts(text_a: str, text_b: str, *, analyzer: Any = None) -> Comparison:
    """Relate two policy-item texts: ``label``, ``score`` in [0, 1], ``facets``, ``evidence``.

    ``analyzer`` supplies corpus statistics (idf, boilerplate, LSA); by default one fitted on
    the bundled demo corpus. Pass ``prasan.policy.store.load_analyzer(...)`` or
    ``analyzer_from_documents(...)`` for statistics from a larger corpus.
    """
    an = analyzer if analyzer is not None else default_analyzer()
    result: Comparison = an.compare(text_a, text_b)
    return result
