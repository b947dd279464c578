"""The answer grid in a real browser: a full Phillips grid typed from the keyboard."""

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from juvenile.diagnostics import library
from juvenile.diagnostics.models import Assessment
from juvenile.extensions import db as _db
from tests.browser.test_case_journeys import signed_in_as

pytestmark = pytest.mark.browser


def test_a_full_phillips_grid_is_typed_from_the_keyboard(page: Page, live_server, texts,
                                                         world, make_case):
    kk = texts.kk
    library.ensure_library()
    _db.session.commit()
    case = make_case(world.orgs["school1"], birth_date=date(2014, 5, 1))  # 12: in range
    signed_in_as(page, live_server, texts, "psychologist")
    page.goto(f"/minors/{case.minor.id}/assessments/new?instrument=phillips")
    cells = page.locator(".answer-grid input.answer")
    expect(cells).to_have_count(58)
    missing = page.locator("#missing-items")

    cells.first.click()
    page.keyboard.type("yn10")            # digits on a yes/no grid read as yes and no
    expect(cells.nth(3)).to_have_value("n")
    expect(cells.nth(4)).to_be_focused()  # moved on by itself
    page.keyboard.press("x")              # not an answer: ignored, the cursor stays
    expect(cells.nth(4)).to_have_value("")
    expect(cells.nth(4)).to_be_focused()
    page.keyboard.press("Backspace")      # on an empty item: back one, and clear it
    expect(cells.nth(3)).to_be_focused()
    expect(cells.nth(3)).to_have_value("")
    expect(missing).to_contain_text(kk("Unanswered items:") + " 4, 5, 6")

    page.keyboard.type("n" * 54)
    expect(missing).to_contain_text(kk("Unanswered items:") + " 58")
    page.keyboard.type("y")
    expect(missing).to_have_text(kk("Every item is answered."))
    expect(cells.nth(57)).to_have_value("y")

    page.get_by_role("button", name=kk("Score and save"), exact=True).click()
    expect(page.locator("#level")).to_be_visible()
    expect(page.locator("#answers li")).to_have_count(58)
    _db.session.expire_all()
    assessment = _db.session.query(Assessment).one()
    assert assessment.answers["1"] == "y" and assessment.answers["2"] == "n"
    assert assessment.answers["3"] == "y" and len(assessment.answers) == 58
