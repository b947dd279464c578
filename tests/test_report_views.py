"""The monthly report's screens: the index of each role, a report's page (its header in the
reader's language, the effectiveness indicators against their targets, the tables and
charts, the narrative, the submissions), the narrative form, submitting, the
commission's decision, every version, the recomputation, the downloads, the baselines,
the commission's home page; reports out of scope answer 404; the commission never sees a
minor's name. Numbers are computed from real records."""

import html
import re
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from io import BytesIO

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from juvenile.accounts.models import Organisation, OrganisationKind, Role
from juvenile.cases.dates import today as region_today
from juvenile.extensions import db as _db
from juvenile.reports import indicators, queries, services
from juvenile.reports.models import (
    MonthlyReport,
    OffendingBaseline,
    ReportStatus,
    ReportSubmission,
    ScopeKind,
)
from tests.conftest import PASSWORD, AuthActions, counted_queries
from tests.matrices.reports import submitted_school_report
from tests.test_report_workflow import last_month, offence, opened, with_cases, written

SECRET_SURNAME = "Құпиябеков"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- helpers ---------------------------------------------------------------------------


def _t(app, message: str, **values) -> str:
    """A message as the (Kazakh) interface shows it."""
    with app.test_request_context(), force_locale("kk"):
        return gettext(message, **values)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


class _Element(HTMLParser):
    """The HTML inside the element with a given id."""

    def __init__(self, wanted: str):
        super().__init__(convert_charrefs=False)
        self.wanted, self.depth, self.tag, self.parts = wanted, 0, None, []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.parts.append(self.get_starttag_text())
            if tag == self.tag:
                self.depth += 1
        elif dict(attrs).get("id") == self.wanted:
            self.tag, self.depth = tag, 1

    def handle_endtag(self, tag):
        if self.depth:
            if tag == self.tag:
                self.depth -= 1
                if not self.depth:
                    return
            self.parts.append(f"</{tag}>")

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)

    def handle_entityref(self, name):
        if self.depth:
            self.parts.append(f"&{name};")

    def handle_charref(self, name):
        if self.depth:
            self.parts.append(f"&#{name};")


def element(response, wanted: str) -> str | None:
    parser = _Element(wanted)
    parser.feed(response.get_data(as_text=True))
    return "".join(parser.parts) if parser.tag else None


def plain(fragment: str | None) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment or "")).split())


@pytest.fixture
def people(world, make_user):
    d2 = world.districts["D2"]
    kdn2 = Organisation(region=world.region, district=d2, kind=OrganisationKind.COMMISSION.value,
                        code="KDN2", name_kk="kdn2 (kk)", name_ru="kdn2 (ru)")
    _db.session.add(kdn2)
    _db.session.commit()
    found = dict(world.users)
    found["admin2"] = make_user(Role.SCHOOL_ADMIN, world.orgs["school2"], "admin2")
    found["coordinator2"] = make_user(Role.DISTRICT_COORDINATOR, world.orgs["edu2"],
                                      "coordinator2")
    found["commission2"] = make_user(Role.COMMISSION_MEMBER, kdn2, "commission2")
    found["regional_commission"] = make_user(Role.COMMISSION_MEMBER, world.orgs["region_kdn"],
                                             "regional.commission")
    return found


@pytest.fixture
def sign_in(client):
    def as_login(login: str):
        auth = AuthActions(client)
        auth.logout()
        assert auth.login(login, PASSWORD).status_code == 302

    return as_login


def month_url(world, kind: str, code: str | None = None, month: date | None = None) -> str:
    month = month or last_month()
    if kind == "school":
        scope = f"school:{world.orgs[code].id}"
    elif kind == "district":
        scope = f"district:{world.districts[code].id}"
    else:
        scope = "region"
    return f"/reports/{scope}/{month:%Y-%m}"


def district_report(world, people, make_case, *, submit=False):
    with_cases(world, make_case)
    coordinator = people["district_coordinator"]
    report = written(opened(world, coordinator, "district", "D1"), coordinator)
    if submit:
        services.submit_report(coordinator, report, report.version, region_today())
        _db.session.commit()
    return report


def _reload(report) -> MonthlyReport:
    _db.session.expire_all()
    return _db.session.get(MonthlyReport, report.id)


# --- the index -------------------------------------------------------------------------


def test_the_school_admin_sees_the_schools_months(app, client, world, sign_in):
    report = submitted_school_report(_db, world)
    sign_in("school_admin")
    response = client.get("/reports/")
    assert response.status_code == 200
    own = element(response, "own-reports")
    expected = f'/reports/school:{world.orgs["school1"].id}/{last_month():%Y-%m}'
    assert expected in own
    with app.test_request_context(), force_locale("kk"):
        label = services.month_label(last_month())
        current = services.month_label(region_today().replace(day=1))
    assert label in plain(own) and current in plain(own)
    row = next(r for r in own.split("<tr>") if expected in r)
    assert _t(app, "submitted, awaiting the commission") in plain(row)
    assert report.scope_key in own
    assert element(response, "units") is None  # a school has no units under it


def test_the_coordinator_sees_the_district_months_and_the_schools_reports(
        app, client, world, people, sign_in):
    submitted_school_report(_db, world)
    sign_in("district_coordinator")
    response = client.get(f"/reports/?month={last_month():%Y-%m}")
    assert response.status_code == 200
    assert f'/reports/district:{world.districts["D1"].id}/' in element(response, "own-reports")
    units = element(response, "units")
    names = plain(units)
    for code in ("school1", "school2", "college1"):
        assert world.orgs[code].name_kk in names
    assert world.orgs["school3"].name_kk not in names  # district D2
    school1 = next(r for r in units.split("<tr>") if world.orgs["school1"].name_kk in r)
    school2 = next(r for r in units.split("<tr>") if world.orgs["school2"].name_kk in r)
    assert _t(app, "submitted, awaiting the commission") in plain(school1)
    assert _t(app, "not started") in plain(school2)


def test_the_methodologist_sees_the_region_months_and_the_districts(
        app, client, world, people, make_case, sign_in):
    district_report(world, people, make_case, submit=True)
    sign_in("methodologist")
    response = client.get("/reports/")
    assert "/reports/region/" in element(response, "own-reports")
    units = element(response, "units")
    d1 = next(r for r in units.split("<tr>") if world.districts["D1"].name_kk in r)
    assert _t(app, "submitted, awaiting the commission") in plain(d1)
    assert world.districts["D2"].name_kk in plain(units)


def test_the_commission_sees_only_what_was_submitted_to_it(
        app, client, world, people, make_case, sign_in):
    submitted_district = district_report(world, people, make_case, submit=True)
    draft_school = opened(world, people["school_admin"], "school", "school1")
    coordinator2 = people["coordinator2"]
    other = written(opened(world, coordinator2, "district", "D2"), coordinator2)
    services.submit_report(coordinator2, other, other.version, region_today())
    _db.session.commit()

    sign_in("commission_member")
    listed = element(client.get("/reports/"), "submitted-reports")
    assert submitted_district.scope_key in listed
    assert draft_school.scope_key not in listed
    assert other.scope_key not in listed
    sign_in("regional.commission")
    listed = element(client.get("/reports/"), "submitted-reports")
    assert submitted_district.scope_key in listed and other.scope_key in listed
    assert draft_school.scope_key not in listed
    accepted_only = element(client.get("/reports/?status=accepted"), "submitted-reports")
    assert submitted_district.scope_key not in (accepted_only or "")


def _many_reports(world, make_user, extra_schools: int):
    """More schools in D1, each with a submitted report of last month."""
    for n in range(extra_schools):
        school = Organisation(region=world.region, district=world.districts["D1"],
                              kind="school", code=f"EXTRA{n}", name_kk=f"Мектеп {n}",
                              name_ru=f"Школа {n}")
        _db.session.add(school)
        _db.session.commit()
        admin = make_user(Role.SCHOOL_ADMIN, school, f"extra.admin{n}")
        place = queries.resolve_scope(indicators.Scope(ScopeKind.SCHOOL, school.id))
        report = services.open_report(admin, place, last_month())
        written(report, admin)
        services.submit_report(admin, report, report.version, region_today())
        _db.session.commit()


@pytest.mark.parametrize("login", ["district_coordinator", "commission_member",
                                   "methodologist"])
def test_the_index_costs_the_same_queries_however_many_reports(
        client, world, people, make_user, sign_in, login):
    submitted_school_report(_db, world)
    sign_in(login)
    url = f"/reports/?month={last_month():%Y-%m}"
    with counted_queries() as few:
        assert client.get(url).status_code == 200
    _many_reports(world, make_user, 6)
    with counted_queries() as many:
        response = client.get(url)
    assert response.status_code == 200
    assert "Мектеп 5" in _text(response) or login == "methodologist"
    assert len(many) == len(few)


# --- a report's page -------------------------------------------------------------------


def test_the_writers_first_opening_makes_the_draft_with_live_numbers(
        app, client, world, people, make_case, sign_in):
    with_cases(world, make_case)
    sign_in("district_coordinator")
    url = month_url(world, "district", "D1")
    response = client.get(url)
    assert response.status_code == 200
    report = _db.session.scalar(select(MonthlyReport))
    assert report.status == ReportStatus.DRAFT.value
    assert report.scope_key == f"district:{world.districts['D1'].id}"
    page = _text(response)
    with app.test_request_context(), force_locale("kk"):
        period = services.month_label(last_month())
    assert period in plain(element(response, "report-period"))
    assert world.districts["D1"].name_kk in page
    assert _t(app, "Computed from the records now.") in plain(element(response, "numbers-source"))
    # The five effectiveness indicators, each with its target and a status.
    block = element(response, "effectiveness")
    for item in indicators.EFFECTIVENESS:
        row = plain(element(response, f"effectiveness-{item.key}"))
        with app.test_request_context(), force_locale("kk"):
            assert str(item.label) in row and str(item.target_text) in row
    data = indicators.compute(indicators.Scope(ScopeKind.DISTRICT,
                                               world.districts["D1"].id), last_month())
    for item in indicators.EFFECTIVENESS:
        status = data["effectiveness"][item.key]["status"]
        assert f'id="effectiveness-{item.key}" class="indicator-{status}"' in \
            response.get_data(as_text=True)
    assert block.count("indicator-status") == 5
    # The tables and the charts of the presentation module.
    from juvenile.reports import presentation

    with app.test_request_context(), force_locale("kk"):
        titles = [t.title for t in presentation.tables(data, suppress_small=False)
                  if t.key != "effectiveness"]
    tables = plain(element(response, "tables"))
    for title in titles:
        assert title in tables
    assert "<svg" in (element(response, "charts") or "")
    # Its writer may write the narrative and submit it.
    assert f"/reports/{report.id}/narrative" in page
    assert f"/reports/{report.id}/submit" in page
    # The second opening finds the same draft.
    assert client.get(url).status_code == 200
    assert _db.session.scalar(select(func.count(MonthlyReport.id))) == 1


def test_a_reader_sees_the_numbers_without_a_draft_being_made(
        client, world, people, make_case, sign_in):
    with_cases(world, make_case)
    sign_in("methodologist")
    response = client.get(month_url(world, "district", "D1"))
    assert response.status_code == 200
    assert element(response, "effectiveness") is not None
    assert element(response, "submit") is None and "/narrative" not in _text(response)
    sheet = client.get(month_url(world, "district", "D1") + "/report.xlsx?lang=ru")
    assert sheet.status_code == 200 and sheet.mimetype == XLSX
    assert _db.session.scalar(select(func.count(MonthlyReport.id))) == 0
    sign_in("district_coordinator")  # reads the school's report, writes none of it
    assert client.get(month_url(world, "school", "school2")).status_code == 200
    assert _db.session.scalar(select(func.count(MonthlyReport.id))) == 0


def test_the_report_page_costs_the_same_queries_however_many_schools(
        client, world, people, make_user, sign_in):
    submitted_school_report(_db, world)
    sign_in("district_coordinator")
    url = month_url(world, "district", "D1")
    client.get(url)
    with counted_queries() as few:
        assert client.get(url).status_code == 200
    _many_reports(world, make_user, 5)
    with counted_queries() as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_reports_out_of_scope_answer_404(client, world, people, make_case, sign_in):
    school_report = submitted_school_report(_db, world)
    district = district_report(world, people, make_case, submit=True)
    school_url = month_url(world, "school", "school1")
    school_urls = [school_url, f"{school_url}/report.pdf",
                   f"/reports/{school_report.id}/submissions/1",
                   f"/reports/{school_report.id}/submissions/1.xlsx",
                   f"/reports/{school_report.id}/recompute",
                   f"/reports/{school_report.id}/narrative"]
    district_urls = [month_url(world, "district", "D1"), f"/reports/{district.id}/recompute",
                     f"/reports/{district.id}/submissions/1",
                     f"/reports/{district.id}/submissions/1.pdf"]
    sign_in("admin2")  # the deputy head of another school
    for url in school_urls + district_urls:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/reports/{school_report.id}/submit").status_code == 404
    sign_in("coordinator2")  # the coordinator of another district
    for url in school_urls + district_urls:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/reports/{district.id}/narrative",
                       data={"work_done": "x"}).status_code == 404
    sign_in("commission2")  # the commission of another district
    for url in school_urls[:-1] + district_urls:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/reports/{district.id}/decision",
                       data={"accept": "1", "version": "9"}).status_code == 404
    assert _reload(district).status == ReportStatus.SUBMITTED.value
    # The district's own commission does not see a draft never submitted.
    sign_in("commission_member")
    assert client.get(month_url(world, "school", "school2")).status_code == 404
    assert client.get(month_url(world, "region")).status_code == 404


def test_unknown_scopes_and_bad_or_future_months_answer_404(client, world, people, sign_in):
    sign_in("methodologist")
    future = services.next_month(region_today().replace(day=1))
    for url in ["/reports/school:99999/2026-10", f"/reports/school:{world.orgs['police1'].id}/"
                f"{last_month():%Y-%m}", "/reports/district:99999/2026-10",
                "/reports/planet:1/2026-10", "/reports/district:x/2026-10",
                f"/reports/region/{future:%Y-%m}", "/reports/region/2026-13",
                "/reports/region/october", "/reports/region/2019-01",
                "/reports/99999/recompute", "/reports/99999/submissions/1"]:
        assert client.get(url).status_code == 404, url


# --- the narrative ---------------------------------------------------------------------


def test_the_narrative_form_saves_keeps_versions_and_refuses_others(
        app, client, world, people, sign_in):
    report = opened(world, people["district_coordinator"], "district", "D1")
    sign_in("district_coordinator")
    url = f"/reports/{report.id}/narrative"
    form = client.get(url)
    assert form.status_code == 200
    version = re.search(r'name="version"[^>]*value="(\d+)"', form.get_data(as_text=True))
    assert version and int(version.group(1)) == report.version
    response = client.post(url, data={"work_done": "  Отбасыларға 12 рет барылды. ",
                                      "problems": "Көлік жоқ.", "proposals": "",
                                      "version": str(report.version)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(month_url(world, "district", "D1"))
    shown = client.get(month_url(world, "district", "D1"))
    assert plain(element(shown, "narrative-work-done")) == "Отбасыларға 12 рет барылды."
    assert plain(element(shown, "narrative-problems")) == "Көлік жоқ."
    # A form opened at the old version is refused and the typed text is kept.
    stale = client.post(url, data={"work_done": "Ескі мәтін", "version": str(report.version)})
    assert stale.status_code == 200
    assert _t(app, "Someone else changed this record after you opened it. Your changes were "
                   "not saved: reload the page and apply them again.") in _text(stale)
    assert "Ескі мәтін" in _text(stale)
    assert _reload(report).work_done == "Отбасыларға 12 рет барылды."
    # The methodologist reads the district's report but does not write it.
    sign_in("methodologist")
    refused = client.post(url, data={"work_done": "Бөгде", "version": str(_reload(report).version)})
    assert refused.status_code == 200
    assert _t(app, "This report is written by %(who)s.",
              who=_role_label(app, Role.DISTRICT_COORDINATOR)) in _text(refused)
    assert _reload(report).work_done == "Отбасыларға 12 рет барылды."


def _role_label(app, role: Role) -> str:
    with app.test_request_context(), force_locale("kk"):
        return role.label


# --- submission, decision, versions ----------------------------------------------------


def test_submitting_a_month_not_over_or_without_work_done_is_refused_on_the_page(
        app, client, world, people, sign_in):
    coordinator = people["district_coordinator"]
    current = written(opened(world, coordinator, "district", "D1",
                             region_today().replace(day=1)), coordinator)
    empty = opened(world, coordinator, "district", "D1")
    sign_in("district_coordinator")
    page = client.get(month_url(world, "district", "D1", current.month))
    assert element(page, "submit-from") is not None
    assert f'action="/reports/{current.id}/submit"' not in page.get_data(as_text=True)
    response = client.post(f"/reports/{current.id}/submit", data={"version": current.version})
    assert response.status_code == 200
    with app.test_request_context(), force_locale("kk"):
        month = services.month_label(current.month)
    assert month in _text(response)
    assert _t(app, "Describe the work done before submitting.") not in _text(response)
    response = client.post(f"/reports/{empty.id}/submit", data={"version": empty.version})
    assert _t(app, "Describe the work done before submitting.") in _text(response)
    assert _db.session.scalar(select(func.count(ReportSubmission.id))) == 0


def test_the_submitted_report_stays_frozen_and_recompute_shows_what_differs(
        app, client, world, people, make_case, sign_in):
    report = district_report(world, people, make_case)
    sign_in("district_coordinator")
    url = month_url(world, "district", "D1")
    response = client.post(f"/reports/{report.id}/submit", data={"version": report.version})
    assert response.status_code == 302
    before = client.get(url)
    assert _t(app, "submitted, awaiting the commission") in plain(element(before, "report-status"))
    assert element(before, "submit") is None
    assert f"/reports/{report.id}/narrative" not in _text(before)
    frozen_tables = element(before, "tables")
    frozen_effectiveness = element(before, "effectiveness")

    # The records change after the submission: a new case, another offence.
    make_case(world.orgs["school2"], enrolled_on=last_month() + timedelta(days=9),
              surname="Кейінов")
    latest = _db.session.scalar(select(ReportSubmission))
    case = make_case(world.orgs["school1"], enrolled_on=last_month() + timedelta(days=1))
    offence(world, case, last_month() + timedelta(days=20))

    after = client.get(url)
    assert element(after, "tables") == frozen_tables
    assert element(after, "effectiveness") == frozen_effectiveness
    assert _db.session.get(ReportSubmission, latest.id).snapshot == latest.snapshot
    recompute = client.get(f"/reports/{report.id}/recompute")
    assert recompute.status_code == 200
    rows = element(recompute, "differences")
    assert "<tbody>" in rows and rows.count("<tr>") >= 2  # the head and a changed number
    assert _db.session.scalar(select(func.count(ReportSubmission.id))) == 1
    assert _reload(report).status == ReportStatus.SUBMITTED.value
    assert element(client.get(url), "tables") == frozen_tables


def test_return_resubmit_accept_through_the_screens(app, client, world, people, make_case,
                                                    sign_in):
    report = district_report(world, people, make_case, submit=True)
    url = month_url(world, "district", "D1")
    sign_in("commission_member")
    home = client.get("/")
    assert url in element(home, "reports-waiting")
    page = client.get(url)
    assert element(page, "decision") is not None
    assert _t(app, "Accept the report") in _text(page)
    version = _reload(report).version
    no_comment = client.post(f"/reports/{report.id}/decision",
                             data={"send_back": "1", "comment": "", "version": version})
    assert no_comment.status_code == 200
    decision = element(no_comment, "decision")
    assert _t(app, "Say what must be corrected.") in plain(decision)
    returned = client.post(f"/reports/{report.id}/decision",
                           data={"send_back": "1", "comment": "Кесте толық емес.",
                                 "version": version})
    assert returned.status_code == 302
    assert _reload(report).status == ReportStatus.RETURNED.value
    assert url not in (element(client.get("/"), "reports-waiting") or "")

    sign_in("district_coordinator")
    page = client.get(url)
    assert "Кесте толық емес." in plain(element(page, "submissions"))
    assert _t(app, "Computed from the records now.") in plain(element(page, "numbers-source"))
    edit = client.post(f"/reports/{report.id}/narrative",
                       data={"work_done": "Түзетілді.", "version": _reload(report).version})
    assert edit.status_code == 302
    assert client.post(f"/reports/{report.id}/submit",
                       data={"version": _reload(report).version}).status_code == 302

    sign_in("commission_member")
    assert url in element(client.get("/"), "reports-waiting")
    accepted = client.post(f"/reports/{report.id}/decision",
                           data={"accept": "1", "comment": "", "version": _reload(report).version})
    assert accepted.status_code == 302
    assert _reload(report).status == ReportStatus.ACCEPTED.value
    page = client.get(url)
    assert element(page, "decision") is None
    history = element(page, "submissions")
    assert f"/reports/{report.id}/submissions/1" in history
    assert f"/reports/{report.id}/submissions/2" in history
    first = client.get(f"/reports/{report.id}/submissions/1")
    assert plain(element(first, "narrative-work-done")) == "Отбасыларға 12 рет барылды."
    assert "Кесте толық емес." in plain(element(first, "numbers-source"))
    second = client.get(f"/reports/{report.id}/submissions/2")
    assert plain(element(second, "narrative-work-done")) == "Түзетілді."
    assert client.get(f"/reports/{report.id}/submissions/3").status_code == 404
    # Neither button pressed: nothing happens.
    again = client.post(f"/reports/{report.id}/decision", data={"comment": "?"})
    assert again.status_code == 200 and _reload(report).status == ReportStatus.ACCEPTED.value


def test_the_commissions_pages_show_no_minor_names(app, client, world, people, make_case,
                                                   sign_in):
    make_case(world.orgs["school1"], enrolled_on=last_month() + timedelta(days=3),
              surname=SECRET_SURNAME)
    report = district_report(world, people, make_case, submit=True)
    make_case(world.orgs["school2"], enrolled_on=last_month() + timedelta(days=5),
              surname=SECRET_SURNAME)
    sign_in("commission_member")
    for url in ["/", "/reports/", month_url(world, "district", "D1"),
                month_url(world, "school", "school1"), f"/reports/{report.id}/submissions/1",
                f"/reports/{report.id}/recompute"]:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        page = _text(response)
        assert SECRET_SURNAME not in page and "Әбенов" not in page, url
        assert "/minors/" not in page and "/enrolments/" not in page, url


# --- downloads -------------------------------------------------------------------------


def test_downloads_in_both_languages_and_a_submitted_version_renders_its_snapshot(
        client, world, people, make_case, sign_in, monkeypatch):
    from juvenile.reports import outputs

    report = district_report(world, people, make_case, submit=True)
    snapshot = _db.session.scalar(select(ReportSubmission)).snapshot
    case = make_case(world.orgs["school1"], enrolled_on=last_month() + timedelta(days=1))
    offence(world, case, last_month() + timedelta(days=21))
    calls = []
    real_pdf, real_xlsx = outputs.report_pdf, outputs.report_xlsx

    def spy(real):
        def call(report_, data, narrative, language):
            calls.append((report_.id, data, narrative, language))
            return real(report_, data, narrative, language)
        return call

    monkeypatch.setattr(outputs, "report_pdf", spy(real_pdf))
    monkeypatch.setattr(outputs, "report_xlsx", spy(real_xlsx))
    sign_in("commission_member")
    url = month_url(world, "district", "D1")
    for language in ("kk", "ru"):
        response = client.get(f"{url}/report.pdf?lang={language}")
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert response.data.startswith(b"%PDF")
        assert f"-{language}.pdf" in response.headers["Content-Disposition"]
        assert response.headers["Cache-Control"] == "no-store"
        sheet = client.get(f"/reports/{report.id}/submissions/1.xlsx?lang={language}")
        assert sheet.status_code == 200 and sheet.mimetype == XLSX
        assert sheet.data.startswith(b"PK")
    assert [c[3] for c in calls] == ["kk", "kk", "ru", "ru"]
    assert all(c[0] == report.id and c[1] == snapshot for c in calls)
    assert calls[0][2]["work_done"] == "Отбасыларға 12 рет барылды."


def test_each_version_downloads_with_its_own_decision(client, world, people, make_case,
                                                     sign_in, monkeypatch):
    from juvenile.reports import outputs

    report = district_report(world, people, make_case, submit=True)
    member, coordinator = people["commission_member"], people["district_coordinator"]
    services.decide_report(member, report, "returned", "Түзету керек.", report.version)
    written(report, coordinator, "Екінші нұсқа")
    services.submit_report(coordinator, report, report.version, region_today())
    _db.session.commit()
    seen = []
    real = outputs.report_pdf
    monkeypatch.setattr(outputs, "report_pdf", lambda r, d, n, lang: seen.append(
        (r.status, n["work_done"])) or real(r, d, n, lang))
    sign_in("commission_member")
    for number in (1, 2):
        response = client.get(f"/reports/{report.id}/submissions/{number}.pdf?lang=ru")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert f"-v{number}-ru.pdf" in response.headers["Content-Disposition"]
    assert seen == [("returned", "Отбасыларға 12 рет барылды."), ("submitted", "Екінші нұсқа")]
    assert _reload(report).status == ReportStatus.SUBMITTED.value


def test_a_draft_downloads_its_live_numbers(client, world, people, make_case, sign_in,
                                            monkeypatch):
    from juvenile.reports import outputs

    district_report(world, people, make_case)
    seen = []
    real = outputs.report_pdf
    monkeypatch.setattr(outputs, "report_pdf",
                        lambda r, d, n, lang: seen.append(d) or real(r, d, n, lang))
    sign_in("district_coordinator")
    response = client.get(f"{month_url(world, 'district', 'D1')}/report.pdf?lang=kk")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert seen == [indicators.compute(indicators.Scope(ScopeKind.DISTRICT,
                                                        world.districts["D1"].id),
                                       last_month())]


# --- baselines -------------------------------------------------------------------------


def test_the_baseline_screen_enters_changes_and_lists_history(app, client, world, people,
                                                              sign_in):
    sign_in("district_coordinator")
    page = client.get("/reports/baselines")
    assert page.status_code == 200 and element(page, "baseline-form") is not None
    response = client.post("/reports/baselines", data={"year": "2025", "rate": "12,5",
                                                       "note": "Полиция деректері"})
    assert response.status_code == 302
    listed = client.get("/reports/baselines")
    assert "2025" in plain(element(listed, "baselines"))
    assert "12,50" in plain(element(listed, "baselines"))
    again = client.post("/reports/baselines", data={"year": "2025", "rate": "3"})
    assert again.status_code == 200
    assert _t(app, "The baseline of %(year)s is already entered: change it from the list "
                   "below.", year=2025) in _text(again)
    record = _db.session.scalar(select(OffendingBaseline))
    edit = client.get("/reports/baselines?year=2025")
    assert re.search(r'name="rate"[^>]*value="12,50"', edit.get_data(as_text=True))
    changed = client.post("/reports/baselines?year=2025",
                          data={"year": "2025", "rate": "11", "note": "Түзетілді",
                                "version": str(record.version)})
    assert changed.status_code == 302
    history = plain(element(client.get("/reports/baselines"), "baseline-history"))
    assert "12,50 → 11,00" in history
    bad = client.post("/reports/baselines", data={"year": "2024", "rate": "abc"})
    assert bad.status_code == 200
    assert _db.session.scalar(select(func.count(OffendingBaseline.id))) == 1
    # The methodologist keeps the region's own, apart from the district's.
    sign_in("methodologist")
    assert element(client.get("/reports/baselines"), "baselines") is not None
    assert "12,50" not in plain(element(client.get("/reports/baselines"), "baselines"))
    assert client.post("/reports/baselines", data={"year": "2025", "rate": "8"}).status_code \
        == 302
    _db.session.expire_all()
    assert {(b.district_id, b.rate) for b in _db.session.scalars(select(OffendingBaseline))} \
        == {(world.districts["D1"].id, Decimal("11.00")), (None, Decimal("8.00"))}


# --- small numbers for readers outside the district -------------------------------------


def _cases(world, make_case, school: str, count: int, day: int = 2):
    for _n in range(count):
        make_case(world.orgs[school], enrolled_on=last_month() + timedelta(days=day))


def _sheet_texts(response) -> list:
    from openpyxl import load_workbook

    book = load_workbook(BytesIO(response.data))
    return [cell.value for sheet in book.worksheets for row in sheet.iter_rows()
            for cell in row]


def _difference_rows(response) -> list[str]:
    rows = re.findall(r"<tr>(.*?)</tr>", element(response, "differences") or "", re.S)
    return [plain(row) for row in rows]


def test_recompute_hides_small_numbers_from_readers_outside_the_district(
        app, client, world, people, make_case, sign_in):
    # school1: 3 in the programme ("<5" outside D1), school2: 6 (hidden with it: D1's 9
    # less 6 would give 3).
    _cases(world, make_case, "school1", 3)
    _cases(world, make_case, "school2", 6)
    methodologist, coordinator = people["methodologist"], people["district_coordinator"]
    region = written(opened(world, methodologist, "region"), methodologist)
    district = written(opened(world, coordinator, "district", "D1"), coordinator)
    for writer, report in ((methodologist, region), (coordinator, district)):
        services.submit_report(writer, report, report.version, region_today())
    _db.session.commit()
    _cases(world, make_case, "school1", 1, day=3)  # school1: 3 → 4, D1 and region 9 → 10
    school1 = world.orgs["school1"].name_kk

    sign_in("regional.commission")
    page = client.get(month_url(world, "region"))
    assert "<5" in plain(element(page, "tables"))
    recompute = client.get(f"/reports/{region.id}/recompute")
    assert element(recompute, "small-numbers-note") is not None
    rows = _difference_rows(recompute)
    assert any("9 10" in row for row in rows)  # the region's own numbers
    assert not [row for row in rows if school1 in row], rows  # "<5" then and now
    sign_in("methodologist")  # reads D1's report from outside the district
    rows = _difference_rows(client.get(f"/reports/{district.id}/recompute"))
    assert any(world.districts["D1"].name_kk in row and "9 10" in row for row in rows)
    assert not [row for row in rows if school1 in row], rows
    sign_in("district_coordinator")  # the district's own: every number
    recompute = client.get(f"/reports/{district.id}/recompute")
    assert element(recompute, "small-numbers-note") is None
    rows = _difference_rows(recompute)
    assert any(school1 in row and "3 4" in row for row in rows), rows


def test_a_school_report_read_outside_its_district_hides_small_numbers(
        app, client, world, people, make_case, sign_in, monkeypatch):
    from juvenile.reports import outputs

    _cases(world, make_case, "school1", 3)
    admin = people["school_admin"]
    report = written(opened(world, admin, "school", "school1"), admin)
    services.submit_report(admin, report, report.version, region_today())
    _db.session.commit()
    contexts = []
    real = outputs.pdf_context
    monkeypatch.setattr(outputs, "pdf_context", lambda *args: contexts.append(
        real(*args)) or contexts[-1])
    url = month_url(world, "school", "school1")

    def seen(login):
        sign_in(login)
        page = client.get(url)
        assert page.status_code == 200
        tables = plain(element(page, "tables"))
        sheet = _sheet_texts(client.get(f"{url}/report.xlsx?lang=kk"))
        assert client.get(f"{url}/report.pdf?lang=kk").status_code == 200
        units = contexts[-1]["units"]
        pdf_lines = " ".join(line for table in units for block in table["blocks"]
                             for line, _total in block)
        return tables, sheet, pdf_lines

    # The district's commission and coordinator, and the school's deputy head: exact.
    for login in ("commission_member", "district_coordinator", "school_admin"):
        tables, sheet, pdf_lines = seen(login)
        assert "<5" not in tables and "<5" not in sheet and "<5" not in pdf_lines, login
        assert 3 in sheet, login
    # The regional commission and the methodologist read it outside the district.
    for login in ("regional.commission", "methodologist"):
        tables, sheet, pdf_lines = seen(login)
        assert "<5" in tables and "<5" in sheet and "<5" in pdf_lines, login
        assert 3 not in sheet, login
    # A district's report read by the methodologist too; by its coordinator, exact.
    district_url = month_url(world, "district", "D1")
    sign_in("methodologist")
    assert "<5" in plain(element(client.get(district_url), "tables"))
    assert "<5" in _sheet_texts(client.get(f"{district_url}/report.xlsx"))
    sign_in("district_coordinator")
    assert "<5" not in plain(element(client.get(district_url), "tables"))


# --- a returned report ----------------------------------------------------------------


def test_a_returned_report_shows_its_readers_the_latest_submission(
        app, client, world, people, make_case, sign_in):
    _cases(world, make_case, "school1", 1)
    admin = people["school_admin"]
    report = written(opened(world, admin, "school", "school1"), admin, "SUBMITTED-TEXT")
    services.submit_report(admin, report, report.version, region_today())
    _db.session.commit()
    url = month_url(world, "school", "school1")
    sign_in("commission_member")
    frozen = element(client.get(url), "tables")
    services.decide_report(people["commission_member"], report, "returned", "Түзетіңіз.",
                           report.version)
    _db.session.commit()
    written(_reload(report), admin, "HALF-WRITTEN-DRAFT")
    _cases(world, make_case, "school1", 1, day=3)  # the live numbers change

    for login in ("commission_member", "district_coordinator", "methodologist"):
        sign_in(login)
        page = client.get(url)
        assert plain(element(page, "narrative-work-done")) == "SUBMITTED-TEXT", login
        assert "HALF-WRITTEN-DRAFT" not in _text(page), login
        assert _t(app, "Computed from the records now.") not in plain(
            element(page, "numbers-source")), login
        assert "Түзетіңіз." in plain(element(page, "numbers-source")), login
        if login != "methodologist":  # the methodologist's tables hide small numbers
            assert element(page, "tables") == frozen, login
        sheet = client.get(f"{url}/report.xlsx?lang=kk")
        assert "-v1-kk.xlsx" in sheet.headers["Content-Disposition"], login
        assert "SUBMITTED-TEXT" in _sheet_texts(sheet) and "HALF-WRITTEN-DRAFT" not in \
            _sheet_texts(sheet), login
    # Its writer sees the draft being corrected, computed now.
    sign_in("school_admin")
    page = client.get(url)
    assert plain(element(page, "narrative-work-done")) == "HALF-WRITTEN-DRAFT"
    assert _t(app, "Computed from the records now.") in plain(element(page, "numbers-source"))
    assert element(page, "tables") != frozen
    assert "-v1-" not in client.get(f"{url}/report.xlsx").headers["Content-Disposition"]


# --- malformed addresses --------------------------------------------------------------


def test_malformed_months_scopes_and_years_never_fail(client, world, people, sign_in):
    huge = "9" * 22
    for login in ("methodologist", "district_coordinator", "commission_member"):
        sign_in(login)
        for url in ["/reports/region/0000-01", "/reports/region/1999-12",
                    "/reports/region/2101-01", "/reports/region/9999-01",
                    "/reports/region/２０２６-01", f"/reports/school:{huge}/2026-10",
                    f"/reports/district:{huge}/2026-10", f"/reports/school:{huge}/2026-10"
                    "/report.pdf", f"/reports/district:{huge}/2026-10/report.xlsx",
                    "/reports/school:4294967296/2026-10", "/reports/school: 1/2026-10",
                    "/reports/school:+1/2026-10", "/reports/school:01/2026-10",
                    f"/reports/{huge}/recompute", f"/reports/{huge}/submissions/1"]:
            assert client.get(url).status_code == 404, (login, url)
        for url in ["/reports/?month=0000-01", "/reports/?month=1999-12",
                    "/reports/?month=2101-01", f"/reports/?units_page={huge}"]:
            assert client.get(url).status_code == 200, (login, url)
    sign_in("district_coordinator")
    for year in (huge, "0", "-5", "1999", "2101"):
        response = client.get(f"/reports/baselines?year={year}")
        assert response.status_code == 200, year
        assert element(response, "baseline-form") is not None
