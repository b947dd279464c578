"""The safety protocol in a real browser: an acute ASQ through to a completed safety plan
and a cleared crisis flag, seen by the responsible psychologist and the deputy head.

Expected texts come from the app's catalogues (``texts``), in Kazakh (a fresh browser's
language).
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from juvenile.cases.dates import today
from juvenile.diagnostics import library, protocol, queries
from juvenile.extensions import db as _db
from tests.browser.conftest import DEFAULT_TIMEOUT_MS
from tests.browser.test_case_journeys import CASE_FILE_URL, case_action, signed_in_as
from tests.browser.test_journeys import nav_link

pytestmark = pytest.mark.browser

EPISODE_URL = re.compile(r"/episodes/\d+$")

#: The six parts of the plan (form labels) and what the psychologist writes in each.
PLAN = {
    "1. Warning signs": "Ұйқысы бұзылады, ешкіммен сөйлеспейді.",
    "2. Internal coping strategies": "Музыка тыңдау, суретсалу.",
    "3. People and places that distract": "Апасы, спорт секциясы.",
    "4. People to ask for help": "Анасы: +7 701 000 00 00.",
    "5. Professionals and crisis lines": "Мектеп психологы, 103, 150.",
    "6. Making the environment safe": "Дәрілерді анасы құлыптап қойды.",
}


#: The acute checklist (protocol.CHECKLIST), with the labels of its steps.
CHECKLIST = {
    "not_alone": "The minor is not left alone",
    "means_removed": "Dangerous means removed",
    "representative_informed": "Legal representative informed",
    "health_contacted": "Health services (psychiatrist or emergency) contacted",
}


def crisis_banner(page: Page):
    return page.locator("#crisis-alert")


def other_browser_page(browser, live_server) -> Page:
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return context.new_page()


def test_acute_asq_to_a_safety_plan_and_a_cleared_flag(page: Page, browser, live_server,
                                                       texts, world, make_case):
    kk = texts.kk
    library.ensure_library()
    _db.session.commit()
    psychologist = world.users["psychologist"]
    case = make_case(world.orgs["school1"], responsible=psychologist, surname="Асқаров")
    minor = case.minor
    asq_name = queries.instrument_by_code("asq").name_kk
    open_link = kk("Open the safety protocol and acknowledge the alert")
    acute = kk("acute positive")

    # The psychologist opens the case and records an acute ASQ through the grid.
    signed_in_as(page, live_server, texts, "psychologist")
    nav_link(page, kk, "Find a minor").click()
    page.get_by_label(kk("IIN or name"), exact=True).fill(minor.iin)
    page.get_by_role("button", name=kk("Search"), exact=True).click()
    page.get_by_role("link", name=minor.full_name, exact=True).click()
    expect(page).to_have_url(CASE_FILE_URL)
    case_url = page.url
    expect(crisis_banner(page)).to_have_count(0)
    page.locator("#assessments").get_by_role(
        "link", name=kk("Record an assessment"), exact=True).click()
    page.get_by_role("link", name=asq_name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(asq_name)
    cells = page.locator(".answer-grid input.answer")
    expect(cells).to_have_count(5)
    cells.first.click()
    page.keyboard.type("ynnny")           # item 1 yes, items 2-4 no, item 5 yes: acute
    expect(page.locator("#missing-items")).to_have_text(kk("Every item is answered."))
    expect(cells.nth(0)).to_have_value("y")
    expect(cells.nth(4)).to_have_value("y")
    page.get_by_role("button", name=kk("Score and save"), exact=True).click()

    expect(page.locator("#screen")).to_have_text(acute)
    expect(page.get_by_role("status")).to_have_text(kk("The assessment is recorded."))
    expect(page.get_by_role("alert").filter(has_text=kk(
        "The crisis flag is raised: follow the safety protocol on the case page."))) \
        .to_have_count(1)
    banner = crisis_banner(page)
    expect(banner).to_contain_text(minor.full_name)
    expect(banner).to_contain_text(f"{kk('Crisis')} ({kk('acute')})")

    # The banner follows the psychologist: the case file, the home page.
    page.get_by_role("link", name=kk("Back to the case"), exact=True).click()
    expect(page).to_have_url(CASE_FILE_URL)
    expect(crisis_banner(page)).to_contain_text(minor.full_name)
    expect(page.locator("#crisis")).to_contain_text(kk("Crisis"))
    expect(page.locator("#crisis-panel dd").nth(2)).to_have_text(kk("open"))  # its state
    # While the flag stands the case cannot be closed: the closing page has no form.
    case_action(page, kk("Close the case")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(kk("Close the case"))
    expect(page.locator("#closure-rules")).to_contain_text(
        kk("A case cannot be closed while its crisis flag stands."))
    expect(page.get_by_role("button", name=kk("Close the case"), exact=True)).to_have_count(0)
    nav_link(page, kk, "Home").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(crisis_banner(page)).to_contain_text(minor.full_name)

    # The deputy head, in another browser, is alerted too.
    deputy = other_browser_page(browser, live_server)
    try:
        signed_in_as(deputy, live_server, texts, "school_admin")
        expect(crisis_banner(deputy)).to_contain_text(minor.full_name)
        expect(crisis_banner(deputy).get_by_role("link", name=open_link, exact=True)) \
            .to_be_visible()

        # The psychologist opens the episode from the banner and acknowledges the alert.
        crisis_banner(page).get_by_role("link", name=open_link, exact=True).click()
        expect(page).to_have_url(EPISODE_URL)
        episode_url = page.url
        expect(page.get_by_role("heading", level=1)).to_have_text(kk("Safety protocol"))
        state = page.locator("#episode-state dd").first
        expect(state).to_have_text(kk("open"))
        expect(page.locator("#episode-state")).to_contain_text(
            kk("ASQ: acute positive"))
        alert_list = page.locator("#alert li")
        expect(alert_list).to_have_count(2)
        expect(alert_list.filter(has_text=psychologist.full_name)).to_contain_text(
            kk("not acknowledged yet"))
        page.get_by_role("button", name=kk("I have read the alert"), exact=True).click()
        expect(page).to_have_url(EPISODE_URL)
        expect(page.get_by_role("status")).to_have_text(
            kk("You have acknowledged the crisis alert."))
        expect(crisis_banner(page)).to_have_count(0)
        expect(page.get_by_role("button", name=kk("I have read the alert"))).to_have_count(0)
        expect(alert_list.filter(has_text=psychologist.full_name)).not_to_contain_text(
            kk("not acknowledged yet"))
        expect(alert_list.filter(has_text=world.users["school_admin"].full_name)) \
            .to_contain_text(kk("not acknowledged yet"))

        # Still there for the deputy head, until they acknowledge it themselves.
        deputy.reload()
        expect(crisis_banner(deputy)).to_contain_text(minor.full_name)
        page.goto("/")
        expect(crisis_banner(page)).to_have_count(0)
        crisis_banner(deputy).get_by_role("link", name=open_link, exact=True).click()
        expect(deputy).to_have_url(episode_url)
        deputy.get_by_role("button", name=kk("I have read the alert"), exact=True).click()
        expect(deputy.get_by_role("status")).to_have_text(
            kk("You have acknowledged the crisis alert."))
        expect(crisis_banner(deputy)).to_have_count(0)
        expect(deputy.locator("#clear")).to_contain_text(
            kk("Only the responsible specialist of the case clears the flag."))
    finally:
        deputy.context.close()

    # The four acute checklist steps.
    page.goto(episode_url)
    step = page.get_by_label(kk("Step done"), exact=True)
    assert tuple(CHECKLIST) == protocol.CHECKLIST
    for key, msgid in CHECKLIST.items():
        label = kk(msgid)
        step.select_option(label=label)
        page.get_by_label(kk("Note"), exact=True).fill(f"{key}: анасы хабардар.")
        page.get_by_role("button", name=kk("Record"), exact=True).click()
        expect(page).to_have_url(EPISODE_URL)
        expect(page.get_by_role("status")).to_have_text(kk("Recorded: %(step)s.", step=label))
        expect(page.locator(f"#step-{key} td").nth(2)).to_contain_text(
            psychologist.full_name)
    expect(page.locator("#step-form")).to_have_count(0)   # nothing left to record there
    expect(page.locator("#step-safety_plan td").nth(2)).to_have_text("—")

    # Clearing before the safety plan exists: refused, and the flag still stands.
    reason = page.get_by_label(kk("Reason for clearing the flag"), exact=True)
    reason.fill("Қауіп төмендеді.")
    page.get_by_role("button", name=kk("Clear the flag"), exact=True).click()
    expect(page.get_by_role("alert").filter(has_text=kk(
        "The flag cannot be cleared yet. Not recorded: %(items)s",
        items=kk("Safety plan")))).to_have_count(1)
    expect(state).to_have_text(kk("open"))
    expect(reason).to_have_value("Қауіп төмендеді.")
    expect(page.locator("#safety-plan")).to_contain_text(kk("No safety plan yet."))

    # The six-part safety plan, with its review date.
    page.get_by_role("link", name=kk("Make the safety plan"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(kk("Safety plan"))
    for label, text in PLAN.items():
        page.get_by_label(kk(label), exact=True).fill(text)
    review_on = today() + timedelta(days=14)
    page.get_by_label(kk("Review date"), exact=True).fill(review_on.isoformat())
    page.get_by_role("button", name=kk("Save the plan"), exact=True).click()
    expect(page).to_have_url(episode_url)
    expect(page.get_by_role("status")).to_have_text(kk("The safety plan is saved."))
    expect(page.locator("#step-safety_plan td").nth(2)).to_contain_text(
        psychologist.full_name)

    # Its printable page.
    page.locator("#safety-plan").get_by_role(
        "link", name=kk("Printable plan"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/episodes/\d+/plan/print$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(kk("Safety plan"))
    expect(page.get_by_role("heading", level=2)).to_have_text([kk(label) for label in PLAN])
    expect(page.locator("section.part p")).to_have_text(list(PLAN.values()))
    expect(page.locator("p.who")).to_contain_text(minor.full_name)
    page.get_by_role("link", name=kk("Back to the safety protocol")).click()
    expect(page).to_have_url(episode_url)

    # Now the flag is cleared, with a reason.
    reason.fill("Жоспар жасалды, қауіп төмендеді.")
    page.get_by_role("button", name=kk("Clear the flag"), exact=True).click()
    expect(page).to_have_url(episode_url)
    expect(page.get_by_role("status")).to_have_text(kk("The crisis flag is cleared."))
    expect(state).to_have_text(kk("cleared"))
    expect(page.locator("#episode-state")).to_contain_text("Жоспар жасалды, қауіп төмендеді.")
    expect(page.locator("#clear")).to_have_count(0)

    # The case file no longer shows the crisis, and closing is no longer blocked by it.
    page.get_by_role("link", name=kk("Back to the case"), exact=True).click()
    expect(page).to_have_url(case_url)
    expect(page.locator("#crisis")).to_have_count(0)
    expect(crisis_banner(page)).to_have_count(0)
    panel = page.locator("#crisis-panel")
    expect(panel).to_contain_text(kk("No crisis flag stands."))
    expect(panel).to_contain_text(kk("Earlier crisis episodes"))
    case_action(page, kk("Close the case")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(kk("Close the case"))
    expect(page.get_by_role("button", name=kk("Close the case"), exact=True)).to_be_visible()
    expect(page.get_by_label(kk("Reason for closing"), exact=True)).to_be_visible()

