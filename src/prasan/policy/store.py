"""The fitted analyser on disk, laid out so that a fresh ``prasan policy add`` process loads it
in a few tens of milliseconds.

The state keeps what relating needs (vocabulary, idf, boilerplate, LSA, features, signatures,
the LSH banding, and each item's entities) and each item's sentence spans and tokens (as
vocabulary ids) for evidence, but not item texts, which live in the database.

Layout of the state directory (``var/policy/analyzer/``, see ``state_path``):

- ``CURRENT`` names the complete version in use, a folder ``v<n>/`` written whole before
  ``CURRENT`` is switched to it (so a reader never sees half a state);
- in it, every array is a ``.npy`` file opened memory-mapped (the sparse TF-IDF matrices as
  their CSR arrays, the LSA, the MinHash signatures, each item's neighbourhood in the corpus
  ``context.npy`` with its document keys ``context_docs.npy`` and its nearest cosines
  ``context_near.npy``, which let ``add`` keep stored items' neighbourhoods exact, their
  nearest items ``context_nbrs.npy`` (each item's neighbourhood vector), and each
  item's nearest cosines by LSA ``knn_near.npy``, which let ``add`` find the stored items that
  have a new one among their nearest, and the sentence encoder's vectors of the items it
  was consulted on, ``heads.npy`` by ``heads_idx.npy``), the small things are one pickle
  (``meta.pkl``: configuration, vocabulary, boilerplate keys), and the ~29,000 items' entities
  are one pickled record each in ``items.bin`` (offsets in ``items.idx.npy``), decoded only
  when ``add`` touches that item (its neighbours and their clusters); ``seg_*.npy`` hold the
  items' sentences and tokens (``StoredSegments``), which evidence reads for a stored
  neighbour instead of segmenting its text again;
- ``v<n>/delta.pkl`` holds what ``add`` appended since (see ``save``);
- ``newmm.txt`` caches the word-segmentation dictionary (``segment.prepare_dictionary``) and
  ``use/`` a prepared copy of the sentence encoder (``embed.UseEmbedder``), so a fresh
  process does not rebuild either (~0.4 s and ~1.3 s).

The LSH index is not stored as an object graph: ``candidates.BandIndex`` answers the same
queries from the signature matrix with numpy. A state saved by an older version
(``analyzer.pkl``, one pickle of the whole analyser) is converted on first load.
"""

from __future__ import annotations

import gc
import mmap
import os
import pickle
import shutil
from collections.abc import Iterable, Iterator, MutableSequence
from itertools import pairwise
from pathlib import Path
from typing import Any, overload

import numpy as np
import numpy.typing as npt
from scipy import sparse

from prasan.policy import candidates as cand
from prasan.policy.analyzer import AnalyzedItem, Analyzer, Features
from prasan.policy.errors import NoAnalysis
from prasan.policy.ingest import Item
from prasan.policy.segment import SEP, Processed

STATE_DIR = "analyzer"
LEGACY_FILE = "analyzer.pkl"  # the single-pickle state of earlier versions
FORMAT = 2
CURRENT = "CURRENT"
DELTA_FILE = "delta.pkl"
DICTIONARY_FILE = "newmm.txt"
ENCODER_DIR = "use"
COMPACT_AFTER = 2000  # items in the delta before ``add`` rewrites the whole state


def state_path(data_dir: Path) -> Path:
    return data_dir / "policy" / STATE_DIR


def dictionary_path(path: Path) -> Path:
    """Where the segmentation dictionary of the state at ``path`` is cached."""
    return path / DICTIONARY_FILE


def encoder_cache_path(path: Path) -> Path:
    """Where a prepared copy of the USE encoder is kept for ``add`` (``embed.UseEmbedder``)."""
    return path / ENCODER_DIR


def _current(path: Path) -> Path | None:
    try:
        name = (path / CURRENT).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return path / name if name else None


def delta_path(path: Path) -> Path:
    """The additions file of the state at ``path`` (it may not exist)."""
    cur = _current(path)
    return (cur if cur is not None else path) / DELTA_FILE


def exists(path: Path) -> bool:
    cur = _current(path)
    return cur is not None and (cur / "meta.pkl").exists()


def stamp(path: Path) -> tuple[float, float]:
    """Changes whenever ``save`` or ``save_analyzer`` wrote the state (for in-memory caches)."""
    out = []
    for f in (path / CURRENT, delta_path(path)):
        try:
            out.append(f.stat().st_mtime)
        except OSError:
            out.append(-1.0)
    return out[0], out[1]


# -- items -----------------------------------------------------------------------------------


def _record(ai: AnalyzedItem) -> tuple[Any, ...]:
    it, p = ai.item, ai.p
    return (
        it.id, it.doc, it.start, it.end, it.title, p.agencies, p.amounts, p.targets, p.areas,
        p.lang, p.programmes, p.date, p.years, p.head_years, p.rounds, p.head_areas,
        p.appointment,
    )  # fmt: skip


def _from_record(r: tuple[Any, ...]) -> AnalyzedItem:
    (id_, doc, start, end, title, agencies, amounts, targets, areas, lang, programmes, date,
     years, head_years, rounds, head_areas) = r[:16]  # fmt: skip
    appointment = bool(r[16]) if len(r) > 16 else False  # states written before the field
    return AnalyzedItem(
        Item(id=id_, doc=doc, start=start, end=end, text="", title=title),
        Processed(
            spans=[],
            tokens=[],
            agencies=agencies,
            amounts=amounts,
            targets=targets,
            areas=areas,
            lang=lang,
            programmes=programmes,
            date=date,
            years=years,
            head_years=head_years,
            rounds=rounds,
            head_areas=head_areas,
            appointment=appointment,
        ),
    )


def _light(ai: AnalyzedItem) -> AnalyzedItem:
    """What the state keeps of an item: no text, no tokens (they are in the database)."""
    return _from_record(_record(ai))


class StoredItems(MutableSequence[AnalyzedItem]):
    """The analyser's items, read from ``items.bin`` one at a time when first touched.

    ``add`` reads a few dozen of the ~29,000 stored items (the new items' neighbours and the
    members of the clusters they join); decoding all of them cost ~0.3 s of every start.
    An item, once read, is the same object on every access (evidence fills in its text).
    Items can only be appended.
    """

    def __init__(self, blob: bytes | mmap.mmap, offsets: npt.NDArray[np.int64]) -> None:
        self._blob = blob
        self._offsets = offsets
        self._n = len(offsets) - 1
        self._read: dict[int, AnalyzedItem] = {}
        self._added: list[AnalyzedItem] = []

    def __len__(self) -> int:
        return self._n + len(self._added)

    @property
    def stored(self) -> int:
        """How many items the state file holds (the rest were appended since)."""
        return self._n

    def records(self) -> tuple[bytes, npt.NDArray[np.int64]]:
        """The stored items' encoded records and their offsets, as read."""
        return bytes(self._blob[: int(self._offsets[self._n])]), np.asarray(self._offsets)

    def _one(self, k: int) -> AnalyzedItem:
        n = len(self)
        if k < 0:
            k += n
        if not 0 <= k < n:
            raise IndexError(k)
        if k >= self._n:
            return self._added[k - self._n]
        ai = self._read.get(k)
        if ai is None:
            raw = self._blob[int(self._offsets[k]) : int(self._offsets[k + 1])]
            ai = self._read[k] = _from_record(pickle.loads(raw))  # noqa: S301 (our own file)
        return ai

    @overload
    def __getitem__(self, k: int) -> AnalyzedItem: ...
    @overload
    def __getitem__(self, k: slice) -> list[AnalyzedItem]: ...
    def __getitem__(self, k: int | slice) -> AnalyzedItem | list[AnalyzedItem]:
        if isinstance(k, slice):
            return [self._one(i) for i in range(*k.indices(len(self)))]
        return self._one(k)

    @overload
    def __setitem__(self, k: int, v: AnalyzedItem) -> None: ...
    @overload
    def __setitem__(self, k: slice, v: Iterable[AnalyzedItem]) -> None: ...
    def __setitem__(self, k: int | slice, v: Any) -> None:
        raise TypeError("stored items are read-only; append new ones")

    def __delitem__(self, k: int | slice) -> None:
        raise TypeError("stored items cannot be removed")

    def insert(self, index: int, value: AnalyzedItem) -> None:
        if index != len(self):
            raise TypeError("stored items can only be appended")
        self._added.append(value)

    def __iter__(self) -> Iterator[AnalyzedItem]:
        return (self._one(k) for k in range(len(self)))


# -- segments --------------------------------------------------------------------------------

SEGMENT_FILES = ("seg_ok", "seg_items", "seg_spans", "seg_sents", "seg_tokens")


class StoredSegments:
    """Each stored item's sentence spans and tokens, memory-mapped: what evidence needs of a
    stored neighbour, so that ``add`` does not segment its text again (a copy of a long
    document with half a dozen stored copies had spent ~0.6 s of an ``add`` doing that).

    Tokens are vocabulary ids; a boilerplate sentence keeps its span but no tokens (evidence
    skips it, and ``Analyzer._hydrate`` marks it again from its text). Item ``k``'s sentences
    are rows ``items[k]:items[k+1]`` of ``spans`` (character offsets in its text); sentence
    ``j``'s tokens are ``tokens[sents[j]:sents[j+1]]``. ``ok[k]`` is false for an item saved
    without them.
    """

    def __init__(
        self,
        vocab: cand.Vocabulary,
        ok: npt.NDArray[np.bool_],
        items: npt.NDArray[np.int64],
        spans: npt.NDArray[np.int32],
        sents: npt.NDArray[np.int64],
        tokens: npt.NDArray[np.int32],
    ) -> None:
        self.vocab = vocab
        self.ok, self.items, self.spans, self.sents, self.tokens = ok, items, spans, sents, tokens
        self._words: list[str] = []

    def __len__(self) -> int:
        return len(self.ok)

    def get(self, k: int) -> tuple[list[tuple[int, int]], list[str]] | None:
        """Item ``k``'s sentence spans and tokens (joined by ``SEP``), or None."""
        if not 0 <= k < len(self.ok) or not self.ok[k]:
            return None
        if len(self._words) < len(self.vocab.ids):
            self._words = [""] * len(self.vocab.ids)
            for word, i in self.vocab.ids.items():
                self._words[i] = word
        s, e = int(self.items[k]), int(self.items[k + 1])
        bounds = np.asarray(self.sents[s : e + 1]).tolist()
        ids = np.asarray(self.tokens[bounds[0] : bounds[-1]]).tolist()
        start = bounds[0]
        tokens = [
            SEP.join(self._words[i] for i in ids[a - start : b - start])
            for a, b in pairwise(bounds)
        ]
        return [(int(a), int(b)) for a, b in np.asarray(self.spans[s:e]).tolist()], tokens


class _SegmentWriter:
    """Builds the ``SEGMENT_FILES`` arrays (see ``StoredSegments``): the stored items' as one
    block copied from the old state, then item by item from the items' own tokens."""

    def __init__(self, vocab: cand.Vocabulary) -> None:
        self.ids = vocab.ids
        self.ok: list[npt.NDArray[np.bool_]] = []
        self.item_sents: list[npt.NDArray[np.int64]] = []  # sentences per item
        self.spans: list[npt.NDArray[np.int32]] = []
        self.sent_tokens: list[npt.NDArray[np.int64]] = []  # tokens per sentence
        self.tokens: list[npt.NDArray[np.int32]] = []

    def copy(self, old: StoredSegments, n: int) -> None:
        """The first ``n`` items' segments, as the old state holds them (items are only ever
        appended, so its item ``k`` is ours)."""
        last_sent = int(old.items[n])
        items = np.asarray(old.items[: n + 1], dtype=np.int64)
        sents = np.asarray(old.sents[: last_sent + 1], dtype=np.int64)
        self.ok.append(np.asarray(old.ok[:n]))
        self.item_sents.append(items[1:] - items[:-1])
        self.spans.append(np.asarray(old.spans[:last_sent]))
        self.sent_tokens.append(sents[1:] - sents[:-1])
        self.tokens.append(np.asarray(old.tokens[: int(sents[-1])]))

    def add(self, ai: AnalyzedItem) -> None:
        encoded = self._encode(ai.p.spans, ai.p.tokens, ai.boiler) if ai.p.spans else None
        self.ok.append(np.array([encoded is not None]))
        if encoded is None:
            self.item_sents.append(np.zeros(1, dtype=np.int64))
            return
        spans, counts, ids = encoded
        self.item_sents.append(np.array([len(counts)], dtype=np.int64))
        self.spans.append(np.asarray(spans, dtype=np.int32).reshape(-1, 2))
        self.sent_tokens.append(np.asarray(counts, dtype=np.int64))
        self.tokens.append(np.asarray(ids, dtype=np.int32))

    def _encode(
        self, spans: list[tuple[int, int]], tokens: list[str], boiler: list[bool]
    ) -> tuple[list[tuple[int, int]], list[int], list[int]] | None:
        get = self.ids.get
        counts: list[int] = []
        ids: list[int] = []
        for j, joined in enumerate(tokens):
            # a boilerplate sentence is never read for evidence (nor counted in the vocabulary)
            words = joined.split(SEP) if joined and not (boiler and boiler[j]) else []
            for w in words:
                i = get(w)
                if i is None:  # a word the vocabulary lacks: segment this item again instead
                    return None
                ids.append(i)
            counts.append(len(words))
        return spans, counts, ids

    def save(self, d: Path) -> None:
        def joined(parts: list[Any], dtype: Any, shape: tuple[int, ...]) -> npt.NDArray[Any]:
            return np.concatenate(parts).astype(dtype) if parts else np.zeros(shape, dtype)

        def offsets(counts: list[npt.NDArray[np.int64]]) -> npt.NDArray[np.int64]:
            return np.concatenate([[0], np.cumsum(joined(counts, np.int64, (0,)))]).astype(np.int64)

        np.save(d / "seg_ok.npy", joined(self.ok, np.bool_, (0,)))
        np.save(d / "seg_items.npy", offsets(self.item_sents))
        np.save(d / "seg_spans.npy", joined(self.spans, np.int32, (0, 2)))
        np.save(d / "seg_sents.npy", offsets(self.sent_tokens))
        np.save(d / "seg_tokens.npy", joined(self.tokens, np.int32, (0,)))


def _load_segments(d: Path, vocab: cand.Vocabulary) -> StoredSegments | None:
    if not all((d / f"{name}.npy").exists() for name in SEGMENT_FILES):
        return None  # a state saved before segments were kept
    a = [np.load(d / f"{name}.npy", mmap_mode="r") for name in SEGMENT_FILES]
    return StoredSegments(vocab, *a)


# -- LSH -------------------------------------------------------------------------------------


def _banding(lsh: object) -> tuple[int, int]:
    if isinstance(lsh, cand.BandIndex):
        return lsh.bands, lsh.rows
    return int(lsh.b), int(lsh.r)  # type: ignore[attr-defined]  # datasketch.MinHashLSH


# -- saving ----------------------------------------------------------------------------------


def _save_csr(d: Path, name: str, m: sparse.csr_matrix) -> None:
    m = m.tocsr()
    np.save(d / f"{name}.data.npy", np.asarray(m.data, dtype=np.float32))
    np.save(d / f"{name}.indices.npy", np.asarray(m.indices, dtype=np.int32))
    np.save(d / f"{name}.indptr.npy", np.asarray(m.indptr, dtype=np.int64))


def _load_csr(d: Path, name: str, shape: tuple[int, int]) -> sparse.csr_matrix:
    parts = [np.load(d / f"{name}.{p}.npy", mmap_mode="r") for p in ("data", "indices", "indptr")]
    return sparse.csr_matrix(tuple(parts), shape=shape, copy=False)


def save_analyzer(analyzer: Analyzer, path: Path) -> None:
    """Write the whole state as a new version and switch ``CURRENT`` to it."""
    assert analyzer.features is not None and analyzer.lsh is not None
    path.mkdir(parents=True, exist_ok=True)
    old = _current(path)
    n = 1 + max((int(p.name[1:]) for p in path.glob("v*") if p.name[1:].isdigit()), default=0)
    d = path / f"v{n}"
    tmp = path / f".v{n}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    f = analyzer.features
    vocab = analyzer.vocab
    meta = {
        "format": FORMAT,
        "config": analyzer.config,
        "vocab_ids": vocab.ids,
        "n_docs": vocab.n_docs,
        "boiler_keys": analyzer.boiler_keys,
        "banding": _banding(analyzer.lsh),
        "minhash": analyzer.minhasher.params,
        "X_shape": f.X.shape,
        "T_shape": f.T.shape,
        "items": len(analyzer.items),
        "encoder_band": getattr(analyzer, "encoder_band", None),
        "heads_encoder": analyzer.heads_encoder,
    }
    with (tmp / "meta.pkl").open("wb") as fh:
        pickle.dump(meta, fh, protocol=pickle.HIGHEST_PROTOCOL)
    np.save(tmp / "df.npy", np.asarray(vocab.df, dtype=np.int64))
    np.save(tmp / "idf.npy", np.asarray(analyzer.idf, dtype=np.float32))
    np.save(tmp / "lsa_cols.npy", analyzer.lsa_cols)
    np.save(tmp / "lsa_components.npy", analyzer.lsa_components)
    _save_csr(tmp, "X", f.X)
    _save_csr(tmp, "T", f.T)
    np.save(tmp / "Z.npy", f.Z)
    np.save(tmp / "S.npy", f.S)
    np.save(tmp / "n_sh.npy", f.n_sh)
    if analyzer.context is not None and analyzer.context_docs is not None:
        np.save(tmp / "context.npy", analyzer.context)
        np.save(tmp / "context_docs.npy", analyzer.context_docs)
        if analyzer.context_near is not None:
            np.save(tmp / "context_near.npy", analyzer.context_near)
        if analyzer.context_ref is not None:
            np.save(tmp / "context_ref.npy", analyzer.context_ref)
        if analyzer.context_nbrs is not None:
            np.save(tmp / "context_nbrs.npy", analyzer.context_nbrs)
    if analyzer.knn_near is not None:
        np.save(tmp / "knn_near.npy", analyzer.knn_near)
    if analyzer.heads:
        keys = sorted(analyzer.heads)
        np.save(tmp / "heads_idx.npy", np.asarray(keys, dtype=np.int64))
        np.save(tmp / "heads.npy", np.stack([analyzer.heads[k] for k in keys]))
    items = analyzer.items
    # the items this state was loaded with are written as they were read (records, ids and
    # segments; items are only ever appended), without decoding each of them again
    stored = items.stored if isinstance(items, StoredItems) else 0
    offsets = [0]
    ids: list[str] = []
    with (tmp / "items.bin").open("wb") as fh:
        if isinstance(items, StoredItems) and stored:
            blob, stored_offsets = items.records()
            fh.write(blob)
            offsets = stored_offsets.tolist()
            ids = [""] * stored
            for iid, k in analyzer.index.items():
                if k < stored:
                    ids[k] = iid
        for ai in items[stored:]:
            raw = pickle.dumps(_record(ai), protocol=pickle.HIGHEST_PROTOCOL)
            fh.write(raw)
            offsets.append(offsets[-1] + len(raw))
            ids.append(ai.id)
    segments = _SegmentWriter(vocab)
    held = analyzer.segments
    if isinstance(held, StoredSegments) and stored and len(held) >= stored:
        segments.copy(held, stored)
        rest = items[stored:]
    else:
        rest = items[:]
    for ai in rest:
        segments.add(ai)
    np.save(tmp / "items.idx.npy", np.asarray(offsets, dtype=np.int64))
    segments.save(tmp)
    with (tmp / "ids.pkl").open("wb") as fh:
        pickle.dump(ids, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(d)
    pointer = path / f".{CURRENT}.{os.getpid()}.tmp"
    pointer.write_text(d.name, encoding="utf-8")
    pointer.replace(path / CURRENT)
    if old is not None and old != d:
        # open memory maps of the old version stay valid after the files are removed
        shutil.rmtree(old, ignore_errors=True)
    analyzer.saved_items = len(analyzer.items)
    analyzer.saved_vocab = len(analyzer.vocab.df)
    analyzer.context_changed = set()
    analyzer.knn_changed = set()
    analyzer.heads_unsaved = []


def save(analyzer: Analyzer, path: Path) -> None:
    """What ``add`` calls: a small delta file (items added since the last full save), or a
    full rewrite when there is no base yet or the delta has grown large. Rewriting the
    whole ~130 MB state for every added document would cost more than the analysis."""
    base = analyzer.saved_items
    if not exists(path) or base <= 0 or len(analyzer.items) - base > COMPACT_AFTER:
        save_analyzer(analyzer, path)
        return
    assert analyzer.features is not None
    f = analyzer.features
    vocab = analyzer.vocab
    tokens = sorted(vocab.ids, key=vocab.ids.__getitem__)[analyzer.saved_vocab :]
    added = analyzer.items[base:]
    delta: dict[str, Any] = {
        "base_items": base,
        "base_vocab": analyzer.saved_vocab,
        "items": [_record(ai) for ai in added],
        # the added items' sentences and tokens, for evidence in later ``add``s
        "segments": [(ai.p.spans, ai.p.tokens) for ai in added],
        "X": f.X[base:],
        "T": f.T[base:],
        "Z": np.asarray(f.Z[base:]),
        "S": np.asarray(f.S[base:]),
        "n_sh": np.asarray(f.n_sh[base:]),
        "tokens": tokens,
        "df": np.asarray(vocab.df, dtype=np.int64),
        "n_docs": vocab.n_docs,
        "idf": analyzer.idf,
    }
    if analyzer.context is not None and analyzer.context_docs is not None:
        delta["context"] = np.asarray(analyzer.context[base:])
        delta["context_docs"] = np.asarray(analyzer.context_docs[base:])
        # the stored items whose neighbourhoods the additions changed (``_grow_context``)
        rows = np.array(sorted(analyzer.context_changed), dtype=np.int64)
        if analyzer.context_near is not None:
            # the new items' nearest cosines, and the changed ones
            delta["context_near"] = np.asarray(analyzer.context_near[base:])
            delta["context_changed"] = (
                rows,
                np.asarray(analyzer.context[rows]),
                np.asarray(analyzer.context_near[rows]),
            )
        if analyzer.context_nbrs is not None:
            # the new items' nearest items, and the changed ones
            nbrs = np.asarray(analyzer.context_nbrs)
            delta["context_nbrs"] = (nbrs[base:], rows, nbrs[rows])
    if analyzer.heads_unsaved:
        keys = list(dict.fromkeys(analyzer.heads_unsaved))
        delta["heads"] = (
            analyzer.heads_encoder,
            np.asarray(keys, dtype=np.int64),
            np.stack([analyzer.heads[k] for k in keys]),
        )
    if analyzer.knn_near is not None:
        # the new items' nearest cosines, and the stored items whose ones changed
        rows = np.array(sorted(analyzer.knn_changed), dtype=np.int64)
        near = np.asarray(analyzer.knn_near)
        delta["knn_near"] = (near[base:], rows, near[rows])
    d = delta_path(path)
    tmp = d.with_name(f".{d.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        pickle.dump(delta, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(d)


# -- loading ---------------------------------------------------------------------------------


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
    if analyzer.context is not None and analyzer.context_docs is not None:
        if "context" in delta:
            analyzer.context = np.vstack([analyzer.context, delta["context"]])
            analyzer.context_docs = np.concatenate([analyzer.context_docs, delta["context_docs"]])
            if analyzer.context_near is not None and "context_near" in delta:
                near = np.concatenate([analyzer.context_near, delta["context_near"]])
                rows, stats, nearest = delta["context_changed"]
                analyzer.context[rows] = stats
                near[rows] = nearest
                analyzer.context_near, analyzer.context_changed = near, {int(k) for k in rows}
            else:  # no nearest cosines on one side: stored neighbourhoods can no longer grow
                analyzer.context_near = None
            if analyzer.context_nbrs is not None and "context_nbrs" in delta:
                added, rows, nbrs = delta["context_nbrs"]
                merged = np.concatenate([analyzer.context_nbrs, added])
                merged[rows] = nbrs
                analyzer.context_nbrs = merged
                analyzer.context_changed.update(int(k) for k in rows)
            else:  # none on one side: measured again when needed (``Analyzer._nbrs``)
                analyzer.context_nbrs = None
        else:  # additions saved without neighbourhoods: the corpus context is incomplete
            analyzer.context = analyzer.context_docs = analyzer.context_near = None
            analyzer.context_nbrs = None
    if analyzer.knn_near is not None and "knn_near" in delta:
        added, rows, nearest = delta["knn_near"]
        near = np.concatenate([analyzer.knn_near, added])
        near[rows] = nearest
        analyzer.knn_near, analyzer.knn_changed = near, {int(k) for k in rows}
    else:
        analyzer.knn_near = None
    if "heads" in delta:
        encoder, keys, vectors = delta["heads"]
        if analyzer.heads_encoder not in (None, encoder):
            analyzer.heads = {}
        analyzer.heads_encoder = encoder
        analyzer.heads.update(zip((int(k) for k in keys), vectors, strict=True))
        analyzer.heads_unsaved = [int(k) for k in keys]
    base = len(analyzer.items)
    segments = delta.get("segments") or [([], [])] * len(delta["items"])
    for k, (rec, (spans, tokens)) in enumerate(zip(delta["items"], segments, strict=True)):
        ai = rec if isinstance(rec, AnalyzedItem) else _from_record(rec)
        if not ai.p.spans:
            ai.p.spans, ai.p.tokens = spans, tokens
        analyzer.items.append(ai)
        analyzer.index[ai.id] = base + k
        cand.lsh_insert(analyzer.lsh, base + k, delta["S"][k])


def _load_version(d: Path) -> Analyzer:
    with (d / "meta.pkl").open("rb") as fh:
        meta: dict[str, Any] = pickle.load(fh)  # noqa: S301 (a file this program wrote)
    if meta.get("format") != FORMAT:
        raise NoAnalysis(
            f"The stored policy analysis at {d} was written by another version: run "
            "`prasan policy analyze` again",
            detail_th="ผลการวิเคราะห์ที่เก็บไว้มาจากรุ่นอื่น: รัน `prasan policy analyze` ใหม่",
        )
    an = Analyzer(meta["config"])
    an.minhasher = cand.MinHasher(meta["config"].num_perm, params=meta["minhash"])
    an.vocab = cand.Vocabulary(
        ids=meta["vocab_ids"], df=np.load(d / "df.npy").tolist(), n_docs=meta["n_docs"]
    )
    an.idf = np.load(d / "idf.npy")
    an.boiler_keys = meta["boiler_keys"]
    an.encoder_band = meta.get("encoder_band")
    an.lsa_cols = np.load(d / "lsa_cols.npy")
    an.lsa_components = np.load(d / "lsa_components.npy", mmap_mode="r")
    signatures = np.load(d / "S.npy", mmap_mode="r")
    an.features = Features(
        _load_csr(d, "X", meta["X_shape"]),
        _load_csr(d, "T", meta["T_shape"]),
        np.load(d / "Z.npy", mmap_mode="r"),
        signatures,
        np.load(d / "n_sh.npy", mmap_mode="r"),
    )
    an.lsh = cand.BandIndex(signatures, *meta["banding"])
    if (d / "context.npy").exists():  # states saved before corpus context have none
        an.context = np.load(d / "context.npy", mmap_mode="r")
        an.context_docs = np.load(d / "context_docs.npy", mmap_mode="r")
        if (d / "context_near.npy").exists():  # nor, before exact growth, nearest cosines
            an.context_near = np.load(d / "context_near.npy", mmap_mode="r")
        if (d / "context_ref.npy").exists():
            an.context_ref = np.load(d / "context_ref.npy")
        if (d / "context_nbrs.npy").exists():  # nor, before session 10, nearest items
            an.context_nbrs = np.load(d / "context_nbrs.npy", mmap_mode="r")
    an.heads_encoder = meta.get("heads_encoder")
    if (d / "heads.npy").exists():
        vectors = np.load(d / "heads.npy", mmap_mode="r")
        an.heads = dict(zip(np.load(d / "heads_idx.npy").tolist(), vectors, strict=True))
    if (d / "knn_near.npy").exists():  # states saved before reverse neighbours have none
        an.knn_near = np.load(d / "knn_near.npy", mmap_mode="r")
    offsets = np.load(d / "items.idx.npy")
    blob: bytes | mmap.mmap = b""
    if offsets[-1]:
        with (d / "items.bin").open("rb") as fh:
            blob = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    an.items = StoredItems(blob, offsets)
    an.segments = _load_segments(d, an.vocab)
    with (d / "ids.pkl").open("rb") as fh:
        ids: list[str] = pickle.load(fh)  # noqa: S301 (a file this program wrote)
    an.index = dict(zip(ids, range(len(ids)), strict=True))
    an.saved_items = len(an.items)
    an.saved_vocab = len(an.vocab.df)
    return an


def _convert_legacy(path: Path) -> bool:
    """Rewrite a state saved by an earlier version (one pickle) in this layout."""
    old = path.parent / LEGACY_FILE
    if not old.exists():
        return False
    with old.open("rb") as fh:
        analyzer: Analyzer = pickle.load(fh)  # noqa: S301 (a file this program wrote)
    for name, value in vars(Analyzer(analyzer.config)).items():  # what later versions added
        analyzer.__dict__.setdefault(name, value)
    analyzer.saved_items = len(analyzer.items)
    analyzer.saved_vocab = len(analyzer.vocab.df)
    old_delta = old.with_name(old.stem + ".delta.pkl")
    if old_delta.exists():
        with old_delta.open("rb") as fh:
            _apply_delta(analyzer, pickle.load(fh))  # noqa: S301 (a file this program wrote)
    save_analyzer(analyzer, path)
    old.unlink()
    old_delta.unlink(missing_ok=True)
    return True


def load_analyzer(path: Path) -> Analyzer:
    """The analyser saved by the last ``analyze`` and the ``add``s since (its files are ours;
    never load others')."""
    # thousands of small objects (the vocabulary, a delta's items): the cyclic garbage
    # collector would spend most of the load in collections that find nothing
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        if not exists(path) and not _convert_legacy(path):
            raise NoAnalysis(
                f"No stored policy analysis at {path}: run "
                "`prasan policy analyze INPUT --out DIR` first",
                detail_th=f"ไม่พบผลการวิเคราะห์ที่ {path}: รัน `prasan policy analyze` ก่อน",
            )
        cur = _current(path)
        assert cur is not None
        analyzer = _load_version(cur)
        d = cur / DELTA_FILE
        if d.exists():
            with d.open("rb") as fh:
                _apply_delta(analyzer, pickle.load(fh))  # noqa: S301 (a file this program wrote)
    finally:
        if was_enabled:
            gc.enable()
    return analyzer
