"""The monthly missed-lessons screen in a real browser: the social pedagogue types last
month's missed lessons of a class with the keyboard only, then a refused row keeps what
was typed."""

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale
from flask_babel import ngettext as babel_ngettext
from playwright.sync_api import Page, expect
from sqlalchemy import select

from juvenile.cases.dates import today
from juvenile.education import queries
from juvenile.education.models import MonthlyAttendance
from juvenile.extensions import db as _db
from tests.browser.test_case_journeys import signed_in_as
from tests.browser.test_journeys import nav_link

pytestmark = pytest.mark.browser


def _saved(texts, count: int) -> str:
    with texts.app.app_context(), force_locale("kk"):
        return babel_ngettext("%(num)d row saved.", "%(num)d rows saved.", count)


def _stored(month) -> dict[int, tuple]:
    _db.session.expire_all()
    return {r.minor_id: (r.lessons, r.missed_excused, r.missed_unexcused)
            for r in _db.session.scalars(select(MonthlyAttendance).where(
                MonthlyAttendance.month == month))}


def _type(page: Page, keys: str) -> None:
    page.keyboard.type(keys)


def test_social_pedagogue_types_last_months_missed_lessons_with_the_keyboard(
        page: Page, live_server, texts, world, make_case):
    kk = texts.kk
    with live_server.app.app_context():
        day = today()
    month = queries.previous_month(day)
    pupils = []
    for surname, grade in (("Бекова", "8А"), ("Әбенов", "8А"), ("Ахметов", "7Б")):
        case = make_case(world.orgs["school1"], surname=surname,
                         enrolled_on=day - timedelta(days=90))
        case.minor.grade = grade
        pupils.append(case)
    make_case(world.orgs["school2"], surname="Басқа", enrolled_on=day - timedelta(days=90))
    _db.session.commit()
    ahmetov, abenov, bekova = pupils[2], pupils[1], pupils[0]  # 7Б, then 8А: Ә before Б

    signed_in_as(page, live_server, texts, "social_pedagogue")
    nav_link(page, kk, "Missed lessons").click()
    expect(page.locator("#month")).to_have_value(month.strftime("%Y-%m"))
    rows = page.locator("tr.attendance-row")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Ахметов")
    expect(rows.nth(1)).to_contain_text("Әбенов")
    expect(rows.nth(2)).to_contain_text("Бекова")

    # From the top field on, only the keyboard: Tab and Enter move on, digits only.
    page.locator("#lessons").focus()
    _type(page, "80")
    page.keyboard.press("Tab")
    expect(page.locator("#rows-0-lessons")).to_be_focused()
    expect(page.locator("#rows-0-lessons")).to_have_attribute("placeholder", "80")
    page.keyboard.press("Tab")
    _type(page, "2")
    page.keyboard.press("Enter")                 # Enter moves on, it does not submit
    expect(page.locator("#rows-0-unexcused")).to_be_focused()
    _type(page, "1")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")                 # past the second row's lessons
    _type(page, "x0")                            # a letter is not typed
    expect(page.locator("#rows-1-excused")).to_have_value("0")
    page.keyboard.press("Tab")
    _type(page, "3")
    page.keyboard.press("Tab")
    _type(page, "76")                            # this pupil's class had fewer lessons
    page.keyboard.press("Tab")
    _type(page, "5")
    page.keyboard.press("Tab")
    _type(page, "0")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=kk("Save the month"), exact=True)).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text(_saved(texts, 3))
    expect(page.locator("#rows-0-lessons")).to_have_value("80")
    expect(page.locator("#rows-0-excused")).to_have_value("2")
    expect(page.locator("#rows-0-unexcused")).to_have_value("1")
    expect(page.locator("#rows-1-unexcused")).to_have_value("3")
    expect(page.locator("#rows-2-lessons")).to_have_value("76")
    expect(page.locator("#rows-2-excused")).to_have_value("5")
    assert _stored(month) == {ahmetov.minor.id: (80, 2, 1), abenov.minor.id: (80, 0, 3),
                              bekova.minor.id: (76, 5, 0)}

    # Too many missed lessons: checked as typed, then refused beside the row's field.
    page.locator("#rows-1-unexcused").focus()
    _type(page, "90")
    expect(rows.nth(1).locator(".live-check")).to_have_text(
        kk("More missed lessons than lessons in the month."))
    page.keyboard.press("Tab")
    _type(page, "70")                            # the next row changes too
    page.get_by_role("button", name=kk("Save the month"), exact=True).click()

    error = page.locator("#rows-1-unexcused-error")
    expect(error).to_have_text(kk(
        "%(missed)s missed lessons are more than the month's %(lessons)s lessons.",
        missed=90, lessons=80))
    expect(page.locator("#rows-1-unexcused")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#rows-1-unexcused")).to_have_value("90")
    expect(page.locator("#rows-2-lessons")).to_have_value("70")
    expect(page.get_by_role("alert").first).to_contain_text(
        kk("Nothing was saved: correct the rows marked below."))
    assert _stored(month)[abenov.minor.id] == (80, 0, 3)
    assert _stored(month)[bekova.minor.id] == (76, 5, 0)
    expect(page).to_have_url(re.compile(r"/attendance\?month=\d{4}-\d{2}$"))
