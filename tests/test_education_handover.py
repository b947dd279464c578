"""Education after the review: the monthly screen chooses its pupils by where each case was
held during the month (a pupil handed over mid-month is on both schools' screens; the
school holding the pupil at the month's end enters the month, the sending school reads
the row), malformed months and marks are refused with a message, and the audit trail
carries no note of an education or employment record (leisure: tests/test_leisure.py)."""

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from juvenile.accounts.models import Role
from juvenile.audit.models import AuditEntry
from juvenile.cases import services as case_services
from juvenile.cases.dates import today
from juvenile.education import queries, services
from juvenile.education.models import MonthlyAttendance, QuarterlyProgress
from juvenile.errors import ServiceError
from juvenile.extensions import db as _db
from tests.conftest import PASSWORD
from tests.test_admin_organisations import field_error


def _t(app, message: str, **values) -> str:
    with app.test_request_context(), force_locale("kk"):
        return gettext(message, **values)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _sign_in(client, user) -> None:
    client.post("/logout")
    response = client.post("/login", data={"login": user.login, "password": PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def day(app):
    with app.test_request_context():
        return today()


@pytest.fixture
def month(day):
    return queries.previous_month(day)


# --- the monthly screen and a hand-over -----------------------------------------------------


@pytest.fixture
def moved(world, make_case, make_user, month):
    """A pupil of school1 (D1) handed over to school3 (D2) on the 15th of last month."""
    school3 = world.orgs["school3"]
    case = make_case(world.orgs["school1"], enrolled_on=month - timedelta(days=90),
                     transfer_to=school3)
    deputy3 = make_user(Role.SCHOOL_ADMIN, school3, "deputy3")
    case_services.accept_transfer(deputy3, case.transfer, None, month + timedelta(days=14))
    _db.session.commit()
    return case, deputy3


def test_a_pupil_handed_over_mid_month_is_on_both_screens_the_receiver_enters_it(
        world, moved, month):
    case, _deputy3 = moved
    school1, school3 = world.orgs["school1"], world.orgs["school3"]
    sending = queries.attendance_sheet(school1.id, month)
    receiving = queries.attendance_sheet(school3.id, month)
    assert [r.minor_id for r in sending] == [r.minor_id for r in receiving] == [case.minor.id]
    assert (sending[0].editable, sending[0].handed_on) == (False, month + timedelta(days=14))
    assert receiving[0].editable and receiving[0].handed_on is None
    assert (receiving[0].organisation_id, receiving[0].district_id) == (
        school3.id, school3.district_id)
    assert sending[0].organisation_id == school1.id
    # the month before: only the sending school had the pupil, and enters it
    before = queries.previous_month(month)
    assert [(r.minor_id, r.editable) for r in queries.attendance_sheet(school1.id, before)] == [
        (case.minor.id, True)]
    assert queries.attendance_sheet(school3.id, before) == []


def test_the_sending_school_cannot_enter_the_month_the_receiving_school_does(
        app, world, moved, month, day):
    case, deputy3 = moved
    typed = [services.AttendanceEntry(case.minor.id, 80, 2, 1)]
    with app.test_request_context(), pytest.raises(services.AttendanceRefused) as refused:
        services.save_month_attendance(world.users["school_admin"], month, typed, None, day)
    assert set(refused.value.errors[case.minor.id]) == {"row"}
    _db.session.rollback()
    with app.test_request_context():
        assert services.save_month_attendance(deputy3, month, typed, None, day) == 1
    _db.session.commit()
    record = _db.session.scalar(select(MonthlyAttendance))
    school3 = world.orgs["school3"]
    assert (record.organisation_id, record.district_id, record.lessons) == (
        school3.id, school3.district_id, 80)


def test_the_sending_schools_screen_shows_the_row_read_only(app, client, world, moved, month,
                                                            day):
    case, deputy3 = moved
    with app.test_request_context():
        services.save_month_attendance(deputy3, month, [
            services.AttendanceEntry(case.minor.id, 77, 3, 4)], None, day)
    _db.session.commit()
    url = f"/attendance?month={month.strftime('%Y-%m')}"
    _sign_in(client, world.users["psychologist"])
    page = _text(client.get(url))
    assert f'id="handed-{case.minor.id}"' in page and f'id="pupil-{case.minor.id}"' not in page
    assert 'name="rows-0-lessons"' not in page  # nothing to type
    row = re.search(rf'<tr id="handed-{case.minor.id}">(.*?)</tr>', page, re.S).group(1)
    assert ">77<" in row and deputy3.full_name in row
    with app.test_request_context(), force_locale("kk"):
        assert services.handed_on_message(queries.attendance_sheet(
            world.orgs["school1"].id, month)[0]) in row
    # a crafted post is refused, the receiving school's values stay
    client.post(url, data={"lessons": "", "rows-0-minor_id": str(case.minor.id),
                           "rows-0-version": "", "rows-0-lessons": "10",
                           "rows-0-excused": "0", "rows-0-unexcused": "0"})
    _db.session.expire_all()
    assert _db.session.scalar(select(MonthlyAttendance.lessons)) == 77
    _sign_in(client, deputy3)
    page = _text(client.get(url))
    assert f'id="pupil-{case.minor.id}"' in page and f'id="handed-{case.minor.id}"' not in page


# --- malformed input -------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["9999-12", "2101-01", "1999-12"])
def test_a_month_out_of_range_is_refused_with_a_message(app, client, login_as, typed):
    login_as(Role.PSYCHOLOGIST)
    for method in (client.get, client.post):
        response = method(f"/attendance?month={typed}")
        assert response.status_code == 200
        assert field_error(response, "month") == _t(
            app, "Choose a month from %(first)s to %(last)s.", first=2000, last=2100)


@pytest.mark.parametrize("typed", ["NaN", "sNaN", "-NaN", "Infinity", "-Infinity", "inf"])
def test_a_mark_that_is_not_a_number_is_refused_beside_the_field(app, client, world,
                                                                 make_case, login_as, typed,
                                                                 day):
    case = make_case(world.orgs["school1"], enrolled_on=day - timedelta(days=40))
    login_as(Role.PSYCHOLOGIST)
    year, quarter = services.started_quarters(day)[0]
    response = client.post(f"/minors/{case.minor.id}/education/progress/new", data={
        "quarter": f"{year}-{quarter}", "failing_subjects": "0", "average_mark": typed})
    assert response.status_code == 200
    assert field_error(response, "average_mark") == _t(
        app, "The average mark is from 2.00 to 5.00.")
    assert _db.session.scalar(select(func.count(QuarterlyProgress.id))) == 0


@pytest.mark.parametrize("mark", [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity")])
def test_the_rules_refuse_a_mark_that_is_not_a_number(world, make_case, mark, day):
    case = make_case(world.orgs["school1"], enrolled_on=day - timedelta(days=40))
    with pytest.raises(ServiceError) as refused:
        services.record_progress(world.users["psychologist"], case.minor,
                                 *services.started_quarters(day)[0],
                                 services.ProgressData(0, None, mark), day)
    assert refused.value.field == "average_mark"


# --- no note in the audit trail -------------------------------------------------------------


def _trail() -> str:
    _db.session.commit()
    return " ".join(str(e.changes) for e in _db.session.scalars(
        select(AuditEntry).where(AuditEntry.changes.is_not(None))))


def test_education_notes_are_not_in_the_audit_trail(client, world, make_case, day):
    psychologist = world.users["psychologist"]
    case = make_case(world.orgs["school1"], enrolled_on=day - timedelta(days=40))
    status = services.record_status(psychologist, case.minor, services.StatusData(
        "not_attending", day, "NOTE-STATUS-FAMILY-CONFLICT"), day)
    services.update_status(psychologist, status, services.StatusData(
        "attending", day, "NOTE-STATUS-SECOND"), status.version, day)
    progress = services.record_progress(psychologist, case.minor,
                                        *services.started_quarters(day)[0],
                                        services.ProgressData(2, "FAILING-NOTE-MATHS",
                                                              Decimal("3.5")), day)
    services.update_progress(psychologist, progress, services.ProgressData(
        1, "FAILING-NOTE-SECOND", Decimal("3.7")), progress.version, day)
    employment = services.record_employment(psychologist, case.minor, services.EmploymentData(
        "temporary", "ЖШС Құрылыс", day, note="NOTE-EMPLOYMENT-PAID-CASH"), day)
    services.update_employment(psychologist, employment, services.EmploymentData(
        "temporary", "ЖШС Құрылыс", day, ends_on=day, note="NOTE-EMPLOYMENT-SECOND"),
        employment.version, day)
    trail = _trail()
    for text in ("NOTE-STATUS-FAMILY-CONFLICT", "NOTE-STATUS-SECOND", "FAILING-NOTE-MATHS",
                 "FAILING-NOTE-SECOND", "NOTE-EMPLOYMENT-PAID-CASH", "NOTE-EMPLOYMENT-SECOND"):
        assert text not in trail, text
    # what changed is still said; codes, numbers and dates stay readable
    assert "'note': ['(text)', '(text)']" in trail
    assert "'status': ['not_attending', 'attending']" in trail
    assert "'failing_subjects': [2, 1]" in trail
    _sign_in(client, world.users["district_coordinator"])
    page = _text(client.get("/audit/"))
    assert "NOTE-STATUS-FAMILY-CONFLICT" not in page and "FAILING-NOTE-MATHS" not in page


def test_a_month_within_range_still_opens(client, login_as, month):
    login_as(Role.PSYCHOLOGIST)
    response = client.get(f"/attendance?month={month.strftime('%Y-%m')}")
    assert response.status_code == 200 and 'id="sheet-heading"' in response.get_data(
        as_text=True)
