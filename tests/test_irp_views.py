"""The programme's screens per role: reading (school staff, the coordinator read-only),
drafting and marking (the school's specialists), approving (the deputy head), the police
and the commission refused; refusals beside their fields, stale forms refused; the
comparison; the PDF in Kazakh and Russian; the case page's section; "My work"'s missed
activities; and fixed query counts."""

import html
import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from juvenile import pdf
from juvenile.accounts.models import Role
from juvenile.audit.models import AuditEntry
from juvenile.cases.dates import today
from juvenile.extensions import db as _db
from juvenile.irp import services
from juvenile.irp.models import Activity, IrpStatus, IrpVersion, Occurrence
from tests.conftest import count_queries
from tests.matrices.irp import make_programme
from tests.test_admin_organisations import field_error, flashes

KAZAKH_LETTERS = "әғқңөұүһі"
GOALS = "Әсем ғылым қалың өмір ұлы үміт һәм іні: мектепке қайта оралу"


def _t(app, message: str, locale: str = "kk", **values) -> str:
    """A message as the interface (Kazakh by default) shows it."""
    with app.test_request_context(), force_locale(locale):
        return gettext(message, **values)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _reload(model, record_id):
    _db.session.expire_all()
    return _db.session.get(model, record_id)


@pytest.fixture
def sign_in(client, login_as):
    """Sign in as the world's account of a role, signing out whoever was signed in."""

    def switch(role):
        client.post("/logout")
        return login_as(role)

    return switch


@pytest.fixture
def case(app, world, make_case):
    return make_case(world.orgs["school1"], enrolled_on=today() - timedelta(days=40),
                     responsible=world.users["psychologist"])


@pytest.fixture
def programme(case, world):
    """v1 approved (a weekly consultation from enrolment: some weeks already missed) and
    v2, a correction draft."""
    return make_programme(_db, case.enrolment, world.users["psychologist"],
                          world.users["school_admin"], day=today())


def _activity_form(**changes) -> dict:
    day = today()
    values = {"direction": "family", "title": "Үйге бару, ата-анамен әңгіме",
              "responsible_user_id": "", "partner_organisation_id": "", "partner_name": "",
              "frequency": "monthly", "starts_on": day.isoformat(),
              "ends_on": (day + timedelta(days=60)).isoformat(), "fulfilled_by": "home_visit"}
    return values | changes


# --- reading, per role ----------------------------------------------------------------------


def test_a_specialist_reads_and_works_on_the_programme(app, client, case, programme,
                                                      sign_in):
    v1, v2 = programme
    sign_in("psychologist")
    page = text(client.get(f"/enrolments/{case.enrolment.id}/irp"))
    assert "Мақсат: мектепке қайта оралу" in page and "Жеке кеңес" in page
    assert _t(app, "Approved programme, version %(n)s", n=1) in page
    assert _t(app, "Draft, version %(n)s", n=2) in page
    assert f"/irp/{v2.id}/activities/new" in page  # the draft is editable
    assert f"/irp/activities/{v2.activities[0].id}/edit" in page
    first = v1.activities[0].occurrences[0]
    assert f"/irp/occurrences/{first.id}" in page  # occurrences are marked here
    assert _t(app, "missed") in page  # the first weeks passed with nothing recorded
    assert f"/irp/{v2.id}/approve" not in page  # approval is the deputy head's


def test_the_deputy_head_approves_but_does_not_edit(app, client, case, programme, sign_in):
    _v1, v2 = programme
    sign_in("school_admin")
    page = text(client.get(f"/enrolments/{case.enrolment.id}/irp"))
    assert f"/irp/{v2.id}/approve" in page
    assert _t(app, "Approve the programme") in page
    assert f"/irp/{v2.id}/activities/new" not in page
    assert client.get(f"/irp/{v2.id}/activities/new").status_code == 403


def test_the_coordinator_reads_only(app, client, case, programme, sign_in):
    v1, v2 = programme
    sign_in("district_coordinator")
    for url in (f"/enrolments/{case.enrolment.id}/irp", f"/irp/{v1.id}",
                f"/irp/{v2.id}/compare", f"/irp/{v1.id}.pdf?lang=ru"):
        assert client.get(url).status_code == 200, url
    page = text(client.get(f"/enrolments/{case.enrolment.id}/irp"))
    assert "Жеке кеңес" in page
    assert "/irp/occurrences/" not in page and "/activities/new" not in page
    assert "/approve" not in page and "/discard" not in page
    first = v1.activities[0].occurrences[0]
    assert client.post(f"/irp/occurrences/{first.id}", data={}).status_code == 403
    assert client.post(f"/enrolments/{case.enrolment.id}/irp/new").status_code == 403


@pytest.mark.parametrize("role", [Role.POLICE_INSPECTOR, Role.COMMISSION_MEMBER, Role.PARTNER])
def test_the_police_and_the_commission_see_none_of_it(client, case, programme, sign_in,
                                                      role):
    v1, v2 = programme
    sign_in(role)
    for url in (f"/enrolments/{case.enrolment.id}/irp", f"/irp/{v1.id}",
                f"/irp/{v2.id}/compare", f"/irp/{v1.id}.pdf",
                f"/irp/occurrences/{v1.activities[0].occurrences[0].id}"):
        assert client.get(url).status_code == 403, url


def test_out_of_scope_answers_404(client, world, make_user, make_case, case, programme, auth):
    v1, _v2 = programme
    other_school = make_user(Role.PSYCHOLOGIST, world.orgs["school2"], "psy.school2")
    other_district = make_user(Role.DISTRICT_COORDINATOR, world.orgs["edu2"], "coord.d2")
    for user in (other_school, other_district):
        auth.login(user.login)
        for url in (f"/enrolments/{case.enrolment.id}/irp", f"/irp/{v1.id}",
                    f"/irp/{v1.id}.pdf"):
            assert client.get(url).status_code == 404, (user.login, url)
        auth.logout()


def test_opening_the_programme_is_audited(client, case, programme, sign_in):
    v1, _v2 = programme
    user = sign_in("district_coordinator")
    client.get(f"/enrolments/{case.enrolment.id}/irp")
    client.get(f"/irp/{v1.id}")
    openings = set(_db.session.execute(
        select(AuditEntry.object_type, AuditEntry.object_id)
        .where(AuditEntry.action == "open", AuditEntry.actor_id == user.id)))
    assert {("enrolments", case.enrolment.id), ("irp_versions", v1.id)} <= openings


# --- drafting through the screens -----------------------------------------------------------


def test_drafting_a_first_programme_with_refusals_beside_the_fields(app, client, case, world,
                                                                    sign_in):
    sign_in("social_pedagogue")
    response = client.post(f"/enrolments/{case.enrolment.id}/irp/new", data={"goals": GOALS})
    assert response.status_code == 302
    draft = _db.session.scalar(select(IrpVersion))
    assert (draft.number, draft.status, draft.goals) == (1, "draft", GOALS)

    # nobody responsible; the typed values stay
    response = client.post(f"/irp/{draft.id}/activities/new",
                           data=_activity_form(version=draft.version))
    assert response.status_code == 200
    assert field_error(response, "responsible_user_id") == _t(
        app, "Say who is responsible: a member of the school's staff, a partner "
             "organisation or a partner by name.")
    assert "Үйге бару, ата-анамен әңгіме" in text(response)
    # before the enrolment
    early = (case.enrolment.enrolled_on - timedelta(days=1)).isoformat()
    response = client.post(f"/irp/{draft.id}/activities/new", data=_activity_form(
        version=draft.version, starts_on=early, partner_name="Емхана, дәрігер Қасымова"))
    assert field_error(response, "starts_on") is not None
    assert "Емхана, дәрігер Қасымова" in text(response)
    assert _db.session.scalar(select(func.count(Activity.id))) == 0

    response = client.post(f"/irp/{draft.id}/activities/new", data=_activity_form(
        version=draft.version, responsible_user_id=str(world.users["social_pedagogue"].id)))
    assert response.status_code == 302
    activity = _db.session.scalar(select(Activity))
    assert (activity.direction, activity.fulfilled_by, activity.responsible_user_id) == (
        "family", "home_visit", world.users["social_pedagogue"].id)
    page = text(client.get(f"/enrolments/{case.enrolment.id}/irp"))
    assert "Үйге бару, ата-анамен әңгіме" in page


def test_a_stale_activity_form_is_refused_and_the_current_state_kept(app, client, case,
                                                                     programme, world,
                                                                     sign_in):
    _v1, v2 = programme
    sign_in("psychologist")
    opened_at = v2.version
    activity_id = v2.activities[0].id
    psychologist_id = str(world.users["psychologist"].id)
    assert client.post(f"/irp/{v2.id}/edit", data={
        "goals": "Жаңа мақсат", "reason": "Түзету", "version": opened_at}).status_code == 302
    response = client.post(f"/irp/activities/{activity_id}/edit", data=_activity_form(
        version=opened_at, title="Ескі формадан", responsible_user_id=psychologist_id))
    assert response.status_code == 200
    assert _t(app, "Someone else changed this record after you opened it. Your changes were "
                   "not saved: reload the page and apply them again.") in text(response)
    assert _reload(Activity, activity_id).title == "Жеке кеңес"


def test_removing_an_activity_needs_the_current_version(client, case, programme, sign_in):
    _v1, v2 = programme
    sign_in("psychologist")
    activity_id = v2.activities[0].id
    client.post(f"/irp/activities/{activity_id}/remove", data={})  # no version: refused
    assert _reload(Activity, activity_id) is not None
    client.post(f"/irp/activities/{activity_id}/remove", data={"version": v2.version})
    assert _reload(Activity, activity_id) is None


# --- approval and correction ----------------------------------------------------------------


def test_the_deputy_head_approves_a_correction(app, client, case, programme, sign_in):
    v1, v2 = programme
    sign_in("school_admin")
    stale = client.post(f"/irp/{v2.id}/approve", data={"version": v2.version - 1},
                        follow_redirects=True)
    assert _t(app, "Someone else changed this record after you opened it. Your changes were "
                   "not saved: reload the page and apply them again.") in flashes(stale)
    assert _reload(IrpVersion, v2.id).status == "draft"
    response = client.post(f"/irp/{v2.id}/approve", data={"version": v2.version},
                           follow_redirects=True)
    assert _t(app, "Version %(n)s of the programme is approved.", n=2) in flashes(response)
    assert _reload(IrpVersion, v2.id).status == IrpStatus.APPROVED.value
    old = _reload(IrpVersion, v1.id)
    assert (old.status, old.superseded_on) == (IrpStatus.SUPERSEDED.value, today())
    page = text(client.get(f"/irp/{v1.id}"))
    assert _t(app, "Version %(n)s (superseded)", n=1) in page
    assert "Жеке кеңес" in page
    page = text(client.get(f"/enrolments/{case.enrolment.id}/irp"))
    assert _t(app, "Approved programme, version %(n)s", n=2) in page
    assert f"/irp/{v2.id}/compare" in page


def test_a_correction_needs_a_reason_and_a_review_only_in_follow_up(app, client, case,
                                                                    programme, sign_in):
    _v1, v2 = programme
    sign_in("psychologist")
    client.post(f"/irp/{v2.id}/discard", data={"version": v2.version})
    assert _reload(IrpVersion, v2.id) is None
    response = client.post(f"/enrolments/{case.enrolment.id}/irp/new",
                           data={"goals": "Мақсат", "reason": ""})
    assert field_error(response, "reason") == _t(
        app, "Say why the programme is corrected, or write the review's conclusion.")
    response = client.post(f"/enrolments/{case.enrolment.id}/irp/new",
                           data={"goals": "Мақсат", "reason": "Қорытынды", "is_review": "y"})
    assert field_error(response, "is_review") == _t(
        app, "A review of the programme is made in the follow-up stage.")
    assert _db.session.scalar(select(func.count(IrpVersion.id))) == 1


# --- marking an occurrence ------------------------------------------------------------------


def test_marking_an_occurrence_by_hand(app, client, case, programme, sign_in):
    v1, _v2 = programme
    first = v1.activities[0].occurrences[0]
    sign_in("psychologist")
    page = text(client.get(f"/irp/occurrences/{first.id}"))
    assert "Жеке кеңес" in page and _t(app, "missed") in page
    tomorrow = (today() + timedelta(days=1)).isoformat()
    response = client.post(f"/irp/occurrences/{first.id}", data={
        "status": "done", "done_on": tomorrow, "result": "Өтті", "version": first.version})
    assert field_error(response, "done_on") == _t(app, "The date is in the future.")
    assert "Өтті" in text(response)  # typed values kept
    response = client.post(f"/irp/occurrences/{first.id}", data={
        "status": "cancelled", "result": "", "version": first.version})
    assert field_error(response, "result") == _t(app, "Say why it was cancelled.")
    done_on, opened_at = first.window_start.isoformat(), first.version
    response = client.post(f"/irp/occurrences/{first.id}", data={
        "status": "done", "done_on": done_on, "result": "Кеңес өтті, көңіл-күйі жақсарды",
        "version": opened_at})
    assert response.status_code == 302
    marked = _reload(Occurrence, first.id)
    assert (marked.status, marked.done_on.isoformat()) == ("done", done_on)
    # the form opened before that save is refused
    response = client.post(f"/irp/occurrences/{first.id}", data={
        "status": "missed", "result": "", "version": opened_at})
    assert _t(app, "Now: %(status)s.", status=_t(app, "done")) in text(response)
    assert _reload(Occurrence, first.id).status == "done"
    page = text(client.get(f"/enrolments/{case.enrolment.id}/irp"))
    assert "Кеңес өтті, көңіл-күйі жақсарды" in page


# --- comparing -------------------------------------------------------------------------------


def test_the_comparison_shows_what_changed(app, client, case, programme, world, sign_in):
    _v1, v2 = programme
    psychologist = world.users["psychologist"]
    services.add_activity(psychologist, v2, services.ActivityData(
        direction="leisure", title="Футбол секциясы", fulfilled_by=None,
        responsible_user_id=None, partner_organisation_id=None, partner_name="Жасөспірім клубы",
        frequency="monthly", starts_on=today(), ends_on=today() + timedelta(days=90)),
        v2.version)
    services.update_draft(psychologist, v2, "Мақсат: мектепке қайта оралу\nСпортпен айналысу",
                          "Түзету", False, v2.version)
    _db.session.commit()
    sign_in("school_admin")
    page = text(client.get(f"/irp/{v2.id}/compare"))
    assert _t(app, "Version %(old)s → version %(new)s: %(added)s added, %(removed)s removed, "
                   "%(changed)s changed, %(same)s unchanged.",
              old=1, new=2, added=1, removed=0, changed=0, same=1) in page
    assert "<ins>Спортпен айналысу</ins>" in page
    assert "Футбол секциясы" in page
    other = client.get(f"/irp/{v2.id}/compare?with=999999")
    assert other.status_code == 404


# --- the PDF ---------------------------------------------------------------------------------


def _texts(box):
    if getattr(box, "text", None):
        yield box.text
    for child in getattr(box, "children", None) or []:
        yield from _texts(child)


def _pdf_text(app, irp_id: int, language: str) -> str:
    """The text WeasyPrint lays out for the programme's PDF, page by page."""
    from juvenile.irp.views import PDF_TEMPLATE, _pdf_context

    with app.test_request_context():
        html_text = pdf.render_html(PDF_TEMPLATE, language,
                                    lambda: _pdf_context(irp_id, today()))
        document = pdf.html_document(html_text)
    assert "{{" not in html_text and "{%" not in html_text
    # words of one cell may be laid out on several lines: one space between them all
    return " ".join(" ".join(t for page in document.pages
                             for t in _texts(page._page_box)).split())


def _with_kazakh_goals(v1):
    irp = _db.session.get(IrpVersion, v1.id)
    irp.goals = GOALS
    _db.session.commit()


def test_the_pdf_in_kazakh(app, client, case, programme, world, sign_in):
    v1, _v2 = programme
    _with_kazakh_goals(v1)
    sign_in("psychologist")
    response = client.get(f"/irp/{v1.id}.pdf?lang=kk")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert response.headers["Cache-Control"] == "no-store"
    text_kk = _pdf_text(app, v1.id, "kk")
    for letter in KAZAKH_LETTERS:
        assert letter in text_kk, letter
    assert GOALS in text_kk
    assert "Жеке кеңес" in text_kk
    assert _t(app, "Full name") in text_kk and case.minor.full_name in text_kk
    assert world.orgs["school1"].name_kk in text_kk
    # signature lines: the responsible specialist, the deputy head, the representative
    assert world.users["psychologist"].full_name in text_kk
    assert world.users["school_admin"].full_name in text_kk
    assert case.representative.full_name in text_kk
    assert _t(app, "Legal representative") in text_kk


def test_the_pdf_in_russian(app, client, case, programme, world, sign_in):
    v1, _v2 = programme
    sign_in("school_admin")  # the interface is Kazakh; the document is Russian
    response = client.get(f"/irp/{v1.id}.pdf?lang=ru")
    assert response.status_code == 200
    assert '-ru.pdf"' in response.headers["Content-Disposition"]
    text_ru = _pdf_text(app, v1.id, "ru")
    for message in ("Full name", "Birth date", "Responsible specialist",
                    "Legal representative"):
        assert _t(app, message, "ru") in text_ru
        assert _t(app, message, "kk") not in text_ru
    assert re.search("[а-яё]", _t(app, "Legal representative", "ru"))
    assert world.orgs["school1"].name_ru in text_ru
    assert "Жеке кеңес" in text_ru  # typed content stays as typed


# --- the case page and query counts ---------------------------------------------------------


def _more_activities(enrolment, world, irp, n: int):
    for i in range(n):
        services.add_activity(world.users["psychologist"], irp, services.ActivityData(
            direction=["individual", "education", "legal"][i % 3], title=f"Қосымша {i}",
            fulfilled_by=None, responsible_user_id=world.users["social_pedagogue"].id,
            partner_organisation_id=None, partner_name=None, frequency="weekly",
            starts_on=enrolment.enrolled_on, ends_on=enrolment.enrolled_on + timedelta(
                days=120)), irp.version)


def test_the_case_page_section(app, client, case, programme, sign_in):
    _v1, _v2 = programme
    for role in ("psychologist", "school_admin", "district_coordinator"):
        sign_in(role)
        page = text(client.get(f"/minors/{case.minor.id}"))
        assert 'id="irp-panel"' in page, role
        assert f"/enrolments/{case.enrolment.id}/irp" in page
        assert _t(app, "Approved: version %(n)s, in force since %(date)s", n=1,
                  date=_kk_date(app, today())) in page
    approved = _t(app, "The rehabilitation programme (version %(n)s) was approved.", n=1)
    # the approval is on the timeline of the school's staff and the coordinator (not
    # clinical), but not of the police: their timeline is the case's legal course only
    assert approved in page
    sign_in("police_inspector")
    page = text(client.get(f"/minors/{case.minor.id}"))
    assert 'id="irp-panel"' not in page
    assert approved not in page


def _kk_date(app, day) -> str:
    from flask_babel import format_date

    with app.test_request_context(), force_locale("kk"):
        return format_date(day, "medium")


def test_the_case_page_section_counts_this_month(app, client, world, make_case, sign_in):
    from juvenile.irp.queries import summary

    day = today()
    case = make_case(world.orgs["school1"], enrolled_on=day.replace(day=1) - timedelta(days=3),
                     responsible=world.users["psychologist"])
    assert summary(case.enrolment.id, day).state == "none"
    make_programme(_db, case.enrolment, world.users["psychologist"],
                   world.users["school_admin"], day=day, correction=False)
    s = summary(case.enrolment.id, day)
    weeks = _db.session.scalars(select(Occurrence).where(
        Occurrence.due_on >= day.replace(day=1))).all()
    this_month = [o for o in weeks if o.due_on.month == day.month and o.due_on.year == day.year]
    assert s.state == "approved" and s.approved_number == 1
    assert s.month["missed"] == sum(1 for o in this_month if o.due_on < day)
    assert s.month["planned"] == sum(1 for o in this_month if o.due_on >= day)
    assert s.month["done"] == 0


def test_pages_cost_a_fixed_number_of_queries(client, case, programme, world, sign_in):
    _v1, v2 = programme
    sign_in("psychologist")
    urls = [f"/enrolments/{case.enrolment.id}/irp", f"/irp/{v2.id}", f"/irp/{v2.id}/compare",
            f"/minors/{case.minor.id}", "/work"]
    before = [count_queries(client, url)[1] for url in urls]
    _more_activities(case.enrolment, world, v2, 6)
    _db.session.commit()
    sign_in("school_admin")
    client.post(f"/irp/{v2.id}/approve", data={"version": _reload(IrpVersion, v2.id).version})
    sign_in("psychologist")
    after = [count_queries(client, url)[1] for url in urls]
    assert after == before


# --- "My work": missed activities --------------------------------------------------------------


def test_my_work_lists_the_specialists_missed_activities(app, client, case, programme, world,
                                                         make_case, sign_in):
    v1, _v2 = programme
    missed = [o for o in v1.activities[0].occurrences if o.due_on < today()]
    assert len(missed) >= 4
    sign_in("psychologist")
    page = text(client.get("/work"))
    listed = re.findall(r'href="/irp/occurrences/(\d+)"', page.split('id="missed"')[1]
                        .split("</table>")[0])
    assert [int(i) for i in listed] == [o.id for o in missed]
    # marked missed (acted on): off the list
    client.post(f"/irp/occurrences/{missed[0].id}", data={
        "status": "missed", "result": "Келмеді", "version": missed[0].version})
    page = text(client.get("/work"))
    section = page.split('id="missed"')[1].split("</table>")[0]
    assert f"/irp/occurrences/{missed[0].id}\"" not in section
    assert f"/irp/occurrences/{missed[1].id}\"" in section
    # not the social pedagogue's: the activity's responsible is the psychologist
    sign_in("social_pedagogue")
    section = text(client.get("/work")).split('id="missed"')[1].split("</table>")[0]
    assert "/irp/occurrences/" not in section


def test_my_work_falls_back_to_the_cases_responsible_and_skips_closed_cases(
        app, client, world, make_case, sign_in):
    day = today()
    pedagogue = world.users["social_pedagogue"]
    open_case = make_case(world.orgs["school1"], enrolled_on=day - timedelta(days=30),
                          responsible=pedagogue, surname="Ашық")
    closed_case = make_case(world.orgs["school1"], enrolled_on=day - timedelta(days=30),
                            responsible=pedagogue, surname="Жабық")
    for c in (open_case, closed_case):
        v1 = services.start_draft(pedagogue, c.enrolment, "Мақсат", day)
        services.add_activity(pedagogue, v1, services.ActivityData(
            direction="interagency", title="Емханамен байланыс", fulfilled_by=None,
            responsible_user_id=None, partner_organisation_id=world.orgs["health1"].id,
            partner_name=None, frequency="weekly", starts_on=c.enrolment.enrolled_on,
            ends_on=day + timedelta(days=30)), v1.version)
        services.approve(world.users["school_admin"], v1, v1.version, day)
    closed_case.enrolment.closed_on = day
    _db.session.commit()
    sign_in("social_pedagogue")
    _response, few = count_queries(client, "/work")
    section = text(_response).split('id="missed"')[1].split("</table>")[0]
    assert "Ашық" in section and "Жабық" not in section
    assert "Емханамен байланыс" in section
    # more cases with missed work: the same number of queries
    for i in range(3):
        c = make_case(world.orgs["school1"], enrolled_on=day - timedelta(days=30),
                      responsible=pedagogue, surname=f"Қосымша{i}")
        make_programme(_db, c.enrolment, pedagogue, world.users["school_admin"], day=day,
                       correction=False)
    response, more = count_queries(client, "/work")
    assert more == few
    assert text(response).count("Қосымша") >= 3
