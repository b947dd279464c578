"""The monthly report's rules through its services: who reads, writes and decides on which
report; the draft made at its writer's first opening; the versioned narrative;
submission (a month not over, an empty "work done"), the frozen snapshot and what a
recomputation shows; return with a comment, resubmission, acceptance; the baselines.
Every number comes from real records computed by juvenile.reports.indicators."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from juvenile.accounts.models import Organisation, OrganisationKind, Role
from juvenile.audit.models import AuditEntry
from juvenile.cases.dates import today as region_today
from juvenile.cases.models import Incident
from juvenile.errors import ConflictError, ServiceError
from juvenile.extensions import db as _db
from juvenile.reports import indicators, queries, services
from juvenile.reports.indicators import Scope
from juvenile.reports.models import (
    MonthlyReport,
    OffendingBaseline,
    ReportStatus,
    ReportSubmission,
    ScopeKind,
)

# --- helpers ---------------------------------------------------------------------------


@pytest.fixture
def en(app):
    # Service messages are checked in their English source wording.
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.fixture
def people(world, make_user):
    """The world's accounts, plus the same roles elsewhere: school2's deputy head, D2's
    coordinator, D2's commission and the regional commission."""
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


def last_month() -> date:
    return services.last_finished_month(region_today())


def place_of(world, kind: str, code: str | None = None) -> queries.Place:
    if kind == "school":
        scope = Scope(ScopeKind.SCHOOL, world.orgs[code].id)
    elif kind == "district":
        scope = Scope(ScopeKind.DISTRICT, world.districts[code].id)
    else:
        scope = Scope(ScopeKind.REGION)
    return queries.resolve_scope(scope)


def opened(world, user, kind: str, code: str | None = None, month: date | None = None):
    report = services.open_report(user, place_of(world, kind, code), month or last_month())
    _db.session.commit()
    return report


def with_cases(world, make_case, month: date | None = None):
    """A few cases of district D1 enrolled in the month, and an offence during support."""
    month = month or last_month()
    cases = [make_case(world.orgs["school1"], enrolled_on=month + timedelta(days=2)),
             make_case(world.orgs["school1"], enrolled_on=month + timedelta(days=4),
                       groups=(3,)),
             make_case(world.orgs["school2"], enrolled_on=month + timedelta(days=6))]
    offence(world, cases[0], month + timedelta(days=10))
    return cases


def offence(world, case, on: date) -> Incident:
    incident = Incident(minor_id=case.minor.id, enrolment_id=case.enrolment.id,
                        kind="offence_administrative", occurred_on=on,
                        description="Ұсақ бұзақылық", is_repeat_offence=True,
                        recorded_by_id=world.users["police_inspector"].id,
                        district_id=case.minor.district_id)
    _db.session.add(incident)
    _db.session.commit()
    return incident


def written(report, user, text="Отбасыларға 12 рет барылды.") -> MonthlyReport:
    services.update_narrative(user, report, {"work_done": text, "problems": "Көлік жоқ.",
                                             "proposals": "Психолог қосу."}, report.version)
    _db.session.commit()
    return report


def submitted(report, user) -> ReportSubmission:
    submission = services.submit_report(user, report, report.version, region_today())
    _db.session.commit()
    return submission


def entries(object_type: str, action: str | None = None) -> list[AuditEntry]:
    _db.session.expire_all()
    stmt = select(AuditEntry).where(AuditEntry.object_type == object_type)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return list(_db.session.scalars(stmt.order_by(AuditEntry.id)))


def unsaved(world, kind, code=None, status=ReportStatus.DRAFT):
    report = services.unsaved_report(place_of(world, kind, code), last_month())
    report.status = status.value
    return report


# --- who may do what -------------------------------------------------------------------


def test_who_reads_writes_and_decides_on_which_report(en, world, people):
    draft = {key: unsaved(world, *key) for key in
             [("school", "school1"), ("school", "school3"), ("district", "D1"),
              ("district", "D2"), ("region",)]}
    sent = {key: unsaved(world, *key, status=ReportStatus.SUBMITTED) for key in draft}
    s1, s3, d1, d2, region = (("school", "school1"), ("school", "school3"), ("district", "D1"),
                              ("district", "D2"), ("region",))

    def reads(login, reports):
        return {key for key, report in reports.items()
                if services.may_view(people[login], report)}

    assert reads("school_admin", draft) == {s1}
    assert reads("admin2", draft) == set()  # school2 has no report among these
    assert reads("district_coordinator", draft) == {s1, d1}
    assert reads("coordinator2", draft) == {s3, d2}
    assert reads("methodologist", draft) == set(draft)
    # The commission reads only what was submitted to it.
    assert reads("commission_member", draft) == set()
    assert reads("commission_member", sent) == {s1, d1}
    assert reads("commission2", sent) == {s3, d2}
    assert reads("regional_commission", sent) == set(sent)
    for login in ("psychologist", "social_pedagogue", "police_inspector", "partner", "admin"):
        assert reads(login, sent) == set(), login

    def writes(login):
        return {key for key, report in draft.items()
                if services.may_write(people[login], report)}

    assert writes("school_admin") == {s1}
    assert writes("district_coordinator") == {d1}
    assert writes("coordinator2") == {d2}
    assert writes("methodologist") == {region}
    assert writes("commission_member") == set()

    def decides(login):
        return {key for key, report in sent.items()
                if services.may_review(people[login], report)}

    assert decides("commission_member") == {s1, d1}
    assert decides("commission2") == {s3, d2}
    assert decides("regional_commission") == {region}
    assert decides("district_coordinator") == set()
    assert decides("methodologist") == set()


# --- the draft and the narrative -------------------------------------------------------


def test_the_writers_first_opening_makes_the_draft_and_a_readers_makes_nothing(
        en, world, people):
    coordinator = people["district_coordinator"]
    seen = opened(world, people["methodologist"], "district", "D1")
    assert seen.id is None and seen.status == ReportStatus.DRAFT.value
    assert _db.session.scalar(select(func.count(MonthlyReport.id))) == 0

    report = opened(world, coordinator, "district", "D1")
    assert report.id is not None
    assert (report.scope_key, report.month) == (f"district:{world.districts['D1'].id}",
                                                last_month())
    assert report.district_id == world.districts["D1"].id and report.organisation_id is None
    again = opened(world, coordinator, "district", "D1")
    assert again.id == report.id
    assert [e.action for e in entries("monthly_reports")] == ["create"]
    assert entries("monthly_reports")[0].district_id == world.districts["D1"].id


def test_the_narrative_is_versioned_audited_and_written_only_by_the_reports_writer(
        en, world, people):
    coordinator = people["district_coordinator"]
    report = opened(world, coordinator, "district", "D1")
    opened_at = report.version
    written(report, coordinator, "Бірінші нұсқа")
    assert report.version == opened_at + 1
    with pytest.raises(ConflictError):
        services.update_narrative(coordinator, report, {"work_done": "ескі"}, opened_at)
    _db.session.rollback()
    with pytest.raises(ServiceError, match="written by"):
        services.update_narrative(people["methodologist"], report, {"work_done": "x"},
                                  report.version)
    _db.session.rollback()
    update = entries("monthly_reports", "update")
    assert len(update) == 1
    assert update[0].changes["work_done"] == ["", "Бірінші нұсқа"]
    assert _db.session.get(MonthlyReport, report.id).work_done == "Бірінші нұсқа"


# --- submission ------------------------------------------------------------------------


def test_a_month_not_yet_over_and_an_empty_work_done_are_refused(en, world, people):
    coordinator = people["district_coordinator"]
    current = opened(world, coordinator, "district", "D1", region_today().replace(day=1))
    written(current, coordinator)
    with pytest.raises(ServiceError, match="is not over yet") as refused:
        services.submit_report(coordinator, current, current.version, region_today())
    assert refused.value.field is None
    _db.session.rollback()

    report = opened(world, coordinator, "district", "D1")
    with pytest.raises(ServiceError) as empty:
        services.submit_report(coordinator, report, report.version, region_today())
    assert empty.value.field == "work_done"
    _db.session.rollback()
    assert _db.session.scalar(select(func.count(ReportSubmission.id))) == 0
    # On the first day of the next month the month is over.
    first = services.next_month(report.month)
    written(report, coordinator)
    services.submit_report(coordinator, report, report.version, first)
    assert report.status == ReportStatus.SUBMITTED.value


def test_submitting_freezes_the_numbers_the_definitions_and_the_narrative(
        en, world, people, make_case):
    with_cases(world, make_case)
    coordinator = people["district_coordinator"]
    report = written(opened(world, coordinator, "district", "D1"), coordinator)
    expected = indicators.compute(Scope(ScopeKind.DISTRICT, world.districts["D1"].id),
                                  last_month())
    submission = submitted(report, coordinator)

    _db.session.expire_all()
    stored = _db.session.get(ReportSubmission, submission.id)
    assert stored.number == 1
    assert stored.snapshot == expected
    assert stored.definitions_version == indicators.DEFINITIONS_VERSION
    assert stored.narrative == {"work_done": "Отбасыларға 12 рет барылды.",
                                "problems": "Көлік жоқ.", "proposals": "Психолог қосу."}
    assert stored.submitted_by_id == coordinator.id and stored.decision is None
    assert stored.report.status == ReportStatus.SUBMITTED.value
    [entry] = entries("report_submissions", "submit")
    assert entry.object_id == stored.id and entry.district_id == world.districts["D1"].id
    assert entry.changes["status"] == ["draft", "submitted"]
    # Submitted: no more editing, no second submission.
    with pytest.raises(ServiceError, match="changed only as a draft"):
        services.update_narrative(coordinator, stored.report, {"work_done": "x"},
                                  stored.report.version)
    _db.session.rollback()
    with pytest.raises(ServiceError, match="changed only as a draft"):
        services.submit_report(coordinator, stored.report, stored.report.version,
                               region_today())


def test_later_changes_to_the_records_never_change_a_submitted_report(
        en, world, people, make_case):
    cases = with_cases(world, make_case)
    coordinator = people["district_coordinator"]
    report = written(opened(world, coordinator, "district", "D1"), coordinator)
    submission = submitted(report, coordinator)
    frozen = dict(submission.snapshot)

    # After submission: a new enrolment in the month and another offence in it.
    make_case(world.orgs["school2"], enrolled_on=last_month() + timedelta(days=8))
    offence(world, cases[1], last_month() + timedelta(days=12))

    _db.session.expire_all()
    assert _db.session.get(ReportSubmission, submission.id).snapshot == frozen
    now = services.computed(_db.session.get(MonthlyReport, report.id), region_today())
    assert now["values"] != frozen["values"]
    found = services.differences(frozen, now, "D1")
    assert found, "the recomputation shows what differs"
    assert all(d.submitted != d.now for d in found)
    assert {d.unit for d in found} >= {"D1"}
    # Nothing of the recomputation was stored.
    assert _db.session.get(ReportSubmission, submission.id).snapshot == frozen
    assert _db.session.scalar(select(func.count(ReportSubmission.id))) == 1


def test_differences_name_each_indicator_and_unit_that_changed(en):
    key = indicators.INDICATORS[0].key
    effectiveness_key = indicators.EFFECTIVENESS[0].key
    before = {"values": {key: 3}, "by_district": [],
              "by_school": [{"id": 7, "name_kk": "№7 мектеп", "name_ru": "Школа №7",
                             "district_id": 1, "values": {key: 1}}],
              "effectiveness": {effectiveness_key: {"value": 0.5}}}
    after = {"values": {key: 4}, "by_district": [],
             "by_school": [{"id": 7, "name_kk": "№7 мектеп", "name_ru": "Школа №7",
                            "district_id": 1, "values": {key: 1}}],
             "effectiveness": {effectiveness_key: {"value": 0.75}}}
    found = services.differences(before, after, "Аудан")
    label = str(indicators.INDICATORS[0].label)
    assert [(d.indicator, d.unit, d.submitted, d.now) for d in found] == [
        (str(indicators.EFFECTIVENESS[0].label), "Аудан", 0.5, 0.75), (label, "Аудан", 3, 4)]
    assert services.differences(before, before, "Аудан") == []


def _snapshot(schools: dict[str, int], key: str = "sessions") -> dict:
    """A district's data whose only number is ``key``: {school: count}."""
    def values(count):
        found = {i.key: {"count": 0, "breakdown": {}}.get(i.kind) for i in indicators.INDICATORS}
        found[key] = count
        return found

    whole = values(sum(schools.values()))
    return {"scope": {"kind": "district", "id": 1, "district_id": 1, "name_kk": "Аудан",
                      "name_ru": "Район"},
            "values": whole, "by_district": [],
            "by_school": [{"id": n, "name_kk": name, "name_ru": name, "district_id": 1,
                           "values": values(count)}
                          for n, (name, count) in enumerate(schools.items(), start=1)],
            "effectiveness": indicators.effectiveness(whole, None)}


def test_differences_hide_what_the_tables_hide_from_readers_outside_the_district(en):
    label = next(str(i.label) for i in indicators.INDICATORS if i.key == "sessions")
    before = _snapshot({"A": 3, "B": 6, "C": 10})
    after = _snapshot({"A": 4, "B": 6, "C": 12})

    def lines(**kw):
        return [(d.unit, d.submitted, d.now) for d in services.differences(
            before, after, "Аудан", **kw) if d.indicator == label]

    # Read in the district: every number.
    assert lines() == [("Аудан", 19, 22), ("A", 3, 4), ("C", 10, 12)]
    # Read from outside: A is "<5" then and now (no line); C shows as it is.
    assert lines(suppress=True) == [("Аудан", 19, 22), ("C", 10, 12)]
    # A school reaching 5: its "<5" then, its number now; B, hidden beside A before, is
    # shown again.
    grown = _snapshot({"A": 5, "B": 6, "C": 10})
    assert [(d.unit, d.submitted, d.now) for d in services.differences(
        before, grown, "Аудан", suppress=True) if d.indicator == label] == [
        ("Аудан", 19, 21), ("A", "<5", 5), ("B", "×", 6)]


# --- the commission's decision ---------------------------------------------------------


def test_return_with_a_comment_resubmit_and_accept(en, world, people, make_case):
    with_cases(world, make_case)
    coordinator, member = people["district_coordinator"], people["commission_member"]
    report = written(opened(world, coordinator, "district", "D1"), coordinator)
    first = submitted(report, coordinator)

    for outsider in ("commission2", "regional_commission", "district_coordinator",
                     "methodologist"):
        with pytest.raises(ServiceError, match="commission of the report's scope"):
            services.decide_report(people[outsider], report, "accepted", None, report.version)
        _db.session.rollback()
    with pytest.raises(ServiceError) as no_comment:
        services.decide_report(member, report, "returned", "  ", report.version)
    assert no_comment.value.field == "comment"
    _db.session.rollback()

    services.decide_report(member, report, "returned", "Мектептер бойынша кесте толық емес.",
                           report.version)
    _db.session.commit()
    assert report.status == ReportStatus.RETURNED.value
    assert (first.decision, first.comment, first.decided_by_id) == (
        "returned", "Мектептер бойынша кесте толық емес.", member.id)
    assert first.decided_at is not None
    with pytest.raises(ServiceError, match="not awaiting a decision"):
        services.decide_report(member, report, "accepted", None, report.version)
    _db.session.rollback()

    written(report, coordinator, "Түзетілді: кесте толықтырылды.")
    second = submitted(report, coordinator)
    assert second.number == 2 and second.narrative["work_done"] == "Түзетілді: кесте толықтырылды."
    assert report.status == ReportStatus.SUBMITTED.value
    services.decide_report(member, report, "accepted", "", report.version)
    _db.session.commit()
    assert report.status == ReportStatus.ACCEPTED.value
    assert (second.decision, second.comment) == ("accepted", None)
    # Both versions are kept, with their decisions.
    history = queries.submissions(report.id)
    assert [(s.number, s.decision) for s in history] == [(2, "accepted"), (1, "returned")]
    assert queries.submission(report.id, 1).narrative["work_done"] == "Отбасыларға 12 рет барылды."
    assert [e.action for e in entries("report_submissions")] == [
        "submit", "return", "submit", "accept"]
    with pytest.raises(ServiceError, match="changed only as a draft"):
        services.update_narrative(coordinator, report, {"work_done": "x"}, report.version)
    _db.session.rollback()


def test_a_stale_decision_is_refused(en, world, people):
    coordinator, member = people["district_coordinator"], people["commission_member"]
    report = written(opened(world, coordinator, "district", "D1"), coordinator)
    submitted(report, coordinator)
    with pytest.raises(ConflictError):
        services.decide_report(member, report, "accepted", None, report.version - 1)
    _db.session.rollback()


def test_the_regional_commission_decides_on_the_region_report(en, world, people):
    methodologist = people["methodologist"]
    report = written(opened(world, methodologist, "region"), methodologist)
    submitted(report, methodologist)
    with pytest.raises(ServiceError):
        services.decide_report(people["commission_member"], report, "accepted", None,
                               report.version)
    _db.session.rollback()
    services.decide_report(people["regional_commission"], report, "accepted", None,
                           report.version)
    _db.session.commit()
    assert report.status == ReportStatus.ACCEPTED.value


def test_the_school_report_goes_to_the_district_commission(en, world, people):
    admin = people["school_admin"]
    report = written(opened(world, admin, "school", "school1"), admin)
    submitted(report, admin)
    assert [r.report_id for r in queries.waiting_for_decision(people["commission_member"])] == [
        report.id]
    assert queries.waiting_for_decision(people["commission2"]) == []
    assert queries.waiting_for_decision(people["regional_commission"]) == []
    services.decide_report(people["commission_member"], report, "accepted", None,
                           report.version)
    _db.session.commit()
    assert queries.waiting_for_decision(people["commission_member"]) == []


# --- baselines -------------------------------------------------------------------------


def test_baselines_per_district_and_for_the_region_versioned_and_audited(en, world, people):
    coordinator, methodologist = people["district_coordinator"], people["methodologist"]
    day = region_today()
    mine = services.set_baseline(coordinator, 2025, Decimal("12.5"), "Полиция деректері", None,
                                 day)
    region = services.set_baseline(methodologist, 2025, Decimal("9"), "", None, day)
    _db.session.commit()
    assert (mine.district_id, mine.rate) == (world.districts["D1"].id, Decimal("12.50"))
    assert (region.district_id, region.rate) == (None, Decimal("9.00"))
    other = services.set_baseline(people["coordinator2"], 2025, Decimal("20"), "", None, day)
    _db.session.commit()
    assert other.district_id == world.districts["D2"].id

    with pytest.raises(ServiceError, match="already entered") as again:
        services.set_baseline(coordinator, 2025, Decimal("1"), "", None, day)
    assert again.value.field == "year"
    _db.session.rollback()
    version = mine.version
    services.set_baseline(coordinator, 2025, Decimal("11"), "Түзетілген", version, day)
    _db.session.commit()
    with pytest.raises(ConflictError):
        services.set_baseline(coordinator, 2025, Decimal("10"), "", version, day)
    _db.session.rollback()
    assert _db.session.get(OffendingBaseline, mine.id).rate == Decimal("11.00")

    [created, changed] = [e for e in entries("offending_baselines")
                          if e.object_id == mine.id]
    assert (created.action, changed.action) == ("create", "update")
    assert changed.changes == {"rate": ["12.50", "11.00"],
                               "note": ["Полиция деректері", "Түзетілген"]}
    assert [(b.year, b.rate) for b in queries.baselines(world.districts["D1"].id)] == [
        (2025, Decimal("11.00"))]
    assert [e.object_id for e in queries.baseline_history(world.districts["D1"].id)] == [
        mine.id, mine.id]
    assert [e.object_id for e in queries.baseline_history(None)] == [region.id]


def test_baselines_refuse_a_bad_year_or_rate_and_other_roles(en, world, people):
    coordinator, day = people["district_coordinator"], region_today()
    with pytest.raises(ServiceError) as future:
        services.set_baseline(coordinator, day.year + 1, Decimal("1"), "", None, day)
    assert future.value.field == "year"
    with pytest.raises(ServiceError) as negative:
        services.set_baseline(coordinator, 2025, Decimal("-1"), "", None, day)
    assert negative.value.field == "rate"
    with pytest.raises(ServiceError, match="entered by the district coordinator"):
        services.set_baseline(people["school_admin"], 2025, Decimal("1"), "", None, day)
    _db.session.rollback()
    assert _db.session.scalar(select(func.count(OffendingBaseline.id))) == 0


# --- months --------------------------------------------------------------------------


def test_months_are_read_and_named_in_the_readers_language(app):
    assert services.parse_month("2026-10") == date(2026, 10, 1)
    for bad in ("2026-13", "2026-1", "26-10", "2026/10", "", "abcd-ef", "0000-01",
                "1999-12", "2101-01", "9999-01", "２０２６-10", "2026-１０", "+202-10"):
        assert services.parse_month(bad) is None, bad
    assert services.parse_month("2000-01") == date(2000, 1, 1)
    assert services.parse_month("2100-12") == date(2100, 12, 1)
    with app.test_request_context():
        with force_locale("kk"):
            assert services.month_label(date(2026, 10, 1)) == "Қазан 2026"
        with force_locale("ru"):
            assert services.month_label(date(2026, 10, 1)).lower() == "октябрь 2026"
    assert services.month_is_over(date(2026, 10, 1), date(2026, 11, 1))
    assert not services.month_is_over(date(2026, 10, 1), date(2026, 10, 31))
    assert services.last_finished_month(date(2026, 1, 5)) == date(2025, 12, 1)
    assert services.months_back(date(2026, 3, 9)) == [date(2026, 3, 1), date(2026, 2, 1),
                                                      date(2026, 1, 1)]
