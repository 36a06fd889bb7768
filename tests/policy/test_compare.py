"""``compare_texts``: the stable API the quality benchmark calls, and the ``compare`` command."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from prasan.cli import app
from prasan.policy import compare_texts, default_analyzer
from prasan.policy.relate import FACETS, LABELS, calibrated_model

DENGUE = (
    "กระทรวงสาธารณสุขเชิญชวนประชาชนร่วมกันกำจัดแหล่งเพาะพันธุ์ยุงลายช่วงฤดูฝน "
    "ยึดหลัก 3 เก็บ ป้องกัน 3 โรค ได้แก่ ไข้เลือดออก ไข้ซิกา และไข้ปวดข้อยุงลาย\n"
    "กรมควบคุมโรคให้ อสม. ลงพื้นที่สำรวจลูกน้ำยุงลายในชุมชนและโรงเรียนทุกสัปดาห์"
)
DENGUE_AGAIN = (
    "นายกรัฐมนตรีเชิญชวนประชาชนกำจัดแหล่งเพาะพันธุ์ยุงลายช่วงฤดูฝน "
    "ยึดหลัก 3 เก็บ ป้องกัน 3 โรค ได้แก่ ไข้เลือดออก ไข้ซิกา และไข้ปวดข้อยุงลาย\n"
    "กรมควบคุมโรคให้ อสม. ลงพื้นที่สำรวจลูกน้ำยุงลายในชุมชนและโรงเรียนทุกสัปดาห์"
)
RAIL = (
    "การรถไฟแห่งประเทศไทยแจ้งปิดการจราจรบนถนนพหลโยธินชั่วคราว เพื่อก่อสร้างสถานีรถไฟฟ้า "
    "ขอให้ผู้ใช้ทางวางแผนการเดินทางล่วงหน้า"
)
MOAC_FOOTER = (
    "\nกลุ่มโฆษกและวิเคราะห์ข่าว กองเกษตรสารนิเทศ\nสำนักงานปลัดกระทรวงเกษตรและสหกรณ์\n"
    "โทร 02-2810859 แฟกซ์ 02-2822871\nmoacnews@gmail.com\nwww.moac.go.th\n"
    "www.facebook.com/kasetthai"
)


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    default_analyzer()


def _check_shape(r: object) -> None:
    assert r.label in LABELS  # type: ignore[attr-defined]
    assert 0.0 <= r.score <= 1.0  # type: ignore[attr-defined]
    assert set(r.facets) <= set(FACETS)  # type: ignore[attr-defined]
    for e in r.evidence:  # type: ignore[attr-defined]
        assert {"a", "b", "score"} <= set(e)


def test_same_announcement_is_duplicate_with_evidence() -> None:
    r = compare_texts(DENGUE, DENGUE_AGAIN)
    _check_shape(r)
    assert r.label == "duplicate"
    assert r.score >= 0.8
    assert r.evidence and "ยุงลาย" in r.evidence[0]["a"] and "ยุงลาย" in r.evidence[0]["b"]
    assert "activity" in r.facets


def test_different_topics_are_unrelated() -> None:
    r = compare_texts(DENGUE, RAIL)
    _check_shape(r)
    assert r.label == "unrelated"
    model = calibrated_model()
    assert model is not None and r.score < model["redundant_encoder"]["threshold"]


def test_shared_ministry_boilerplate_does_not_make_items_redundant() -> None:
    a = "กรมปศุสัตว์เร่งฉีดวัคซีนป้องกันโรคปากและเท้าเปื่อยในโคนมทั่วประเทศ" + MOAC_FOOTER
    b = "กรมการข้าวแนะนำชาวนาปลูกข้าวพันธุ์ทนแล้งในฤดูนาปรัง" + MOAC_FOOTER
    r = compare_texts(a, b)
    assert r.label in ("related", "unrelated")
    # the footer is corpus boilerplate: it is never offered as evidence
    assert all("moacnews" not in e["a"] for e in r.evidence)


def test_thai_and_english_versions_are_related_or_more() -> None:
    r = compare_texts(
        "The Ministry of Public Health urges people to destroy mosquito breeding sites to prevent dengue fever",
        "กระทรวงสาธารณสุขเชิญชวนประชาชนกำจัดแหล่งเพาะพันธุ์ยุงลายเพื่อป้องกันโรคไข้เลือดออก",
    )
    _check_shape(r)
    assert r.label in ("duplicate", "overlap", "related")
    assert r.evidence


def test_compare_command_prints_label_and_json(tmp_path: object) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["policy", "compare", DENGUE, DENGUE_AGAIN, "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["label"] == "duplicate" and data["evidence"]
    res = runner.invoke(app, ["policy", "compare", DENGUE, RAIL])
    assert res.exit_code == 0
    assert "label:    unrelated" in res.output


def test_evidence_passages_are_the_best_of_the_one_to_one_sentence_matching() -> None:
    from prasan.policy.evidence import align, matched_scores

    an = default_analyzer()
    a = an.analyze_text(DENGUE, "", "a").side()
    b = an.analyze_text(DENGUE_AGAIN + "\n" + RAIL, "", "b").side()
    scores, n_a, n_b = matched_scores(a, b, an.idf_of)
    assert scores == sorted(scores, reverse=True) and len(scores) <= min(n_a, n_b)
    assert scores[0] == pytest.approx(1.0)  # the second sentence is the same in both
    passages = align(a, b, an.idf_of, top=2)
    assert [p.score for p in passages] == scores[:2]
    assert len({p.a for p in passages}) == len(passages)  # each sentence used once
