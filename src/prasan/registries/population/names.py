"""Small hand-made lists of Thai names and places with their usual romanisations.

Given names are common ones across generations; surnames are built from two common parts, the
way many Thai surnames are (ใจ + ดี = ใจดี, Jaidee), which gives about 900 plausible surnames
from 60 words. Roads, sois and villages are typical names, not claims about any real address.
"""

from __future__ import annotations

Pair = tuple[str, str]

MALE_GIVEN: tuple[Pair, ...] = (
    ("สมชาย", "Somchai"), ("สมศักดิ์", "Somsak"), ("สมพงษ์", "Somphong"), ("ประเสริฐ", "Prasert"),
    ("วิชัย", "Wichai"), ("สุรชัย", "Surachai"), ("อนุชา", "Anucha"), ("ณัฐพล", "Nattaphon"),
    ("ธนพล", "Thanaphon"), ("กิตติ", "Kitti"), ("ชัยวัฒน์", "Chaiwat"), ("วีระ", "Weera"),
    ("สุทธิพงษ์", "Sutthiphong"), ("ธีระ", "Theera"), ("บุญมี", "Boonmee"), ("สมบัติ", "Sombat"),
    ("อำนาจ", "Amnat"), ("เกียรติศักดิ์", "Kiattisak"), ("ศุภชัย", "Supachai"),
    ("พงศกร", "Phongsakorn"), ("ธนากร", "Thanakorn"), ("ภาณุวัฒน์", "Phanuwat"), ("ปิยะ", "Piya"),
    ("วรวุฒิ", "Worawut"), ("จิรายุ", "Chirayu"), ("ภูมิ", "Phum"), ("ณัฐวุฒิ", "Nattawut"),
    ("ศักดิ์ชัย", "Sakchai"), ("มานพ", "Manop"), ("สมเกียรติ", "Somkiat"), ("วิทยา", "Witthaya"),
    ("สุริยา", "Suriya"), ("อภิชาติ", "Aphichat"), ("ธนวัฒน์", "Thanawat"), ("ปรีชา", "Preecha"),
    ("ชาญชัย", "Chanchai"), ("นพดล", "Noppadon"), ("ยุทธนา", "Yutthana"), ("เอกชัย", "Ekkachai"),
    ("ก้องภพ", "Kongphop"), ("ปัณณวัฒน์", "Pannawat"), ("ธีรเดช", "Theeradet"),
    ("กฤษดา", "Kritsada"), ("ณรงค์", "Narong"), ("บุญเลิศ", "Boonlert"), ("สุเทพ", "Suthep"),
    ("วัชระ", "Watchara"), ("อดิศร", "Adisorn"), ("พีรพัฒน์", "Peerapat"), ("ก้อง", "Kong"),
)  # fmt: skip

FEMALE_GIVEN: tuple[Pair, ...] = (
    ("สมหญิง", "Somying"), ("มาลี", "Malee"), ("สุดา", "Suda"), ("วิภา", "Wipha"),
    ("นภา", "Napha"), ("อรุณี", "Arunee"), ("กาญจนา", "Kanchana"), ("ปวีณา", "Paweena"),
    ("ณัฐธิดา", "Natthida"), ("สุภาพร", "Supaporn"), ("วันเพ็ญ", "Wanphen"),
    ("จันทร์เพ็ญ", "Chanphen"), ("รัตนา", "Rattana"), ("สมศรี", "Somsri"), ("บุษบา", "Butsaba"),
    ("พรทิพย์", "Phornthip"), ("ศิริพร", "Siriporn"), ("อรทัย", "Orathai"),
    ("กนกวรรณ", "Kanokwan"), ("ปิยะนุช", "Piyanuch"), ("วราภรณ์", "Waraporn"), ("นิภา", "Nipha"),
    ("ลำดวน", "Lamduan"), ("บัวผัน", "Buaphan"), ("ทองใบ", "Thongbai"), ("มณี", "Manee"),
    ("ชนิดา", "Chanida"), ("ธิดารัตน์", "Thidarat"), ("พิมพ์ชนก", "Phimchanok"), ("ณิชา", "Nicha"),
    ("ปุณยาพร", "Punyaporn"), ("กมลชนก", "Kamonchanok"), ("อัญชลี", "Anchalee"),
    ("เยาวลักษณ์", "Yaowalak"), ("จิราพร", "Chiraporn"), ("ดวงใจ", "Duangjai"),
    ("สายสุนีย์", "Saisunee"), ("ประภาพร", "Praphaporn"), ("อุไรวรรณ", "Uraiwan"),
    ("เพ็ญศรี", "Phensri"), ("นงลักษณ์", "Nonglak"), ("ขวัญใจ", "Khwanjai"), ("ศศิธร", "Sasithorn"),
    ("วิไลวรรณ", "Wilaiwan"), ("ภัทรา", "Phattra"), ("สุนิสา", "Sunisa"), ("มะลิ", "Mali"),
    ("พรรณี", "Phannee"), ("ยุพา", "Yupha"), ("แพรวา", "Praewa"),
)  # fmt: skip

SURNAME_HEADS: tuple[Pair, ...] = (
    ("ใจ", "Jai"), ("แสง", "Saeng"), ("บุญ", "Boon"), ("ศรี", "Sri"), ("ทอง", "Thong"),
    ("สุข", "Suk"), ("แก้ว", "Kaew"), ("เพชร", "Phet"), ("ชัย", "Chai"), ("รัตน", "Rattana"),
    ("มั่น", "Man"), ("พร", "Phon"), ("จันทร์", "Chan"), ("วงศ์", "Wong"), ("เกษม", "Kasem"),
    ("ทรัพย์", "Sap"), ("สุวรรณ", "Suwan"), ("ประเสริฐ", "Prasoet"), ("มณี", "Manee"),
    ("พัฒน", "Phatthana"), ("ศักดิ์", "Sak"), ("กิตติ", "Kitti"), ("อินทร์", "In"), ("นาค", "Nak"),
    ("เจริญ", "Charoen"), ("พูล", "Phun"), ("สาย", "Sai"), ("ภักดี", "Phakdi"),
    ("สิทธิ", "Sitthi"), ("วิเศษ", "Wiset"),
)  # fmt: skip

SURNAME_TAILS: tuple[Pair, ...] = (
    ("ดี", "dee"), ("ทอง", "thong"), ("สุข", "suk"), ("วงศ์", "wong"), ("ศรี", "sri"),
    ("ชัย", "chai"), ("มา", "ma"), ("งาม", "ngam"), ("เจริญ", "charoen"), ("สวัสดิ์", "sawat"),
    ("พันธ์", "phan"), ("รักษ์", "rak"), ("กุล", "kun"), ("เดช", "det"), ("ไพศาล", "phaisan"),
    ("สมบูรณ์", "sombun"), ("ประเสริฐ", "prasoet"), ("แก้ว", "kaew"), ("ศักดิ์", "sak"),
    ("บุตร", "but"), ("ยิ่ง", "ying"), ("อ่อน", "on"), ("ใส", "sai"), ("เรือง", "rueang"),
    ("ธรรม", "tham"), ("วัฒนา", "watthana"), ("นิมิตร", "nimit"), ("ภักดี", "phakdi"),
    ("อุดม", "udom"), ("มงคล", "mongkhon"),
)  # fmt: skip

SURNAMES: tuple[Pair, ...] = tuple(
    (h_th + t_th, h_en + t_en)
    for h_th, h_en in SURNAME_HEADS
    for t_th, t_en in SURNAME_TAILS
    if h_th != t_th
)

BANGKOK_ROADS: tuple[Pair, ...] = (
    ("สุขุมวิท", "Sukhumvit"), ("พหลโยธิน", "Phahonyothin"), ("ลาดพร้าว", "Lat Phrao"),
    ("รัชดาภิเษก", "Ratchadaphisek"), ("เพชรบุรี", "Phetchaburi"), ("พระรามที่ 4", "Rama IV"),
    ("พระรามที่ 9", "Rama IX"), ("รามคำแหง", "Ramkhamhaeng"),
    ("จรัญสนิทวงศ์", "Charan Sanitwong"), ("เจริญกรุง", "Charoen Krung"),
    ("ประชาราษฎร์บำเพ็ญ", "Pracha Rat Bamphen"), ("งามวงศ์วาน", "Ngamwongwan"),
    ("วิภาวดีรังสิต", "Vibhavadi Rangsit"), ("ศรีนครินทร์", "Srinagarindra"),
    ("เพชรเกษม", "Phetkasem"), ("สาทร", "Sathon"), ("อ่อนนุช", "On Nut"),
    ("พัฒนาการ", "Phatthanakan"), ("ประชาชื่น", "Pracha Chuen"), ("บางนา-ตราด", "Bang Na-Trat"),
)  # fmt: skip

TOWN_ROADS: tuple[Pair, ...] = (
    ("ราษฎร์อุทิศ", "Rat Uthit"), ("มิตรภาพ", "Mittraphap"), ("ศรีจันทร์", "Si Chan"),
    ("หน้าเมือง", "Na Mueang"), ("เทศบาล 1", "Thetsaban 1"), ("ประชาสโมสร", "Pracha Samoson"),
    ("เจริญราษฎร์", "Charoen Rat"), ("โพธิ์ศรี", "Pho Si"), ("สุขาภิบาล 1", "Sukhaphiban 1"),
    ("ประชาอุทิศ", "Pracha Uthit"), ("ศรีสุข", "Si Suk"), ("ทรงพล", "Song Phon"),
)  # fmt: skip

VILLAGES: tuple[Pair, ...] = (
    ("บ้านหนองบัว", "Ban Nong Bua"), ("บ้านโนนสูง", "Ban Non Sung"), ("บ้านดอนแก้ว", "Ban Don Kaeo"),
    ("บ้านท่าช้าง", "Ban Tha Chang"), ("บ้านหนองแวง", "Ban Nong Waeng"),
    ("บ้านป่าแดง", "Ban Pa Daeng"), ("บ้านนาคำ", "Ban Na Kham"), ("บ้านห้วยทราย", "Ban Huai Sai"),
    ("บ้านโคกกลาง", "Ban Khok Klang"), ("บ้านหนองหิน", "Ban Nong Hin"),
    ("บ้านสันทราย", "Ban San Sai"), ("บ้านทุ่งใหญ่", "Ban Thung Yai"), ("บ้านบ่อทอง", "Ban Bo Thong"),
    ("บ้านวังน้ำเย็น", "Ban Wang Nam Yen"), ("บ้านโพธิ์ทอง", "Ban Pho Thong"),
    ("บ้านหัวนา", "Ban Hua Na"), ("บ้านดงมะไฟ", "Ban Dong Mafai"), ("บ้านท่าข้าม", "Ban Tha Kham"),
    ("บ้านศรีสุข", "Ban Si Suk"), ("บ้านหนองไผ่", "Ban Nong Phai"), ("บ้านนาดี", "Ban Na Di"),
    ("บ้านเหล่างาม", "Ban Lao Ngam"), ("บ้านใหม่", "Ban Mai"), ("บ้านป่าก่อ", "Ban Pa Ko"),
    ("บ้านคลองใหม่", "Ban Khlong Mai"), ("บ้านบางพระ", "Ban Bang Phra"),
    ("บ้านทุ่งสว่าง", "Ban Thung Sawang"), ("บ้านเขาแก้ว", "Ban Khao Kaeo"),
)  # fmt: skip
