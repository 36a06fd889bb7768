import datetime as dt

import pytest

from prasan.core.errors import InvalidDate
from prasan.core.thai import format_date, parse_date, to_arabic_digits, to_thai_digits

MEETING = dt.date(2018, 3, 9)  # the committee's first meeting of 2561


def test_format_buddhist_era() -> None:
    assert format_date(MEETING) == "9 มีนาคม 2561"
    assert format_date(MEETING, style="short") == "9 มี.ค. 2561"
    assert format_date(MEETING, thai_digits=True) == "๙ มีนาคม ๒๕๖๑"
    assert format_date(MEETING, style="full") == "วันศุกร์ที่ 9 มีนาคม 2561"
    assert format_date(MEETING, lang="en") == "9 March 2018"


@pytest.mark.parametrize(
    "text",
    [
        "๙ มีนาคม ๒๕๖๑",
        "9 มี.ค. 2561",
        "9 มี.ค. 61",
        "วันศุกร์ที่ 9 มีนาคม 2561",
        "9 มีนาคม พ.ศ. 2561",
        "9 March 2018",
        "2018-03-09",
    ],
)
def test_parse_the_ways_documents_write_dates(text: str) -> None:
    assert parse_date(text) == MEETING


def test_round_trip_every_day_of_a_year() -> None:
    day = dt.date(2020, 1, 1)
    while day.year == 2020:
        for style in ("long", "short", "full"):
            assert parse_date(format_date(day, style=style, thai_digits=True)) == day  # type: ignore[arg-type]
        day += dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("31 กุมภาพันธ์ 2561", "not a real date"),
        ("9 Smarch 2018", "not a month name"),
        ("soon", "Cannot read"),
    ],
)
def test_unreadable_dates_say_how_to_write_them(text: str, says: str) -> None:
    with pytest.raises(InvalidDate) as err:
        parse_date(text)
    assert says in err.value.detail


def test_numerals() -> None:
    assert to_thai_digits("2561") == "๒๕๖๑"
    assert to_arabic_digits("๒๕๖๑") == "2561"
