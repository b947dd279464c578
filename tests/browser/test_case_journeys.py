"""Journeys through the case file in a real browser: registering and enrolling a minor,
moving a case to the next stage, and the police recording an offence.

Expected texts come from the app's catalogues (``texts``), in Kazakh (a fresh browser's
language); dates are the app's own calendar day (``juvenile.cases.dates.today``).
"""

import re
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from flask_babel import ngettext as babel_ngettext
from playwright.sync_api import Page, expect

from juvenile.cases.dates import today
from juvenile.cases.iin import make_iin
from juvenile.cases.stages import add_months
from juvenile.extensions import db as _db
from juvenile.settings import registry
from tests.browser.test_journeys import nav_link, sign_in
from tests.stage_work import meet_stage_requirements

pytestmark = pytest.mark.browser

CASE_FILE_URL = re.compile(r"/minors/\d+$")


def days_left(texts, days: int) -> str:
    """The case file's "N days left", in Kazakh, from the catalogue's plural forms."""
    with texts.app.app_context(), force_locale("kk"):
        return babel_ngettext("%(num)d day left", "%(num)d days left", days)


def field_of(page: Page, field_id: str):
    """The form field (label, input, hint, error) around the input with this id."""
    return page.locator("div.field", has=page.locator(f"#{field_id}"))


def expect_error_beside(page: Page, field_id: str, message: str) -> None:
    """The message is shown in the field's own block and tied to its input."""
    error = field_of(page, field_id).locator(f"#{field_id}-error")
    expect(error).to_have_text(message)
    control = page.locator(f"#{field_id}")
    expect(control).to_have_attribute("aria-invalid", "true")
    expect(control).to_have_attribute("aria-describedby", re.compile(rf"\b{field_id}-error\b"))


def signed_in_as(page: Page, live_server, texts, login: str) -> None:
    page.goto("/login")
    sign_in(page, texts.kk, login)
    expect(page).to_have_url(f"{live_server.url}/")


def case_action(page: Page, label: str):
    return page.locator("#case-actions").get_by_role("link", name=label, exact=True)


def timeline_lines(page: Page):
    return page.locator("#timeline tbody tr td:nth-child(2)")


def test_social_pedagogue_registers_and_enrols_a_minor(page, live_server, texts, world):
    kk = texts.kk
    day = today()
    birth = date(day.year - 13, 5, 17)
    iin = make_iin(birth, "f", 4321) or make_iin(birth, "f", 4322)
    wrong_iin = iin[:11] + str((int(iin[11]) + 1) % 10)
    surname, given_name = "Серікова", "Әсем"
    full_name = f"{surname} {given_name}"
    mother = "Серікова Динара"
    texts.both("Register a minor")

    signed_in_as(page, live_server, texts, "social_pedagogue")
    nav_link(page, kk, "Find a minor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(kk("Find a minor"))
    page.get_by_role("link", name=kk("Register a minor"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(kk("Register a minor"))

    # An IIN whose check digit is wrong: refused beside the IIN, the rest kept.
    typed = {"IIN": wrong_iin, "Surname": surname, "Given name": given_name,
             "Birth date": birth.isoformat(), "Address": "Тараз, Төле би көшесі 5",
             "Grade or group": "7Б"}
    for label, value in typed.items():
        page.get_by_label(kk(label), exact=True).fill(value)
    page.get_by_label(kk("Sex"), exact=True).select_option(label=kk("female"))
    page.get_by_label(kk("Language of schooling"), exact=True).select_option(
        label=kk("Kazakh"))
    page.get_by_role("button", name=kk("Register"), exact=True).click()

    expect_error_beside(page, "iin", texts.both(
        "This IIN is not valid: its check digit does not match. "
        "Check the digits against the document.")[0])
    for label, value in typed.items():
        expect(page.get_by_label(kk(label), exact=True)).to_have_value(value)
    expect(page.get_by_label(kk("Sex"), exact=True)).to_have_value("f")
    expect(page.get_by_label(kk("Language of schooling"), exact=True)).to_have_value("kk")

    page.get_by_label(kk("IIN"), exact=True).fill(iin)
    page.get_by_role("button", name=kk("Register"), exact=True).click()
    expect(page).to_have_url(CASE_FILE_URL)
    expect(page.get_by_role("status")).to_have_text(
        kk("%(name)s is registered.", name=full_name))
    expect(page.get_by_role("heading", level=1)).to_have_text(full_name)

    # The mother, without consent yet.
    case_action(page, kk("Add a legal representative")).click()
    page.get_by_label(kk("Who they are to the minor"), exact=True).select_option(
        label=kk("mother"))
    page.get_by_label(kk("Full name"), exact=True).fill(mother)
    page.get_by_label(kk("Phone"), exact=True).fill("+7 702 111 22 33")
    page.get_by_role("button", name=kk("Save"), exact=True).click()
    expect(page).to_have_url(CASE_FILE_URL)
    expect(page.get_by_role("status")).to_have_text(kk("The legal representative is saved."))
    expect(page.locator("#representatives tbody tr")).to_have_count(1)
    expect(page.locator("#representatives tbody tr td").nth(3)).to_have_text(
        kk("no consent"))

    # Enrolling is not possible yet, and the page says why.
    case_action(page, kk("Enrol in the programme")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(kk("Enrol in the programme"))
    why = page.locator("#no-consent")
    expect(why).to_have_attribute("role", "alert")
    expect(why).to_contain_text(texts.both(
        "Enrolment cannot be completed yet: it needs the consent of a legal representative "
        "to the processing of the minor's personal data and to participation in the "
        "programme (Law of the Republic of Kazakhstan No. 94-V “On personal data and their "
        "protection”).")[0])
    expect(page.get_by_role("button", name=kk("Enrol"), exact=True)).to_have_count(0)

    # The consent, recorded on the representative.
    why.get_by_role("link", name=kk("Record the consent of %(name)s", name=mother),
                    exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(mother)
    page.get_by_label(kk("Date of consent"), exact=True).fill(day.isoformat())
    page.get_by_label(kk("How the consent was given"), exact=True).select_option(
        label=kk("written, signed"))
    page.get_by_role("button", name=kk("Save"), exact=True).click()
    expect(page).to_have_url(CASE_FILE_URL)
    expect(page.get_by_role("status")).to_have_text(kk("The legal representative is saved."))
    expect(page.locator("#representatives tbody tr td").nth(3)).not_to_have_text(
        kk("no consent"))

    # Enrolment under groups 1 and 2: the police registration must be given.
    group_1, group_2 = kk("On police preventive registration"), kk(
        "In a difficult life situation")
    case_action(page, kk("Enrol in the programme")).click()
    page.get_by_label(group_1, exact=True).check()
    page.get_by_label(group_2, exact=True).check()
    page.get_by_label(kk("Who identified the minor"), exact=True).select_option(
        label=kk("school"))
    page.get_by_label(kk("Date identified"), exact=True).fill(day.isoformat())
    page.get_by_label(kk("Date enrolled"), exact=True).fill(day.isoformat())
    page.get_by_label(kk("Reason for enrolment (summary)"), exact=True).fill(
        "Сабаққа жиі келмейді, полицияда есепте тұр.")
    page.get_by_role("button", name=kk("Enrol"), exact=True).click()

    expect_error_beside(page, "police_registered_on", texts.both(
        "Give the date of the police preventive registration.")[0])
    expect(page.get_by_label(group_1, exact=True)).to_be_checked()
    expect(page.get_by_label(group_2, exact=True)).to_be_checked()

    page.get_by_label(kk("Date of police preventive registration"), exact=True).fill(
        (day - timedelta(days=30)).isoformat())
    page.get_by_label(kk("Grounds of the registration"), exact=True).fill(
        "Әкімшілік құқық бұзушылық.")
    page.get_by_label(kk("Juvenile inspector who registered the minor"), exact=True).fill(
        "Қасымов Е.")
    page.get_by_role("button", name=kk("Enrol"), exact=True).click()

    # The case file: both groups, the initial stage with its days, the timeline.
    expect(page).to_have_url(CASE_FILE_URL)
    expect(page.get_by_role("status")).to_have_text(
        kk("%(name)s is enrolled in the programme.", name=full_name))
    programme = page.get_by_role("region", name=kk("In the programme"), exact=True)
    expect(programme.locator("dd > ul > li")).to_have_text([group_1, group_2])
    initial_days = registry.values()[registry.INITIAL_STAGE_DAYS.key]
    stage = page.locator("#stage dd")
    expect(stage).to_contain_text(f"{kk('initial stage')}: {days_left(texts, initial_days)}")
    expect(timeline_lines(page)).to_have_text([
        kk("Enrolled in the programme. Target groups: %(groups)s.",
           groups=f"{group_1}; {group_2}"),
        kk("Consent of the legal representative (%(relation)s) recorded, %(form)s.",
           relation=kk("mother"), form=kk("written, signed")),
        kk("Registered in the case files."),
    ])


def test_deputy_head_moves_a_case_once_a_specialist_is_assigned(
        page, live_server, texts, world, make_case):
    kk = texts.kk
    case = make_case(world.orgs["school1"], surname="Жұмабаев")
    minor = case.minor
    psychologist = world.users["psychologist"]
    meet_stage_requirements(_db, case.enrolment, psychologist)  # the other requirement: met
    _db.session.commit()
    requirement = texts.both("A responsible specialist is assigned")[0]
    initial, active = kk("initial stage"), kk("active rehabilitation")

    signed_in_as(page, live_server, texts, "school_admin")
    nav_link(page, kk, "Find a minor").click()
    page.get_by_label(kk("IIN or name"), exact=True).fill(minor.iin)
    page.get_by_role("button", name=kk("Search"), exact=True).click()
    page.get_by_role("link", name=minor.full_name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(minor.full_name)
    expect(page.locator("#stage dd")).to_contain_text(initial)

    # Without a responsible specialist the stage cannot be completed.
    case_action(page, kk("Move to the next stage")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(kk("Stage of the case"))
    expect(page.locator("#stage-heading")).to_have_text(initial)
    expect(page.locator("#checklist li")).to_have_count(4)  # + diagnostics, IRP, home visit
    item = page.locator("#checklist li").first
    expect(item).to_have_class("unmet")
    expect(item).to_contain_text(f"{kk('not met')}: {requirement}")

    page.get_by_role("button", name=kk("Move to the next stage"), exact=True).click()
    expect(page.get_by_role("alert")).to_have_text(
        kk("The stage cannot be completed yet. Not met: %(items)s", items=requirement))
    expect(page.locator("#unmet li")).to_have_text([requirement])
    expect(page.locator("#stage-heading")).to_have_text(initial)
    page.locator("main form").get_by_role("link", name=kk("Cancel"), exact=True).click()
    expect(page.locator("#stage dd")).to_contain_text(initial)
    expect(page.locator("#timeline tbody tr")).to_have_text([kk("Nothing recorded yet.")])

    # The psychologist becomes the responsible specialist.
    case_action(page, kk("Assign the responsible specialist")).click()
    page.get_by_label(kk("Responsible specialist"), exact=True).select_option(
        label=f"{psychologist.full_name} ({kk('School psychologist')})")
    page.get_by_role("button", name=kk("Save"), exact=True).click()
    expect(page).to_have_url(CASE_FILE_URL)
    expect(page.get_by_role("status")).to_have_text(
        kk("%(name)s is the responsible specialist.", name=psychologist.full_name))

    case_action(page, kk("Move to the next stage")).click()
    expect(item).to_have_class("met")
    expect(item).to_contain_text(f"{kk('met')}: {requirement}")
    expect(page.locator("#unmet")).to_have_count(0)
    page.get_by_role("button", name=kk("Move to the next stage"), exact=True).click()

    expect(page).to_have_url(CASE_FILE_URL)
    expect(page.get_by_role("status")).to_have_text(
        kk("The case is now in the stage: %(stage)s.", stage=active))
    day = today()
    due = add_months(day, registry.values()[registry.ACTIVE_STAGE_MAX_MONTHS.key])
    expect(page.locator("#stage dd")).to_contain_text(
        f"{active}: {days_left(texts, (due - day).days)}")
    expect(timeline_lines(page).first).to_have_text(
        kk("Stage changed: %(from)s → %(to)s.", **{"from": initial, "to": active}))


def test_police_inspector_records_a_repeat_offence(page, live_server, texts, world, make_case):
    kk = texts.kk
    case = make_case(world.orgs["school1"], groups=(1,), surname="Тоқтаров")
    minor = case.minor
    offence = kk("administrative offence")
    texts.both("Registered minors")

    signed_in_as(page, live_server, texts, "police_inspector")
    nav_link(page, kk, "Registered minors").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(kk("Registered minors"))
    page.get_by_role("link", name=minor.full_name, exact=True).click()
    expect(page).to_have_url(CASE_FILE_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text(minor.full_name)

    case_action(page, kk("Record an incident")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(kk("Record an incident"))
    kind = page.get_by_label(kk("What happened"), exact=True)
    expect(kind.locator("option")).to_have_text(["—", offence, kk("criminal offence")])
    kind.select_option(label=offence)
    page.get_by_label(kk("Date it happened"), exact=True).fill(today().isoformat())
    page.get_by_label(kk("Description"), exact=True).fill("Түнгі уақытта қоғамдық орында.")
    page.get_by_role("button", name=kk("Record"), exact=True).click()

    expect(page).to_have_url(CASE_FILE_URL)
    expect(page.get_by_role("status")).to_have_text(kk("Recorded: %(kind)s.", kind=offence))
    row = page.locator("#incidents tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(1)).to_have_text(
        f"{offence} — {texts.both('repeat offence')[0]}")
    expect(row.locator("td").nth(1).locator("strong")).to_have_text(kk("repeat offence"))
    expect(timeline_lines(page).first).to_have_text(
        kk("Incident recorded: %(kind)s.", kind=offence) + " "
        + kk("A repeat offence: committed while under support."))
