"""Journey: a psychologist records a group session with attendance, a refusal first, and
finds it counted on each minor's case page; then deletes it (recorded by mistake), the
reason asked first, and it leaves every minor's timeline.

Expected texts come from the app's catalogues (``texts``), in Kazakh (a fresh browser's
language); dates are the app's own calendar day (``juvenile.cases.dates.today``).
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from juvenile.cases.dates import today
from tests.browser.test_case_journeys import signed_in_as
from tests.browser.test_journeys import nav_link

pytestmark = pytest.mark.browser


def _row_of(page, name: str):
    return page.locator("#group-minors tbody tr", has=page.get_by_text(name, exact=False))


def test_psychologist_records_a_group_session_with_attendance(page, live_server, texts, world,
                                                              make_case):
    kk = texts.kk
    day = today()
    school = world.orgs["school1"]
    came = make_case(school, enrolled_on=day - timedelta(days=30), surname="Әлиев")
    away = make_case(school, enrolled_on=day - timedelta(days=30), surname="Бекова")
    make_case(school, enrolled_on=day - timedelta(days=30), surname="Серіков")  # not in it

    signed_in_as(page, live_server, texts, "psychologist")
    nav_link(page, kk, "Group sessions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(kk("Group sessions"))
    page.get_by_role("link", name=kk("Record a group session"), exact=True).click()

    page.get_by_label(kk("Topic"), exact=True).fill("Ашуды басқару")
    page.get_by_label(kk("Kind of session"), exact=True).select_option("training")
    page.get_by_label(kk("Duration, minutes"), exact=True).fill("600")
    _row_of(page, "Әлиев").locator("input[name=minors]").check()
    _row_of(page, "Бекова").locator("input[name=minors]").check()
    _row_of(page, "Бекова").locator("input[name=absent]").check()
    page.get_by_role("button", name=kk("Save"), exact=True).click()

    # Too long: refused beside the duration, the ticks and the topic kept.
    expect(page.locator("#duration_minutes-error")).to_have_text(
        kk("The duration is from %(min)d to %(max)d minutes.", min=5, max=480))
    expect(page.get_by_label(kk("Topic"), exact=True)).to_have_value("Ашуды басқару")
    expect(_row_of(page, "Бекова").locator("input[name=absent]")).to_be_checked()
    expect(_row_of(page, "Серіков").locator("input[name=minors]")).not_to_be_checked()
    page.get_by_label(kk("Duration, minutes"), exact=True).fill("60")
    page.get_by_role("button", name=kk("Save"), exact=True).click()

    expect(page).to_have_url(re.compile(r"/group-sessions/\d+$"))
    expect(page.get_by_role("status")).to_have_text(kk("The group session is saved."))
    expect(page.locator("#attendance-heading")).to_have_text(
        kk("Attendance: %(attended)d of %(total)d", attended=1, total=2))
    expect(page.locator("#attendance tbody tr")).to_have_count(2)

    # The minor who stayed away: the line says so on the case's timeline.
    page.goto(f"/minors/{away.minor.id}")
    expect(page.locator("#timeline")).to_contain_text(kk(
        "Group session (%(kind)s): the minor did not attend.",
        kind=kk("training (emotions, stress)")))
    # The one who came: counted this month on the case page's section.
    page.goto(f"/minors/{came.minor.id}")
    panel = page.locator("#sessions-panel")
    expect(panel).to_contain_text(kk("training (emotions, stress)"))
    expect(panel.locator("dd").first).to_have_text("1")

    # Recorded by mistake after all: deleted from its page, with a reason.
    page.goto("/group-sessions")
    page.get_by_role("link", name="Ашуды басқару").click()
    page.get_by_role("link", name=kk("Delete the group session"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(kk("Delete the group session"))
    delete = page.get_by_role("button", name=kk("Delete the group session"), exact=True)
    delete.click()
    expect(page.locator("#reason-error")).to_be_visible()
    page.get_by_label(kk("Why is the group session deleted?"), exact=True).fill(
        "Басқа мектептің тобы")
    delete.click()
    expect(page).to_have_url(re.compile(r"/group-sessions$"))
    expect(page.get_by_role("status")).to_have_text(kk("The group session is deleted."))
    expect(page.get_by_role("link", name="Ашуды басқару")).to_have_count(0)
    page.goto(f"/minors/{away.minor.id}")
    expect(page.locator("#timeline")).not_to_contain_text(kk(
        "Group session (%(kind)s): the minor did not attend.",
        kind=kk("training (emotions, stress)")))
    page.goto(f"/minors/{came.minor.id}")
    expect(page.locator("#sessions-panel dd").first).to_have_text("0")
