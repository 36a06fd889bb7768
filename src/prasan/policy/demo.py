"""The bundled demo and test corpus: a few hundred thaigov items chosen by topic.

Topics were picked so the demo shows every kind of relation: repeated announcements
(duplicates), several agencies running similar schemes for the same people (overlaps: drought
relief, farmers' debt, the elderly, SMEs), and same-domain items with distinct aims (related).
Two cabinet-meeting summaries are included so splitting into resolutions is exercised.
``python -m prasan.policy.demo SRC`` rebuilds ``data/demo_corpus.jsonl.gz`` deterministically.
"""

from __future__ import annotations

import gzip
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

TOPICS = [
    "ภัยแล้ง", "ยางพารา", "ผู้สูงอายุ", "ชิมช้อปใช้", "SMEs", "บัตรสวัสดิการแห่งรัฐ", "ฝุ่น",
    "ข้าว", "ประมง", "คนพิการ", "ท่องเที่ยว", "โควิด", "น้ำท่วม", "หนี้สิน", "ไข้เลือดออก",
    "ดิจิทัล", "รถไฟ", "เยาวชน",
]  # fmt: skip
PER_TOPIC = 14
CABINET_DOCS = 2

DEMO_PATH = "data/demo_corpus.jsonl.gz"


def _num(doc_id: str) -> int:
    tail = doc_id[2:]
    return int(tail) if tail.isdigit() else 10**9


def build_demo_corpus(src: Path, dest: Path) -> int:
    with gzip.open(src, "rt", encoding="utf-8") as fh:
        docs = [json.loads(line) for line in fh]
    docs.sort(key=lambda d: (_num(d["id"]), d["id"]))
    chosen: dict[str, dict[str, Any]] = {}
    for topic in TOPICS:
        n = 0
        for d in docs:
            if n >= PER_TOPIC:
                break
            if topic in d["title"] and 400 <= len(d["text"]) <= 8000 and d["id"] not in chosen:
                chosen[d["id"]] = d
                n += 1
    cabinet = [
        d
        for d in docs
        if d["title"].startswith("สรุปข่าวการประชุมคณะรัฐมนตรี") and 30000 <= len(d["text"]) <= 60000
    ]
    for d in cabinet[:CABINET_DOCS]:
        chosen[d["id"]] = d
    dest.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(dest, "wb", mtime=0) as raw:
        for d in sorted(chosen.values(), key=lambda d: (_num(d["id"]), d["id"])):
            raw.write((json.dumps(d, ensure_ascii=False) + "\n").encode("utf-8"))
    return len(chosen)


def demo_corpus_path() -> Path:
    return Path(str(resources.files("prasan.policy").joinpath(DEMO_PATH)))


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    print(build_demo_corpus(Path(sys.argv[1]), here / DEMO_PATH), "documents")
