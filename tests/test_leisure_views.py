"""Leisure and socialisation screens: recording and correcting an involvement, the case
page's section with the derived "involved this month", each role's view, and the
section's query count."""

import html
import re
from datetime import date, timedelta

import pytest
from flask_babel import force_locale, format_date, gettext
from sqlalchemy import select

from juvenile.accounts.models import Role
from juvenile.cases.dates import today as region_today
from juvenile.dbtypes import utcnow
from juvenile.extensions import db as _db
from juvenile.leisure import services
from juvenile.leisure.models import LeisureInvolvement, LeisureKind
from tests.conftest import PASSWORD, count_queries
from tests.test_admin_organisations import field_error, flashes

MENTOR_WITHOUT_CONTACT = ("Give the mentor's contact (a phone number or an e-mail): a mentor "
                          "without contact cannot be reached.")


def _t(app, message: str, **values) -> str:
    """A message as the (Kazakh) interface shows it."""
    with app.test_request_context(), force_locale("kk"):
        return gettext(message, **values)


def _label(app, kind: str) -> str:
    with app.test_request_context(), force_locale("kk"):
        return LeisureKind(kind).label


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _panel(response) -> str | None:
    """The leisure section of the case page, or None when it is not there."""
    match = re.search(r'<section[^>]*id="leisure-panel".*?</section>', _text(response), re.S)
    return match.group(0) if match else None


def _this_month(response) -> str:
    match = re.search(r'<p id="leisure-this-month">(.*?)</p>', _panel(response), re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def _sign_in(client, user):
    client.post("/logout")
    assert client.post("/login", data={"login": user.login,
                                       "password": PASSWORD}).status_code == 302


@pytest.fixture
def day(app):
    return region_today()


@pytest.fixture
def case(world, make_case, day):
    # Group 1: the district's police inspector may open the case page itself.
    return make_case(world.orgs["school1"], enrolled_on=day - timedelta(days=40), groups=(1,))


def _form(day: date, **changes) -> dict:
    values = {"kind": "sports_section", "name": "Күрес үйірмесі", "organiser": "ДЮСШ №2",
              "mentor_name": "", "mentor_contact": "",
              "starts_on": (day - timedelta(days=5)).isoformat(), "ends_on": "",
              "note": "Сейсенбі, бейсенбі"}
    return values | changes


def _stored(minor_id: int) -> list[LeisureInvolvement]:
    _db.session.expire_all()
    return list(_db.session.scalars(select(LeisureInvolvement)
                                    .where(LeisureInvolvement.minor_id == minor_id)
                                    .order_by(LeisureInvolvement.id)))


def _involvement(case, day, user, **changes) -> LeisureInvolvement:
    values = dict(kind="club", name="Домбыра үйірмесі", organiser="", mentor_name=None,
                  mentor_contact=None, starts_on=day - timedelta(days=3), ends_on=None,
                  note="")
    involvement = services.record_involvement(
        user, _db.session.merge(case.enrolment),
        services.InvolvementData(**(values | changes)), day)
    _db.session.commit()
    return involvement


# --- recording ---------------------------------------------------------------------------


def test_a_specialist_records_and_the_case_page_says_involved(app, client, world, case, day):
    _sign_in(client, world.users["social_pedagogue"])
    new = f"/enrolments/{case.enrolment.id}/leisure/new"
    assert client.get(new).status_code == 200
    response = client.post(new, data=_form(day))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/minors/{case.minor.id}")
    [stored] = _stored(case.minor.id)
    assert (stored.kind, stored.name, stored.ends_on) == ("sports_section", "Күрес үйірмесі",
                                                          None)
    page = client.get(f"/minors/{case.minor.id}")
    panel = _panel(page)
    assert _this_month(page) == (f"{_t(app, 'Involved this month')}: {_t(app, 'yes')} "
                                 f"({_label(app, 'sports_section')})")
    assert "Күрес үйірмесі" in panel and "ДЮСШ №2" in panel
    assert f"/leisure/{stored.id}/edit" in panel
    # The timeline has the line, in words.
    assert _t(app, "Involvement began: %(kind)s «%(name)s».",
              kind=_label(app, "sports_section"), name="Күрес үйірмесі") in _text(page)


def test_without_involvement_the_month_says_no(app, client, world, case):
    _sign_in(client, world.users["psychologist"])
    page = client.get(f"/minors/{case.minor.id}")
    assert _this_month(page) == f"{_t(app, 'Involved this month')}: {_t(app, 'no')}"
    assert f"/enrolments/{case.enrolment.id}/leisure/new" in _panel(page)


def test_a_mentor_without_contact_is_refused_beside_the_field(app, client, world, case, day):
    _sign_in(client, world.users["social_pedagogue"])
    response = client.post(f"/enrolments/{case.enrolment.id}/leisure/new", data=_form(
        day, kind="mentoring", name="Тәлімгерлік", mentor_name="Серікбаев Ерлан"))
    assert response.status_code == 200
    assert field_error(response, "mentor_contact") == _t(app, MENTOR_WITHOUT_CONTACT)
    page = _text(response)
    assert 'value="Серікбаев Ерлан"' in page and 'value="Тәлімгерлік"' in page
    assert re.search(r'<option selected value="mentoring">|<option value="mentoring" selected',
                     page)
    assert _stored(case.minor.id) == []


def test_an_end_before_the_start_is_refused_beside_the_field(app, client, world, case, day):
    _sign_in(client, world.users["psychologist"])
    start = day - timedelta(days=5)
    response = client.post(f"/enrolments/{case.enrolment.id}/leisure/new", data=_form(
        day, ends_on=(start - timedelta(days=1)).isoformat()))
    assert field_error(response, "ends_on") == _t(app, "The end comes before the start.")
    assert f'value="{start.isoformat()}"' in _text(response)
    assert _stored(case.minor.id) == []


def test_a_start_in_the_future_is_refused(app, client, world, case, day):
    _sign_in(client, world.users["psychologist"])
    response = client.post(f"/enrolments/{case.enrolment.id}/leisure/new", data=_form(
        day, starts_on=(day + timedelta(days=1)).isoformat()))
    assert field_error(response, "starts_on") == _t(
        app, "The start is in the future: record the involvement when it begins.")
    assert _stored(case.minor.id) == []


def test_an_event_without_an_end_is_saved_as_one_day(client, world, case, day):
    _sign_in(client, world.users["psychologist"])
    client.post(f"/enrolments/{case.enrolment.id}/leisure/new",
                data=_form(day, kind="event", name="Наурыз", starts_on=day.isoformat()))
    [event] = _stored(case.minor.id)
    assert event.ends_on == event.starts_on == day


def test_a_closed_case_takes_no_new_involvement(app, client, world, case, day):
    case.enrolment.closed_on = day
    _db.session.commit()
    _sign_in(client, world.users["psychologist"])
    response = client.post(f"/enrolments/{case.enrolment.id}/leisure/new", data=_form(day))
    assert response.status_code == 302
    assert _stored(case.minor.id) == []
    page = client.get(f"/minors/{case.minor.id}")
    assert _t(app, "The case is closed: its records can no longer change.") in flashes(page)


# --- correcting and deleting -----------------------------------------------------------


def test_setting_the_end_through_the_form(app, client, world, case, day):
    involvement = _involvement(case, day, world.users["psychologist"])
    _sign_in(client, world.users["social_pedagogue"])
    edit = f"/leisure/{involvement.id}/edit"
    form = _text(client.get(edit))
    assert 'value="Домбыра үйірмесі"' in form and 'name="version" type="hidden" value="1"' in form
    left = day - timedelta(days=1)
    response = client.post(edit, data=_form(day, kind="club", name="Домбыра үйірмесі",
                                            starts_on=involvement.starts_on.isoformat(),
                                            ends_on=left.isoformat(), version="1"))
    assert response.status_code == 302
    [stored] = _stored(case.minor.id)
    assert stored.ends_on == left and stored.version == 2
    page = client.get(f"/minors/{case.minor.id}")
    assert _t(app, "Involvement ended: %(kind)s «%(name)s».", kind=_label(app, "club"),
              name="Домбыра үйірмесі") in _text(page)
    assert 'id="leisure-history"' in _panel(page)  # no longer under "goes on now"


def test_a_stale_correction_is_refused_and_says_what_is_stored(app, client, world, case,
                                                                day):
    involvement = _involvement(case, day, world.users["psychologist"])
    services.update_involvement(world.users["psychologist"], involvement, services.
                                InvolvementData(kind="club", name="Шахмат", organiser="",
                                                mentor_name=None, mentor_contact=None,
                                                starts_on=involvement.starts_on,
                                                ends_on=None, note=""), 1, day)
    _db.session.commit()
    _sign_in(client, world.users["social_pedagogue"])
    response = client.post(f"/leisure/{involvement.id}/edit", data=_form(
        day, kind="club", name="Домбыра", starts_on=involvement.starts_on.isoformat(),
        ends_on=day.isoformat(), version="1"))
    assert response.status_code == 200
    page = _text(response)
    assert _t(app, "Someone else changed this record after you opened it. Your changes were "
                   "not saved: reload the page and apply them again.") in page
    with app.test_request_context(), force_locale("kk"):
        start = format_date(involvement.starts_on, "medium")
    assert _t(app, "Now: %(kind)s «%(name)s», from %(start)s to %(end)s.",
              kind=_label(app, "club"), name="Шахмат", start=start,
              end=_t(app, "no end")) in page
    [stored] = _stored(case.minor.id)
    assert (stored.name, stored.ends_on) == ("Шахмат", None)


def test_the_recorder_deletes_a_mistake_the_same_day(client, world, case, day):
    involvement = _involvement(case, day, world.users["social_pedagogue"])
    _sign_in(client, world.users["social_pedagogue"])
    form = _text(client.get(f"/leisure/{involvement.id}/edit"))
    assert f"/leisure/{involvement.id}/delete" in form
    response = client.post(f"/leisure/{involvement.id}/delete", data={"version": "1"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/minors/{case.minor.id}")
    assert _stored(case.minor.id) == []


def test_another_specialist_cannot_delete_it(app, client, world, case, day):
    involvement = _involvement(case, day, world.users["social_pedagogue"])
    _sign_in(client, world.users["psychologist"])
    assert f"/leisure/{involvement.id}/delete" not in _text(
        client.get(f"/leisure/{involvement.id}/edit"))
    response = client.post(f"/leisure/{involvement.id}/delete", data={"version": "1"},
                           follow_redirects=True)
    assert _t(app, "Only the person who recorded it may delete an involvement, on the day it "
                   "was recorded. Correct it instead: set its end.") in flashes(response)
    assert len(_stored(case.minor.id)) == 1


def test_the_recorder_cannot_delete_it_a_day_later(client, world, case, day):
    involvement = _involvement(case, day, world.users["social_pedagogue"])
    involvement.recorded_at = utcnow() - timedelta(days=1, hours=1)
    _db.session.commit()
    _sign_in(client, world.users["social_pedagogue"])
    client.post(f"/leisure/{involvement.id}/delete", data={"version": "1"})
    assert len(_stored(case.minor.id)) == 1


def test_a_closed_case_shows_its_history_read_only(client, world, case, day):
    involvement = _involvement(case, day, world.users["psychologist"],
                               ends_on=day - timedelta(days=1))
    case.enrolment.closed_on = day
    _db.session.commit()
    _sign_in(client, world.users["psychologist"])
    panel = _panel(client.get(f"/minors/{case.minor.id}"))
    assert "Домбыра үйірмесі" in panel
    assert "/leisure/new" not in panel and f"/leisure/{involvement.id}/edit" not in panel
    response = client.get(f"/leisure/{involvement.id}/edit")
    assert response.status_code == 302  # back to the case page, with the reason
    assert client.post(f"/leisure/{involvement.id}/delete",
                       data={"version": "1"}).status_code == 302
    assert len(_stored(case.minor.id)) == 1


# --- each role -------------------------------------------------------------------------


def test_the_coordinator_reads_the_panel_but_cannot_record(client, world, case, day):
    involvement = _involvement(case, day, world.users["psychologist"], kind="mentoring",
                               mentor_name="Серікбаев Ерлан", mentor_contact="+7 701 555 00 11")
    _sign_in(client, world.users["district_coordinator"])
    panel = _panel(client.get(f"/minors/{case.minor.id}"))
    assert panel is not None and "Серікбаев Ерлан" in panel
    assert "/leisure/new" not in panel and "/edit" not in panel
    assert client.get(f"/enrolments/{case.enrolment.id}/leisure/new").status_code == 403
    assert client.post(f"/enrolments/{case.enrolment.id}/leisure/new",
                       data=_form(day)).status_code == 403
    assert client.get(f"/leisure/{involvement.id}/edit").status_code == 403
    assert client.post(f"/leisure/{involvement.id}/delete").status_code == 403
    assert len(_stored(case.minor.id)) == 1


def test_the_coordinator_of_another_district_sees_nothing(client, world, case, make_user):
    other = make_user(Role.DISTRICT_COORDINATOR, world.orgs["edu2"])
    _sign_in(client, other)
    assert client.get(f"/minors/{case.minor.id}").status_code == 404


def test_the_deputy_head_reads_the_panel_without_recording(client, world, case, day):
    involvement = _involvement(case, day, world.users["psychologist"])
    _sign_in(client, world.users["school_admin"])
    panel = _panel(client.get(f"/minors/{case.minor.id}"))
    assert "Домбыра үйірмесі" in panel and "/leisure/new" not in panel
    assert client.get(f"/leisure/{involvement.id}/edit").status_code == 403


@pytest.mark.parametrize("role", ["police_inspector", "commission_member"])
def test_the_police_and_the_commission_get_403(client, world, case, day, role):
    involvement = _involvement(case, day, world.users["psychologist"])
    _sign_in(client, world.users[role])
    case_page = client.get(f"/minors/{case.minor.id}")
    if role == "police_inspector":  # the case page opens (group 1), without the section
        assert case_page.status_code == 200 and _panel(case_page) is None
        # the police's timeline is the case's legal course: no line of the programme's work
        assert "Домбыра үйірмесі" not in _text(case_page)
    else:
        assert case_page.status_code == 403
    assert client.get(f"/enrolments/{case.enrolment.id}/leisure/new").status_code == 403
    assert client.get(f"/leisure/{involvement.id}/edit").status_code == 403
    assert client.post(f"/leisure/{involvement.id}/delete").status_code == 403


def test_a_specialist_of_another_school_gets_404(client, world, case, day, make_user):
    involvement = _involvement(case, day, world.users["psychologist"])
    _sign_in(client, make_user(Role.PSYCHOLOGIST, world.orgs["school2"]))
    assert client.get(f"/enrolments/{case.enrolment.id}/leisure/new").status_code == 404
    assert client.get(f"/leisure/{involvement.id}/edit").status_code == 404
    assert client.post(f"/leisure/{involvement.id}/delete").status_code == 404


# --- the section's cost ------------------------------------------------------------------


def _more_involvements(case, day, user) -> None:
    for n, kind in enumerate(LeisureKind):
        mentor = ({"mentor_name": "Тәлімгер", "mentor_contact": "+7 700 000 00 00"}
                  if kind is LeisureKind.MENTORING else {})
        _involvement(case, day, user, kind=kind.value, name=f"{kind.value} {n}",
                     starts_on=day - timedelta(days=30 + n),
                     ends_on=day - timedelta(days=n) if n % 2 else None, **mentor)


@pytest.mark.parametrize("role", ["psychologist", "district_coordinator"])
def test_the_section_costs_the_same_queries_however_many_involvements(client, world, case,
                                                                      day, role):
    recorder = world.users["social_pedagogue"]
    _involvement(case, day, recorder)
    _sign_in(client, world.users[role])
    url = f"/minors/{case.minor.id}"
    _response, few = count_queries(client, url)
    _more_involvements(case, day, recorder)
    response, many = count_queries(client, url)
    assert len(re.findall(r"<tr>", _panel(response))) > 6  # the rows are shown
    assert many == few


def test_the_strip_shows_twelve_months(client, world, case, day):
    _involvement(case, day, world.users["psychologist"],
                 starts_on=case.enrolment.enrolled_on)
    _sign_in(client, world.users["psychologist"])
    strip = re.search(r'<ol[^>]*id="leisure-strip">(.*?)</ol>',
                      _panel(client.get(f"/minors/{case.minor.id}")), re.S).group(1)
    items = re.findall(r'<li class="([\w-]+)"', strip)
    assert len(items) == 12 and items[-1] == "involved"
    assert items[0] == "not-involved"  # a year ago: before the enrolment, nothing recorded

