"""A small region whose every indicator for October 2026 was computed by hand
(tests/test_indicators.py holds the expected numbers and how each was counted).

Built directly through the models on top of the ``world`` fixture: district D1 with
school1, school2 and college1 (which stays empty: a zero row), district D2 with school3.
Twelve minors, A to L, each carrying one or more edge cases:

- A (school1): in the active stage since March; its deadline passed in September and was
  extended only after October (overdue at the month's end); an offence before support
  (January) and one under support (October); IRP occurrences done, missed, cancelled and
  still planned at the month's end; attendance in March (its enrolment month), September
  and October; a sports section; an old crisis episode (May).
- B (school1): enrolled and closed (moved away) in October.
- C: handed over from school2 (D1) to school3 (D2) on 15 October: counted at school3 at
  the month's end, its offences before and after the hand-over at each school, its
  earlier records (IRP, sessions, attendance) where they were made; a stage extension.
- D (school2): re-enrolled: a completed first enrolment (Sept 2025 – April 2026) with an
  offence and an assessment, a suicide attempt between the two periods, then a second
  enrolment in October with a repeat suicide attempt and a standing crisis flag.
- E (school3): turned 18 and closed on 14 October.
- F (school3): in follow-up; employed until 3 October (involved); a crisis cleared in
  October; an assessment after the month (not "latest").
- G (school3): in the initial stage at the month's end, moved to active only in November
  (its deadline is rebuilt: overdue); crisis raised on 1 October local time (30 Sept in
  UTC) and cleared on 1 November local time (31 Oct in UTC); IRP approved in November.
- H (school1): deadline on the month's last day (not overdue); a leisure club from
  31 October; a first suicide attempt under support.
- I (school1): IRP drafted, never approved; an event that ended 30 September; missed a
  group session.
- J (school1): registered in September, never enrolled; an offence (not under support).
- K (school3): registered in November (after the month).
- L (school2): registered in May, enrolled only in November.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from juvenile.accounts.models import Organisation, OrganisationKind
from juvenile.cases.iin import make_iin
from juvenile.cases.models import (
    Enrolment,
    Incident,
    Minor,
    Placement,
    StageMove,
    enrolment_groups,
)
from juvenile.diagnostics.models import Assessment, CrisisEpisode
from juvenile.education.models import EducationRecord, Employment, MonthlyAttendance
from juvenile.familywork.models import LivingConditionsAct
from juvenile.irp.models import Activity, IrpVersion, Occurrence
from juvenile.leisure.models import LeisureInvolvement
from juvenile.reports.models import OffendingBaseline
from juvenile.sessions.models import GroupSession, Session

MONTH = date(2026, 10, 1)
BORN = date(2011, 3, 14)


@dataclass
class ReportRegion:
    world: object
    minors: dict = field(default_factory=dict)
    enrolments: dict = field(default_factory=dict)

    def org(self, code: str) -> Organisation:
        return self.world.orgs[code]

    def district(self, code: str):
        return self.world.districts[code]


class _Builder:
    def __init__(self, db, world):
        self.db, self.world = db, world
        self.region = ReportRegion(world)
        self.actor = world.users["psychologist"]
        self.serial = 100

    # --- people and cases ------------------------------------------------------------

    def minor(self, key: str, school: str, registered: date, born: date = BORN) -> Minor:
        org = self.world.orgs[school]
        iin = None
        while iin is None:
            self.serial += 1
            iin = make_iin(born, "m", self.serial)
        minor = Minor(iin=iin, surname=f"Оқушы {key}", given_name="Асқар", birth_date=born,
                      sex="m", schooling_language="kk", address="Тараз",
                      organisation_id=org.id, district_id=org.district_id,
                      created_at=datetime(registered.year, registered.month, registered.day,
                                          6, tzinfo=UTC))
        self.db.session.add(minor)
        self.db.session.flush()
        self.region.minors[key] = minor
        return minor

    def enrol(self, key: str, minor: Minor, school: str, enrolled_on: date, groups, *,
              stage: str, started: date, due: date, closed_on: date | None = None,
              reason: str | None = None, crisis: bool = False) -> Enrolment:
        org = self.world.orgs[school]
        enrolment = Enrolment(
            minor_id=minor.id, organisation_id=org.id, district_id=org.district_id,
            source="police", identified_on=enrolled_on, enrolled_on=enrolled_on,
            reason="Тексеру", stage=stage, stage_started_on=started, stage_due_on=due,
            closed_on=closed_on, closure_reason=reason, crisis=crisis,
            created_by_id=self.actor.id)
        self.db.session.add(enrolment)
        self.db.session.flush()
        self.db.session.execute(enrolment_groups.insert(), [
            {"enrolment_id": enrolment.id, "target_group": g} for g in groups])
        self.region.enrolments[key] = enrolment
        return enrolment

    def placement(self, enrolment, school: str, from_date: date, to_date: date | None = None):
        org = self.world.orgs[school]
        self.db.session.add(Placement(enrolment_id=enrolment.id, organisation_id=org.id,
                                      district_id=org.district_id, from_date=from_date,
                                      to_date=to_date))

    def move(self, enrolment, from_stage: str, to_stage: str, on: date, days=None):
        self.db.session.add(StageMove(enrolment_id=enrolment.id, from_stage=from_stage,
                                      to_stage=to_stage, moved_on=on, extension_days=days,
                                      actor_id=self.actor.id))

    # --- records ---------------------------------------------------------------------

    def _place(self, record, enrolment, school: str):
        org = self.world.orgs[school]
        record.enrolment_id, record.minor_id = enrolment.id, enrolment.minor_id
        record.organisation_id, record.district_id = org.id, org.district_id
        record.recorded_by_id = self.actor.id
        self.db.session.add(record)
        return record

    def incident(self, minor, kind: str, on: date, enrolment=None, *, district: str):
        self.db.session.add(Incident(
            minor_id=minor.id, enrolment_id=enrolment.id if enrolment else None, kind=kind,
            occurred_on=on, description="—",
            is_repeat_offence=kind.startswith("offence") and enrolment is not None,
            recorded_by_id=self.actor.id, district_id=self.world.districts[district].id))

    def assessment(self, enrolment, construct: str, level: str, on: date, school: str):
        org = self.world.orgs[school]
        self.db.session.add(Assessment(
            minor_id=enrolment.minor_id, enrolment_id=enrolment.id, custom_name="Тест",
            construct=construct, administered_on=on, administered_by_id=self.actor.id,
            stage="active", level=level, organisation_id=org.id, district_id=org.district_id))

    def session(self, enrolment, kind: str, on: date, school: str, *, group=None,
                attended: bool = True):
        self._place(Session(kind=kind, held_on=on, duration_minutes=40, format="in_person",
                            conducted_by_id=self.actor.id, group_session_id=group,
                            attended=attended), enrolment, school)

    def visit(self, enrolment, on: date, school: str):
        self._place(LivingConditionsAct(
            visited_on=on, address="Тараз", participants=[], household=[],
            housing_type="apartment", housing_condition="adequate",
            material_conditions="adequate", supervision="adequate", risk_factors=[],
            conclusions="—", recommendations="—"), enrolment, school)

    def attendance(self, enrolment, month: date, unexcused: int, school: str):
        self._place(MonthlyAttendance(month=month, lessons=80, missed_excused=1,
                                      missed_unexcused=unexcused), enrolment, school)

    def education(self, enrolment, status: str, since: date, school: str):
        self._place(EducationRecord(status=status, since=since), enrolment, school)

    def leisure(self, enrolment, kind: str, starts: date, ends: date | None, school: str):
        self._place(LeisureInvolvement(kind=kind, name="Үйірме", starts_on=starts,
                                       ends_on=ends), enrolment, school)

    def employment(self, enrolment, starts: date, ends: date | None, school: str):
        self._place(Employment(kind="temporary", employer="ЖШС", starts_on=starts,
                               ends_on=ends), enrolment, school)

    def irp(self, enrolment, school: str, approved_on: date | None) -> IrpVersion:
        org = self.world.orgs[school]
        irp = IrpVersion(enrolment_id=enrolment.id, minor_id=enrolment.minor_id,
                         organisation_id=org.id, district_id=org.district_id, number=1,
                         status="approved" if approved_on else "draft", goals="—",
                         drafted_by_id=self.actor.id, approved_on=approved_on,
                         approved_by_id=self.actor.id if approved_on else None)
        self.db.session.add(irp)
        self.db.session.flush()
        return irp

    def occurrences(self, irp, school: str, dues: list[tuple[date, str]]):
        org = self.world.orgs[school]
        activity = Activity(irp_id=irp.id, direction="psychological", title="Кеңес",
                            frequency="weekly", starts_on=dues[0][0] - timedelta(days=6),
                            ends_on=dues[-1][0])
        self.db.session.add(activity)
        self.db.session.flush()
        for due, status in dues:
            self.db.session.add(Occurrence(
                activity_id=activity.id, enrolment_id=irp.enrolment_id, organisation_id=org.id,
                district_id=org.district_id, window_start=due - timedelta(days=6), due_on=due,
                status=status, done_on=due if status == "done" else None))

    def episode(self, enrolment, school: str, raised: datetime, cleared: datetime | None):
        org = self.world.orgs[school]
        self.db.session.add(CrisisEpisode(
            enrolment_id=enrolment.id, minor_id=enrolment.minor_id, severity="acute",
            trigger="attempt", raised_at=raised, raised_by_id=self.actor.id,
            cleared_at=cleared, cleared_by_id=self.actor.id if cleared else None,
            organisation_id=org.id, district_id=org.district_id))


def _utc(year, month, day, hour=5) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def build_report_region(db, world) -> ReportRegion:
    """The region described in the module's docstring (committed)."""
    b = _Builder(db, world)
    _case_a(b)
    _case_b(b)
    _case_c(b)
    _case_d(b)
    _case_e_f(b)
    _case_g_h(b)
    _case_i_to_l(b)
    _group_session(b)
    for district, year, rate in [("D1", 2025, "90.00"), ("D2", 2025, "55.00"),
                                 (None, 2025, "60.00"), ("D1", 2026, "10.00")]:
        db.session.add(OffendingBaseline(
            district_id=world.districts[district].id if district else None, year=year,
            rate=Decimal(rate), entered_by_id=b.actor.id))
    db.session.commit()
    return b.region


def _case_a(b: _Builder) -> None:
    minor = b.minor("A", "school1", date(2026, 3, 1))
    e = b.enrol("A", minor, "school1", date(2026, 3, 10), [1, 3], stage="active",
                started=date(2026, 3, 20), due=date(2026, 11, 19))
    b.placement(e, "school1", date(2026, 3, 10))
    b.move(e, "initial", "active", date(2026, 3, 20))
    b.move(e, "active", "active", date(2026, 11, 5), days=60)  # 20 Sept → 19 Nov
    irp = b.irp(e, "school1", date(2026, 3, 18))
    b.occurrences(irp, "school1", [
        (date(2026, 9, 27), "done"), (date(2026, 10, 4), "done"),
        (date(2026, 10, 11), "planned"), (date(2026, 10, 18), "cancelled"),
        (date(2026, 10, 25), "planned"), (date(2026, 11, 1), "planned")])
    b.assessment(e, "anxiety", "high", date(2026, 3, 12), "school1")
    b.assessment(e, "anxiety", "moderate", date(2026, 10, 5), "school1")
    b.incident(minor, "offence_administrative", date(2026, 1, 15), district="D1")
    b.incident(minor, "offence_criminal", date(2026, 10, 12), e, district="D1")
    for month, missed in [(date(2026, 3, 1), 10), (date(2026, 9, 1), 6), (MONTH, 4)]:
        b.attendance(e, month, missed, "school1")
    b.leisure(e, "sports_section", date(2026, 9, 1), None, "school1")
    b.education(e, "attending", date(2026, 3, 10), "school1")
    for day in (date(2026, 9, 25), date(2026, 10, 2), date(2026, 10, 9)):
        b.session(e, "consultation", day, "school1")
    b.session(e, "contact_family", date(2026, 10, 24), "school1")
    b.visit(e, date(2026, 10, 3), "school1")
    b.episode(e, "school1", _utc(2026, 5, 1), _utc(2026, 5, 10))


def _case_b(b: _Builder) -> None:
    minor = b.minor("B", "school1", date(2026, 10, 1))
    e = b.enrol("B", minor, "school1", date(2026, 10, 5), [2], stage="closed",
                started=date(2026, 10, 5), due=date(2026, 10, 15), closed_on=date(2026, 10, 25),
                reason="moved_away")
    b.placement(e, "school1", date(2026, 10, 5))
    b.move(e, "initial", "closed", date(2026, 10, 25))
    b.assessment(e, "aggression", "low", date(2026, 10, 6), "school1")


def _case_c(b: _Builder) -> None:
    minor = b.minor("C", "school3", date(2026, 1, 20))
    e = b.enrol("C", minor, "school3", date(2026, 2, 1), [3], stage="active",
                started=date(2026, 2, 11), due=date(2026, 11, 9))
    b.placement(e, "school2", date(2026, 2, 1), date(2026, 10, 15))
    b.placement(e, "school3", date(2026, 10, 15))
    b.move(e, "initial", "active", date(2026, 2, 11))
    b.move(e, "active", "active", date(2026, 8, 5), days=90)  # 11 Aug → 9 Nov
    irp = b.irp(e, "school2", date(2026, 2, 10))
    b.occurrences(irp, "school2", [(date(2026, 10, 12), "done"),
                                   (date(2026, 10, 26), "planned")])
    b.assessment(e, "aggression", "high", date(2026, 2, 5), "school2")
    b.assessment(e, "aggression", "moderate", date(2026, 10, 18), "school3")
    b.incident(minor, "offence_administrative", date(2026, 10, 10), e, district="D1")
    b.incident(minor, "offence_criminal", date(2026, 10, 20), e, district="D2")
    b.attendance(e, date(2026, 2, 1), 5, "school2")
    b.attendance(e, date(2026, 9, 1), 3, "school2")
    b.attendance(e, MONTH, 2, "school3")
    b.education(e, "attending", date(2026, 2, 1), "school2")
    b.education(e, "college", date(2026, 11, 3), "school3")
    b.session(e, "consultation", date(2026, 10, 7), "school2")
    b.session(e, "correction", date(2026, 10, 20), "school3")


def _case_d(b: _Builder) -> None:
    minor = b.minor("D", "school2", date(2025, 8, 20), born=date(2010, 5, 5))
    first = b.enrol("D1", minor, "school2", date(2025, 9, 1), [2], stage="closed",
                    started=date(2026, 3, 1), due=date(2026, 9, 1),
                    closed_on=date(2026, 4, 30), reason="completed")
    b.placement(first, "school2", date(2025, 9, 1))
    b.move(first, "follow_up", "closed", date(2026, 4, 30))
    b.assessment(first, "anxiety", "moderate", date(2025, 9, 5), "school2")
    b.incident(minor, "offence_administrative", date(2026, 1, 20), first, district="D1")
    b.education(first, "attending", date(2025, 9, 1), "school2")
    b.incident(minor, "suicide_attempt", date(2026, 6, 1), district="D1")
    second = b.enrol("D", minor, "school2", date(2026, 10, 12), [2, 5], stage="initial",
                     started=date(2026, 10, 12), due=date(2026, 10, 22), crisis=True)
    b.placement(second, "school2", date(2026, 10, 12))
    b.assessment(second, "suicide_risk", "high", date(2026, 10, 21), "school2")
    b.incident(minor, "suicide_attempt", date(2026, 10, 20), second, district="D1")
    b.episode(second, "school2", _utc(2026, 10, 20), None)
    b.session(second, "crisis_help", date(2026, 10, 21), "school2")
    b.visit(second, date(2026, 10, 14), "school2")


def _case_e_f(b: _Builder) -> None:
    minor = b.minor("E", "school3", date(2026, 1, 5), born=date(2008, 10, 14))
    e = b.enrol("E", minor, "school3", date(2026, 1, 10), [4], stage="closed",
                started=date(2026, 1, 20), due=date(2026, 7, 20),
                closed_on=date(2026, 10, 14), reason="turned_18")
    b.placement(e, "school3", date(2026, 1, 10))
    b.move(e, "active", "closed", date(2026, 10, 14))
    b.incident(minor, "offence_criminal", date(2026, 5, 5), e, district="D2")

    minor = b.minor("F", "school3", date(2025, 11, 20))
    f = b.enrol("F", minor, "school3", date(2025, 12, 1), [1], stage="follow_up",
                started=date(2026, 6, 11), due=date(2026, 12, 1))
    b.placement(f, "school3", date(2025, 12, 1))
    b.move(f, "initial", "active", date(2025, 12, 11))
    b.move(f, "active", "follow_up", date(2026, 6, 11))
    irp = b.irp(f, "school3", date(2025, 12, 8))
    b.occurrences(irp, "school3", [(date(2026, 10, 31), "done")])
    b.assessment(f, "anxiety", "low", date(2025, 12, 3), "school3")
    b.assessment(f, "anxiety", "high", date(2026, 11, 5), "school3")
    b.employment(f, date(2026, 7, 1), date(2026, 10, 3), "school3")
    b.education(f, "working", date(2026, 7, 1), "school3")
    b.episode(f, "school3", _utc(2026, 9, 10), _utc(2026, 10, 8))
    b.session(f, "career_guidance", date(2026, 10, 2), "school3")
    b.incident(minor, "suicide_attempt", date(2026, 9, 9), f, district="D2")


def _case_g_h(b: _Builder) -> None:
    minor = b.minor("G", "school3", date(2026, 9, 10))
    g = b.enrol("G", minor, "school3", date(2026, 9, 15), [2], stage="active",
                started=date(2026, 11, 3), due=date(2027, 5, 3))
    b.placement(g, "school3", date(2026, 9, 15))
    b.move(g, "initial", "active", date(2026, 11, 3))
    b.irp(g, "school3", date(2026, 11, 2))
    # 1 October 01:00 and 1 November 01:00 in Almaty (UTC+5).
    b.episode(g, "school3", _utc(2026, 9, 30, 20), _utc(2026, 10, 31, 20))
    b.session(g, "contact_family", date(2026, 10, 28), "school3")
    b.visit(g, date(2026, 9, 30), "school3")
    b.visit(g, date(2026, 10, 29), "school3")

    minor = b.minor("H", "school1", date(2026, 3, 25))
    h = b.enrol("H", minor, "school1", date(2026, 4, 1), [2], stage="active",
                started=date(2026, 4, 15), due=date(2026, 10, 31))
    b.placement(h, "school1", date(2026, 4, 1))
    b.move(h, "initial", "active", date(2026, 4, 15))
    b.irp(h, "school1", date(2026, 4, 8))
    b.assessment(h, "aggression", "moderate", date(2026, 4, 5), "school1")
    b.leisure(h, "club", date(2026, 10, 31), None, "school1")
    b.education(h, "attending", date(2026, 4, 1), "school1")
    b.education(h, "not_attending", date(2026, 9, 1), "school1")
    for month, missed in [(date(2026, 4, 1), 9), (date(2026, 9, 1), 7), (MONTH, 8)]:
        b.attendance(h, month, missed, "school1")
    b.session(h, "family_consultation", date(2026, 10, 22), "school1")
    b.incident(minor, "suicide_attempt", date(2026, 10, 18), h, district="D1")


def _case_i_to_l(b: _Builder) -> None:
    minor = b.minor("I", "school1", date(2026, 5, 20))
    i = b.enrol("I", minor, "school1", date(2026, 6, 1), [3], stage="active",
                started=date(2026, 6, 11), due=date(2026, 12, 1))
    b.placement(i, "school1", date(2026, 6, 1))
    b.move(i, "initial", "active", date(2026, 6, 11))
    b.irp(i, "school1", None)
    b.leisure(i, "event", date(2026, 9, 30), date(2026, 9, 30), "school1")
    b.incident(minor, "offence_administrative", date(2026, 10, 25), i, district="D1")
    b.session(i, "parenting_training", date(2026, 10, 23), "school1")

    j = b.minor("J", "school1", date(2026, 9, 20))
    b.incident(j, "offence_administrative", date(2026, 10, 3), district="D1")
    b.minor("K", "school3", date(2026, 11, 5))
    minor = b.minor("L", "school2", date(2026, 5, 1))
    late = b.enrol("L", minor, "school2", date(2026, 11, 10), [2], stage="initial",
                   started=date(2026, 11, 10), due=date(2026, 11, 20))
    b.placement(late, "school2", date(2026, 11, 10))


def _group_session(b: _Builder) -> None:
    school = b.world.orgs["school1"]
    group = GroupSession(organisation_id=school.id, district_id=school.district_id,
                         kind="training", topic="Стресс", held_on=date(2026, 10, 16),
                         duration_minutes=45, format="in_person",
                         conducted_by_id=b.actor.id, recorded_by_id=b.actor.id)
    b.db.session.add(group)
    b.db.session.flush()
    for key, attended in [("A", True), ("H", True), ("I", False)]:
        b.session(b.region.enrolments[key], "training", group.held_on, "school1",
                  group=group.id, attended=attended)


def add_schools(db, world, district: str, count: int, *, month: date = MONTH) -> list:
    """``count`` more schools in a district, each with one case open in the month and a
    session: for "the number of queries does not grow with the schools"."""
    b = _Builder(db, world)
    b.serial = 5000 + len(world.orgs) * 10
    added = []
    for n in range(count):
        code = f"extra{len(world.orgs) + 1}"
        org = Organisation(region=world.region, district=world.districts[district],
                           kind=OrganisationKind.SCHOOL.value, code=code.upper(),
                           name_kk=f"{code} (kk)", name_ru=f"{code} (ru)")
        db.session.add(org)
        db.session.flush()
        world.orgs[code] = org
        minor = b.minor(f"{code}-{n}", code, month - timedelta(days=30))
        e = b.enrol(f"{code}-{n}", minor, code, month, [2], stage="initial", started=month,
                    due=month + timedelta(days=10))
        b.placement(e, code, month)
        b.session(e, "consultation", month + timedelta(days=3), code)
        b.incident(minor, "offence_criminal", month + timedelta(days=4), e, district=district)
        added.append(org)
    db.session.commit()
    return added
