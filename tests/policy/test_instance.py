"""Which instance of a programme an item is: the year, round, period and area its title names,
the headline behind a date line or a print button, appointments, and what survives saving."""

from __future__ import annotations

from pathlib import Path

from prasan.policy.analyzer import AnalyzedItem, guess_title
from prasan.policy.gazetteer import find_areas, find_regions, is_appointment
from prasan.policy.ingest import Item
from prasan.policy.relate import PairSignals, decide, is_copy
from prasan.policy.segment import find_instance_markers, instance_conflicts, process_text
from prasan.policy.store import _light


def test_title_markers_read_thai_years_rounds_phases_and_meeting_numbers() -> None:
    years, rounds, _ = find_instance_markers(
        "เกษตรฯ เปิด“ยุทธการฝนหลวงสู้ภัยแล้ง”ปี’60 ระยะที่ ๒ ประชุม คทช. ครั้งที่ 3"
    )
    assert years == ["2560"]
    assert set(rounds) == {"phase:2", "round:3"}
    years, rounds, _ = find_instance_markers("ผลการประชุม คกก.ส่งเสริมการจัดการศึกษาสำหรับคนพิการ 1/2560")
    assert years == ["2560"] and rounds == ["round:1"]
    years, rounds, _ = find_instance_markers("การประชุมคณะกรรมการผู้สูงอายุแห่งชาติ (กผส.) ครั้งที่ 4/2560")
    assert years == ["2560"] and rounds == ["round:4"]
    _, rounds, _ = find_instance_markers("รายงานภาวะเศรษฐกิจการคลังประจำเดือนกรกฎาคม 2560")
    assert rounds == ["month:7"]
    # the quarter of a quarterly survey; "ไตรมาส 3/61" is not the 3rd meeting of 2561
    years, rounds, _ = find_instance_markers("ม.หอการค้าไทย เผยดัชนี SMEs Q2/2562 ปรับลด")
    assert years == ["2562"] and rounds == ["quarter:2"]
    years, rounds, _ = find_instance_markers("GDP ไตรมาสที่ 3/61 ขยายตัว")
    assert years == ["2561"] and rounds == ["quarter:3"]
    assert find_instance_markers("ดัชนี SMEs ประจำไตรมาส 4 คาดปรับเพิ่ม")[1] == ["quarter:4"]
    assert find_instance_markers("ผลการเบิกจ่ายไตรมาสแรก")[1] == ["quarter:1"]


def test_areas_skip_everyday_words_that_are_province_names() -> None:
    # เผยแพร่ "publish" holds แพร่; เลย "at all"; only จังหวัด/จ. makes them provinces
    assert find_areas("กระทรวงเผยแพร่ข้อมูล ไม่มีปัญหาเลย") == []
    assert find_areas("ลงพื้นที่จังหวัดแพร่ และ จ.เลย") == ["แพร่", "เลย"]
    assert find_areas("เยี่ยมชาวนครราชสีมา") == ["นครราชสีมา"]
    assert find_regions("ยางพาราภาคใต้ และภาคตะวันออกเฉียงเหนือ") == [
        "region:south",
        "region:northeast",
    ]


def test_another_instance_of_one_programme_conflicts_and_the_same_one_does_not() -> None:
    a = process_text("รัฐบาลเปิดปฏิบัติการฝนหลวงสู้ภัยแล้ง ปี 61 ที่จังหวัดนครราชสีมา\nเนื้อหา")
    b = process_text("เกษตรฯ เปิดยุทธการฝนหลวงสู้ภัยแล้ง ปี 60 ที่จังหวัดสุพรรณบุรี\nเนื้อหา")
    c = process_text("ฝนหลวงสู้ภัยแล้ง ปี 2561 เริ่มแล้วที่นครราชสีมา\nเนื้อหา")
    other = instance_conflicts(a, b)
    assert other["head_year_conflict"] and other["area_conflict"]
    assert not any(instance_conflicts(a, c).values())
    # the lead naming another province does not make another instance: only the title counts
    d = process_text("ฝนหลวงสู้ภัยแล้ง ปี 2561\nต่อจากที่จังหวัดสุพรรณบุรี ครั้งที่ 2")
    assert not any(instance_conflicts(a, d).values())
    # regions: the same scheme in the South and in the East
    e = process_text("สมอ. ผลักดัน SMEs แปรรูปยางพาราภาคใต้ให้ได้มาตรฐาน\nเนื้อหา")
    f = process_text("สมอ. พัฒนาผู้ประกอบการ SMEs ภาคตะวันออก แปรรูปยางพารา\nเนื้อหา")
    assert instance_conflicts(e, f)["area_conflict"]


def test_the_headline_not_the_date_line_or_print_button_is_the_title() -> None:
    text = "วันอังคารที่ 23 สิงหาคม 2559\nรมว.พณ. นำคณะเยือนสิงคโปร์\nเนื้อหา"
    assert guess_title(text) == "รมว.พณ. นำคณะเยือนสิงคโปร์"
    assert guess_title("วันจันทร์ที่ 13 เมษายน 2563\nพิมพ์\nEXIM BANK เปิดคลินิก\nเนื้อหา") == (
        "EXIM BANK เปิดคลินิก"
    )
    assert guess_title("6. เรื่อง ร่างกฎกระทรวง\nเนื้อหา") == "6. เรื่อง ร่างกฎกระทรวง"


def test_saved_items_keep_their_date_years_and_instance_markers(tmp_path: Path) -> None:
    text = "วันอังคารที่ 27 มิถุนายน 2560\nประกันภัยข้าวนาปี ปีการผลิต 2560 ระยะที่ 1 จังหวัดน่าน"
    ai = AnalyzedItem(Item(id="x", doc="x", start=0, end=len(text), text=text), process_text(text))
    light = _light(ai).p
    assert light.date == "2017-06-27"
    assert light.years == ai.p.years and "2560" in light.head_years
    assert light.rounds == ["phase:1"] and light.head_areas == ["น่าน"]
    appoint = process_text("26. เรื่อง การแต่งตั้งข้าราชการพลเรือนสามัญ\nเนื้อหา")
    assert appoint.appointment and not ai.p.appointment
    assert _light(AnalyzedItem(ai.item, appoint)).p.appointment


def test_a_copy_is_a_duplicate_whatever_the_model_says() -> None:
    s = PairSignals(cosine=0.2, jaccard=0.85, containment=0.9, title=0.0, dense=0.1)
    s.shingles_min = 40
    assert is_copy(s)
    assert decide(s, batch=True).label == "duplicate"
    s2 = PairSignals(cosine=0.2, jaccard=0.1, containment=0.2, title=0.0, dense=0.1)
    assert not is_copy(s2)


def test_guide_rules_another_instance_is_related_and_appointments_unrelated() -> None:
    def similar() -> PairSignals:
        s = PairSignals(cosine=0.7, jaccard=0.4, containment=0.5, title=0.9, dense=0.95)
        s.encoder, s.shingles_min, s.date_gap_days = 0.9, 200, 3.0
        return s

    assert decide(similar()).label in ("duplicate", "overlap")
    other = similar()
    other.round_conflict = True
    assert decide(other).label == "related"
    assert decide(other, batch=True).label not in ("duplicate", "overlap")
    posts = similar()
    posts.both_appointments = True
    assert decide(posts).label == "unrelated"
    assert is_appointment("18. เรื่อง แต่งตั้งข้าราชการให้ดำรงตำแหน่งประเภทบริหารระดับสูง")
    assert not is_appointment("มาตรการช่วยเหลือเกษตรกร")


def test_a_recurring_release_in_another_period_is_related_even_when_copied() -> None:
    # weekly enforcement results: the same template word for word, another week in the title
    s = PairSignals(cosine=0.99, jaccard=0.9, containment=0.95, title=0.95, dense=0.99)
    s.shingles_min, s.round_conflict = 300, True
    assert is_copy(s)
    assert decide(s).label == "related"
    assert decide(s, batch=True).label == "related"
    a = process_text("ผลการปราบปรามผู้กระทำผิดกฎหมายสรรพสามิต ระหว่างวันที่ 9 - 15 พฤศจิกายน 2561\nผล")
    b = process_text("ผลการปราบปรามผู้กระทำผิดกฎหมายสรรพสามิต ระหว่างวันที่ 14– 20 ธันวาคม 2561\nผล")
    assert instance_conflicts(a, b)["round_conflict"]
