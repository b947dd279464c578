"""The social pedagogue records a home visit on a tablet and prints its act.

A tablet viewport (820×1180, portrait); expected texts come from the app's catalogues
(Kazakh, a fresh browser's language).
"""

import re

import pytest
from flask_babel import force_locale, ngettext
from playwright.sync_api import expect

from juvenile.cases.dates import today
from tests.browser.test_case_journeys import signed_in_as
from tests.test_familywork_pdf import pdf_title

pytestmark = pytest.mark.browser

TABLET = {"width": 820, "height": 1180}


def _fill_row(page, prefix: str, values: dict) -> None:
    for name, value in values.items():
        page.locator(f"#{prefix}-{name}").fill(value)


def test_social_pedagogue_records_a_home_visit_and_prints_the_act(page, live_server, texts,
                                                                   world, make_case):
    kk = texts.kk
    case = make_case(world.orgs["school1"], responsible=world.users["social_pedagogue"])
    minor_name = "Әбенов Нұрсұлтан"
    page.set_viewport_size(TABLET)
    signed_in_as(page, live_server, texts, "social_pedagogue")

    page.goto(f"/minors/{case.minor.id}")
    panel = page.locator("#family-work-panel")
    expect(panel).to_contain_text(kk("No home visit recorded yet."))
    panel.get_by_role("link", name=kk("Record a home visit"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(kk("Record a home visit"))

    # Made for a tablet: one column, nothing wider than the screen, large targets.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    save = page.get_by_role("button", name=kk("Save the act"), exact=True)
    assert save.bounding_box()["height"] >= 44
    name_box = page.locator("#participants-0-name").bounding_box()
    position_box = page.locator("#participants-0-position").bounding_box()
    assert position_box["y"] > name_box["y"] + name_box["height"] - 1  # stacked, not side by side

    # The date, the address and the first participant (the user) are filled in already.
    expect(page.locator("#visited_on")).to_have_value(today().isoformat())
    expect(page.locator("#address")).to_have_value("Тараз, Абай көшесі 1")
    expect(page.locator("#participants-0-name")).to_have_value(
        world.users["social_pedagogue"].full_name)

    _fill_row(page, "participants-1", {"name": "Омаров Қанат",
                                       "position": "учаскелік инспектор",
                                       "organisation": "Полиция бөлімі"})
    _fill_row(page, "household-0", {"name": "Әбенова Гүлмира", "relation": "анасы",
                                    "birth_year": "1985", "occupation": "сатушы"})
    page.locator("#housing_type").select_option("apartment")
    page.locator("#rooms").fill("2")
    page.get_by_label(kk("adequate"), exact=True).first.check()  # the housing
    page.locator("#material_conditions-2").check()
    page.locator("#supervision-1").check()
    page.get_by_label(kk("low income"), exact=True).check()
    page.locator("#conclusions").fill("Отбасы қиын жағдайда")
    page.locator("#recommendations").fill("Әлеуметтік көмекке жолдау")

    # One more participant row, without losing anything typed.
    page.get_by_role("button", name=re.compile(re.escape(kk("Add a participant")))).click()
    expect(page.locator("#participants-2-name")).to_be_visible()
    expect(page.locator("#participants-1-name")).to_have_value("Омаров Қанат")
    expect(page.locator("#conclusions")).to_have_value("Отбасы қиын жағдайда")
    expect(page.get_by_label(kk("low income"), exact=True)).to_be_checked()

    # A name without a position is refused beside the position; the typing is kept.
    page.locator("#participants-2-name").fill("Жақыпова Сәуле")
    page.get_by_role("button", name=kk("Save the act"), exact=True).click()
    error = page.locator("#participants-2-position-error")
    expect(error).to_have_text(kk("Write the participant's position."))
    expect(page.locator("#participants-2-position")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#household-0-birth_year")).to_have_value("1985")
    page.locator("#participants-2-name").fill("")  # two participants after all

    page.get_by_role("button", name=kk("Save the act"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        kk("Act of inspection of living conditions"))
    participants = page.locator("#act-participants li")
    expect(participants).to_have_count(2)
    expect(participants.nth(1)).to_contain_text("Омаров Қанат")
    expect(page.locator("#act-household")).to_contain_text("Әбенова Гүлмира")
    expect(page.locator("#act-conclusions")).to_have_text("Отбасы қиын жағдайда")

    # The printable act: a PDF titled with the minor's name.
    link = page.locator("#act-pdfs").get_by_role("link", name=re.compile(r"^PDF · Қазақша$"))
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF-")
    assert minor_name in pdf_title(body)

    # Back on the case page: the visit is counted and the act is a click away.
    page.goto(f"/minors/{case.minor.id}")
    expect(page.locator("#home-visit-count")).to_have_text(_visits(texts, 1))
    expect(page.locator("#latest-act")).to_contain_text("Отбасы қиын жағдайда")


def _visits(texts, count: int) -> str:
    with texts.app.app_context(), force_locale("kk"):
        return ngettext("%(num)d home visit recorded.", "%(num)d home visits recorded.", count)
