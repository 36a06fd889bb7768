"""Who and what a policy item is about: agencies, budget amounts, target groups and areas.

The agency gazetteer is a committed data file (``data/agencies.json``) built from the official
unit names of the FY2565 budget bill plus a curated table of ministries and well-known
departments with their Thai abbreviations and English names (``CURATED`` below); rebuild it with
``python -m prasan.policy.gazetteer BUDGET_CSV``. Matching uses one trie-shaped regular expression
so that a text is scanned once however many names there are (a flat alternation of ~900 names
would try every name at every position).
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from prasan.core.thai import to_arabic_digits

# (Thai name, Thai abbreviations, English name, English abbreviations, parent ministry or "")
CURATED: list[tuple[str, list[str], str, list[str], str]] = [
    ("สำนักนายกรัฐมนตรี", ["นร."], "Office of the Prime Minister", ["OPM"], ""),
    ("กระทรวงกลาโหม", ["กห."], "Ministry of Defence", ["MOD"], ""),
    ("กระทรวงการคลัง", ["กค."], "Ministry of Finance", ["MOF"], ""),
    ("กระทรวงการต่างประเทศ", ["กต."], "Ministry of Foreign Affairs", ["MFA"], ""),
    ("กระทรวงการท่องเที่ยวและกีฬา", ["กก."], "Ministry of Tourism and Sports", [], ""),
    (
        "กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์",
        ["พม.", "กระทรวง พม."],
        "Ministry of Social Development and Human Security",
        ["MSDHS"],
        "",
    ),
    (
        "กระทรวงการอุดมศึกษา วิทยาศาสตร์ วิจัยและนวัตกรรม",
        ["อว.", "กระทรวงการอุดมศึกษาฯ"],
        "Ministry of Higher Education, Science, Research and Innovation",
        ["MHESI"],
        "",
    ),
    (
        "กระทรวงเกษตรและสหกรณ์",
        ["กษ.", "กระทรวงเกษตรฯ"],
        "Ministry of Agriculture and Cooperatives",
        ["MOAC"],
        "",
    ),
    ("กระทรวงคมนาคม", ["คค."], "Ministry of Transport", ["MOT"], ""),
    (
        "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม",
        ["ดศ.", "ดีอี", "กระทรวงดิจิทัลฯ"],
        "Ministry of Digital Economy and Society",
        ["MDES"],
        "",
    ),
    (
        "กระทรวงทรัพยากรธรรมชาติและสิ่งแวดล้อม",
        ["ทส."],
        "Ministry of Natural Resources and Environment",
        ["MNRE"],
        "",
    ),
    ("กระทรวงพลังงาน", ["พน."], "Ministry of Energy", [], ""),
    ("กระทรวงพาณิชย์", ["พณ."], "Ministry of Commerce", ["MOC"], ""),
    ("กระทรวงมหาดไทย", ["มท."], "Ministry of Interior", ["MOI"], ""),
    ("กระทรวงยุติธรรม", ["ยธ."], "Ministry of Justice", ["MOJ"], ""),
    ("กระทรวงแรงงาน", ["รง."], "Ministry of Labour", ["MOL"], ""),
    ("กระทรวงวัฒนธรรม", ["วธ."], "Ministry of Culture", [], ""),
    ("กระทรวงวิทยาศาสตร์และเทคโนโลยี", ["วท."], "Ministry of Science and Technology", ["MOST"], ""),
    ("กระทรวงศึกษาธิการ", ["ศธ."], "Ministry of Education", ["MOE"], ""),
    ("กระทรวงสาธารณสุข", ["สธ."], "Ministry of Public Health", ["MOPH"], ""),
    ("กระทรวงอุตสาหกรรม", ["อก."], "Ministry of Industry", [], ""),
    (
        "กระทรวงเทคโนโลยีสารสนเทศและการสื่อสาร",
        ["ทก."],
        "Ministry of Information and Communication Technology",
        ["MICT"],
        "",
    ),
    # departments and agencies often named by abbreviation
    (
        "ธนาคารเพื่อการเกษตรและสหกรณ์การเกษตร",
        ["ธ.ก.ส."],
        "Bank for Agriculture and Agricultural Cooperatives",
        ["BAAC"],
        "กระทรวงการคลัง",
    ),
    (
        "สำนักงานสภาพัฒนาการเศรษฐกิจและสังคมแห่งชาติ",
        ["สศช.", "สภาพัฒน์"],
        "Office of the National Economic and Social Development Council",
        ["NESDC", "NESDB"],
        "สำนักนายกรัฐมนตรี",
    ),
    ("สำนักงบประมาณ", ["สงป."], "Bureau of the Budget", [], "สำนักนายกรัฐมนตรี"),
    ("สำนักงานคณะกรรมการส่งเสริมการลงทุน", ["บีโอไอ"], "Board of Investment", ["BOI"], "สำนักนายกรัฐมนตรี"),
    ("กรมควบคุมโรค", [], "Department of Disease Control", ["DDC"], "กระทรวงสาธารณสุข"),
    (
        "สำนักงานคณะกรรมการอาหารและยา",
        ["อย."],
        "Food and Drug Administration",
        ["FDA"],
        "กระทรวงสาธารณสุข",
    ),
    (
        "กรมป้องกันและบรรเทาสาธารณภัย",
        ["ปภ."],
        "Department of Disaster Prevention and Mitigation",
        ["DDPM"],
        "กระทรวงมหาดไทย",
    ),
    ("กรมชลประทาน", ["ชป."], "Royal Irrigation Department", ["RID"], "กระทรวงเกษตรและสหกรณ์"),
    (
        "การไฟฟ้าฝ่ายผลิตแห่งประเทศไทย",
        ["กฟผ."],
        "Electricity Generating Authority of Thailand",
        ["EGAT"],
        "กระทรวงพลังงาน",
    ),
    ("การไฟฟ้านครหลวง", ["กฟน."], "Metropolitan Electricity Authority", ["MEA"], "กระทรวงมหาดไทย"),
    ("การไฟฟ้าส่วนภูมิภาค", ["กฟภ."], "Provincial Electricity Authority", ["PEA"], "กระทรวงมหาดไทย"),
    ("การรถไฟแห่งประเทศไทย", ["รฟท."], "State Railway of Thailand", ["SRT"], "กระทรวงคมนาคม"),
    (
        "การท่องเที่ยวแห่งประเทศไทย",
        ["ททท."],
        "Tourism Authority of Thailand",
        ["TAT"],
        "กระทรวงการท่องเที่ยวและกีฬา",
    ),
    (
        "สำนักงานคณะกรรมการกิจการกระจายเสียง กิจการโทรทัศน์ และกิจการโทรคมนาคมแห่งชาติ",
        ["กสทช."],
        "National Broadcasting and Telecommunications Commission",
        ["NBTC"],
        "",
    ),
    ("ธนาคารแห่งประเทศไทย", ["ธปท."], "Bank of Thailand", ["BOT"], ""),
    ("สำนักงานตำรวจแห่งชาติ", ["สตช.", "ตำรวจ"], "Royal Thai Police", ["RTP"], ""),
    (
        "กรมการปกครอง",
        ["ปค."],
        "Department of Provincial Administration",
        ["DOPA"],
        "กระทรวงมหาดไทย",
    ),
    (
        "กรมส่งเสริมการปกครองท้องถิ่น",
        ["สถ."],
        "Department of Local Administration",
        ["DLA"],
        "กระทรวงมหาดไทย",
    ),
    ("กรุงเทพมหานคร", ["กทม."], "Bangkok Metropolitan Administration", ["BMA"], ""),
    ("ธนาคารออมสิน", [], "Government Savings Bank", ["GSB"], "กระทรวงการคลัง"),
    (
        "สำนักงานหลักประกันสุขภาพแห่งชาติ",
        ["สปสช."],
        "National Health Security Office",
        ["NHSO"],
        "กระทรวงสาธารณสุข",
    ),
    ("สำนักงานประกันสังคม", ["สปส."], "Social Security Office", ["SSO"], "กระทรวงแรงงาน"),
    ("กองทุนเพื่อความเสมอภาคทางการศึกษา", ["กสศ."], "Equitable Education Fund", ["EEF"], ""),
    (
        "สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน",
        ["สพฐ."],
        "Office of the Basic Education Commission",
        ["OBEC"],
        "กระทรวงศึกษาธิการ",
    ),
    (
        "สำนักงานคณะกรรมการการอาชีวศึกษา",
        ["สอศ."],
        "Office of the Vocational Education Commission",
        ["OVEC"],
        "กระทรวงศึกษาธิการ",
    ),
    ("กรมการค้าภายใน", [], "Department of Internal Trade", ["DIT"], "กระทรวงพาณิชย์"),
    ("กรมการค้าต่างประเทศ", [], "Department of Foreign Trade", ["DFT"], "กระทรวงพาณิชย์"),
    ("กรมสรรพากร", [], "Revenue Department", ["RD"], "กระทรวงการคลัง"),
    ("กรมศุลกากร", [], "Customs Department", [], "กระทรวงการคลัง"),
    ("กรมสรรพสามิต", [], "Excise Department", [], "กระทรวงการคลัง"),
    ("กรมบัญชีกลาง", [], "Comptroller General's Department", ["CGD"], "กระทรวงการคลัง"),
    ("สำนักงานเศรษฐกิจการคลัง", ["สศค."], "Fiscal Policy Office", ["FPO"], "กระทรวงการคลัง"),
    ("กรมทางหลวง", ["ทล."], "Department of Highways", ["DOH"], "กระทรวงคมนาคม"),
    ("กรมทางหลวงชนบท", ["ทช."], "Department of Rural Roads", ["DRR"], "กระทรวงคมนาคม"),
    ("กรมการขนส่งทางบก", ["ขบ."], "Department of Land Transport", ["DLT"], "กระทรวงคมนาคม"),
    (
        "การทางพิเศษแห่งประเทศไทย",
        ["กทพ."],
        "Expressway Authority of Thailand",
        ["EXAT"],
        "กระทรวงคมนาคม",
    ),
    (
        "กองอำนวยการรักษาความมั่นคงภายในราชอาณาจักร",
        ["กอ.รมน."],
        "Internal Security Operations Command",
        ["ISOC"],
        "สำนักนายกรัฐมนตรี",
    ),
    (
        "ศูนย์บริหารสถานการณ์การแพร่ระบาดของโรคติดเชื้อไวรัสโคโรนา 2019",
        ["ศบค."],
        "Centre for COVID-19 Situation Administration",
        ["CCSA"],
        "สำนักนายกรัฐมนตรี",
    ),
    ("คณะกรรมการนโยบายการเงิน", ["กนง."], "Monetary Policy Committee", ["MPC"], ""),
    (
        "สำนักงานคณะกรรมการป้องกันและปราบปรามยาเสพติด",
        ["ป.ป.ส."],
        "Office of the Narcotics Control Board",
        ["ONCB"],
        "กระทรวงยุติธรรม",
    ),
    (
        "สำนักงานการปฏิรูปที่ดินเพื่อเกษตรกรรม",
        ["ส.ป.ก."],
        "Agricultural Land Reform Office",
        ["ALRO"],
        "กระทรวงเกษตรและสหกรณ์",
    ),
    ("กรมพัฒนาที่ดิน", ["พด."], "Land Development Department", ["LDD"], "กระทรวงเกษตรและสหกรณ์"),
    ("กรมประมง", [], "Department of Fisheries", [], "กระทรวงเกษตรและสหกรณ์"),
    ("กรมปศุสัตว์", [], "Department of Livestock Development", ["DLD"], "กระทรวงเกษตรและสหกรณ์"),
    ("กรมวิชาการเกษตร", [], "Department of Agriculture", ["DOA"], "กระทรวงเกษตรและสหกรณ์"),
    (
        "กรมส่งเสริมการเกษตร",
        [],
        "Department of Agricultural Extension",
        ["DOAE"],
        "กระทรวงเกษตรและสหกรณ์",
    ),
    (
        "การยางแห่งประเทศไทย",
        ["กยท."],
        "Rubber Authority of Thailand",
        ["RAOT"],
        "กระทรวงเกษตรและสหกรณ์",
    ),
    ("กรมการข้าว", [], "Rice Department", [], "กระทรวงเกษตรและสหกรณ์"),
    (
        "สำนักงานคณะกรรมการกำกับหลักทรัพย์และตลาดหลักทรัพย์",
        ["ก.ล.ต."],
        "Securities and Exchange Commission",
        ["SEC"],
        "กระทรวงการคลัง",
    ),
    ("กรมพัฒนาฝีมือแรงงาน", [], "Department of Skill Development", ["DSD"], "กระทรวงแรงงาน"),
    ("กรมการจัดหางาน", ["กกจ."], "Department of Employment", ["DOE"], "กระทรวงแรงงาน"),
    (
        "กรมสวัสดิการและคุ้มครองแรงงาน",
        ["กสร."],
        "Department of Labour Protection and Welfare",
        [],
        "กระทรวงแรงงาน",
    ),
    (
        "กรมส่งเสริมอุตสาหกรรม",
        ["กสอ."],
        "Department of Industrial Promotion",
        ["DIPROM"],
        "กระทรวงอุตสาหกรรม",
    ),
    ("สำนักงานส่งเสริมวิสาหกิจขนาดกลางและขนาดย่อม", ["สสว."], "Office of SMEs Promotion", ["OSMEP"], ""),
    (
        "สำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน)",
        ["สพร."],
        "Digital Government Development Agency",
        ["DGA"],
        "สำนักนายกรัฐมนตรี",
    ),
    (
        "สำนักงานคณะกรรมการพัฒนาระบบราชการ",
        ["ก.พ.ร."],
        "Office of the Public Sector Development Commission",
        ["OPDC"],
        "สำนักนายกรัฐมนตรี",
    ),
    (
        "สำนักงานคณะกรรมการข้าราชการพลเรือน",
        ["สำนักงาน ก.พ."],
        "Office of the Civil Service Commission",
        ["OCSC"],
        "สำนักนายกรัฐมนตรี",
    ),
    (
        "สำนักงานคณะกรรมการป้องกันและปราบปรามการทุจริตแห่งชาติ",
        ["ป.ป.ช."],
        "National Anti-Corruption Commission",
        ["NACC"],
        "",
    ),
    ("กรมอุตุนิยมวิทยา", [], "Thai Meteorological Department", ["TMD"], "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม"),
    (
        "สำนักงานทรัพยากรน้ำแห่งชาติ",
        ["สทนช."],
        "Office of the National Water Resources",
        ["ONWR"],
        "สำนักนายกรัฐมนตรี",
    ),
    (
        "กรมอุทยานแห่งชาติ สัตว์ป่า และพันธุ์พืช",
        ["อส."],
        "Department of National Parks, Wildlife and Plant Conservation",
        ["DNP"],
        "กระทรวงทรัพยากรธรรมชาติและสิ่งแวดล้อม",
    ),
    ("กรมป่าไม้", [], "Royal Forest Department", ["RFD"], "กระทรวงทรัพยากรธรรมชาติและสิ่งแวดล้อม"),
    (
        "กรมควบคุมมลพิษ",
        ["คพ."],
        "Pollution Control Department",
        ["PCD"],
        "กระทรวงทรัพยากรธรรมชาติและสิ่งแวดล้อม",
    ),
    (
        "การเคหะแห่งชาติ",
        ["กคช."],
        "National Housing Authority",
        ["NHA"],
        "กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์",
    ),
    ("ธนาคารอาคารสงเคราะห์", ["ธอส."], "Government Housing Bank", ["GHB"], "กระทรวงการคลัง"),
    (
        "สำนักงานกองทุนหมู่บ้านและชุมชนเมืองแห่งชาติ",
        ["สทบ."],
        "National Village and Urban Community Fund Office",
        [],
        "สำนักนายกรัฐมนตรี",
    ),
    ("กรมการพัฒนาชุมชน", ["พช."], "Community Development Department", ["CDD"], "กระทรวงมหาดไทย"),
    (
        "กรมประชาสัมพันธ์",
        ["กปส."],
        "Government Public Relations Department",
        ["PRD"],
        "สำนักนายกรัฐมนตรี",
    ),
    (
        "สำนักงานคณะกรรมการนโยบายเขตพัฒนาพิเศษภาคตะวันออก",
        ["สกพอ.", "อีอีซี"],
        "Eastern Economic Corridor Office",
        ["EEC"],
        "สำนักนายกรัฐมนตรี",
    ),
    ("กรมอนามัย", [], "Department of Health", [], "กระทรวงสาธารณสุข"),
    ("กรมการแพทย์", [], "Department of Medical Services", [], "กระทรวงสาธารณสุข"),
    (
        "กรมสนับสนุนบริการสุขภาพ",
        ["สบส."],
        "Department of Health Service Support",
        [],
        "กระทรวงสาธารณสุข",
    ),
    ("กรมบังคับคดี", [], "Legal Execution Department", ["LED"], "กระทรวงยุติธรรม"),
    ("กรมราชทัณฑ์", [], "Department of Corrections", [], "กระทรวงยุติธรรม"),
    ("กรมสอบสวนคดีพิเศษ", [], "Department of Special Investigation", ["DSI"], "กระทรวงยุติธรรม"),
    ("กรมการท่องเที่ยว", [], "Department of Tourism", [], "กระทรวงการท่องเที่ยวและกีฬา"),
    ("กรมเจ้าท่า", [], "Marine Department", [], "กระทรวงคมนาคม"),
    ("กรมท่าอากาศยาน", [], "Department of Airports", [], "กระทรวงคมนาคม"),
    (
        "กรมทรัพยากรน้ำ",
        [],
        "Department of Water Resources",
        ["DWR"],
        "กระทรวงทรัพยากรธรรมชาติและสิ่งแวดล้อม",
    ),
    (
        "สำนักงานนโยบายและแผนพลังงาน",
        ["สนพ."],
        "Energy Policy and Planning Office",
        ["EPPO"],
        "กระทรวงพลังงาน",
    ),
    ("กรมธุรกิจพลังงาน", [], "Department of Energy Business", [], "กระทรวงพลังงาน"),
    ("กรมพัฒนาธุรกิจการค้า", [], "Department of Business Development", ["DBD"], "กระทรวงพาณิชย์"),
    (
        "กรมส่งเสริมการค้าระหว่างประเทศ",
        [],
        "Department of International Trade Promotion",
        ["DITP"],
        "กระทรวงพาณิชย์",
    ),
    ("กรมเจรจาการค้าระหว่างประเทศ", [], "Department of Trade Negotiations", ["DTN"], "กระทรวงพาณิชย์"),
    (
        "กรมพัฒนาสังคมและสวัสดิการ",
        ["พส."],
        "Department of Social Development and Welfare",
        [],
        "กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์",
    ),
    (
        "กรมกิจการผู้สูงอายุ",
        ["ผส."],
        "Department of Older Persons",
        [],
        "กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์",
    ),
    (
        "กรมส่งเสริมและพัฒนาคุณภาพชีวิตคนพิการ",
        ["พก."],
        "Department of Empowerment of Persons with Disabilities",
        ["DEP"],
        "กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์",
    ),
    (
        "กรมกิจการเด็กและเยาวชน",
        ["ดย."],
        "Department of Children and Youth",
        [],
        "กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์",
    ),
    (
        "สำนักงานสถิติแห่งชาติ",
        ["สสช."],
        "National Statistical Office",
        ["NSO"],
        "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม",
    ),
    (
        "สำนักงานส่งเสริมเศรษฐกิจดิจิทัล",
        ["ดีป้า"],
        "Digital Economy Promotion Agency",
        ["depa"],
        "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม",
    ),
    ("สำนักงานกองทุนสนับสนุนการสร้างเสริมสุขภาพ", ["สสส."], "Thai Health Promotion Foundation", [], ""),
    ("สำนักเลขาธิการคณะรัฐมนตรี", ["สลค."], "Secretariat of the Cabinet", [], "สำนักนายกรัฐมนตรี"),
    ("สำนักงานคณะกรรมการกฤษฎีกา", ["สคก."], "Office of the Council of State", [], "สำนักนายกรัฐมนตรี"),
]

# Provinces grouped from the budget file are areas, not agencies; ``งบกลาง`` is a budget line.
NOT_AGENCY_GROUPS = ("งบกลาง", "จังหวัดและกลุ่มจังหวัด")


@dataclass(frozen=True)
class Agency:
    id: str  # the official Thai name, which is also the stable id
    name_en: str = ""
    ministry: str = ""
    aliases: tuple[str, ...] = field(default_factory=tuple)


def _clean(name: str) -> str:
    name = re.sub(r"\s*\(\d\)\s*$", "", name.strip())
    return re.sub(r"\s+", " ", name)


def build_gazetteer(budget_csv: Path) -> list[dict[str, Any]]:
    """Merge the budget bill's official unit names with the curated table into one list."""
    entries: dict[str, dict[str, Any]] = {}

    def put(name: str, ministry: str) -> None:
        if name and name not in entries:
            entries[name] = {"id": name, "name_en": "", "ministry": ministry, "aliases": []}

    opener = gzip.open if str(budget_csv).endswith(".gz") else open
    with opener(budget_csv, "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            ministry = _clean(row.get("MINISTRY") or "")
            unit = _clean(row.get("BUDGETARY_UNIT") or "")
            if not ministry or ministry.startswith(NOT_AGENCY_GROUPS):
                continue
            parent = ministry if ministry.startswith(("กระทรวง", "สำนักนายกรัฐมนตรี")) else ""
            if parent:
                put(ministry, "")
            put(unit, parent if unit != parent else "")
    for name, th_abbr, en, en_abbr, parent in CURATED:
        put(name, parent)
        entry = entries[name]
        entry["name_en"] = en
        entry["ministry"] = entry["ministry"] or parent
        entry["aliases"] = sorted({*entry["aliases"], *th_abbr, *en_abbr, *([en] if en else [])})
    for entry in entries.values():
        # "... (องค์การมหาชน)" is usually written without the suffix in news text.
        short = re.sub(r"\s*\(องค์การมหาชน\)$", "", entry["id"])
        if short != entry["id"]:
            entry["aliases"] = sorted({*entry["aliases"], short})
    return sorted(entries.values(), key=lambda e: e["id"])


class _Trie:
    """Builds a regular expression whose branches share prefixes, so it scans in one pass."""

    def __init__(self) -> None:
        self.root: dict[str, Any] = {}

    def add(self, word: str) -> None:
        node = self.root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True

    def pattern(self) -> str:
        return self._pattern(self.root) or ""

    def _pattern(self, node: dict[str, Any]) -> str | None:
        if "" in node and len(node) == 1:
            return None
        alts: list[str] = []
        optional = False
        for ch in sorted(node):
            if ch == "":
                optional = True
                continue
            sub = self._pattern(node[ch])
            alts.append(re.escape(ch) + (sub or ""))
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if optional:
            return "(?:" + body + ")?"
        return body


class Gazetteer:
    """Finds agencies in Thai and English text; returns canonical ids (official Thai names)."""

    def __init__(self, agencies: list[Agency]) -> None:
        self.agencies = {a.id: a for a in agencies}
        self._lookup: dict[str, str] = {}
        thai, latin = _Trie(), _Trie()
        for a in agencies:
            for surface in (a.id, *a.aliases):
                if len(surface) < 2:
                    continue
                key = surface if not surface.isascii() else surface.lower()
                self._lookup.setdefault(key, a.id)
                (latin if surface.isascii() else thai).add(key)
        self._thai = re.compile(thai.pattern())
        # English names and acronyms only as whole words.
        self._latin = re.compile(r"(?<![a-z0-9])(?:" + latin.pattern() + r")(?![a-z0-9])")

    def find(self, text: str) -> list[str]:
        """Agency ids in order of first mention; an abbreviation must not be glued to Thai letters."""
        seen: dict[str, None] = {}
        for m in self._thai.finditer(text):
            surface = m.group(0)
            if not surface:
                continue
            # a short abbreviation like "กษ." glued inside a Thai word is not a mention
            if len(surface) <= 8 and m.start() > 0 and "\u0e01" <= text[m.start() - 1] <= "\u0e4e":
                continue
            agency = self._lookup.get(surface)
            if agency:
                seen.setdefault(agency, None)
        lower = text.lower()
        for m in self._latin.finditer(lower):
            agency = self._lookup.get(m.group(0))
            if agency:
                seen.setdefault(agency, None)
        return list(seen)

    def ministry_of(self, agency_id: str) -> str:
        a = self.agencies.get(agency_id)
        return (a.ministry or a.id) if a else agency_id


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    raw = json.loads(
        resources.files("prasan.policy").joinpath("data/agencies.json").read_text(encoding="utf-8")
    )
    return Gazetteer(
        [
            Agency(
                id=e["id"],
                name_en=e["name_en"],
                ministry=e["ministry"],
                aliases=tuple(e["aliases"]),
            )
            for e in raw
        ]
    )


# -- budget amounts -------------------------------------------------------------------------

_MULT = {
    "": 1.0,
    "พัน": 1e3,
    "หมื่น": 1e4,
    "แสน": 1e5,
    "ล้าน": 1e6,
    "พันล้าน": 1e9,
    "หมื่นล้าน": 1e10,
    "แสนล้าน": 1e11,
    "ล้านล้าน": 1e12,
}
_AMOUNT = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(ล้านล้าน|แสนล้าน|หมื่นล้าน|พันล้าน|ล้าน|แสน|หมื่น|พัน)?\s*บาท")
_AMOUNT_EN = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(million|billion|trillion)?\s*baht", re.I)
_EN_MULT = {"": 1.0, "million": 1e6, "billion": 1e9, "trillion": 1e12}


def find_amounts(text: str) -> list[float]:
    """Budget amounts in baht (``1,500 ล้านบาท`` → 1.5e9), largest first, without repeats."""
    text = to_arabic_digits(text)
    found: set[float] = set()
    for m in _AMOUNT.finditer(text):
        try:
            value = float(m.group(1).replace(",", "")) * _MULT[m.group(2) or ""]
        except ValueError:
            continue
        if value >= 1000:  # "5 บาท" prices are not budgets
            found.add(round(value, 2))
    for m in _AMOUNT_EN.finditer(text):
        try:
            value = float(m.group(1).replace(",", "")) * _EN_MULT[(m.group(2) or "").lower()]
        except ValueError:
            continue
        if value >= 1000:
            found.add(round(value, 2))
    return sorted(found, reverse=True)


# -- target groups (beneficiaries) ----------------------------------------------------------

# canonical group -> surface forms (Thai first, English last); deliberately specific: a generic
# word such as ประชาชน ("the public") says nothing about who a programme is for.
TARGET_GROUPS: dict[str, tuple[str, ...]] = {
    "farmers": ("เกษตรกร", "ชาวนา", "ชาวสวน", "ชาวไร่", "farmer"),
    "fishers": ("ชาวประมง", "ประมงพื้นบ้าน", "ผู้ประกอบการประมง", "fisher"),
    "elderly": ("ผู้สูงอายุ", "คนชรา", "elderly", "older person"),
    "disabled": ("คนพิการ", "ผู้พิการ", "disabilit", "disabled"),
    "children": ("เด็กเล็ก", "เด็กและเยาวชน", "เด็กนักเรียน", "ทารก", "children"),
    "youth": ("เยาวชน", "youth"),
    "students": ("นักเรียน", "นักศึกษา", "student"),
    "low_income": (
        "ผู้มีรายได้น้อย",
        "คนยากจน",
        "ผู้ยากไร้",
        "บัตรสวัสดิการแห่งรัฐ",
        "คนจน",
        "low-income",
        "poor",
    ),
    "sme": ("วิสาหกิจขนาดกลางและขนาดย่อม", "เอสเอ็มอี", "ผู้ประกอบการรายย่อย", "SMEs", "SME"),
    "community_enterprise": ("วิสาหกิจชุมชน", "community enterprise"),
    "workers": ("ผู้ใช้แรงงาน", "ลูกจ้าง", "แรงงาน", "worker", "employee"),
    "unemployed": ("ผู้ว่างงาน", "ว่างงาน", "unemploy"),
    "migrant_workers": ("แรงงานต่างด้าว", "แรงงานข้ามชาติ", "migrant worker"),
    "patients": ("ผู้ป่วย", "patient"),
    "disaster_victims": ("ผู้ประสบภัย", "ผู้ประสบอุทกภัย", "ผู้ได้รับผลกระทบ", "disaster victim"),
    "tourists": ("นักท่องเที่ยว", "tourist"),
    "civil_servants": ("ข้าราชการ", "เจ้าหน้าที่ของรัฐ", "civil servant"),
    "teachers": ("ครู", "บุคลากรทางการศึกษา", "teacher"),
    "women": ("สตรี", "ผู้หญิง", "women"),
    "homeless": ("คนไร้บ้าน", "คนไร้ที่พึ่ง", "homeless"),
    "investors": ("นักลงทุน", "investor"),
    "exporters": ("ผู้ส่งออก", "exporter"),
    "consumers": ("ผู้บริโภค", "consumer"),
    "rubber_growers": ("ชาวสวนยาง", "เกษตรกรชาวสวนยาง", "rubber farmer"),
    "rice_farmers": ("ชาวนา", "เกษตรกรผู้ปลูกข้าว", "rice farmer"),
    "villages": ("หมู่บ้าน", "ชุมชน", "village", "communit"),
    "local_government": ("องค์กรปกครองส่วนท้องถิ่น", "อปท.", "local government"),
}
# a narrower group implies the wider one (a rubber grower is a farmer)
TARGET_PARENTS = {
    "rubber_growers": "farmers",
    "rice_farmers": "farmers",
    "migrant_workers": "workers",
}


@lru_cache(maxsize=1)
def _target_regex() -> tuple[re.Pattern[str], dict[str, str]]:
    lookup: dict[str, str] = {}
    trie = _Trie()
    for group, forms in TARGET_GROUPS.items():
        for surface in forms:
            lookup.setdefault(surface.lower(), group)
            trie.add(surface.lower())
    return re.compile(trie.pattern()), lookup


def find_targets(text: str) -> list[str]:
    """Target groups (beneficiaries) named in the text, as canonical group names."""
    rx, lookup = _target_regex()
    seen: dict[str, None] = {}
    for m in rx.finditer(text.lower()):
        group = lookup.get(m.group(0))
        if group:
            seen.setdefault(group, None)
            if group in TARGET_PARENTS:
                seen.setdefault(TARGET_PARENTS[group], None)
    return list(seen)


# -- areas (provinces) ----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _province_regex() -> tuple[re.Pattern[str], dict[str, str]]:
    raw = json.loads(
        resources.files("prasan.policy").joinpath("data/provinces.json").read_text(encoding="utf-8")
    )
    lookup: dict[str, str] = {}
    trie = _Trie()
    for th, en in raw:
        for surface in (th, en.lower()):
            lookup[surface] = th
            trie.add(surface)
    lookup["กทม."] = "กรุงเทพมหานคร"
    trie.add("กทม.")
    return re.compile(trie.pattern()), lookup


# Province names that are also everyday words: แพร่ "spread" (เผยแพร่ "publish"), ตาก "to dry",
# เลย "at all", กระบี่ "sword". They count only after จังหวัด/จ. (or in English).
_AMBIGUOUS_PROVINCES = frozenset({"แพร่", "ตาก", "เลย", "กระบี่"})
_PROVINCE_PREFIX = re.compile(r"(?:จังหวัด|จ\.)\s*$")


def find_areas(text: str) -> list[str]:
    """Provinces named in Thai or English (official Thai name)."""
    rx, lookup = _province_regex()
    seen: dict[str, None] = {}
    low = text.lower()
    for m in rx.finditer(low):
        name = lookup.get(m.group(0))
        if not name:
            continue
        if m.group(0) in _AMBIGUOUS_PROVINCES and not _PROVINCE_PREFIX.search(
            low[max(0, m.start() - 10) : m.start()]
        ):
            continue
        seen.setdefault(name, None)
    return list(seen)


REGIONS = {
    "ภาคตะวันออกเฉียงเหนือ": "region:northeast", "ภาคอีสาน": "region:northeast",
    "ภาคเหนือ": "region:north", "ภาคใต้": "region:south", "ภาคกลาง": "region:central",
    "ภาคตะวันออก": "region:east", "ภาคตะวันตก": "region:west",
}  # fmt: skip
_REGION = re.compile("|".join(sorted(REGIONS, key=len, reverse=True)))


def find_regions(text: str) -> list[str]:
    """Regions of Thailand named in Thai (``region:south`` ...)."""
    return list(dict.fromkeys(REGIONS[m.group(0)] for m in _REGION.finditer(text)))


_APPOINTMENT = re.compile(r"แต่งตั้ง|ให้ดำรงตำแหน่ง|โยกย้ายข้าราชการ|\bappoint", re.IGNORECASE)


def is_appointment(title: str) -> bool:
    """A personnel appointment (the labelling guide: never a policy relation)."""
    return bool(_APPOINTMENT.search(title))


# -- programme names ------------------------------------------------------------------------

_QUOTED = re.compile(r"[“\"]([^”\"\n]{3,60})[”\"]")
_PROGRAMME = re.compile(r"(?:โครงการ|มาตรการ|แผนงาน)([^\s“”\"()]{4,50})")
_GENERIC_PROGRAMME = ("ต่าง", "ดังกล่าว", "นี้", "ที่", "และ", "ของ", "เพื่อ", "ให้", "ใน")


def find_programmes(text: str) -> list[str]:
    """Named programmes and measures (quoted names, "โครงการ…" names): the same name in two items
    is the strongest sign they are about the same programme."""
    seen: dict[str, None] = {}
    for m in _QUOTED.finditer(text):
        name = re.sub(r"\s+", "", m.group(1)).lower()
        if len(name) >= 4:
            seen.setdefault(name, None)
    for m in _PROGRAMME.finditer(text):
        name = m.group(1).lower()
        if not name.startswith(_GENERIC_PROGRAMME):
            seen.setdefault(name, None)
    return list(seen)[:50]


def main(argv: list[str]) -> int:
    """``python -m prasan.policy.gazetteer BUDGET_CSV [PROVINCES_CSV]``: rebuild the data files."""
    out = Path(__file__).resolve().parent / "data"
    entries = build_gazetteer(Path(argv[0]))
    (out / "agencies.json").write_text(
        json.dumps(entries, ensure_ascii=False, indent=0) + "\n", encoding="utf-8"
    )
    print(f"{len(entries)} agencies -> {out / 'agencies.json'}")
    if len(argv) > 1:
        with Path(argv[1]).open(encoding="utf-8") as fh:
            provinces = [[r["name_th"], r["name_en"]] for r in csv.DictReader(fh)]
        (out / "provinces.json").write_text(
            json.dumps(provinces, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        print(f"{len(provinces)} provinces -> {out / 'provinces.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
