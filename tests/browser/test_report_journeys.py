"""The monthly report in a real browser: the district coordinator opens last month's
district report (computed from a few real cases), writes the narrative, submits it and
downloads the PDF; a commission member finds it on the home page and returns it with a
comment; the coordinator corrects and resubmits; the commission accepts.

Expected texts come from the app's catalogues (``texts``), in Kazakh (a fresh browser's
language).
"""

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale
from playwright.sync_api import Page, expect

from juvenile.cases.dates import today
from juvenile.cases.models import Incident
from juvenile.extensions import db as _db
from juvenile.reports import services
from tests.browser.conftest import DEFAULT_TIMEOUT_MS
from tests.browser.test_case_journeys import signed_in_as
from tests.browser.test_journeys import nav_link

pytestmark = pytest.mark.browser

REPORT_URL = re.compile(r"/reports/district:\d+/\d{4}-\d{2}$")


def other_browser_page(browser, live_server) -> Page:
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return context.new_page()


def district_cases(world, make_case, month) -> None:
    """Three minors of district D1 enrolled in the month, one of them offending again."""
    first = make_case(world.orgs["school1"], enrolled_on=month + timedelta(days=2))
    make_case(world.orgs["school1"], enrolled_on=month + timedelta(days=5), groups=(3,))
    make_case(world.orgs["school2"], enrolled_on=month + timedelta(days=8))
    _db.session.add(Incident(minor_id=first.minor.id, enrolment_id=first.enrolment.id,
                             kind="offence_administrative", occurred_on=month + timedelta(days=12),
                             description="Ұсақ бұзақылық", is_repeat_offence=True,
                             recorded_by_id=world.users["police_inspector"].id,
                             district_id=first.minor.district_id))
    _db.session.commit()


def status_of(page: Page):
    return page.locator("#report-status")


def flash(page: Page, message: str):
    return page.get_by_role("status").filter(has_text=message)


def test_open_write_submit_download_return_resubmit_accept(page: Page, browser, live_server,
                                                           texts, world, make_case):
    kk = texts.kk
    month = services.last_finished_month(today())
    district_cases(world, make_case, month)
    with texts.app.test_request_context(), force_locale("kk"):
        period = services.month_label(month)
    in_programme = kk("In the programme at the month's end")

    # The coordinator opens last month's district report: computed, with its indicators.
    signed_in_as(page, live_server, texts, "district_coordinator")
    nav_link(page, kk, "Monthly reports").click()
    page.locator("#own-reports").get_by_role("link", name=period, exact=True).click()
    expect(page).to_have_url(REPORT_URL)
    report_url = page.url
    expect(page.locator("#report-period")).to_contain_text(period)
    expect(status_of(page)).to_have_text(kk("draft"))
    expect(page.locator("#effectiveness tbody tr")).to_have_count(5)
    expect(page.locator("#effectiveness .indicator-status")).to_have_count(5)
    row = page.locator("#table-section-programme tbody tr").filter(
        has=page.get_by_role("rowheader", name=in_programme, exact=True))
    expect(row.locator("td")).to_have_text("3")
    expect(page.locator("#charts svg").first).to_be_visible()

    # Writes the narrative.
    page.get_by_role("link", name=kk("Write the narrative"), exact=True).click()
    page.get_by_label(kk("Work done"), exact=True).fill(
        "Үш баланың отбасына барылды, жеке бағдарламалар бекітілді.")
    page.get_by_label(kk("Problems"), exact=True).fill("Ауылдық мектептерге көлік жетіспейді.")
    page.get_by_label(kk("Proposals"), exact=True).fill("Аудандық психолог қосу.")
    page.get_by_role("button", name=kk("Save"), exact=True).click()
    expect(page).to_have_url(report_url)
    expect(flash(page, kk("The narrative is saved."))).to_have_count(1)
    expect(page.locator("#narrative-work-done")).to_have_text(
        "Үш баланың отбасына барылды, жеке бағдарламалар бекітілді.")

    # Submits it, and downloads the PDF in Kazakh.
    page.get_by_role("button", name=kk("Submit the report"), exact=True).click()
    expect(flash(page, kk("The report is submitted to the commission (version %(n)s).", n=1))) \
        .to_have_count(1)
    expect(status_of(page)).to_have_text(kk("submitted, awaiting the commission"))
    expect(page.get_by_role("link", name=kk("Write the narrative"), exact=True)).to_have_count(0)
    pdf_link = page.locator("#downloads a").filter(has_text="PDF").first
    expect(pdf_link).to_have_attribute("href", re.compile(r"/report\.pdf\?lang=kk$"))
    download = page.request.get(pdf_link.get_attribute("href"))
    assert download.status == 200
    assert download.headers["content-type"] == "application/pdf"
    assert download.body().startswith(b"%PDF")

    # A commission member finds it waiting on the home page and returns it.
    member = other_browser_page(browser, live_server)
    try:
        signed_in_as(member, live_server, texts, "commission_member")
        waiting = member.locator("#reports-waiting")
        expect(waiting).to_contain_text(period)
        waiting.get_by_role("link", name=world.districts["D1"].name_kk, exact=True).click()
        expect(member).to_have_url(report_url)
        expect(member.locator("#narrative-work-done")).to_contain_text("Үш баланың")
        member.get_by_role("button", name=kk("Return for correction"), exact=True).click()
        expect(member.locator("#comment-error")).to_have_text(kk("Say what must be corrected."))
        member.get_by_label(kk("Comment to the author"), exact=True).fill(
            "Мектептер бойынша жұмыс сипатталмаған.")
        member.get_by_role("button", name=kk("Return for correction"), exact=True).click()
        expect(flash(member, kk("The report is returned for correction."))).to_have_count(1)
        expect(status_of(member)).to_have_text(kk("returned for correction"))

        # The coordinator reads the comment, corrects the narrative and resubmits.
        page.reload()
        expect(status_of(page)).to_have_text(kk("returned for correction"))
        expect(page.locator("#return-comment")).to_have_text(
            "Мектептер бойынша жұмыс сипатталмаған.")
        expect(page.locator("#submissions")).to_contain_text(
            "Мектептер бойынша жұмыс сипатталмаған.")
        page.get_by_role("link", name=kk("Write the narrative"), exact=True).click()
        page.get_by_label(kk("Work done"), exact=True).fill(
            "Үш баланың отбасына барылды; №1 және №2 мектептерде топтық сабақтар өтті.")
        page.get_by_role("button", name=kk("Save"), exact=True).click()
        page.get_by_role("button", name=kk("Submit the report"), exact=True).click()
        expect(flash(page, kk("The report is submitted to the commission (version %(n)s).",
                              n=2))).to_have_count(1)

        # The commission accepts the second version.
        nav_link(member, kk, "Home").click()
        member.locator("#reports-waiting").get_by_role(
            "link", name=world.districts["D1"].name_kk, exact=True).click()
        expect(member.locator("#narrative-work-done")).to_contain_text("топтық сабақтар")
        member.get_by_role("button", name=kk("Accept the report"), exact=True).click()
        expect(flash(member, kk("The report is accepted."))).to_have_count(1)
        expect(status_of(member)).to_have_text(kk("accepted"))
        expect(member.locator("#submissions tbody tr")).to_have_count(2)
        nav_link(member, kk, "Home").click()
        expect(member.locator("#reports-waiting")).to_contain_text(
            kk("No report is waiting for your decision."))
    finally:
        member.context.close()

    # Both versions stay readable; the first one keeps its own narrative.
    page.goto(report_url)
    expect(status_of(page)).to_have_text(kk("accepted"))
    page.locator("#submissions").get_by_role(
        "link", name=kk("Version %(n)s", n=1), exact=True).click()
    expect(page.locator("#narrative-work-done")).to_have_text(
        "Үш баланың отбасына барылды, жеке бағдарламалар бекітілді.")
