"""The Kazakhstan individual identification number (ИИН / ЖСН) of a person.

12 digits: birth date YYMMDD, a century-and-sex digit (1/2 → 1800s, 3/4 → 1900s,
5/6 → 2000s; odd male, even female), four serial digits and a check digit: the sum of
the first 11 digits weighted 1..11, mod 11; if that is 10, weights 3..11,1,2, mod 11; if
that is 10 again the number is invalid.
"""

from dataclasses import dataclass
from datetime import date

_FIRST_WEIGHTS = tuple(range(1, 12))
_SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_CENTURIES = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}


class InvalidIIN(ValueError):
    """The reason is one of: "format", "checksum", "date", "century"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class IINFacts:
    birth_date: date
    sex: str  # "m" or "f"


def check_digit(first_eleven: str) -> int | None:
    """The check digit of 11 digits, or None when no digit can be valid."""
    digits = [int(c) for c in first_eleven]
    for weights in (_FIRST_WEIGHTS, _SECOND_WEIGHTS):
        value = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if value != 10:
            return value
    return None


def parse_iin(iin: str) -> IINFacts:
    """Validate an IIN and read the birth date and sex it encodes. Raises InvalidIIN."""
    if len(iin) != 12 or not iin.isascii() or not iin.isdigit():
        raise InvalidIIN("format")
    if check_digit(iin[:11]) != int(iin[11]):
        raise InvalidIIN("checksum")
    century = _CENTURIES.get(iin[6])
    if century is None:
        raise InvalidIIN("century")
    try:
        born = date(century + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    except ValueError:
        raise InvalidIIN("date") from None
    return IINFacts(birth_date=born, sex="m" if int(iin[6]) % 2 else "f")


def make_iin(birth_date: date, sex: str, serial: int) -> str | None:
    """An IIN for a birth date, sex and serial (0–9999), or None if that serial has no
    valid check digit. Used by the demo region and the tests."""
    century_digit = {1800: 1, 1900: 3, 2000: 5}[birth_date.year // 100 * 100]
    if sex == "f":
        century_digit += 1
    first = f"{birth_date:%y%m%d}{century_digit}{serial:04d}"
    digit = check_digit(first)
    return None if digit is None else f"{first}{digit}"
