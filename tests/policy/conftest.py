"""Fixtures shared by the policy analyser's tests."""

from __future__ import annotations

import gzip
import json

import pytest

from prasan.policy.demo import demo_corpus_path
from prasan.policy.ingest import Document


@pytest.fixture(scope="session")
def demo_documents() -> list[Document]:
    """The first 60 documents of the bundled demo corpus: a small corpus to fit on."""
    with gzip.open(demo_corpus_path(), "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh][:60]
    return [Document(id=r["id"], text=r["text"], title=r.get("title") or "") for r in rows]
