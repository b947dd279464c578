"""The individual rehabilitation programme in a real browser: the responsible psychologist
drafts it with an activity, the deputy head approves it, the psychologist corrects it with
a reason, the deputy head approves the correction, and the comparison shows the change.

Expected texts come from the app's catalogues (``texts``), in Kazakh (a fresh browser's
language).
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from juvenile.cases.dates import today
from juvenile.extensions import db as _db
from juvenile.irp.models import IrpVersion
from tests.browser.test_case_journeys import expect_error_beside, signed_in_as
from tests.browser.test_journeys import sign_out

pytestmark = pytest.mark.browser

PROGRAMME_URL = re.compile(r"/enrolments/\d+/irp(#.*)?$")
GOALS = "Мектепке тұрақты қатысу.\nМазасыздықты төмендету."
TITLE = "Жеке кеңес: эмоцияны басқару"


def flash(page: Page):
    return page.locator(".flash")


def fill_activity(page: Page, kk, psychologist_id: int, *, starts_on, ends_on) -> None:
    page.get_by_label(kk("Direction"), exact=True).select_option("psychological")
    page.get_by_label(kk("What is to be done"), exact=True).fill(TITLE)
    page.get_by_label(kk("Responsible member of the school's staff"), exact=True) \
        .select_option(str(psychologist_id))
    page.get_by_label(kk("How often"), exact=True).select_option("weekly")
    page.get_by_label(kk("From"), exact=True).fill(starts_on.isoformat())
    page.get_by_label(kk("Until (for a one-off activity: due by)"), exact=True) \
        .fill(ends_on.isoformat())
    page.get_by_label(kk("Ticked off by"), exact=True).select_option("consultation")


def approve(page: Page, live_server, texts, programme_url: str, number: int) -> None:
    kk = texts.kk
    signed_in_as(page, live_server, texts, "school_admin")
    page.goto(programme_url)
    draft = page.locator("#draft")
    expect(draft.get_by_role("heading", level=2)).to_have_text(
        kk("Draft, version %(n)s", n=number))
    draft.get_by_role("button", name=kk("Approve the programme"), exact=True).click()
    expect(flash(page)).to_have_text(kk("Version %(n)s of the programme is approved.", n=number))
    expect(page.locator("#approved").get_by_role("heading", level=2)).to_have_text(
        kk("Approved programme, version %(n)s", n=number))
    expect(page.locator("#draft")).to_have_count(0)
    sign_out(page, kk)


def test_draft_approve_correct_approve_and_compare(page: Page, live_server, texts, world,
                                                   make_case):
    kk = texts.kk
    psychologist = world.users["psychologist"]
    day = today()
    case = make_case(world.orgs["school1"], responsible=psychologist, surname="Жомартов",
                     enrolled_on=day - timedelta(days=5))

    # The psychologist drafts the programme from the case page.
    signed_in_as(page, live_server, texts, "psychologist")
    page.goto(f"/minors/{case.minor.id}")
    panel = page.locator("#irp-panel")
    expect(panel.locator("#irp-panel-state")).to_have_text(kk("No programme yet."))
    panel.get_by_role("link", name=kk("Draft the programme"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(kk("Draft the programme"))
    page.get_by_label(kk("Goals of the programme"), exact=True).fill(GOALS)
    page.get_by_role("button", name=kk("Save"), exact=True).click()
    expect(page).to_have_url(PROGRAMME_URL)
    programme_url = page.url.split("#")[0]
    draft = page.locator("#draft")
    expect(draft.get_by_role("heading", level=2)).to_have_text(kk("Draft, version %(n)s", n=1))

    # An activity whose end is before its start is refused beside the field, values kept.
    draft.locator("#draft-actions").get_by_role("link", name=kk("Add an activity"),
                                                exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(kk("Add an activity"))
    fill_activity(page, kk, psychologist.id, starts_on=day, ends_on=day - timedelta(days=1))
    page.get_by_role("button", name=kk("Save"), exact=True).click()
    expect_error_beside(page, "ends_on", kk("The end is before the start."))
    expect(page.get_by_label(kk("What is to be done"), exact=True)).to_have_value(TITLE)
    page.get_by_label(kk("Until (for a one-off activity: due by)"), exact=True) \
        .fill((day + timedelta(days=90)).isoformat())
    page.get_by_role("button", name=kk("Save"), exact=True).click()
    expect(page).to_have_url(PROGRAMME_URL)
    expect(page.locator("#draft table.activities")).to_contain_text(TITLE)
    sign_out(page, kk)

    # The deputy head approves it.
    approve(page, live_server, texts, programme_url, 1)

    # The psychologist corrects it: a reason is required; the consultations become
    # fortnightly.
    signed_in_as(page, live_server, texts, "psychologist")
    page.goto(programme_url)
    page.get_by_role("link", name=kk("Correct or review the programme"), exact=True).click()
    expect(page.get_by_label(kk("Goals of the programme"), exact=True)).to_have_value(GOALS)
    page.get_by_role("button", name=kk("Save"), exact=True).click()
    expect_error_beside(page, "reason", kk(
        "Say why the programme is corrected, or write the review's conclusion."))
    page.get_by_label(kk("Reason for the correction, or the review's conclusion"),
                      exact=True).fill("Мазасыздық төмендеді: кеңес екі аптада бір рет.")
    page.get_by_role("button", name=kk("Save"), exact=True).click()
    expect(page).to_have_url(PROGRAMME_URL)
    draft = page.locator("#draft")
    expect(draft.get_by_role("heading", level=2)).to_have_text(kk("Draft, version %(n)s", n=2))
    row = draft.locator("table.activities tr", has_text=TITLE)
    row.get_by_role("link", name=kk("Edit"), exact=True).click()
    expect(page.get_by_label(kk("What is to be done"), exact=True)).to_have_value(TITLE)
    page.get_by_label(kk("How often"), exact=True).select_option("fortnightly")
    page.get_by_role("button", name=kk("Save"), exact=True).click()
    expect(page.locator("#draft table.activities")).to_contain_text(kk("every two weeks"))
    sign_out(page, kk)

    # The deputy head approves the correction; version 1 is superseded.
    approve(page, live_server, texts, programme_url, 2)
    _db.session.expire_all()
    statuses = dict(_db.session.execute(
        _db.select(IrpVersion.number, IrpVersion.status)
        .where(IrpVersion.enrolment_id == case.enrolment.id)).all())
    assert statuses == {1: "superseded", 2: "approved"}

    # The comparison shows the changed frequency, side by side.
    signed_in_as(page, live_server, texts, "psychologist")
    page.goto(programme_url)
    page.locator("#version-2").get_by_role(
        "link", name=kk("Compare with the previous version"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        kk("Compare versions of the programme"))
    expect(page.locator("#compare-summary")).to_have_text(kk(
        "Version %(old)s → version %(new)s: %(added)s added, %(removed)s removed, "
        "%(changed)s changed, %(same)s unchanged.",
        old=1, new=2, added=0, removed=0, changed=1, same=0))
    changed = page.locator("#activities-compare tr.change-changed")
    expect(changed).to_have_count(1)
    expect(changed.locator("del")).to_have_text(kk("weekly"))
    expect(changed.locator("ins")).to_have_text(kk("every two weeks"))
    expect(page.get_by_text("Мазасыздық төмендеді: кеңес екі аптада бір рет.")).to_be_visible()
