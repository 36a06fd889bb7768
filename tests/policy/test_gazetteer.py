"""Who and what: agencies (Thai, abbreviations, English), amounts, target groups, areas."""

from __future__ import annotations

from prasan.policy.gazetteer import (
    default_gazetteer,
    find_amounts,
    find_areas,
    find_programmes,
    find_targets,
)


def test_gazetteer_covers_the_budget_units_and_ministries() -> None:
    g = default_gazetteer()
    assert len(g.agencies) >= 600
    assert g.agencies["กรมชลประทาน"].ministry == "กระทรวงเกษตรและสหกรณ์"
    assert g.ministry_of("กรมควบคุมโรค") == "กระทรวงสาธารณสุข"


def test_agencies_by_full_name_abbreviation_and_english() -> None:
    g = default_gazetteer()
    text = (
        "ที่ประชุมมอบหมายให้ กษ. และ ธ.ก.ส. ร่วมกับ Ministry of Public Health "
        "และ สำนักงานพัฒนารัฐบาลดิจิทัล ดำเนินการ (พน.)"
    )
    found = g.find(text)
    assert found[:2] == ["กระทรวงเกษตรและสหกรณ์", "ธนาคารเพื่อการเกษตรและสหกรณ์การเกษตร"]
    assert "กระทรวงสาธารณสุข" in found
    assert "สำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน)" in found
    assert "กระทรวงพลังงาน" in found


def test_abbreviation_inside_a_word_is_not_an_agency() -> None:
    # "รักษา" contains กษ but is not กษ. (the Ministry of Agriculture)
    assert default_gazetteer().find("การรักษาพยาบาล.") == []


def test_amounts_in_baht_and_millions() -> None:
    text = "วงเงิน 1,500 ล้านบาท และอีก ๒๐๐,๐๐๐ บาท ราคา 5 บาท รวม 2.5 billion baht"
    assert find_amounts(text) == [2.5e9, 1.5e9, 200000.0]


def test_target_groups_and_areas() -> None:
    text = "ช่วยเหลือเกษตรกรชาวสวนยางและผู้สูงอายุในจังหวัดเชียงใหม่ and SMEs in Khon Kaen"
    assert set(find_targets(text)) >= {"farmers", "rubber_growers", "elderly", "sme"}
    assert find_areas(text) == ["เชียงใหม่", "ขอนแก่น"]


def test_programme_names() -> None:
    names = find_programmes("มาตรการส่งเสริมการท่องเที่ยว “ชิมช้อปใช้” และโครงการต่าง ๆ")
    assert "ชิมช้อปใช้" in names
    assert not any(n.startswith("ต่าง") for n in names)
