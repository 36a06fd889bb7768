"""Reading and splitting: cabinet summaries into resolutions, and every kind of bad input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from prasan.policy.ingest import Document, InputProblem, read_documents, split_items

BODY = "คณะรัฐมนตรีมีมติเห็นชอบตามที่กระทรวงเสนอ " * 12


def cabinet_summary() -> str:
    toc = "\n".join(f"{n}. เรื่อง หัวข้อที่ {n}" for n in range(1, 4))
    bodies = "\n".join(f"{n}. เรื่อง หัวข้อที่ {n}\n{BODY}ครั้งที่ {n}" for n in range(1, 4))
    return f"สรุปข่าวการประชุมคณะรัฐมนตรี\nวันนี้ ประชุม\n{toc}\n{bodies}\n"


def test_cabinet_summary_splits_into_resolutions_with_offsets() -> None:
    text = cabinet_summary()
    items = split_items(Document(id="cab", text=text))
    assert [it.id for it in items] == ["cab#1", "cab#2", "cab#3"]
    for n, it in enumerate(items, 1):
        assert text[it.start : it.end] == it.text
        assert it.title == f"หัวข้อที่ {n}"
        assert f"ครั้งที่ {n}" in it.text  # the body, not the table-of-contents line
        assert it.doc == "cab"


def test_real_cabinet_summary_from_demo_corpus_has_many_items() -> None:
    from prasan.policy.demo import demo_corpus_path

    problems: list[InputProblem] = []
    docs = [
        d
        for d in read_documents([demo_corpus_path()], problems)
        if d.title.startswith("สรุปข่าวการประชุมคณะรัฐมนตรี")
    ]
    assert docs and not problems
    items = split_items(docs[0])
    assert len(items) >= 15
    assert all(docs[0].text[it.start : it.end] == it.text for it in items)
    assert all(len(it.text) >= 100 for it in items)


def test_press_release_is_one_item() -> None:
    text = "  นายกรัฐมนตรีเยี่ยมชมโครงการ\nรายละเอียดของโครงการ  "
    (item,) = split_items(Document(id="pr1", text=text, title="หัวเรื่อง"))
    assert item.id == "pr1" and item.title == "หัวเรื่อง"
    assert text[item.start : item.end] == item.text == text.strip()


def _write_jsonl(path: Path, rows: list[object]) -> None:
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) if not isinstance(r, str) else r for r in rows)
        + "\n",
        encoding="utf-8",
    )


def test_bad_inputs_are_reported_by_file_and_the_rest_is_read(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    _write_jsonl(
        good,
        [
            {"id": "a", "text": "กระทรวงสาธารณสุขรณรงค์ป้องกันไข้เลือดออก"},
            {"id": "empty", "text": "   "},
            "{not json",
            {"id": "a", "text": "ข้อความที่สองซึ่งใช้รหัสซ้ำ"},
            {
                "id": "mixed",
                "text": "Ministry of Public Health กระทรวงสาธารณสุข launches a campaign",
            },
            {"id": "notext"},
        ],
    )
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes("กระทรวงเกษตรและสหกรณ์ช่วยเหลือเกษตรกร".encode("cp874"))
    huge = tmp_path / "huge.txt"
    huge.write_text("ก" * 3_500_000, encoding="utf-8")  # 10.5 MB of UTF-8
    corrupt = tmp_path / "broken.pdf"
    corrupt.write_bytes(b"%PDF-1.7\n this is not really a pdf \x00\x01")
    problems: list[InputProblem] = []
    docs = list(read_documents([good, legacy, huge, corrupt], problems))

    ids = [d.id for d in docs]
    assert ids == ["a", "a~2", "mixed", "legacy", "huge"]
    by_id = {d.id: d for d in docs}
    assert by_id["legacy"].text == "กระทรวงเกษตรและสหกรณ์ช่วยเหลือเกษตรกร"
    assert len(by_id["huge"].text) == 2_000_000
    messages = [str(p) for p in problems]

    def one(needle: str, where: str) -> None:
        hits = [m for m in messages if needle in m and where in m]
        assert hits, f"no problem mentioning {needle!r} for {where!r} in {messages}"

    one("empty document", "good.jsonl:2")
    one("not valid JSON", "good.jsonl:3")
    one("duplicate document id 'a'", "good.jsonl:4")
    one('no "text"', "good.jsonl:6")
    one("not UTF-8", "legacy.txt")
    one("MB", "huge.txt")
    one("corrupt or unreadable PDF", "broken.pdf")


def test_missing_file_and_unsupported_type(tmp_path: Path) -> None:
    odd = tmp_path / "data.xlsx"
    odd.write_bytes(b"PK\x03\x04")
    problems: list[InputProblem] = []
    assert list(read_documents([tmp_path / "nope.jsonl", odd], problems)) == []
    assert any("no such file" in str(p) for p in problems)
    assert any("unsupported file type" in str(p) for p in problems)


def test_html_docx_and_gzip_jsonl(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    html = tmp_path / "page.html"
    html.write_text(
        "<html><head><title>ข่าว</title><script>var x=1;</script></head>"
        "<body><h1>โครงการช่วยเหลือ</h1><p>กรมชลประทานขุดสระน้ำ</p></body></html>",
        encoding="utf-8",
    )
    d = docx.Document()
    d.add_paragraph("มาตรการช่วยเหลือผู้สูงอายุ")
    d.add_paragraph("กรมกิจการผู้สูงอายุ")
    d.save(str(tmp_path / "memo.docx"))
    gz = tmp_path / "c.jsonl.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "z1", "text": "ข้อความ", "date": "1 มกราคม 2563"}) + "\n")
    problems: list[InputProblem] = []
    docs = {doc.id: doc for doc in read_documents([tmp_path], problems)}
    assert not problems
    assert docs["page"].title == "ข่าว"
    assert "กรมชลประทานขุดสระน้ำ" in docs["page"].text and "var x" not in docs["page"].text
    assert docs["memo"].text == "มาตรการช่วยเหลือผู้สูงอายุ\nกรมกิจการผู้สูงอายุ"
    assert docs["z1"].date == "1 มกราคม 2563"
