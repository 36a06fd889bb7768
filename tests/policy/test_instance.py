"""Which instance of a programme an item is: the year, round, phase and province its head names,
the headline behind a date line, and what survives saving the analysis."""

from __future__ import annotations

from pathlib import Path

from prasan.policy.analyzer import _instance_conflicts, guess_title
from prasan.policy.ingest import Item
from prasan.policy.relate import PairSignals, decide, is_copy
from prasan.policy.segment import find_head_markers, process_text
from prasan.policy.store import _light


def test_head_markers_read_thai_years_rounds_and_phases() -> None:
    years, rounds = find_head_markers(
        "เกษตรฯ เปิด“ยุทธการฝนหลวงสู้ภัยแล้ง”ปี’60 ระยะที่ ๒ ประชุม คทช. ครั้งที่ 3"
    )
    assert years == ["2560"]
    assert set(rounds) == {"phase:2", "round:3"}
    years, _ = find_head_markers("โครงการประกันภัยข้าวนาปี ปีการผลิต 2561 งบประมาณ")
    assert years == ["2561"]


def test_another_season_of_one_programme_conflicts_and_the_same_season_does_not() -> None:
    a = process_text("รัฐบาลเปิดปฏิบัติการฝนหลวงสู้ภัยแล้ง ปี 61 ที่จังหวัดนครราชสีมา")
    b = process_text("เกษตรฯ เปิดยุทธการฝนหลวงสู้ภัยแล้ง ปี 60 ที่จังหวัดสุพรรณบุรี")
    c = process_text("ฝนหลวงสู้ภัยแล้ง ปี 2561 เริ่มแล้วที่นครราชสีมา")
    other = _instance_conflicts(a, b)
    assert other["head_year_conflict"] and other["area_conflict"]
    same = _instance_conflicts(a, c)
    assert same["head_year_match"] and not same["head_year_conflict"]
    assert not same["area_conflict"]


def test_the_headline_not_the_date_line_is_the_title() -> None:
    text = "วันอังคารที่ 23 สิงหาคม 2559\nรมว.พณ. นำคณะเยือนสิงคโปร์\nเนื้อหา"
    assert guess_title(text) == "รมว.พณ. นำคณะเยือนสิงคโปร์"
    assert guess_title("6. เรื่อง ร่างกฎกระทรวง\nเนื้อหา") == "6. เรื่อง ร่างกฎกระทรวง"


def test_saved_items_keep_their_date_years_and_instance_markers(tmp_path: Path) -> None:
    from prasan.policy.analyzer import AnalyzedItem

    text = "วันอังคารที่ 27 มิถุนายน 2560\nประกันภัยข้าวนาปี ปีการผลิต 2560 ระยะที่ 1 จังหวัดน่าน"
    ai = AnalyzedItem(Item(id="x", doc="x", start=0, end=len(text), text=text), process_text(text))
    light = _light(ai).p
    assert light.date == "2017-06-27"
    assert light.years == ai.p.years and "2560" in light.head_years
    assert light.rounds == ["phase:1"] and light.head_areas == ["น่าน"]


def test_a_copy_is_a_duplicate_whatever_the_model_says() -> None:
    s = PairSignals(cosine=0.2, jaccard=0.85, containment=0.9, title=0.0, dense=0.1)
    s.shingles_min = 40
    assert is_copy(s)
    assert decide(s, batch=True).label == "duplicate"
    s2 = PairSignals(cosine=0.2, jaccard=0.1, containment=0.2, title=0.0, dense=0.1)
    assert not is_copy(s2)
