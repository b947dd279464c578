"""Benchmark of the case pages on PostgreSQL (a script, not a timed test).

Fills a database with the demo region plus 50,000 minors and 60,000 enrolments (50,000
open, 10,000 closed earlier periods) spread over the region's 11 districts, with legal
representatives, incidents and a timeline of about 10 events per enrolment; then signs in
as the demo accounts and measures, through the test client (in-process, no network), the
server time and the number of SQL queries of:

- the district coordinator's list (/district, and a few filtered and sorted variants),
- the case page (/minors/<id>, the psychologist opening cases of their school, and one
  minor with a 1,000-line timeline),
- the other work lists (/work, /school, /registered), for reference.

Usage (the database must exist; it is emptied and refilled unless it already holds the
benchmark's data, or when --refill is given):

    psql -h 127.0.0.1 -U postgres -c "create database juvenile_bench"
    .venv/bin/python scripts/benchmark_cases.py \\
        postgresql+psycopg://postgres@127.0.0.1:5432/juvenile_bench

The URL may also come from BENCH_DATABASE_URL. Results are in docs/performance.md.
"""

import argparse
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, func, insert, select, text

from config import Config
from juvenile import create_app
from juvenile.accounts.models import Organisation, OrganisationKind, Role, User
from juvenile.cases.dates import today as region_today
from juvenile.cases.iin import make_iin
from juvenile.cases.models import (
    CaseEvent,
    Enrolment,
    Incident,
    LegalRepresentative,
    Minor,
    Stage,
    enrolment_coworkers,
    enrolment_groups,
)
from juvenile.demo.builder import build_demo_region
from juvenile.extensions import db

MINORS = 50_000
CLOSED = 10_000
EVENTS_PER_ENROLMENT = 10
LONG_HISTORY = 1_000
PASSWORD = "benchmark-password"
CHUNK = 10_000

SURNAMES = ["Ахметов", "Серікбаев", "Жұмабаев", "Омаров", "Исаев", "Қасымов", "Нұрғалиев",
            "Сәрсенбаев", "Төлеуов", "Байжанов", "Ермеков", "Ибраев", "Қалиев", "Мұқанов",
            "Оспанов", "Рахымов", "Сейітов", "Құрманов", "Есенов", "Иванов", "Петров",
            "Ким", "Шевченко", "Шмидт"]
BOYS = ["Арман", "Нұрсұлтан", "Ерасыл", "Алихан", "Санжар", "Мирас", "Даниял", "Бекзат",
        "Темірлан", "Айбар", "Артём", "Максим"]
GIRLS = ["Аружан", "Жансая", "Томирис", "Мадина", "Әсел", "Дана", "Назерке",
         "Аяулым", "Ақбота", "Амина", "Анна", "София"]
FATHERS = ["Серік", "Болат", "Ержан", "Қайрат", "Нұрлан", "Марат", "Асқар", "Талғат"]
INCIDENTS = ["running_away", "offence_administrative", "expulsion", "offence_criminal"]


class IsolatedClient(FlaskClient):
    """Each request in its own app context, as in production: its own ``g`` (where
    Flask-Login caches the user) and its own database session."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def bench_config(url: str) -> type[Config]:
    return type("BenchmarkConfig", (Config,), {
        "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark", "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False})


# --- filling ----------------------------------------------------------------------------


def is_filled() -> bool:
    try:
        return (db.session.scalar(select(func.count(Enrolment.id)))
                or 0) >= MINORS + CLOSED
    except Exception:  # no schema yet
        db.session.rollback()
        return False


def reset_schema() -> None:
    db.session.remove()
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade()


@dataclass
class School:
    id: int
    district_id: int
    staff: list[int]  # psychologist and social pedagogue


def schools() -> list[School]:
    staff: dict[int, list[int]] = {}
    rows = db.session.execute(
        select(User.organisation_id, User.id)
        .where(User.role.in_([Role.PSYCHOLOGIST.value, Role.SOCIAL_PEDAGOGUE.value]))
        .order_by(User.id))
    for org_id, user_id in rows:
        staff.setdefault(org_id, []).append(user_id)
    orgs = db.session.execute(
        select(Organisation.id, Organisation.district_id)
        .where(Organisation.kind.in_([OrganisationKind.SCHOOL.value,
                                      OrganisationKind.COLLEGE.value]))
        .order_by(Organisation.id))
    return [School(org_id, district_id, staff.get(org_id, [])) for org_id, district_id in orgs]


class Ids:
    """Explicit primary keys for bulk inserts that later rows refer to."""

    def __init__(self, model) -> None:
        self.next = (db.session.scalar(select(func.max(model.id))) or 0) + 1

    def take(self) -> int:
        value, self.next = self.next, self.next + 1
        return value


def flush_rows(table, rows: list[dict], force: bool = False) -> None:
    if rows and (force or len(rows) >= CHUNK):
        db.session.execute(insert(table), rows)
        rows.clear()


class Filler:
    """Generates and inserts the rows, chunk by chunk."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng, self.today = rng, today
        self.schools = schools()
        self.taken = set(db.session.scalars(select(Minor.iin)))
        self.serials: dict[tuple[date, str], int] = {}
        self.minor_ids, self.enrolment_ids = Ids(Minor), Ids(Enrolment)
        self.rows: dict[object, list[dict]] = {
            t: [] for t in (Minor, LegalRepresentative, Enrolment, enrolment_groups,
                            enrolment_coworkers, CaseEvent, Incident)}

    def add(self, table, row: dict) -> None:
        self.rows[table].append(row)

    def flush(self, force: bool = False) -> None:
        # Parents before children: minors, then enrolments, then what refers to them.
        for table, rows in self.rows.items():
            flush_rows(table, rows, force=force or table in (Minor, Enrolment))

    def iin(self, born: date, sex: str) -> str:
        while True:
            serial = self.serials.get((born, sex), 0)
            self.serials[(born, sex)] = serial + 1
            iin = make_iin(born, sex, serial)
            if iin is not None and iin not in self.taken:
                self.taken.add(iin)
                return iin

    def minor(self, school: School) -> dict:
        rng = self.rng
        sex = rng.choice("mf")
        born = self.today - timedelta(days=rng.randint(7 * 365, 17 * 365))
        surname = rng.choice(SURNAMES)
        if sex == "f" and surname.endswith(("ов", "ев", "ин")):
            surname += "а"
        father = rng.choice(FATHERS)
        row = dict(id=self.minor_ids.take(), iin=self.iin(born, sex), surname=surname,
                   given_name=rng.choice(BOYS if sex == "m" else GIRLS),
                   patronymic=father + ("ұлы" if sex == "m" else "қызы"), birth_date=born,
                   sex=sex, schooling_language=rng.choice(["kk", "kk", "ru"]),
                   address=f"Көше {rng.randint(1, 200)}, үй {rng.randint(1, 90)}",
                   phone="+7 701 000 00 00", organisation_id=school.id,
                   district_id=school.district_id, grade=f"{rng.randint(1, 11)}А")
        self.add(Minor, row)
        for relation in ["mother"] + (["father"] if rng.random() < 0.3 else []):
            self.add(LegalRepresentative, dict(
                minor_id=row["id"], relation=relation, full_name=f"{surname} {father}",
                phone="+7 702 000 00 00", consent_on=self.today - timedelta(days=400),
                consent_form="written"))
        return row

    def groups(self) -> list[int]:
        first = self.rng.choices([1, 2, 3, 4, 5], weights=[25, 35, 25, 5, 10])[0]
        second = self.rng.choice([1, 2, 3, 4, 5]) if self.rng.random() < 0.3 else first
        return sorted({first, second})

    def enrolment(self, minor: dict, school: School, closed: bool) -> None:
        rng = self.rng
        if closed:
            enrolled = self.today - timedelta(days=rng.randint(700, 1000))
            stage, started, due = Stage.CLOSED.value, enrolled, enrolled + timedelta(days=365)
        else:
            enrolled = self.today - timedelta(days=rng.randint(1, 400))
            age = (self.today - enrolled).days
            stage, length = ((Stage.INITIAL.value, 10) if age < 10 else
                             (Stage.ACTIVE.value, 180) if age < 180 else
                             (Stage.FOLLOW_UP.value, 365))
            started = enrolled if stage == Stage.INITIAL.value else enrolled + timedelta(10)
            due = enrolled + timedelta(days=length)
            if rng.random() < 0.12:  # overdue
                due = self.today - timedelta(days=rng.randint(1, 40))
        groups = self.groups()
        police = bool({1, 4} & set(groups))
        responsible = (rng.choice(school.staff) if school.staff and rng.random() < 0.85
                       else None)
        row = dict(id=self.enrolment_ids.take(), minor_id=minor["id"],
                   organisation_id=school.id, district_id=school.district_id,
                   source="police" if police else rng.choice(["school", "family", "health"]),
                   identified_on=enrolled, enrolled_on=enrolled,
                   reason="Мінез-құлқындағы өзгерістер, сабаққа келмеу.",
                   police_registered_on=enrolled - timedelta(days=20) if police else None,
                   police_grounds="ӘҚБтК 434-бабы (ұсақ бұзақылық)" if police else None,
                   police_inspector="Сәрсенбаев Е. М." if police else None,
                   responsible_id=responsible, stage=stage, stage_started_on=started,
                   stage_due_on=due, crisis=not closed and rng.random() < 0.02,
                   closed_on=enrolled + timedelta(days=365) if closed else None,
                   closure_reason="completed" if closed else None)
        self.add(Enrolment, row)
        for group in groups:
            self.add(enrolment_groups, dict(enrolment_id=row["id"], target_group=group))
        if responsible and rng.random() < 0.1:
            other = [u for u in school.staff if u != responsible]
            if other:
                self.add(enrolment_coworkers, dict(enrolment_id=row["id"], user_id=other[0]))
        self.events(minor["id"], row, groups, EVENTS_PER_ENROLMENT + rng.randint(-2, 2))

    def events(self, minor_id: int, enrolment: dict, groups: list[int], n: int) -> None:
        start = enrolment["enrolled_on"]
        end = enrolment["closed_on"] or self.today
        span = max(1, (end - start).days)
        script = [("enrolled", {"groups": groups}, False),
                  ("specialist_assigned", {"name": "Ахметова Ә. С."}, False),
                  ("stage", {"from": "initial", "to": "active"}, False),
                  ("incident", {"kind": self.rng.choice(INCIDENTS)}, False),
                  ("assessment", {"instrument": "SDQ", "score": 14}, True),
                  ("session", {"number": 3}, True),
                  ("home_visit", {"outcome": "ok"}, False)]
        for i in range(n):
            kind, data, clinical = script[0] if i == 0 else self.rng.choice(script[1:])
            self.add(CaseEvent, dict(
                minor_id=minor_id, enrolment_id=enrolment["id"], kind=kind, data=data,
                occurred_on=start + timedelta(days=span * i // max(1, n - 1)),
                clinical=clinical))

    def incident(self, minor: dict) -> None:
        self.add(Incident, dict(
            minor_id=minor["id"], kind=self.rng.choice(INCIDENTS),
            occurred_on=self.today - timedelta(days=self.rng.randint(1, 300)),
            description="Сабақтан кетіп қалды.", recorded_by_id=self.schools[0].staff[0],
            district_id=minor["district_id"]))

    def run(self, minors: int, closed: int) -> None:
        for i in range(minors):
            school = self.schools[i % len(self.schools)]
            minor = self.minor(school)
            if i < closed:
                self.enrolment(minor, school, closed=True)
            self.enrolment(minor, school, closed=False)
            if self.rng.random() < 0.2:
                self.incident(minor)
            if i % 2_000 == 1_999:
                self.flush()
                print(f"  {i + 1:,} minors", flush=True)
        self.flush(force=True)


def long_history(filler: Filler, psychologist: User) -> int:
    """One more minor of the psychologist's school, with a 1,000-line timeline."""
    school = next(s for s in filler.schools if s.id == psychologist.organisation_id)
    minor = filler.minor(school)
    filler.enrolment(minor, school, closed=False)
    filler.flush(force=True)
    enrolment_id = filler.enrolment_ids.next - 1
    filler.events(minor["id"], {"id": enrolment_id, "enrolled_on": filler.today
                                - timedelta(days=360), "closed_on": None}, [2], LONG_HISTORY)
    filler.flush(force=True)
    return minor["id"]


def fill(seed: int) -> None:
    started = time.perf_counter()
    build_demo_region(PASSWORD)
    db.session.commit()
    filler = Filler(random.Random(seed), region_today())
    filler.run(MINORS, CLOSED)
    psychologist = db.session.scalar(select(User).where(User.login == "psychologist"))
    long_history(filler, psychologist)
    for table in ("minors", "enrolments"):
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT max(id) FROM {table}))"))
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    print(f"filled in {time.perf_counter() - started:.0f} s")


# --- measuring --------------------------------------------------------------------------


class QueryCounter:
    def __init__(self, engine) -> None:
        self.count, self.seconds, self.statements = 0, 0.0, []
        event.listen(engine, "before_cursor_execute", self.before)
        event.listen(engine, "after_cursor_execute", self.after)

    def before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["started"] = time.perf_counter()
        self.statements.append((statement, parameters))

    def after(self, conn, cursor, statement, parameters, context, executemany):
        self.count += 1
        self.seconds += time.perf_counter() - conn.info.pop("started")

    def reset(self) -> None:
        self.count, self.seconds, self.statements = 0, 0.0, []


@dataclass
class Result:
    label: str
    times: list[float]
    queries: list[int]
    sql: list[float]

    def line(self) -> str:
        times = sorted(self.times)
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        low, high = min(self.queries), max(self.queries)
        queries = str(low) if low == high else f"{low}–{high}"
        return (f"| {self.label} | {len(times)} | {statistics.median(times) * 1000:.1f} | "
                f"{p95 * 1000:.1f} | {statistics.median(self.sql) * 1000:.1f} | {queries} |")


def sign_in(app, login: str):
    client = app.test_client()
    response = client.post("/login", data={"login": login, "password": PASSWORD})
    assert response.status_code == 302, f"cannot sign in as {login}"
    return client


def measure(client, counter: QueryCounter, label: str, urls: list[str], n: int) -> Result:
    for url in urls[:3]:  # warm-up: templates compiled, caches filled
        client.get(url)
    result = Result(label, [], [], [])
    for i in range(n):
        url = urls[i % len(urls)]
        counter.reset()
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
        result.times.append(elapsed)
        result.queries.append(counter.count)
        result.sql.append(counter.seconds)
    return result


def explain(client, counter: QueryCounter, url: str) -> None:
    counter.reset()
    client.get(url)
    statements = [s for s in counter.statements if s[0].lstrip().upper().startswith("SELECT")]
    with db.engine.connect() as conn:
        for statement, parameters in statements:
            plan = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
            print(f"\n--- {url}\n{statement}\n" + "\n".join(row[0] for row in plan))


def run_measurements(app, n: int, do_explain: bool) -> list[Result]:
    counter = QueryCounter(db.engine)
    coordinator = sign_in(app, "coordinator")
    psychologist = sign_in(app, "psychologist")
    psy = db.session.scalar(select(User).where(User.login == "psychologist"))
    minor_ids = list(db.session.scalars(
        select(Minor.id).where(Minor.organisation_id == psy.organisation_id)
        .order_by(Minor.id).limit(n)))
    longest = db.session.scalar(
        select(CaseEvent.minor_id).group_by(CaseEvent.minor_id)
        .order_by(func.count().desc()).limit(1))
    last_page = "/district?page=9999"
    district = [
        ("/district (default: by deadline)", ["/district"]),
        ("/district?sort=name", ["/district?sort=name"]),
        ("/district?sort=school, last page", [last_page.replace("?", "?sort=school&")]),
        ("/district?group=1&overdue=y", ["/district?group=1&overdue=y"]),
        ("/district?stage=active&sort=-deadline", ["/district?stage=active&sort=-deadline"]),
    ]
    results = [measure(coordinator, counter, label, urls, n) for label, urls in district]
    case_page = psychologist.get(f"/minors/{minor_ids[0]}")
    if case_page.status_code == 200:
        results.append(measure(psychologist, counter, f"/minors/<id> ({len(minor_ids)} "
                               "different minors)", [f"/minors/{i}" for i in minor_ids], n))
        results.append(measure(psychologist, counter, "/minors/<id> (1,000-line timeline)",
                               [f"/minors/{longest}"], n))
    else:
        print(f"the case page answered HTTP {case_page.status_code}: not measured")
    # The same pages with four times as many rows (list rows, timeline lines) a page.
    default_size = app.config["LIST_PAGE_SIZE"]
    app.config["LIST_PAGE_SIZE"] = 4 * default_size
    big = f"{4 * default_size} rows a page"
    results.append(measure(coordinator, counter, f"/district ({big})", ["/district"], n))
    if case_page.status_code == 200:
        results.append(measure(psychologist, counter, f"/minors/<id> (1,000-line timeline, "
                               f"{big})", [f"/minors/{longest}"], n))
    app.config["LIST_PAGE_SIZE"] = default_size
    results.append(measure(psychologist, counter, "/work (psychologist)", ["/work"], n))
    results.append(measure(sign_in(app, "deputy.head"), counter, "/school (deputy head)",
                           ["/school"], n))
    results.append(measure(sign_in(app, "inspector"), counter, "/registered (inspector)",
                           ["/registered"], n))
    if do_explain:
        explain(coordinator, counter, "/district")
        explain(coordinator, counter, "/district?sort=school&page=9999")
        explain(sign_in(app, "inspector"), counter, "/registered")
        explain(psychologist, counter, f"/minors/{longest}")
    return results


def describe_data() -> None:
    coordinator = db.session.scalar(select(User).where(User.login == "coordinator"))
    district_id = coordinator.organisation.district_id
    counts = {
        "minors": select(func.count(Minor.id)),
        "enrolments": select(func.count(Enrolment.id)),
        "open enrolments": select(func.count(Enrolment.id)).where(Enrolment.closed_on.is_(None)),
        "open in the coordinator's district": select(func.count(Enrolment.id)).where(
            Enrolment.closed_on.is_(None), Enrolment.district_id == district_id),
        "timeline events": select(func.count(CaseEvent.id)),
        "legal representatives": select(func.count(LegalRepresentative.id)),
        "incidents": select(func.count(Incident.id)),
    }
    for label, stmt in counts.items():
        print(f"  {label}: {db.session.scalar(stmt):,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="PostgreSQL URL (default: $BENCH_DATABASE_URL)")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--refill", action="store_true", help="empty and refill the database")
    parser.add_argument("--explain", action="store_true",
                        help="print EXPLAIN ANALYZE of the /district and case page queries")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if not args.url or not args.url.startswith("postgresql"):
        parser.error("give a PostgreSQL URL (argument or BENCH_DATABASE_URL)")
    app = create_app(bench_config(args.url))
    app.test_client_class = IsolatedClient
    with app.app_context():
        if args.refill or not is_filled():
            print("filling the database…", flush=True)
            reset_schema()
            fill(args.seed)
        describe_data()
        results = run_measurements(app, args.requests, args.explain)
    print("\n| request | n | median ms | p95 ms | SQL ms (median) | queries |")
    print("|---|---:|---:|---:|---:|---:|")
    for result in results:
        print(result.line())


if __name__ == "__main__":
    main()
