"""Education and employment through the screens: the monthly missed-lessons screen (its
month, its refusals beside the rows, two stale screens, query count), the case page's
section and the minor's education page per role, and the record forms."""

import html
import re
from datetime import date, timedelta

import pytest
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import func, select

from juvenile.accounts.models import Role
from juvenile.cases.dates import today
from juvenile.education import queries
from juvenile.education.models import (
    EducationRecord,
    Employment,
    MonthlyAttendance,
    QuarterlyProgress,
)
from juvenile.extensions import db as _db
from tests.conftest import count_queries
from tests.test_admin_organisations import field_error, flashes, input_value


def _t(app, message: str, **values) -> str:
    """A message as the (Kazakh) interface shows it."""
    with app.test_request_context(), force_locale("kk"):
        return gettext(message, **values)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _month_param(month: date) -> str:
    return month.strftime("%Y-%m")


@pytest.fixture
def day(app):
    with app.test_request_context():
        return today()


@pytest.fixture
def month(day):
    return queries.previous_month(day)


def _pupils(world, make_case, day, count: int, org="school1"):
    cases = []
    for n in range(count):
        case = make_case(world.orgs[org], surname=f"Оқушы{n:02d}",
                         enrolled_on=day - timedelta(days=90))
        case.minor.grade = f"{5 + n % 5}А"
        cases.append(case)
    _db.session.commit()
    return cases


@pytest.fixture
def pupils(world, make_case, day):
    return _pupils(world, make_case, day, 3)


def _screen_rows(response) -> list[str]:
    """The minor ids of the screen's rows, in order."""
    return re.findall(r'<tr id="pupil-(\d+)"', response.get_data(as_text=True))


def _form(response, **typed) -> dict:
    """The screen's form as the browser would send it: every input with its shown value,
    then what the user typed ({"rows-0-excused": "2", "lessons": "80"})."""
    page = response.get_data(as_text=True)
    data = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'\bname="([^"]*)"', tag)
        if name and (name.group(1).startswith("rows-") or name.group(1) == "lessons"):
            value = re.search(r'\bvalue="([^"]*)"', tag)
            data[name.group(1)] = html.unescape(value.group(1)) if value else ""
    return data | typed


def _stored(minor_id: int, month: date):
    _db.session.expire_all()
    return _db.session.scalar(select(MonthlyAttendance).where(
        MonthlyAttendance.minor_id == minor_id, MonthlyAttendance.month == month))


# --- the monthly screen -----------------------------------------------------------------


def test_the_screen_opens_on_the_previous_month_with_the_schools_pupils(
        app, client, world, make_case, login_as, pupils, day, month):
    _pupils(world, make_case, day, 1, org="school2")
    login_as(Role.SOCIAL_PEDAGOGUE)
    response = client.get("/attendance")
    assert response.status_code == 200
    assert _screen_rows(response) == [str(p.minor.id) for p in pupils]
    assert input_value(response, "month") == _month_param(month)
    assert 'inputmode="numeric"' in response.get_data(as_text=True)
    assert "attendance.js" in response.get_data(as_text=True)


def test_a_month_not_over_is_refused_with_a_message(app, client, login_as, pupils, day):
    login_as(Role.SOCIAL_PEDAGOGUE)
    this_month = queries.month_start(day)
    response = client.get(f"/attendance?month={_month_param(this_month)}")
    assert response.status_code == 200
    with app.test_request_context(), force_locale("kk"):
        from juvenile.education.services import month_label
        label = month_label(this_month)
    assert field_error(response, "month") == _t(
        app, "%(month)s is not over yet: its missed lessons are entered once the month has "
        "ended.", month=label)
    assert _screen_rows(response) == []
    response = client.post(f"/attendance?month={_month_param(this_month)}",
                           data={"rows-0-minor_id": str(pupils[0].minor.id),
                                 "rows-0-lessons": "80", "rows-0-excused": "1"})
    assert response.status_code == 200
    assert _db.session.scalar(select(func.count(MonthlyAttendance.id))) == 0


def test_typing_a_month_saves_the_typed_rows_and_shows_them(app, client, login_as, pupils,
                                                              month):
    login_as(Role.SOCIAL_PEDAGOGUE)
    url = f"/attendance?month={_month_param(month)}"
    screen = client.get(url)
    response = client.post(url, data=_form(screen, lessons="80", **{
        "rows-0-excused": "2", "rows-0-unexcused": "1", "rows-1-excused": "0",
        "rows-1-unexcused": "0"}))
    assert response.status_code == 302
    after = client.get(response.headers["Location"])
    with app.test_request_context(), force_locale("kk"):
        saved = ngettext("%(num)d row saved.", "%(num)d rows saved.", 2)
    assert saved in flashes(after)
    assert input_value(after, "rows-0-lessons") == "80"
    assert input_value(after, "rows-0-excused") == "2"
    assert input_value(after, "rows-1-unexcused") == "0"
    assert input_value(after, "rows-2-lessons") == ""  # left empty: not saved
    assert _stored(pupils[2].minor.id, month) is None
    with app.test_request_context(), force_locale("kk"):
        from juvenile.education.services import month_label
        label = month_label(month)
    case_page = text(client.get(f"/minors/{pupils[0].minor.id}"))
    assert _t(app, "Missed lessons in %(month)s: %(excused)s excused and %(unexcused)s "
              "unexcused of %(lessons)s lessons.", month=label, excused=2, unexcused=1,
              lessons=80) in case_page


def test_a_refused_row_shows_its_message_keeps_the_typed_values_and_saves_nothing(
        app, client, login_as, pupils, month):
    login_as(Role.SOCIAL_PEDAGOGUE)
    url = f"/attendance?month={_month_param(month)}"
    screen = client.get(url)
    response = client.post(url, data=_form(screen, lessons="80", **{
        "rows-0-excused": "2", "rows-1-excused": "70", "rows-1-unexcused": "15",
        "rows-2-lessons": "-4"}))
    assert response.status_code == 200
    assert field_error(response, "rows-1-unexcused") == _t(
        app, "%(missed)s missed lessons are more than the month's %(lessons)s lessons.",
        missed=85, lessons=80)
    assert field_error(response, "rows-2-lessons") == _t(app, "The number cannot be negative.")
    assert input_value(response, "rows-1-excused") == "70"
    assert input_value(response, "rows-0-excused") == "2"
    assert input_value(response, "lessons") == "80"
    assert _db.session.scalar(select(func.count(MonthlyAttendance.id))) == 0


def test_letters_in_a_count_are_refused_beside_the_field(app, client, login_as, pupils, month):
    login_as(Role.SOCIAL_PEDAGOGUE)
    url = f"/attendance?month={_month_param(month)}"
    response = client.post(url, data=_form(client.get(url), **{"rows-0-excused": "2a"}))
    assert field_error(response, "rows-0-excused") == _t(app, "Type a whole number.")
    assert input_value(response, "rows-0-excused") == "2a"


def test_a_row_saved_meanwhile_is_refused_with_the_other_persons_values(
        app, client, world, login_as, pupils, month):
    url = f"/attendance?month={_month_param(month)}"
    login_as(Role.SOCIAL_PEDAGOGUE)
    stale = client.get(url)  # the pedagogue's screen, opened before the deputy head saves
    client.post("/logout")
    login_as(Role.SCHOOL_ADMIN)
    deputy_screen = client.get(url)
    assert client.post(url, data=_form(deputy_screen, **{
        "rows-0-lessons": "78", "rows-0-excused": "4", "rows-0-unexcused": "1"})
    ).status_code == 302
    client.post("/logout")
    login_as(Role.SOCIAL_PEDAGOGUE)

    response = client.post(url, data=_form(stale, lessons="80", **{
        "rows-0-excused": "9", "rows-1-excused": "1"}))

    assert response.status_code == 200
    page = text(response)
    deputy = world.users["school_admin"].full_name
    assert _t(app, "%(name)s saved this row after you opened the screen: %(lessons)s lessons, "
              "%(excused)s excused, %(unexcused)s unexcused. Your values were not saved: save "
              "again to replace theirs.", name=deputy, lessons=78, excused=4,
              unexcused=1) in page
    assert input_value(response, "rows-0-excused") == "9"  # the typed value stays
    assert _stored(pupils[0].minor.id, month).missed_excused == 4
    assert _stored(pupils[1].minor.id, month) is None
    # Saving again now replaces the deputy head's row on purpose, and keeps the other one.
    again = client.post(url, data=_form(response))
    assert again.status_code == 302
    assert _stored(pupils[0].minor.id, month).missed_excused == 9
    assert _stored(pupils[1].minor.id, month).missed_excused == 1


def test_two_screens_saving_different_rows_keep_both(app, client, world, login_as, pupils,
                                                     month):
    url = f"/attendance?month={_month_param(month)}"
    login_as(Role.SOCIAL_PEDAGOGUE)
    pedagogue_screen = client.get(url)
    client.post("/logout")
    login_as(Role.PSYCHOLOGIST)
    psychologist_screen = client.get(url)
    assert client.post(url, data=_form(psychologist_screen, lessons="80", **{
        "rows-2-excused": "3"})).status_code == 302
    client.post("/logout")
    login_as(Role.SOCIAL_PEDAGOGUE)
    assert client.post(url, data=_form(pedagogue_screen, lessons="80", **{
        "rows-0-unexcused": "5"})).status_code == 302
    assert _stored(pupils[2].minor.id, month).missed_excused == 3
    assert _stored(pupils[0].minor.id, month).missed_unexcused == 5


def test_the_screens_query_count_does_not_grow_with_pupils(app, client, world, make_case,
                                                           login_as, day, month):
    login_as(Role.SOCIAL_PEDAGOGUE)
    url = f"/attendance?month={_month_param(month)}"
    few = _pupils(world, make_case, day, 3)
    for case in few[:2]:
        _db.session.add(MonthlyAttendance(
            enrolment_id=case.enrolment.id, minor_id=case.minor.id,
            organisation_id=case.minor.organisation_id, district_id=case.minor.district_id,
            month=month, lessons=80, missed_excused=1, missed_unexcused=0,
            recorded_by_id=world.users["psychologist"].id))
    _db.session.commit()
    client.get(url)  # warm up
    small_page, small = count_queries(client, url)
    many = _pupils(world, make_case, day, 12)
    for case in many[:8]:
        _db.session.add(MonthlyAttendance(
            enrolment_id=case.enrolment.id, minor_id=case.minor.id,
            organisation_id=case.minor.organisation_id, district_id=case.minor.district_id,
            month=month, lessons=80, missed_excused=1, missed_unexcused=0,
            recorded_by_id=world.users["social_pedagogue"].id))
    _db.session.commit()
    large_page, large = count_queries(client, url)
    assert len(_screen_rows(small_page)) == 3 and len(_screen_rows(large_page)) == 15
    assert large == small, (small, large)


# --- who reaches what --------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.POLICE_INSPECTOR, Role.COMMISSION_MEMBER,
                                  Role.DISTRICT_COORDINATOR, Role.PARTNER])
def test_only_school_staff_open_the_monthly_screen(client, login_as, pupils, role):
    login_as(role)
    assert client.get("/attendance").status_code == 403
    assert client.post("/attendance", data={}).status_code == 403


def test_the_coordinator_reads_the_section_and_the_education_page_but_records_nothing(
        app, client, world, login_as, pupils, day):
    case = pupils[0]
    _db.session.add(EducationRecord(
        enrolment_id=case.enrolment.id, minor_id=case.minor.id,
        organisation_id=case.minor.organisation_id, district_id=case.minor.district_id,
        recorded_by_id=world.users["social_pedagogue"].id, status="not_attending",
        since=day - timedelta(days=20), note=""))
    _db.session.commit()
    login_as(Role.DISTRICT_COORDINATOR)
    page = client.get(f"/minors/{case.minor.id}")
    assert page.status_code == 200
    assert 'id="education-panel"' in page.get_data(as_text=True)
    status_label = _t(app, "not attending")
    assert status_label in text(page)
    assert f"/minors/{case.minor.id}/education/status/new" not in page.get_data(as_text=True)
    overview = client.get(f"/minors/{case.minor.id}/education")
    assert overview.status_code == 200 and status_label in text(overview)
    assert client.get(f"/minors/{case.minor.id}/education/status/new").status_code == 403


def test_the_police_see_no_education_section(client, login_as, pupils):
    case = pupils[0]  # groups 1 and 2: the district's inspector opens the case
    login_as(Role.POLICE_INSPECTOR)
    page = client.get(f"/minors/{case.minor.id}")
    assert page.status_code == 200
    assert 'id="education-panel"' not in page.get_data(as_text=True)
    assert client.get(f"/minors/{case.minor.id}/education").status_code == 403


def test_the_commission_reaches_no_education_page(client, login_as, pupils):
    login_as(Role.COMMISSION_MEMBER)
    assert client.get(f"/minors/{pupils[0].minor.id}/education").status_code == 403


def test_another_schools_staff_and_districts_coordinator_get_404(
        client, world, make_user, auth, pupils):
    case = pupils[0]
    for role, org in ((Role.SOCIAL_PEDAGOGUE, "school2"), (Role.DISTRICT_COORDINATOR, "edu2")):
        user = make_user(role, world.orgs[org])
        auth.login(user.login)
        assert client.get(f"/minors/{case.minor.id}/education").status_code == 404
        client.post("/logout")
    other = make_user(Role.SOCIAL_PEDAGOGUE, world.orgs["school2"])
    auth.login(other.login)
    assert client.get(f"/minors/{case.minor.id}/education/status/new").status_code == 404


def test_the_section_shows_status_months_progress_and_employment(
        app, client, world, login_as, pupils, day, month):
    case, pedagogue = pupils[0], world.users["social_pedagogue"]
    place = {"enrolment_id": case.enrolment.id, "minor_id": case.minor.id,
             "organisation_id": case.minor.organisation_id,
             "district_id": case.minor.district_id, "recorded_by_id": pedagogue.id}
    _db.session.add_all([
        MonthlyAttendance(month=month, lessons=80, missed_excused=6, missed_unexcused=3,
                          **place),
        QuarterlyProgress(year=2025, quarter=2, failing_subjects=2, failing_note="физика",
                          **place),
        Employment(kind="temporary", employer="Жасыл Тараз", position="", note="",
                   starts_on=day - timedelta(days=10), **place),
    ])
    _db.session.commit()
    login_as(Role.SOCIAL_PEDAGOGUE)
    page = text(client.get(f"/minors/{case.minor.id}"))
    assert _t(app, "%(excused)s excused, %(unexcused)s unexcused of %(lessons)s lessons",
              excused=6, unexcused=3, lessons=80) in page
    assert "физика" in page and "Жасыл Тараз" in page
    assert f"/minors/{case.minor.id}/education/progress/new" in page


def test_the_sections_query_count_does_not_grow_with_records(app, client, world, login_as,
                                                              pupils, day):
    case, pedagogue = pupils[0], world.users["social_pedagogue"]
    login_as(Role.SOCIAL_PEDAGOGUE)
    url = f"/minors/{case.minor.id}"
    client.get(url)
    _page, before = count_queries(client, url)
    place = {"enrolment_id": case.enrolment.id, "minor_id": case.minor.id,
             "organisation_id": case.minor.organisation_id,
             "district_id": case.minor.district_id, "recorded_by_id": pedagogue.id}
    for n in range(6):
        _db.session.add(Employment(kind="temporary", employer=f"Жұмыс {n}", position="",
                                   note="", starts_on=day - timedelta(days=n + 1), **place))
        _db.session.add(EducationRecord(status="attending", since=day - timedelta(days=n),
                                        note="", **place))
    _db.session.commit()
    page, after = count_queries(client, url)
    assert "Жұмыс 5" in text(page)
    assert after == before, (before, after)


# --- the record forms --------------------------------------------------------------------


def test_recording_a_status_from_the_form(app, client, login_as, pupils, day):
    case = pupils[0]
    login_as(Role.PSYCHOLOGIST)
    url = f"/minors/{case.minor.id}/education/status/new"
    refused = client.post(url, data={"status": "returned",
                                     "since": (day + timedelta(days=2)).isoformat()})
    assert field_error(refused, "since") == _t(app, "The date is in the future.")
    response = client.post(url, data={"status": "returned", "since": day.isoformat(),
                                      "note": "9-сынып"})
    assert response.status_code == 302
    _db.session.expire_all()
    record = _db.session.scalar(select(EducationRecord))
    assert (record.status, record.since, record.note) == ("returned", day, "9-сынып")


def test_a_stale_status_correction_is_refused_with_the_current_state(
        app, client, world, login_as, pupils, day):
    case = pupils[0]
    login_as(Role.SOCIAL_PEDAGOGUE)
    client.post(f"/minors/{case.minor.id}/education/status/new",
                data={"status": "attending", "since": day.isoformat()})
    _db.session.expire_all()
    record = _db.session.scalar(select(EducationRecord))
    url = f"/education/statuses/{record.id}/edit"
    assert client.post(url, data={"status": "college", "since": day.isoformat(),
                                  "version": "1"}).status_code == 302
    stale = client.post(url, data={"status": "working", "since": day.isoformat(),
                                   "version": "1"})
    assert stale.status_code == 200
    assert _t(app, "Someone else changed this record after you opened it. Your changes were "
              "not saved: reload the page and apply them again.") in text(stale)
    assert _t(app, "studying at a college") in text(stale)


def test_a_quarter_already_recorded_links_to_its_correction(app, client, login_as, pupils,
                                                            day):
    from juvenile.education.services import started_quarters

    case = pupils[0]
    year, quarter = started_quarters(day)[0]
    login_as(Role.PSYCHOLOGIST)
    url = f"/minors/{case.minor.id}/education/progress/new"
    assert f'value="{year}-{quarter}"' in client.get(url).get_data(as_text=True)
    form = {"quarter": f"{year}-{quarter}", "failing_subjects": "1",
            "failing_note": "химия", "average_mark": "3,75"}
    assert client.post(url, data=form).status_code == 302
    _db.session.expire_all()
    progress = _db.session.scalar(select(QuarterlyProgress))
    assert str(progress.average_mark) == "3.75"
    again = client.post(url, data=form | {"average_mark": "4"})
    assert field_error(again, "quarter") == _t(
        app, "This quarter's progress is already recorded: correct it instead.")
    assert f"/education/progress/{progress.id}/edit" in again.get_data(as_text=True)


def test_setting_the_end_of_an_employment_from_the_form(app, client, login_as, pupils, day):
    case = pupils[0]
    login_as(Role.SOCIAL_PEDAGOGUE)
    start = (day - timedelta(days=30)).isoformat()
    form = {"kind": "permanent", "employer": "Тараз қант", "position": "", "starts_on": start}
    assert client.post(f"/minors/{case.minor.id}/employments/new",
                       data=form).status_code == 302
    _db.session.expire_all()
    job = _db.session.scalar(select(Employment))
    url = f"/employments/{job.id}/edit"
    refused = client.post(url, data=form | {"ends_on": (day - timedelta(days=31)).isoformat(),
                                            "version": "1"})
    assert field_error(refused, "ends_on") == _t(app, "The end is before the start.")
    assert client.post(url, data=form | {"ends_on": day.isoformat(),
                                         "version": "1"}).status_code == 302
    _db.session.expire_all()
    assert _db.session.get(Employment, job.id).ends_on == day


def test_two_saves_creating_the_same_row_at_the_same_instant_lose_nothing(
        app, client, world, login_as, pupils, month, monkeypatch):
    """The other save lands between this save's check and its insert: the unique month
    row refuses the insert, and the row is shown with what the other person saved."""
    from juvenile.education import views

    login_as(Role.SOCIAL_PEDAGOGUE)
    url = f"/attendance?month={_month_param(month)}"
    screen = client.get(url)
    deputy, minor = world.users["school_admin"], pupils[0].minor
    real_sheet, calls = queries.attendance_sheet, []

    def sheet_then_the_other_save(organisation_id, asked):
        rows = real_sheet(organisation_id, asked)
        calls.append(asked)
        if len(calls) == 2:  # the service's check has read the month: now the other commits
            with _db.engine.begin() as connection:
                connection.execute(MonthlyAttendance.__table__.insert().values(
                    enrolment_id=pupils[0].enrolment.id, minor_id=minor.id,
                    organisation_id=minor.organisation_id, district_id=minor.district_id,
                    recorded_by_id=deputy.id, month=month, lessons=82, missed_excused=7,
                    missed_unexcused=2))
        return rows

    monkeypatch.setattr(views.queries, "attendance_sheet", sheet_then_the_other_save)
    response = client.post(url, data=_form(screen, lessons="80", **{
        "rows-0-excused": "1", "rows-1-excused": "2"}))

    assert response.status_code == 200
    assert _t(app, "%(name)s saved this row after you opened the screen: %(lessons)s lessons, "
              "%(excused)s excused, %(unexcused)s unexcused. Your values were not saved: save "
              "again to replace theirs.", name=deputy.full_name, lessons=82, excused=7,
              unexcused=2) in text(response)
    assert input_value(response, "rows-0-excused") == "1"
    assert _stored(minor.id, month).missed_excused == 7
    assert _stored(pupils[1].minor.id, month) is None
