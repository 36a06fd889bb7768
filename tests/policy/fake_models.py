"""Hand-set model files for the tests of what the corpus models read."""

from __future__ import annotations

from typing import Any


def model_file(corpus: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A model file whose single-comparison models call nothing redundant (intercept -5) and
    whose corpus models (with and without the encoder) are both ``corpus``; a redundant pair
    is a duplicate and the rest are related. ``extra``: more top-level entries."""
    base = {"intercept": -5.0, "weights": {}, "threshold": 0.5}
    return {
        "redundant_plain": base,
        "redundant_encoder": base,
        "redundant_plain_context": corpus,
        "redundant_encoder_context": corpus,
        "duplicate_vs_overlap": {"intercept": 5.0, "weights": {}},
        "related_vs_unrelated": {"intercept": 5.0, "weights": {}},
    } | extra
