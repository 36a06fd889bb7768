"""The labelled pairs' memory: what the readers decided for the nearest labelled pairs, read by
the corpus models in batch analysis, ``add`` and an in-corpus comparison."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import sparse

from prasan.policy import candidates as cand
from prasan.policy import memory, relate
from prasan.policy.analyzer import analyzer_from_documents
from prasan.policy.ingest import Document
from tests.benchmark_scripts import load_benchmark
from tests.policy.fake_models import model_file


def test_nearness_is_the_lesser_side_matched_the_better_way_round() -> None:
    # three pairs: the second is the first with its sides swapped, the third far from both
    x = sparse.csr_matrix(
        np.array([[1, 0, 0], [0, 1, 0], [0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 0, 1]], float)
    )
    a, b = x[0::2], x[1::2]
    s = memory.nearness(a, b, a, b)
    assert s[0, 0] == 1.0 and s[0, 1] == 1.0 and s[0, 2] == 0.0
    # one side near, the other not: as near as the farther side
    q = sparse.csr_matrix(np.array([[1, 0, 0], [0.6, 0, 0.8]]))
    assert memory.nearness(q[0], q[1], a, b)[0, 0] == pytest.approx(0.0)
    assert memory.nearness(q[0], q[1], a[:1], x[5:6])[0, 0] == pytest.approx(0.8)


def test_the_feature_weighs_the_nearest_above_the_floor() -> None:
    y = np.array([1.0, 0.0])
    near = np.array([[0.9, 0.5], [0.1, 0.2]])
    f = memory.feature(near, y, k=2, floor=0.3, prior=0.4)
    assert f[0] == pytest.approx(0.6 / 0.8)
    assert f[1] == 0.4  # no memory pair above the floor: the base rate
    assert memory.feature(near, y, k=1, floor=0.3, prior=0.4)[0] == 1.0
    assert list(memory.feature(np.zeros((2, 0)), y[:0], prior=0.2)) == [0.2, 0.2]


def test_a_memory_round_trips_and_stores_each_side_once(tmp_path: Path) -> None:
    tokens = [["ข้าว", "ข้าว", "นา"], ["ยาง"], ["ยาง"], ["ข้าว", "นา", "ข้าว"]]
    m = memory.Memory.of_pairs(tokens, [True, False], "abc")
    assert m.sides == [{"ข้าว": 2, "นา": 1}, {"ยาง": 1}]
    assert list(m.a) == [0, 1] and list(m.b) == [1, 0] and m.prior == 0.5
    path = tmp_path / "memory.npz"
    m.save(path)
    again = memory.Memory.load(path)
    assert again.sides == m.sides and list(again.y) == [1.0, 0.0]
    assert again.devset_sha256 == "abc" and again.words == m.words


def test_a_memory_is_read_in_each_corpus_vocabulary() -> None:
    vocab = cand.Vocabulary()
    vocab.count([["ข้าว", "นา"], ["ยาง"]])
    idf = vocab.idf()
    sides = [["ข้าว", "คำใหม่", "ข้าว"], ["ยาง"]]
    rows = memory.Memory.of_pairs(sides, [True]).matrix(vocab, idf)
    assert rows.shape == (2, 3)  # as wide as the vocabulary
    # the word the corpus never saw weighs in the norm, as in a corpus item's row
    assert 0.0 < rows[0, vocab.ids["ข้าว"]] < 1.0 and rows[1, vocab.ids["ยาง"]] == 1.0
    # exactly the rows the analyser gives its own items
    same = cand.tfidf_matrix(sides, vocab, idf, extra={})[:, :3]
    np.testing.assert_allclose(rows.toarray(), same.toarray(), rtol=1e-6)


def _model(weight: float) -> dict[str, Any]:
    corpus = {"intercept": -1.0, "weights": {"memory": weight}, "threshold": 0.5}
    return model_file(corpus, memory={"k": 5, "floor": 0.3, "prior": 0.25})


def test_decide_reads_the_memory_and_its_base_rate_without_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(relate, "calibrated_model", lambda: _model(4.0))
    s = relate.PairSignals(cosine=0.3, jaccard=0.1, containment=0.1, title=0.1, dense=0.3)
    s.context = {"memory": 1.0}
    assert relate.decide(s).label == "duplicate"  # sigmoid(3) >= 0.5
    s.context = {"memory": 0.0}
    assert relate.decide(s).label == "related"
    s.context = {}  # not read (the memory file missing): its base rate, sigmoid(0)
    assert relate.decide(s).score == pytest.approx(0.5)


def test_corpus_pairs_read_the_readers_decision_on_the_nearest_labelled_pairs(
    demo_documents: list[Document], monkeypatch: pytest.MonkeyPatch
) -> None:
    an = analyzer_from_documents(demo_documents, workers=1)
    pairs = an.candidate_pairs()
    assert len(pairs) > 2
    (a, b), (c, d) = pairs[0], pairs[-1]
    # the readers read the first candidate pair (redundant) and the last (not)
    tokens = [an.items[k].content_tokens() for k in (a, b, c, d)]
    shipped = memory.Memory.of_pairs(tokens, [True, False])
    monkeypatch.setattr(relate, "calibrated_model", lambda: _model(4.0))
    monkeypatch.setattr(memory, "shipped", lambda: shipped)
    decided = {(p.a, p.b): p for p in an.relate_corpus(pairs, keep_unrelated=True)}
    first, last = decided[(int(a), int(b))], decided[(int(c), int(d))]
    assert first.relation.signals.context is not None
    assert first.relation.signals.context["memory"] == pytest.approx(1.0)
    assert first.relation.label in ("duplicate", "overlap")
    assert last.relation.signals.context is not None
    assert last.relation.signals.context["memory"] == pytest.approx(0.0)
    assert last.relation.label not in ("duplicate", "overlap")
    assert "memory" in an.timings
    # an in-corpus comparison of the same two items reads the same memory
    ia, ib = an.items[int(a)], an.items[int(b)]
    s = an.pair_signals(ia.item.text, ib.item.text, in_corpus=(ia.item.doc, ib.item.doc))
    assert s.context is not None and s.context["memory"] == pytest.approx(1.0, abs=0.02)


def test_a_model_without_a_memory_reads_none(
    demo_documents: list[Document], monkeypatch: pytest.MonkeyPatch
) -> None:
    model = _model(4.0)
    del model["memory"]
    for key in ("redundant_plain_context", "redundant_encoder_context"):
        model[key] = {"intercept": -1.0, "weights": {}, "threshold": 0.5}
    monkeypatch.setattr(relate, "calibrated_model", lambda: model)
    an = analyzer_from_documents(demo_documents[:20], workers=1)
    for p in an.relate_corpus(an.candidate_pairs(), keep_unrelated=True):
        assert "memory" not in (p.relation.signals.context or {})


def test_cross_validation_never_reads_the_held_out_pairs_labels() -> None:
    cal = load_benchmark("policy_calibrate")
    rng = np.random.default_rng(1)
    x = sparse.csr_matrix(rng.random((2 * 30, 8)))
    x = sparse.csr_matrix(x.multiply(1 / np.sqrt(x.multiply(x).sum(axis=1))))
    dev = np.arange(30) < 20
    y = rng.random(30) < 0.5
    s = cal.memory_nearness(x, dev)
    assert s.shape == (30, 20) and s[3, 3] == -1.0  # a dev pair is not its own memory
    col, folds = cal.memory_columns(s, y, dev)
    assert col.shape == (30,)
    tr, te = np.arange(0, 15), np.arange(15, 20)
    before = folds(tr, te)
    flipped = y.copy()
    flipped[np.flatnonzero(dev)[te]] ^= True  # the held-out pairs' labels
    after = cal.memory_columns(s, flipped, dev)[1](tr, te)
    np.testing.assert_array_equal(before[0], after[0])
    np.testing.assert_array_equal(before[1], after[1])


def test_pair_features_are_exactly_the_feature_of_the_nearness() -> None:
    # the run's way (each item's cosines once, those under the floor dropped) gives what the
    # definition gives: the feature of every pair's nearness to every memory pair
    rng = np.random.default_rng(4)
    x = sparse.csr_matrix(rng.random((40, 12)) ** 4)
    x = sparse.csr_matrix(x.multiply(1 / np.sqrt(x.multiply(x).sum(axis=1))))
    m = sparse.csr_matrix(x[:20])
    # ten memory pairs whose sides are the first 20 rows (their words do not matter here)
    shipped = memory.Memory(
        words=[], ptr=np.zeros(21, dtype=np.int64), word=np.zeros(0, np.int32),
        count=np.zeros(0, np.int32), a=np.arange(0, 20, 2), b=np.arange(1, 20, 2),
        y=(rng.random(10) < 0.5).astype(np.float64),
    )  # fmt: skip
    pairs = rng.integers(0, 40, size=(30, 2))
    got = memory.pair_features(x, pairs, shipped, m, block=7)
    near = memory.nearness(x[pairs[:, 0]], x[pairs[:, 1]], m[shipped.a], m[shipped.b])
    want = memory.feature(near, shipped.y, prior=shipped.prior)
    np.testing.assert_allclose(got, want, atol=1e-6)
    assert (got != shipped.prior).any()  # some pairs are near a memory pair
