import pytest

from prasan.core.errors import InvalidCitizenId
from prasan.core.ids import check_digit, format_citizen_id, validate_citizen_id


def test_valid_id_in_any_printed_form() -> None:
    assert validate_citizen_id("1101700203450") == "1101700203450"
    assert validate_citizen_id("1-1017-00203-45-0") == "1101700203450"
    assert validate_citizen_id("๑๑๐๑๗๐๐๒๐๓๔๕๐") == "1101700203450"
    assert format_citizen_id("1101700203450") == "1-1017-00203-45-0"


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("1101700203451", "fails its check digit: check the 13 digits"),
        ("110170020345", "has 12 digits: a citizen ID has 13"),
        ("11017002034x0", "contains 'x'"),
        ("0101700203450", "starts with 0"),
        ("", "is empty"),
    ],
)
def test_bad_id_says_what_is_wrong(raw: str, says: str) -> None:
    with pytest.raises(InvalidCitizenId) as err:
        validate_citizen_id(raw)
    assert says in err.value.detail
    assert err.value.detail_th != err.value.detail  # a Thai message too
    assert err.value.errors[0]["field"] == "citizen_id"


def test_check_digit_agrees_with_stdnum() -> None:
    from stdnum.th import pin

    for first12 in ("110170020345", "310040012345", "599990000001"):
        assert pin.is_valid(first12 + check_digit(first12))
