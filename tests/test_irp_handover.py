"""The programme follows the case when it is handed over: the approved version, the draft
and the periods due from the day of the hand-over move to the receiving school (past
periods stay where the work was due), activities lose a responsible person of the sending
school, and from then on the receiving school's staff read, draft and mark it while the
sending school's staff get 404 — also for a closed enrolment of a minor who moved on. The
sending district's coordinator reads nothing more about the case in the audit trail."""

import html
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from juvenile.accounts.models import Role
from juvenile.audit.models import AuditEntry
from juvenile.cases import services as case_services
from juvenile.cases.dates import today
from juvenile.errors import ServiceError
from juvenile.extensions import db as _db
from juvenile.irp import services
from juvenile.irp.models import Activity, IrpVersion, Occurrence
from tests.conftest import PASSWORD
from tests.matrices.irp import make_programme

RESULT = "Кеңес өтті: RESULT-AFTER-HAND-OVER"


def _t(app, message: str, **values) -> str:
    with app.test_request_context(), force_locale("kk"):
        return gettext(message, **values)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _sign_in(client, user) -> None:
    client.post("/logout")
    response = client.post("/login", data={"login": user.login, "password": PASSWORD})
    assert response.status_code == 302


def _visible_to(district_id: int) -> int:
    """How many audit entries the coordinator of the district reads."""
    return _db.session.scalar(select(func.count(AuditEntry.id))
                              .where(AuditEntry.district_id == district_id))


@pytest.fixture
def handed_over(world, make_case, make_user):
    """A case of school1 (D1) with an approved programme and a correction draft, handed
    over today to school3 (D2)."""
    psychologist, deputy = world.users["psychologist"], world.users["school_admin"]
    case = make_case(world.orgs["school1"], enrolled_on=today() - timedelta(days=40),
                     transfer_to=world.orgs["school3"], responsible=psychologist)
    v1, v2 = make_programme(_db, case.enrolment, psychologist, deputy, day=today())
    users = {"deputy3": make_user(Role.SCHOOL_ADMIN, world.orgs["school3"], "deputy3"),
             "psy3": make_user(Role.PSYCHOLOGIST, world.orgs["school3"], "psy3"),
             "coord2": make_user(Role.DISTRICT_COORDINATOR, world.orgs["edu2"], "coord2")}
    case_services.accept_transfer(users["deputy3"], case.transfer, users["psy3"].id, today())
    _db.session.commit()
    return case, v1, v2, users


def test_the_programme_and_its_future_periods_move_past_ones_stay(world, handed_over):
    case, v1, v2, _users = handed_over
    school1, school3 = world.orgs["school1"], world.orgs["school3"]
    _db.session.expire_all()
    for version in (_db.session.get(IrpVersion, v1.id), _db.session.get(IrpVersion, v2.id)):
        assert (version.organisation_id, version.district_id) == (
            school3.id, school3.district_id)
    rows = _db.session.scalars(select(Occurrence).where(
        Occurrence.enrolment_id == case.enrolment.id)).all()
    past = [o for o in rows if o.due_on < today()]
    future = [o for o in rows if o.due_on >= today()]
    assert past and future
    assert {(o.organisation_id, o.district_id) for o in past} == {
        (school1.id, school1.district_id)}
    assert {(o.organisation_id, o.district_id) for o in future} == {
        (school3.id, school3.district_id)}
    # the sending school's psychologist no longer answers for the activities
    assert _db.session.scalars(select(Activity.responsible_user_id).where(
        Activity.irp_id.in_([v1.id, v2.id]))).all() == [None, None]


def test_the_move_is_audited_in_the_receiving_district_without_text(world, handed_over):
    _case, v1, v2, _users = handed_over
    entries = _db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "hand_over").order_by(AuditEntry.object_id)).all()
    assert [(e.object_type, e.object_id) for e in entries] == [
        ("irp_versions", v1.id), ("irp_versions", v2.id)]
    school1, school3 = world.orgs["school1"], world.orgs["school3"]
    for entry in entries:
        assert entry.district_id == school3.district_id
        assert entry.changes["organisation_id"] == [school1.id, school3.id]
        assert "мектепке" not in str(entry.changes)  # no goals, no titles
    assert entries[0].changes["moved_occurrences"] > 0
    assert entries[0].changes["activities_without_responsible"] == [v1.activities[0].id]


def test_the_receiving_school_works_on_it_and_the_sending_district_reads_nothing_more(
        app, client, world, handed_over):
    case, v1, v2, users = handed_over
    d1, d2 = world.districts["D1"].id, world.districts["D2"].id
    seen_by_d1, seen_by_d2 = _visible_to(d1), _visible_to(d2)
    future = _db.session.scalars(select(Occurrence).where(
        Occurrence.enrolment_id == case.enrolment.id, Occurrence.due_on >= today())
        .order_by(Occurrence.due_on)).first()
    past = _db.session.scalars(select(Occurrence).where(
        Occurrence.enrolment_id == case.enrolment.id, Occurrence.due_on < today())
        .order_by(Occurrence.due_on)).first()
    _sign_in(client, users["psy3"])
    page = _text(client.get(f"/enrolments/{case.enrolment.id}/irp"))
    assert f"/irp/occurrences/{future.id}" in page  # marks the periods to come
    assert _t(app, "the case's responsible specialist") in page
    assert users["psy3"].full_name in page  # … who is now the receiving school's
    assert client.get(f"/irp/{v1.id}").status_code == 200
    assert client.get(f"/irp/{v2.id}/edit").status_code == 200
    for occurrence, status in ((future, "cancelled"), (past, "missed")):
        response = client.post(f"/irp/occurrences/{occurrence.id}", data={
            "status": status, "result": RESULT, "version": occurrence.version})
        assert response.status_code == 302, _text(response)
    _db.session.expire_all()
    assert _db.session.get(Occurrence, future.id).status == "cancelled"
    # the past period stays placed where it was due, its mark is audited where the case is
    assert _db.session.get(Occurrence, past.id).organisation_id == world.orgs["school1"].id
    assert _visible_to(d1) == seen_by_d1
    assert _visible_to(d2) > seen_by_d2
    coordinators = [world.users["district_coordinator"], users["coord2"]]
    for coordinator, reads in zip(coordinators, (False, True), strict=True):
        _sign_in(client, coordinator)
        assert (client.get(f"/enrolments/{case.enrolment.id}/irp").status_code == 200) is reads
        trail = _text(client.get("/audit/"))
        assert RESULT not in trail


def test_the_sending_school_loses_the_programme(client, world, handed_over):
    case, v1, v2, _users = handed_over
    future = _db.session.scalars(select(Occurrence).where(
        Occurrence.enrolment_id == case.enrolment.id, Occurrence.due_on >= today())).first()
    _sign_in(client, world.users["psychologist"])
    for url in (f"/enrolments/{case.enrolment.id}/irp", f"/irp/{v1.id}", f"/irp/{v1.id}.pdf",
                f"/irp/{v2.id}/edit", f"/irp/occurrences/{future.id}"):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/irp/occurrences/{future.id}", data={
        "status": "missed", "version": future.version})
    assert response.status_code == 404
    with pytest.raises(ServiceError):
        services.mark_occurrence(world.users["psychologist"], future, "missed", None, None,
                                 future.version, today())
    with pytest.raises(ServiceError):
        services.approve(world.users["school_admin"], v2, v2.version, today())


def test_a_closed_case_of_a_minor_who_moved_is_read_by_the_new_school_only(
        client, world, make_case, make_user):
    """No hand-over: the case was closed (the minor moved) and the minor then enrolled at
    school3 of the other district. The old programme is the new school's to read."""
    psychologist, deputy = world.users["psychologist"], world.users["school_admin"]
    case = make_case(world.orgs["school1"], enrolled_on=today() - timedelta(days=40))
    v1, _v2 = make_programme(_db, case.enrolment, psychologist, deputy, correction=False)
    case.enrolment.closed_on, case.enrolment.closure_reason = today(), "moved"
    school3 = world.orgs["school3"]
    case.minor.organisation_id, case.minor.district_id = school3.id, school3.district_id
    _db.session.commit()
    psy3 = make_user(Role.PSYCHOLOGIST, school3, "psy3")
    coord2 = make_user(Role.DISTRICT_COORDINATOR, world.orgs["edu2"], "coord2")
    urls = (f"/enrolments/{case.enrolment.id}/irp", f"/irp/{v1.id}", f"/irp/{v1.id}.pdf",
            f"/irp/{v1.id}/compare")
    for user, status in ((psychologist, 404), (world.users["district_coordinator"], 404),
                         (psy3, 200), (coord2, 200)):
        _sign_in(client, user)
        for url in urls:
            assert client.get(url).status_code == status, (user.login, url)
    # read-only: the case is closed
    _sign_in(client, psy3)
    page = _text(client.get(f"/enrolments/{case.enrolment.id}/irp"))
    assert "/irp/occurrences/" not in page
    assert "/irp/new" not in page
