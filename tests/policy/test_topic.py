"""The topic prior: how prone to redundancy a pair's kind of item is, one weight per word,
read by the corpus models in batch analysis, ``add`` and an in-corpus comparison."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from prasan.policy import relate
from prasan.policy.analyzer import AnalyzerConfig, analyzer_from_documents
from prasan.policy.ingest import Document
from tests.benchmark_scripts import load_benchmark
from tests.policy.fake_models import model_file


def _model(topic_tokens: list[str], weights: list[float], intercept: float) -> dict[str, Any]:
    corpus = {
        "intercept": intercept,
        "weights": {"topic": 1.0},
        "threshold": 0.5,
        "topic": weights,
    }
    return model_file(corpus, topic_tokens=topic_tokens)


def test_decide_reads_the_pairs_topic_prior_for_its_model(monkeypatch: pytest.MonkeyPatch) -> None:
    model = _model(["ข้าว"], [1.0], intercept=-1.0)
    monkeypatch.setattr(relate, "calibrated_model", lambda: model)
    s = relate.PairSignals(cosine=0.3, jaccard=0.1, containment=0.1, title=0.1, dense=0.3)
    s.context = {}
    s.topic = {"redundant_plain_context": 0.0}
    assert relate.decide(s).label == "related"  # sigmoid(-1) < 0.5
    s.topic = {"redundant_plain_context": 3.0}
    assert relate.decide(s).label == "duplicate"  # sigmoid(2) >= 0.5
    s.topic = {"redundant_encoder_context": 3.0}  # another model's prior: not this one's
    assert relate.decide(s).label == "related"
    assert relate.topic_weights(model)["redundant_plain_context"] == [1.0]
    assert model["topic_tokens"] == ["ข้าว"]


def test_corpus_pairs_and_in_corpus_comparisons_read_the_same_prior(
    demo_documents: list[Document], monkeypatch: pytest.MonkeyPatch
) -> None:
    an = analyzer_from_documents(demo_documents, workers=1)
    assert an.features is not None
    words = sorted(an.vocab.ids, key=an.vocab.ids.__getitem__)[:300]
    rng = np.random.default_rng(3)
    weights = [round(float(w), 4) for w in rng.normal(0, 2, len(words))]
    # a word no corpus item has: no column, no effect
    model = _model([*words, "คำที่ไม่มีในคลัง"], [*weights, 9.0], intercept=-1.0)
    monkeypatch.setattr(relate, "calibrated_model", lambda: model)
    pairs = an.candidate_pairs()
    assert len(pairs) > 0
    decided = an.relate_corpus(pairs, keep_unrelated=True)
    v = np.zeros(an.features.X.shape[1])
    for w, x in zip(words, weights, strict=True):
        v[an.vocab.ids[w]] = x
    score = an.features.X @ v
    for p in decided[:20]:
        s = p.relation.signals
        assert s.topic is not None
        expected = score[p.a] + score[p.b]
        assert s.topic["redundant_plain_context"] == pytest.approx(expected, abs=1e-4)
    # an in-corpus comparison of the same two items reads the same prior and context
    p = decided[0]
    a, b = an.items[p.a], an.items[p.b]
    s = an.pair_signals(a.item.text, b.item.text, in_corpus=(a.item.doc, b.item.doc))
    assert s.topic is not None and p.relation.signals.topic is not None
    assert s.topic["redundant_plain_context"] == pytest.approx(
        p.relation.signals.topic["redundant_plain_context"], abs=0.05
    )
    assert s.context is not None and set(s.context) == set(p.relation.signals.context or {})


def test_an_analyser_without_a_topic_model_reads_no_prior(
    demo_documents: list[Document], monkeypatch: pytest.MonkeyPatch
) -> None:
    model = _model([], [], intercept=-1.0)
    for key in ("redundant_plain_context", "redundant_encoder_context"):
        model[key] = {"intercept": -1.0, "weights": {}, "threshold": 0.5}
    monkeypatch.setattr(relate, "calibrated_model", lambda: model)
    an = analyzer_from_documents(demo_documents[:20], workers=1)
    pairs = an.candidate_pairs()
    for p in an.relate_corpus(pairs, keep_unrelated=True):
        assert p.relation.signals.topic == {}


def test_folding_the_topic_dimensions_keeps_the_probabilities() -> None:
    cal = load_benchmark("policy_calibrate")
    rng = np.random.default_rng(0)
    dims, words, n = 4, 30, 120
    m = rng.normal(0, 0.3, (dims, words))
    xa, xb = rng.random((n, words)), rng.random((n, words))
    topic = xa @ m.T + xb @ m.T  # what ``context_for`` gives each pair
    other = rng.random((n, 2))
    cols = ["cosine", "dense", *cal.topic_columns(dims)]
    mat = np.column_stack([other, topic])
    y = (other[:, 0] + topic[:, 0] + rng.normal(0, 0.3, n)) > 0.8
    fitted = cal.fit(mat, y, cols, 3.0)
    before = cal.prob(fitted, mat, cols)
    tokens = [f"w{k}" for k in range(words)]
    folded_mat, folded_cols = cal.fold_topic(fitted, {"tokens": tokens, "m": m}, mat, cols)
    assert folded_cols == ["cosine", "dense", "topic"]
    np.testing.assert_allclose(cal.prob(fitted, folded_mat, folded_cols), before, atol=1e-9)
    # the analyser's way: each item's TF-IDF row times the weights per word, summed
    v = np.array(fitted["topic"])
    for k in range(5):
        f = {"cosine": other[k, 0], "dense": other[k, 1], "topic": xa[k] @ v + xb[k] @ v}
        assert relate._prob(fitted, f) == pytest.approx(before[k], abs=1e-5)


def test_a_bare_comparison_reads_the_single_comparison_models_prior(
    demo_documents: list[Document], monkeypatch: pytest.MonkeyPatch
) -> None:
    an = analyzer_from_documents(demo_documents[:20], workers=1)
    words = sorted(an.vocab.ids, key=an.vocab.ids.__getitem__)[:200]
    model = _model(words, [1.0] * len(words), intercept=-1.0)
    # the single-comparison model has a prior too (fitted with a corpus basis)
    model["redundant_plain"] = {
        "intercept": -1.0,
        "weights": {"topic": 1.0},
        "threshold": 0.5,
        "topic": [1.0] * len(words),
    }
    monkeypatch.setattr(relate, "calibrated_model", lambda: model)
    text_a, text_b = demo_documents[0].text, demo_documents[1].text
    s = an.pair_signals(text_a, text_b)
    assert s.context is None and s.topic is not None  # no corpus: no context, but a prior
    fa = an.featurize([an.analyze_text(text_a, "", "a")], {})
    fb = an.featurize([an.analyze_text(text_b, "", "b")], {})
    v = np.zeros(len(an.vocab.ids))
    v[[an.vocab.ids[w] for w in words]] = 1.0
    width = min(fa.X.shape[1], len(v))
    expected = float((fa.X[:, :width] @ v[:width])[0] + (fb.X[:, :width] @ v[:width])[0])
    assert s.topic["redundant_plain"] == pytest.approx(expected, rel=1e-5)
    r = relate.decide(s)
    assert (r.label in ("duplicate", "overlap")) == (expected - 1.0 >= 0.0 or relate.is_copy(s))
    # the model loaded again (a refit in the same process): its weights, not the cached ones
    monkeypatch.setattr(relate, "calibrated_model", lambda: _model(words, [0.0] * len(words), -1.0))
    assert "redundant_plain" not in (an.pair_signals(text_a, text_b).topic or {})


def test_a_corpus_without_context_still_reads_the_base_models_prior(
    demo_documents: list[Document], monkeypatch: pytest.MonkeyPatch
) -> None:
    an = analyzer_from_documents(
        demo_documents[:20], config=AnalyzerConfig(context=False), workers=1
    )
    assert an.context is None
    words = sorted(an.vocab.ids, key=an.vocab.ids.__getitem__)[:200]
    model = _model(words, [1.0] * len(words), intercept=-1.0)
    model["redundant_plain"] = {
        "intercept": -1.0, "weights": {"topic": 1.0}, "threshold": 0.5, "topic": [1.0] * len(words),
    }  # fmt: skip
    monkeypatch.setattr(relate, "calibrated_model", lambda: model)
    decided = an.relate_corpus(an.candidate_pairs(), keep_unrelated=True)
    assert decided
    for p in decided:
        s = p.relation.signals
        assert s.context is None and s.topic is not None and "redundant_plain" in s.topic
