"""Benchmark of the monthly reports (a script, not a timed test).

Builds a region of 20,000 enrolments with a year of history, by bulk inserts: 11
districts and 240 schools; 20,000 minors (2,000 registered and never enrolled; 2,000 with
an earlier, closed enrolment besides the current one); placements (4% of the cases
handed over to another school), target groups, stage moves, approved IRPs with their
activities and fortnightly and monthly occurrences, sessions, assessments, crisis
episodes, living-conditions acts, monthly attendance, education statuses, leisure, employment,
offences and suicide attempts, and the baselines of the year before. Then it measures,
for the last finished month:

- ``indicators.compute`` of the largest district and of the region (median of 5 runs,
  after a warm-up), with their SQL query counts (and a small district's, to show the
  count does not depend on the number of schools);
- the region's PDF (computation and WeasyPrint) and its XLSX;
- the quarterly effectiveness analysis of the region (up to twelve computations);
- one hand-written SQL query producing the same headline numbers (minors in the
  programme at the month's end by district, offences under support in the month,
  leisure and labour involvement), checked against compute's;
- the slowest statements of the region's computation (with --explain, their PostgreSQL
  plans).

Usage:

    .venv/bin/python scripts/benchmark_reports.py \\
        postgresql://postgres@127.0.0.1:5432/bench_reports --create --drop
    .venv/bin/python scripts/benchmark_reports.py sqlite:////tmp/bench_reports.sqlite --drop

--create makes the PostgreSQL database first; --drop removes the database (or the SQLite
file) at the end. The data are rebuilt on every run (about a million rows), unless
--reuse measures what a previous run (without --drop) left. Results and
how to read them: docs/performance.md.
"""

import argparse
import os
import random
import statistics
import sys
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from sqlalchemy import create_engine, event, insert, text
from sqlalchemy.engine import make_url

from config import Config
from juvenile import create_app
from juvenile.accounts.models import District, Organisation, Region, User
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
from juvenile.extensions import db
from juvenile.familywork.models import LivingConditionsAct
from juvenile.irp.models import Activity, IrpVersion, Occurrence
from juvenile.leisure.models import LeisureInvolvement
from juvenile.reports.models import OffendingBaseline
from juvenile.sessions.models import Session

SCHOOLS_PER_DISTRICT = [40, 24, 22, 22, 20, 20, 20, 18, 18, 18, 18]  # 240
ENROLLED_MINORS, EARLIER, REGISTERED = 18_000, 2_000, 2_000
RUNS, CHUNK, SEED = 5, 5_000, 2026
SESSION_KINDS = ["consultation", "consultation", "correction", "training", "contact_minor",
                 "contact_family", "family_consultation", "parenting_training",
                 "career_guidance", "crisis_help"]
OFFENCES = ["offence_administrative", "offence_criminal"]


def bench_config(url: str) -> type[Config]:
    return type("BenchmarkConfig", (Config,), {
        "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark", "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False})


def month_end(first: date) -> date:
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - timedelta(days=1)


def months_between(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = month_end(month) + timedelta(days=1)
    return months


# --- the database ---------------------------------------------------------------------------


def normalised(url: str) -> str:
    """SQLAlchemy's psycopg 3 driver for a plain postgresql:// address."""
    return "postgresql+psycopg://" + url.split("://", 1)[1] if url.startswith(
        ("postgresql://", "postgres://")) else url


def create_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        found = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                            {"name": parsed.database})
        if not found:
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def drop_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database).unlink(missing_ok=True)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}"'))
    admin.dispose()


def fresh_schema(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        db.engine.dispose()
        Path(parsed.database).unlink(missing_ok=True)
    else:
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade()


# --- filling --------------------------------------------------------------------------------


class Filler:
    """Generates the rows (seeded: every run builds the same region) and inserts them in
    chunks, parents first."""

    TABLES = [Minor, Enrolment, Placement, enrolment_groups, StageMove, IrpVersion, Activity,
              Occurrence, Session, Assessment, CrisisEpisode, LivingConditionsAct,
              MonthlyAttendance, EducationRecord, LeisureInvolvement, Employment, Incident]

    def __init__(self, month: date, scale: float = 1.0) -> None:
        self.rng = random.Random(SEED)
        self.enrolled, self.registered = int(ENROLLED_MINORS * scale), int(REGISTERED * scale)
        self.earlier = int(EARLIER * scale)
        self.month, self.last = month, month_end(month)
        #: The first month of the twelve ending with the report's month.
        self.window = month_end(date(month.year - 1, month.month, 1)) + timedelta(days=1)
        self.rows: dict = {table: [] for table in self.TABLES}
        self.ids = {table: 0 for table in (Minor, Enrolment, IrpVersion, Activity)}
        self.serials: dict[date, int] = {}

    def take(self, table) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def add(self, table, **row) -> None:
        self.rows[table].append(row)

    def flush(self) -> None:
        for table, rows in self.rows.items():
            if rows:
                db.session.execute(insert(getattr(table, "__table__", table)), rows)
                rows.clear()

    # --- the region ---

    def region(self) -> None:
        region = Region(code="BENCH", name_kk="Жамбыл облысы", name_ru="Жамбылская область")
        db.session.add(region)
        db.session.flush()
        self.schools, self.districts = [], []
        for d, count in enumerate(SCHOOLS_PER_DISTRICT):
            district = District(region_id=region.id, code=f"B{d:02d}",
                                name_kk=f"Аудан {d + 1}", name_ru=f"Район {d + 1}")
            db.session.add(district)
            db.session.flush()
            self.districts.append(district.id)
            orgs = [Organisation(region_id=region.id, district_id=district.id,
                                 kind="college" if n % 10 == 9 else "school",
                                 code=f"B{d:02d}S{n:03d}", name_kk=f"№{n + 1} мектеп",
                                 name_ru=f"Школа №{n + 1}") for n in range(count)]
            db.session.add_all(orgs)
            db.session.flush()
            self.schools += [(org.id, district.id) for org in orgs]
        body = Organisation(region_id=region.id, kind="education_department", code="BREG",
                            name_kk="Облыс білім басқармасы", name_ru="Управление образования")
        db.session.add(body)
        db.session.flush()
        actor = User(login="bench.actor", full_name="Бенчмарк", role="psychologist",
                     organisation_id=self.schools[0][0], password_hash="!",
                     session_token="bench")
        db.session.add(actor)
        db.session.flush()
        self.actor = actor.id
        for district in [None, *self.districts]:
            db.session.add(OffendingBaseline(district_id=district, year=self.month.year - 1,
                                             rate=self.rng.randint(8, 30), note="—",
                                             entered_by_id=actor.id))
        db.session.flush()

    # --- people and cases ---

    def minor(self, school, registered: date) -> dict:
        born = date(2009, 1, 1) + timedelta(days=self.rng.randint(0, 7 * 365))
        iin = None
        while iin is None:
            self.serials[born] = self.serials.get(born, 0) + 1
            iin = make_iin(born, "m", self.serials[born])
        minor = dict(id=self.take(Minor), iin=iin, surname="Оқушы", given_name="Асқар",
                     birth_date=born, sex="m", schooling_language="kk", address="Тараз",
                     organisation_id=school[0], district_id=school[1],
                     created_at=datetime.combine(registered, datetime.min.time(), UTC))
        self.add(Minor, **minor)
        return minor

    def enrolment(self, minor: dict, school, enrolled: date, closed: date | None) -> dict:
        rng, last = self.rng, self.last
        age = ((closed or last) - enrolled).days
        stage = ("closed" if closed else "initial" if age < 10 else "active" if age < 180
                 else "follow_up")
        due = enrolled + timedelta(days=10 if stage == "initial" else 180 if
                                   stage == "active" else 365)
        if stage != "closed" and rng.random() < 0.12:
            due = last - timedelta(days=rng.randint(1, 40))  # overdue at the month's end
        row = dict(id=self.take(Enrolment), minor_id=minor["id"], organisation_id=school[0],
                   district_id=school[1], source="police", identified_on=enrolled,
                   enrolled_on=enrolled, reason="—", stage=stage,
                   stage_started_on=enrolled if stage == "initial" else enrolled
                   + timedelta(days=10), stage_due_on=due, closed_on=closed,
                   closure_reason=rng.choice(["completed", "moved_away", "turned_18"])
                   if closed else None, created_by_id=self.actor)
        self.add(Enrolment, **row)
        for group in sorted({rng.choice([1, 2, 2, 3, 3, 5]), rng.choice([1, 2, 3, 4, 5])}):
            self.add(enrolment_groups, enrolment_id=row["id"], target_group=group)
        self.moves(row, stage, enrolled, closed)
        return row

    def moves(self, enrolment: dict, stage: str, enrolled: date, closed: date | None) -> None:
        def move(a, b, day, days=None):
            self.add(StageMove, enrolment_id=enrolment["id"], from_stage=a, to_stage=b,
                     moved_on=day, extension_days=days, actor_id=self.actor)

        if stage != "initial":
            move("initial", "active", enrolled + timedelta(days=10))
        if stage == "follow_up":
            move("active", "follow_up", enrolled + timedelta(days=180))
        if closed:
            move("active", "closed", closed)
        elif self.rng.random() < 0.05:  # extended after the month: its deadline is rebuilt
            move(stage, stage, self.last + timedelta(days=3), 30)

    def placements(self, enrolment: dict, school, enrolled: date, closed: date | None):
        """Where the case was held: 4% handed over to another school on the way."""
        end = closed or self.last
        if self.rng.random() < 0.04 and (end - enrolled).days > 40:
            moved = enrolled + timedelta(days=self.rng.randint(20, (end - enrolled).days - 10))
            other = self.rng.choice(self.schools)
            self.add(Placement, enrolment_id=enrolment["id"], organisation_id=school[0],
                     district_id=school[1], from_date=enrolled, to_date=moved)
            self.add(Placement, enrolment_id=enrolment["id"], organisation_id=other[0],
                     district_id=other[1], from_date=moved, to_date=None)
            enrolment["organisation_id"], enrolment["district_id"] = other
            return [(enrolled, moved, school), (moved, None, other)]
        self.add(Placement, enrolment_id=enrolment["id"], organisation_id=school[0],
                 district_id=school[1], from_date=enrolled, to_date=None)
        return [(enrolled, None, school)]

    # --- the work of a case ---

    def held_at(self, spans, day: date):
        for start, end, school in spans:
            if start <= day and (end is None or day < end):
                return school
        return spans[-1][2]

    def record(self, enrolment: dict, school, **row) -> dict:
        return dict(enrolment_id=enrolment["id"], minor_id=enrolment["minor_id"],
                    organisation_id=school[0], district_id=school[1],
                    recorded_by_id=self.actor, **row)

    def work(self, enrolment: dict, spans, enrolled: date, closed: date | None) -> None:
        rng = self.rng
        end = min(closed or self.last + timedelta(days=20), self.last + timedelta(days=20))
        start = max(enrolled, self.window - timedelta(days=90))
        if (end - enrolled).days > 10 and rng.random() < 0.85:
            self.irp(enrolment, spans, enrolled + timedelta(days=8), end)
        for month in months_between(start, min(end, self.last)):
            school = self.held_at(spans, month)
            for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
                day = month + timedelta(days=rng.randint(0, 27))
                if enrolled <= day <= end:
                    self.add(Session, **self.record(
                        enrolment, school, kind=rng.choice(SESSION_KINDS), held_on=day,
                        duration_minutes=40, format="in_person",
                        conducted_by_id=self.actor))
            if rng.random() < 0.85 and month >= enrolled.replace(day=1):
                self.add(MonthlyAttendance, **self.record(
                    enrolment, school, month=month, lessons=80,
                    missed_excused=rng.randint(0, 4), missed_unexcused=rng.choice(
                        [0, 0, 1, 2, 3, 4, 6, 8, 12])))
            if month.month % 3 == enrolled.month % 3:
                self.add(LivingConditionsAct, **self.record(
                    enrolment, school, visited_on=month + timedelta(days=10), address="Тараз",
                    participants=[], household=[], housing_type="apartment",
                    housing_condition="adequate", material_conditions="adequate",
                    supervision="adequate", risk_factors=[], conclusions="—",
                    recommendations="—"))
        self.outcomes(enrolment, spans, enrolled, end)

    def irp(self, enrolment: dict, spans, approved: date, end: date) -> None:
        rng, school = self.rng, self.held_at(spans, approved)
        irp = dict(id=self.take(IrpVersion), enrolment_id=enrolment["id"],
                   minor_id=enrolment["minor_id"], organisation_id=school[0],
                   district_id=school[1], number=1, status="approved", goals="—",
                   drafted_by_id=self.actor, approved_on=approved, approved_by_id=self.actor)
        self.add(IrpVersion, **irp)
        first = max(approved, self.window - timedelta(days=30))
        for step, direction in ((14, "psychological"), (30, "family")):
            activity = self.take(Activity)
            self.add(Activity, id=activity, irp_id=irp["id"], direction=direction,
                     title="—", frequency="fortnightly" if step == 14 else "monthly",
                     starts_on=approved, ends_on=end)
            due = first + timedelta(days=step)
            while due <= end:
                held = self.held_at(spans, due)
                status = ("planned" if due > self.last else rng.choices(
                    ["done", "missed", "cancelled", "planned"], [75, 10, 5, 10])[0])
                self.add(Occurrence, activity_id=activity, enrolment_id=enrolment["id"],
                         organisation_id=held[0], district_id=held[1],
                         window_start=due - timedelta(days=6), due_on=due, status=status,
                         done_on=due if status == "done" else None)
                due += timedelta(days=step)

    def outcomes(self, enrolment: dict, spans, enrolled: date, end: date) -> None:
        rng, school = self.rng, self.held_at(spans, enrolled)
        for n, construct in enumerate(["anxiety", "aggression", "anxiety", "suicide_risk"]):
            day = enrolled + timedelta(days=3 + 60 * n)
            if day <= end:
                self.add(Assessment, minor_id=enrolment["minor_id"],
                         enrolment_id=enrolment["id"], custom_name="Тест", construct=construct,
                         administered_on=day, administered_by_id=self.actor, stage="active",
                         level=rng.choice(["low", "moderate", "high"]),
                         organisation_id=self.held_at(spans, day)[0],
                         district_id=self.held_at(spans, day)[1])
        self.add(EducationRecord, **self.record(enrolment, school, since=enrolled, status=(
            rng.choices(["attending", "not_attending", "college", "working"], [80, 8, 8, 4])[0])))
        if rng.random() < 0.55:
            starts = enrolled + timedelta(days=rng.randint(5, 60))
            self.add(LeisureInvolvement, **self.record(
                enrolment, school, kind=rng.choice(["sports_section", "club", "mentoring"]),
                name="Үйірме", starts_on=starts, ends_on=None if rng.random() < 0.7 else
                starts + timedelta(days=rng.randint(30, 200))))
        if rng.random() < 0.08:
            self.add(Employment, **self.record(
                enrolment, school, kind="temporary", employer="ЖШС",
                starts_on=enrolled + timedelta(days=30), ends_on=None))
        if rng.random() < 0.02:
            raised = datetime.combine(enrolled + timedelta(days=rng.randint(0, 60)),
                                      datetime.min.time(), UTC) + timedelta(hours=5)
            cleared = raised + timedelta(days=rng.randint(5, 40)) if rng.random() < 0.7 \
                else None
            self.add(CrisisEpisode, enrolment_id=enrolment["id"],
                     minor_id=enrolment["minor_id"], severity="acute", trigger="attempt",
                     raised_at=raised, raised_by_id=self.actor, cleared_at=cleared,
                     cleared_by_id=self.actor if cleared else None,
                     organisation_id=school[0], district_id=school[1])
        self.incidents(enrolment, spans, enrolled, end)

    def incidents(self, enrolment: dict, spans, enrolled: date, end: date) -> None:
        rng = self.rng
        span = max(1, (min(end, self.last) - enrolled).days)
        kinds = ([rng.choice(OFFENCES)] if rng.random() < 0.12 else []) + (
            [rng.choice(OFFENCES)] if rng.random() < 0.04 else []) + (
            ["suicide_attempt"] if rng.random() < 0.01 else [])
        for kind in kinds:
            day = enrolled + timedelta(days=rng.randint(0, span))
            self.add(Incident, minor_id=enrolment["minor_id"], enrolment_id=enrolment["id"],
                     kind=kind, occurred_on=day, description="—",
                     is_repeat_offence=kind in OFFENCES and rng.random() < 0.6,
                     recorded_by_id=self.actor, district_id=self.held_at(spans, day)[1])

    # --- the whole region ---

    def case(self, minor: dict, school, enrolled: date, closed: date | None) -> None:
        enrolment = self.enrolment(minor, school, enrolled, closed)
        spans = self.placements(enrolment, school, enrolled, closed)
        self.work(enrolment, spans, enrolled, closed)

    def run(self) -> None:
        rng, last = self.rng, self.last
        self.region()
        history = (last - date(last.year - 1, 6, 1)).days
        for n in range(self.enrolled + self.registered):
            school = self.schools[n % len(self.schools)]
            if n >= self.enrolled:  # registered, never enrolled
                self.minor(school, last - timedelta(days=rng.randint(0, 300)))
            else:
                enrolled = last - timedelta(days=rng.randint(0, history))
                minor = self.minor(school, enrolled - timedelta(days=rng.randint(60, 400)
                                                                if n < self.earlier else 5))
                if n < self.earlier:  # an earlier period, over a month before this one
                    ended = enrolled.replace(day=1) - timedelta(days=40)
                    self.case(minor, school, ended - timedelta(days=rng.randint(200, 400)),
                              ended)
                closed = None
                if rng.random() < 0.2 and (last - enrolled).days > 60:
                    closed = enrolled + timedelta(days=rng.randint(30, (last - enrolled).days))
                self.case(minor, school, enrolled, closed)
            if n % 1_000 == 999:
                self.flush()
            if n % 5_000 == 4_999:
                print(f"  {n + 1:,} minors", flush=True)
        self.flush()
        db.session.commit()


# --- measuring ------------------------------------------------------------------------------


@contextmanager
def statements():
    """The SQL statements run inside the block: (statement, parameters, ms)."""
    found, started = [], {}

    def before(conn, cursor, statement, parameters, *args):
        started[id(cursor)] = time.perf_counter()

    def after(conn, cursor, statement, parameters, *args):
        found.append((statement, parameters,
                      (time.perf_counter() - started.pop(id(cursor), 0)) * 1000))

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    try:
        yield found
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)


def measure(label: str, fn, runs: int = RUNS) -> dict:
    """A warm-up, then ``runs`` timed runs: the median and the queries of one run."""
    result = fn()
    db.session.remove()
    times, counts = [], []
    for _ in range(runs):
        with statements() as found:
            started = time.perf_counter()
            result = fn()
            times.append((time.perf_counter() - started) * 1000)
        counts.append(len(found))
        db.session.remove()
    row = {"label": label, "median": statistics.median(times), "min": min(times),
           "max": max(times), "queries": counts[-1], "runs": runs, "result": result}
    print(f"  {label}: median {row['median']:.0f} ms (min {row['min']:.0f}, max "
          f"{row['max']:.0f}), {row['queries']} queries", flush=True)
    return row


HEADLINE_SQL = """
WITH programme AS (
    SELECT e.minor_id, p.district_id
    FROM enrolments e
    JOIN enrolment_placements p ON p.enrolment_id = e.id
         AND p.from_date <= :last AND (p.to_date IS NULL OR p.to_date > :last)
    WHERE e.enrolled_on <= :last AND (e.closed_on IS NULL OR e.closed_on > :last)
), involvement AS (
    SELECT district_id, COUNT(*) AS in_programme,
           SUM(CASE WHEN EXISTS (SELECT 1 FROM leisure_involvements l
                                 WHERE l.minor_id = programme.minor_id AND l.starts_on <= :last
                                   AND (l.ends_on IS NULL OR l.ends_on >= :first))
                      OR EXISTS (SELECT 1 FROM employments m
                                 WHERE m.minor_id = programme.minor_id AND m.starts_on <= :last
                                   AND (m.ends_on IS NULL OR m.ends_on >= :first))
                    THEN 1 ELSE 0 END) AS involved
    FROM programme GROUP BY district_id
), offences AS (
    SELECT p.district_id, COUNT(*) AS offences
    FROM incidents i
    JOIN enrolment_placements p ON p.enrolment_id = i.enrolment_id
         AND p.from_date <= i.occurred_on AND (p.to_date IS NULL OR p.to_date > i.occurred_on)
    WHERE i.enrolment_id IS NOT NULL
      AND i.kind IN ('offence_administrative', 'offence_criminal')
      AND i.occurred_on BETWEEN :first AND :last
    GROUP BY p.district_id
)
SELECT d.id, COALESCE(v.in_programme, 0), COALESCE(o.offences, 0), COALESCE(v.involved, 0)
FROM districts d
LEFT JOIN involvement v ON v.district_id = d.id
LEFT JOIN offences o ON o.district_id = d.id
ORDER BY d.id
"""


def headline(month: date) -> dict:
    rows = db.session.execute(text(HEADLINE_SQL), {"first": month, "last": month_end(month)})
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


def same_headline(sql: dict, computed: dict) -> bool:
    for district in computed["by_district"]:
        values = district["values"]
        if sql.get(district["id"]) != (values["in_programme"], values["offences"],
                                       values["involved"]):
            print(f"  MISMATCH district {district['id']}: SQL {sql.get(district['id'])}, "
                  f"compute {values['in_programme'], values['offences'], values['involved']}")
            return False
    return True


def slowest(fn, explain: bool, count: int = 5) -> None:
    """The slowest statements of ``fn``; with ``explain`` (PostgreSQL), their plans."""
    with statements() as found:
        fn()
    db.session.remove()
    print("  slowest statements of one region computation:")
    ranked = sorted(found, key=lambda item: -item[2])[:count]
    for statement, _parameters, ms in ranked:
        print(f"    {ms:7.1f} ms  {' '.join(statement.split())[:150]}")
    if not explain or db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect() as conn:
        for statement, parameters, ms in ranked[:3]:
            print(f"\n  EXPLAIN (ANALYZE, BUFFERS) of the {ms:.0f} ms statement:")
            plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            for (line,) in plan:
                print(f"    {line}")


def run_measurements(month: date, explain: bool) -> list[dict]:
    from flask import current_app
    from sqlalchemy import func, select

    from juvenile.cases.dates import today
    from juvenile.reports import outputs, quarterly
    from juvenile.reports.indicators import Scope, compute
    from juvenile.reports.models import ScopeKind

    sizes = db.session.execute(
        select(Organisation.district_id, func.count()).where(Organisation.kind.in_(
            ["school", "college"])).group_by(Organisation.district_id)
        .order_by(func.count().desc(), Organisation.district_id)).all()
    largest, smallest = sizes[0], sizes[-1]
    district = Scope(ScopeKind.DISTRICT, largest[0])
    region = Scope(ScopeKind.REGION)
    rows = [
        measure(f"compute: district ({largest[1]} schools)", lambda: compute(district, month)),
        measure(f"compute: district ({smallest[1]} schools)", lambda: compute(
            Scope(ScopeKind.DISTRICT, smallest[0]), month)),
        measure(f"compute: region ({len(SCHOOLS_PER_DISTRICT)} districts, "
                f"{sum(SCHOOLS_PER_DISTRICT)} schools)", lambda: compute(region, month)),
    ]
    data = rows[-1]["result"]
    with current_app.test_request_context():
        rows.append(measure("region PDF: compute + WeasyPrint", lambda: outputs.report_pdf(
            None, compute(region, month), None, "kk"), runs=3))
        rows.append(measure("region PDF: WeasyPrint only", lambda: outputs.report_pdf(
            None, data, None, "kk"), runs=3))
        rows.append(measure("region XLSX: openpyxl only", lambda: outputs.report_xlsx(
            None, data, None, "kk"), runs=3))
    day = today()
    quarter = quarterly.default_quarter(day)
    rows.append(measure(f"quarterly analysis: region, {quarter.key} "
                        f"({len(quarterly.counted_months(quarter, day))} months)",
                        lambda: quarterly.analyse(region, quarter, day), runs=3))
    rows.append(measure("hand-written SQL: headline numbers by district",
                        lambda: headline(month)))
    print(f"  headline numbers equal compute's: {same_headline(rows[-1]['result'], data)}")
    slowest(lambda: compute(region, month), explain)
    return rows


def counts() -> dict:
    from sqlalchemy import func, select

    tables = [Minor, Enrolment, Placement, StageMove, IrpVersion, Occurrence, Session,
              Assessment, CrisisEpisode, LivingConditionsAct, MonthlyAttendance,
              EducationRecord, LeisureInvolvement, Employment, Incident]
    return {table.__tablename__: db.session.scalar(select(func.count()).select_from(table))
            for table in tables}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", nargs="?", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--create", action="store_true", help="create the PG database")
    parser.add_argument("--drop", action="store_true", help="drop the database after")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--reuse", action="store_true",
                        help="measure the region a previous run left (run without --drop)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="fraction of the minors to build (a quick trial: 0.05)")
    args = parser.parse_args()
    if not args.url:
        parser.error("give a database URL (or BENCH_DATABASE_URL)")
    url = normalised(args.url)
    if args.create:
        create_database(url)
    app = create_app(bench_config(url))
    try:
        with app.app_context():
            from juvenile.cases.dates import today
            from juvenile.reports.services import last_finished_month

            month = last_finished_month(today())
            print(f"{db.engine.dialect.name}: the region of the benchmark (report month "
                  f"{month:%Y-%m})…", flush=True)
            if not args.reuse:
                fresh_schema(url)
                started = time.perf_counter()
                Filler(month, args.scale).run()
                print(f"  filled in {time.perf_counter() - started:.0f} s", flush=True)
            print(f"  rows: {counts()}", flush=True)
            if db.engine.dialect.name == "postgresql":
                with db.engine.connect().execution_options(
                        isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(text("VACUUM ANALYZE"))
            else:
                db.session.execute(text("ANALYZE"))
                db.session.commit()
            print(f"  load average before measuring: {os.getloadavg()[0]:.2f}", flush=True)
            run_measurements(month, args.explain)
            print(f"  load average after measuring: {os.getloadavg()[0]:.2f}", flush=True)
            db.session.remove()
            db.engine.dispose()
    finally:
        if args.drop:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            drop_database(url)
            print("dropped the benchmark database")


if __name__ == "__main__":
    main()
