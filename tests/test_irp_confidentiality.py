"""What the district coordinator does not read in the programme: the results and dates of
the periods of psychological help (its direction, or an activity ticked off by a
psychological session), on the pages and in the PDF — only their counts; and no free text
of the programme (goals, reasons, titles, results) in the audit trail."""

import html
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from juvenile import pdf
from juvenile.audit.models import AuditEntry
from juvenile.cases.dates import today
from juvenile.extensions import db as _db
from juvenile.irp import services
from juvenile.irp.models import Occurrence
from tests.conftest import PASSWORD

PSY_RESULT = "RESULT-SELF-HARM-DISCUSSED"
TRAINING_RESULT = "RESULT-TRAINING-ANXIETY"
FAMILY_RESULT = "RESULT-FAMILY-VISIT-HELD"


def _t(app, message: str, **values) -> str:
    with app.test_request_context(), force_locale("kk"):
        return gettext(message, **values)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _sign_in(client, user) -> None:
    client.post("/logout")
    response = client.post("/login", data={"login": user.login, "password": PASSWORD})
    assert response.status_code == 302


def _activity(specialist, enrolment, direction, title, fulfilled_by, frequency="weekly"):
    return services.ActivityData(
        direction=direction, title=title, fulfilled_by=fulfilled_by,
        responsible_user_id=specialist.id, partner_organisation_id=None, partner_name=None,
        frequency=frequency, starts_on=enrolment.enrolled_on,
        ends_on=enrolment.enrolled_on + timedelta(days=60))


@pytest.fixture
def marked(world, make_case):
    """An approved programme of three activities, the first period of each marked done
    with a result: psychological help marked by hand, an individual activity ticked off
    by a training, and a home visit to the family."""
    psychologist, deputy = world.users["psychologist"], world.users["school_admin"]
    case = make_case(world.orgs["school1"], enrolled_on=today() - timedelta(days=40),
                     responsible=psychologist)
    irp = services.start_draft(psychologist, case.enrolment, "Мақсат", today())
    lines = [("psychological", "Жеке жұмыс", None, PSY_RESULT),
             ("individual", "Тренинг", "training", TRAINING_RESULT),
             ("family", "Отбасына бару", "home_visit", FAMILY_RESULT)]
    for direction, title, fulfilled_by, _result in lines:
        services.add_activity(psychologist, irp, _activity(
            psychologist, case.enrolment, direction, title, fulfilled_by), irp.version)
    services.approve(deputy, irp, irp.version, today())
    _db.session.flush()
    firsts = {}
    for activity, (direction, _title, _by, result) in zip(irp.activities, lines, strict=True):
        first = _db.session.scalars(select(Occurrence).where(
            Occurrence.activity_id == activity.id).order_by(Occurrence.due_on)).first()
        services.mark_occurrence(psychologist, first, "done", first.window_start, result,
                                 first.version, today())
        firsts[direction] = first
    _db.session.commit()
    return case, irp, firsts


def test_the_coordinator_reads_counts_not_results_of_psychological_help(
        app, client, world, marked):
    case, irp, firsts = marked
    pages = (f"/enrolments/{case.enrolment.id}/irp", f"/irp/{irp.id}")
    _sign_in(client, world.users["district_coordinator"])
    for url in pages:
        page = _text(client.get(url))
        assert PSY_RESULT not in page and TRAINING_RESULT not in page, url
        for direction in ("psychological", "individual"):  # no period, no done date
            assert f'id="occurrence-{firsts[direction].id}"' not in page, url
        assert _t(app, "psychological help: its results and dates are for the school "
                       "staff only") in page
        psychological = firsts["psychological"]
        assert _t(app, "Occurrences: done %(done)s, missed %(missed)s, planned %(planned)s",
                  done=1, missed=_missed(psychological),
                  planned=_planned(psychological)) in page
        # the family's work is not clinical: the coordinator reads it
        assert FAMILY_RESULT in page and f'id="occurrence-{firsts["family"].id}"' in page
    _sign_in(client, world.users["psychologist"])
    for url in pages:
        page = _text(client.get(url))
        assert PSY_RESULT in page and TRAINING_RESULT in page and FAMILY_RESULT in page


def _missed(first) -> int:
    return sum(1 for o in first.activity.occurrences
               if o.status == "planned" and o.due_on < today())


def _planned(first) -> int:
    return sum(1 for o in first.activity.occurrences
               if o.status == "planned" and o.due_on >= today())


def test_the_coordinators_pdf_carries_no_result(app, client, world, marked):
    """The printed programme lists the activities, never a period's result or date."""
    from juvenile.irp.views import PDF_TEMPLATE, _pdf_context

    _case, irp, _firsts = marked
    _sign_in(client, world.users["district_coordinator"])
    assert client.get(f"/irp/{irp.id}.pdf?lang=kk").status_code == 200
    with app.test_request_context():
        document = pdf.render_html(PDF_TEMPLATE, "kk", lambda: _pdf_context(irp.id, today()))
    assert "Жеке жұмыс" in document  # the programme itself is there
    for result in (PSY_RESULT, TRAINING_RESULT, FAMILY_RESULT):
        assert result not in document


def test_the_audit_trail_carries_no_text_of_the_programme(app, client, world, make_case):
    psychologist, deputy = world.users["psychologist"], world.users["school_admin"]
    case = make_case(world.orgs["school1"], enrolled_on=today() - timedelta(days=40),
                     responsible=psychologist)
    texts = ["GOALS-FIRST", "GOALS-SECOND", "TITLE-FIRST", "TITLE-SECOND", "REASON-TEXT",
             "RESULT-CANCELLED-BECAUSE", "RESULT-DONE-WITH"]
    v1 = services.start_draft(psychologist, case.enrolment, "GOALS-FIRST", today())
    services.update_draft(psychologist, v1, "GOALS-SECOND", None, False, v1.version)
    activity = services.add_activity(psychologist, v1, _activity(
        psychologist, case.enrolment, "psychological", "TITLE-FIRST", None), v1.version)
    services.update_activity(psychologist, activity, _activity(
        psychologist, case.enrolment, "psychological", "TITLE-SECOND", None), v1.version)
    services.approve(deputy, v1, v1.version, today())
    occurrences = sorted(activity.occurrences, key=lambda o: o.due_on)
    services.mark_occurrence(psychologist, occurrences[0], "cancelled", None,
                             "RESULT-CANCELLED-BECAUSE", occurrences[0].version, today())
    services.mark_occurrence(psychologist, occurrences[1], "done", occurrences[1].window_start,
                             "RESULT-DONE-WITH", occurrences[1].version, today())
    v2 = services.start_draft(psychologist, case.enrolment, "GOALS-SECOND", today(),
                              reason="REASON-TEXT")
    services.remove_activity(psychologist, v2.activities[0], v2.version)
    services.discard_draft(psychologist, v2, v2.version)
    _db.session.commit()
    entries = _db.session.scalars(select(AuditEntry).where(AuditEntry.changes.is_not(None)))
    trail = " ".join(str(e.changes) for e in entries)
    for value in texts:
        assert value not in trail, value
    # the trail still says which text changed, and keeps codes and dates in the clear
    marks = _db.session.scalars(select(AuditEntry).where(AuditEntry.action == "mark")
                                .order_by(AuditEntry.id)).all()
    assert marks[0].changes == {"status": ["planned", "cancelled"],
                                "result": [None, "(text)"]}
    assert marks[1].changes["done_on"] == [None, occurrences[1].window_start.isoformat()]
    updates = _db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "update", AuditEntry.object_type == "irp_versions")).all()
    assert updates[0].changes == {"goals": ["(text)", "(text)"]}
    _sign_in(client, world.users["district_coordinator"])
    page = _text(client.get("/audit/"))
    for value in texts:
        assert value not in page, value
