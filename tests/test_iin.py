"""The individual identification number (ИИН / ЖСН): what it encodes, and its check digit."""

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from juvenile.cases.iin import IINFacts, InvalidIIN, check_digit, make_iin, parse_iin

birth_dates = st.dates(min_value=date(1800, 1, 1), max_value=date(2099, 12, 31))
sexes = st.sampled_from(["m", "f"])
serials = st.integers(min_value=0, max_value=9999)


def _reason(iin: str) -> str:
    with pytest.raises(InvalidIIN) as refused:
        parse_iin(iin)
    return refused.value.reason


def _with_check_digit(first_eleven: str) -> str:
    digit = check_digit(first_eleven)
    assert digit is not None
    return f"{first_eleven}{digit}"


def _first_weighted_sum(first_eleven: str) -> int:
    return sum(int(c) * w for c, w in zip(first_eleven, range(1, 12), strict=True)) % 11


def _valid_iin():
    return st.builds(make_iin, birth_dates, sexes, serials).filter(lambda iin: iin is not None)


# --- properties ----------------------------------------------------------------------------


@given(birth_dates, sexes, serials)
def test_every_made_iin_reads_back_as_its_birth_date_and_sex(born, sex, serial):
    iin = make_iin(born, sex, serial)
    assume(iin is not None)
    assert len(iin) == 12 and iin.isdigit()
    assert parse_iin(iin) == IINFacts(birth_date=born, sex=sex)
    assert iin[7:11] == f"{serial:04d}"


@given(birth_dates, sexes, serials)
def test_a_serial_without_a_check_digit_gives_no_iin(born, sex, serial):
    iin = make_iin(born, sex, serial)
    prefix = f"{born:%y%m%d}"
    if iin is None:
        century = {1800: 1, 1900: 3, 2000: 5}[born.year // 100 * 100] + (sex == "f")
        assert check_digit(f"{prefix}{century}{serial:04d}") is None
    else:
        assert iin.startswith(prefix)


@given(_valid_iin(), st.integers(min_value=0, max_value=6), st.sampled_from("0123456789"))
def test_changing_a_date_or_century_digit_is_refused_or_changes_the_person(iin, position,
                                                                           digit):
    assume(iin[position] != digit)
    changed = iin[:position] + digit + iin[position + 1:]
    try:
        facts = parse_iin(changed)
    except InvalidIIN:
        return
    assert facts != parse_iin(iin)


@given(_valid_iin(), st.sampled_from("0123456789"))
def test_changing_the_check_digit_always_makes_the_iin_invalid(iin, digit):
    assume(iin[11] != digit)
    assert _reason(iin[:11] + digit) == "checksum"


@given(_valid_iin(), st.integers(min_value=0, max_value=9), st.sampled_from("0123456789"))
def test_the_check_digit_catches_a_single_changed_digit(iin, position, digit):
    """Weights 1..10 are invertible mod 11, so a change in any of the first ten digits
    moves the first weighted sum; it slips through only when the second weighting decides
    (a sum of 10) and happens to give the same check digit."""
    assume(iin[position] != digit)
    changed = iin[:position] + digit + iin[position + 1:]
    assume(_first_weighted_sum(iin[:11]) != 10 and _first_weighted_sum(changed[:11]) != 10)
    assert _reason(changed) == "checksum"


def test_the_eleventh_digit_is_not_guarded_by_the_first_weighting():
    # Its weight is 11 ≡ 0 (mod 11): the national rule cannot see a change there while
    # the first weighting applies. The serial differs, the person read from it does not.
    iin = make_iin(date(2011, 3, 14), "m", 1230)
    other = iin[:10] + "7" + iin[11]
    assert _first_weighted_sum(iin[:11]) != 10
    assert parse_iin(other) == parse_iin(iin)


# --- the check-digit rule by hand ------------------------------------------------------------


def test_check_digit_with_the_first_weighting():
    # 0·1 + 8·2 + 0·3 + 3·4 + 1·5 + 5·6 + 6·7 + 0·8 + 1·9 + 2·10 + 3·11 = 167 = 15·11 + 2
    assert check_digit("08031560123") == 2
    assert parse_iin("080315601232") == IINFacts(birth_date=date(2008, 3, 15), sex="f")
    assert _reason("080315601233") == "checksum"


def test_check_digit_falls_back_to_the_second_weighting_when_the_first_gives_10():
    # First: 1·4 + 1·6 + 5·7 + 2·10 = 65 = 5·11 + 10, so the second weighting is used:
    # 1·6 + 1·8 + 5·9 + 2·1 = 61 = 5·11 + 6.
    assert check_digit("00010150020") == 6
    assert parse_iin("000101500206") == IINFacts(birth_date=date(2000, 1, 1), sex="m")
    assert _reason("000101500200") == "checksum"


def test_a_number_is_invalid_when_both_weightings_give_10():
    # First: 1·4 + 1·6 + 5·7 + 2·10 + 2·11 = 87 = 7·11 + 10;
    # second: 1·6 + 1·8 + 5·9 + 2·1 + 2·2 = 65 = 5·11 + 10. No check digit can be right.
    assert check_digit("00010150022") is None
    assert make_iin(date(2000, 1, 1), "m", 22) is None
    for last in "0123456789":
        assert _reason(f"00010150022{last}") == "checksum"


# --- refusals and their reasons --------------------------------------------------------------


@pytest.mark.parametrize("iin", ["", "08031560123", "0803156012321", " 080315601232",
                                 "080315601232 "])
def test_wrong_length_is_refused_as_format(iin):
    assert _reason(iin) == "format"


@pytest.mark.parametrize("iin", ["08031560123A", "0803-5601232", "08031560123²",
                                 "٠٨٠٣١٥٦٠١٢٣٢", "+80315601232"])
def test_non_digits_are_refused_as_format(iin):
    assert _reason(iin) == "format"


@pytest.mark.parametrize("century_digit", "0789")
def test_a_century_digit_outside_1_to_6_is_refused(century_digit):
    iin = _with_check_digit(f"080315{century_digit}0123")
    assert _reason(iin) == "century"


@pytest.mark.parametrize("born", ["023012",  # 30 February
                                  "010229",  # 29 February 2001, not a leap year
                                  "081315",  # month 13
                                  "080300",  # day 0
                                  "080431"])  # 31 April
def test_impossible_birth_dates_are_refused(born):
    assert _reason(_with_check_digit(f"{born}50123")) == "date"


def test_29_february_of_a_leap_year_is_a_birth_date():
    iin = _with_check_digit("080229" + "60123")
    assert parse_iin(iin) == IINFacts(birth_date=date(2008, 2, 29), sex="f")
    # 1900 was not a leap year, 2000 was.
    assert _reason(_with_check_digit("000229" + "30123")) == "date"
    assert parse_iin(_with_check_digit("000229" + "50123")).birth_date == date(2000, 2, 29)


@pytest.mark.parametrize(("digit", "year", "sex"), [("1", 1899, "m"), ("2", 1899, "f"),
                                                    ("3", 1999, "m"), ("4", 1999, "f"),
                                                    ("5", 2099, "m"), ("6", 2099, "f")])
def test_the_seventh_digit_gives_century_and_sex(digit, year, sex):
    assert parse_iin(_with_check_digit(f"991231{digit}0001")) == IINFacts(
        birth_date=date(year, 12, 31), sex=sex)
