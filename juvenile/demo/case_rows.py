"""Writing the planned minors and cases of the demo region, in bulk."""

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, insert, select, text

from juvenile.cases.models import (
    CaseEvent,
    Enrolment,
    Incident,
    LegalRepresentative,
    Minor,
    Placement,
    Stage,
    StageMove,
    Transfer,
    enrolment_coworkers,
    enrolment_groups,
)
from juvenile.cases.services import is_clinical_event
from juvenile.extensions import db

if TYPE_CHECKING:
    from juvenile.demo.cases import Course, Plan


def stamp(rng: random.Random, day: date) -> datetime:
    """A moment of a working day in Almaty (UTC+5), as the UTC timestamp stored."""
    return datetime.combine(day, time(3, 30), UTC) + timedelta(minutes=rng.randint(0, 450))


def insert_ids(model, rows: list[dict]) -> list[int]:
    """Insert and return the new ids in the order of ``rows``.

    The ids are numbered here, after the table's highest: the demo loads alone, and
    RETURNING in parameter order costs SQLite a statement per row. PostgreSQL's sequence
    is then moved past them."""
    if not rows:
        return []
    table = model.__table__
    first = db.session.scalar(select(func.coalesce(func.max(table.c.id), 0))) + 1
    ids = list(range(first, first + len(rows)))
    insert_rows(table, [row | {"id": n} for row, n in zip(rows, ids, strict=True)])
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :n)"),
                           {"t": table.name, "n": ids[-1]})
    return ids


def insert_rows(target, rows: list[dict]) -> None:
    # Core inserts: the ORM's bulk path costs several times as much on PostgreSQL.
    if not rows:
        return
    table = getattr(target, "__table__", target)
    connection = db.session.connection()
    if connection.dialect.name == "sqlite" and _complete(table, rows[0]):
        _sqlite_insert(connection, table, rows)
    else:
        db.session.execute(insert(table), rows)


def _complete(table, row: dict) -> bool:
    """Every column with a default is given: the rows need nothing SQLAlchemy would add."""
    return all(c.name in row for c in table.columns
               if (c.default is not None or c.server_default is not None) and not c.primary_key)


def _sqlite_insert(connection, table, rows: list[dict]) -> None:
    """The rows through the driver's executemany, each value converted by its column's
    own bind processor: the same stored values as a Core insert, for a third of the
    time (a demo of many thousand rows has to load in seconds)."""
    dialect = connection.dialect
    names = list(rows[0])
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in names]
    quote = dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
           f"VALUES ({', '.join('?' * len(names))})")
    columns = [[row[name] for row in rows] for name in names]
    for n, process in enumerate(processors):
        if process is not None:
            columns[n] = [process(value) for value in columns[n]]
    connection.exec_driver_sql(sql, list(zip(*columns, strict=True)))


def write(plans: list["Plan"], today: date, seed: int) -> None:
    """Insert the minors, their representatives, cases, history and timeline."""
    rng = random.Random(seed)
    minor_ids = insert_ids(Minor, [plan.row for plan in plans])
    courses = [(plan, course) for plan in plans for course in plan.courses]
    for n, (_plan, course) in enumerate(courses):
        course.row = n
    enrolment_rows = [_enrolment_row(rng, minor_ids[i], plan, course)
                      for i, plan in enumerate(plans) for course in plan.courses]
    enrolment_ids = insert_ids(Enrolment, enrolment_rows)
    # Each demo case stays at the school it opened in (the hand-overs are still pending).
    insert_rows(Placement, [
        {"enrolment_id": enrolment_id, "organisation_id": row["organisation_id"],
         "district_id": row["district_id"], "from_date": row["enrolled_on"], "to_date": None}
        for enrolment_id, row in zip(enrolment_ids, enrolment_rows, strict=True)])

    def enrolment_id(course: "Course | None") -> int | None:
        return enrolment_ids[course.row] if course is not None else None

    representatives, groups, coworkers, moves, incidents, transfers, events = (
        [], [], [], [], [], [], [])
    for minor_id, plan in zip(minor_ids, plans, strict=True):
        representatives += [rep | {"minor_id": minor_id} for rep in plan.representatives]
        for course in plan.courses:
            groups += [{"enrolment_id": enrolment_id(course), "target_group": g}
                       for g in course.groups]
            if course.coworker is not None:
                coworkers.append({"enrolment_id": enrolment_id(course),
                                  "user_id": course.coworker.id})
            moves += [{"enrolment_id": enrolment_id(course), "from_stage": old.value,
                       "to_stage": new.value, "moved_on": on, "actor_id": actor.id,
                       "extension_days": days, "reason": reason, "at": stamp(rng, on)}
                      for old, new, on, actor, days, reason, _until in course.moves]
        incidents += [{"minor_id": minor_id, "enrolment_id": enrolment_id(i["course"]),
                       "kind": i["kind"], "occurred_on": i["occurred_on"],
                       "description": i["description"], "is_repeat_offence": i["repeat"],
                       "recorded_by_id": i["recorded_by"].id,
                       "recorded_at": stamp(rng, i["recorded_on"]),
                       "district_id": plan.row["district_id"]} for i in plan.incidents]
        if plan.transfer_to is not None:
            transfers.append({
                "minor_id": minor_id, "from_organisation_id": plan.staff.org.id,
                "to_organisation_id": plan.transfer_to.id, "status": "pending",
                "note": "Отбасы қаланың басқа ауданына көшті" if plan.lang == "kk"
                else "Семья переехала в другой район города",
                "requested_by_id": plan.staff.pedagogue.id,
                "requested_at": stamp(rng, today - timedelta(days=2))})
        events += [{"minor_id": minor_id, "enrolment_id": enrolment_id(course),
                    "occurred_on": on, "kind": kind, "data": data,
                    "clinical": is_clinical_event(kind, data),
                    "actor_id": actor.id, "at": stamp(rng, on)}
                   for on, _order, kind, course, data, actor in _timeline(plan, today)]
    insert_rows(LegalRepresentative, representatives)
    insert_rows(enrolment_groups, groups)
    insert_rows(enrolment_coworkers, coworkers)
    insert_rows(StageMove, moves)
    insert_rows(Incident, incidents)
    insert_rows(Transfer, transfers)
    insert_rows(CaseEvent, events)


def _enrolment_row(rng: random.Random, minor_id: int, plan: "Plan", course: "Course") -> dict:
    details = {"police_registered_on": None, "police_grounds": None, "police_inspector": None,
               "released_on": None, "release_institution": None} | course.details
    return details | {
        "minor_id": minor_id, "organisation_id": plan.staff.org.id,
        "district_id": plan.staff.org.district_id, "source": course.source,
        "identified_on": course.identified_on, "enrolled_on": course.enrolled_on,
        "reason": course.reason,
        "responsible_id": course.responsible.id if course.responsible else None,
        "responsible_assigned_at": (stamp(rng, course.assigned_on)
                                    if course.responsible else None),
        "stage": course.stage.value, "stage_started_on": course.stage_started_on,
        "stage_due_on": course.stage_due_on, "crisis": course.crisis is not None,
        "crisis_raised_on": course.crisis[0] if course.crisis else None,
        "closed_on": course.closed_on, "closure_reason": course.closure_reason,
        "closure_note": course.closure_note,
        "closure_confirmed_by_id": course.confirmed_by.id if course.confirmed_by else None,
        "created_at": stamp(rng, course.enrolled_on),
        "created_by_id": plan.staff.pedagogue.id, "version": 1,
    }


def _timeline(plan: "Plan", today: date) -> list[tuple]:
    """(day, order within the day, kind, course, data, actor): what the services write."""
    staff = plan.staff
    lines = [(plan.row["created_at"].date(), 0, "registered", None, None, staff.pedagogue)]
    lines += [(rep["consent_on"], 1, "consent", None,
               {"relation": rep["relation"], "form": rep["consent_form"]}, staff.pedagogue)
              for rep in plan.representatives if rep["consent_on"]]
    for course in plan.courses:
        lines.append((course.enrolled_on, 2, "enrolled", course,
                      {"groups": sorted(course.groups)}, staff.pedagogue))
        if course.responsible is not None:
            lines.append((course.assigned_on, 3, "specialist_assigned", course,
                          {"name": course.responsible.full_name}, staff.deputy))
        for old, new, on, actor, days, _reason, until in course.moves:
            if days:
                lines.append((on, 4, "extended", course, {"days": days, "until": str(until)},
                              actor))
            elif new is Stage.CLOSED:
                lines.append((on, 7, "closed", course, {"reason": course.closure_reason},
                              actor))
            else:
                lines.append((on, 4, "stage", course, {"from": old.value, "to": new.value},
                              actor))
        if course.crisis is not None:
            lines.append((course.crisis[0], 6, "crisis_raised", course,
                          {"kind": course.crisis[1]}, staff.psychologist))
    lines += [(i["occurred_on"], 5, "incident", i["course"],
               {"kind": i["kind"], "repeat": i["repeat"]}, i["recorded_by"])
              for i in plan.incidents]
    if plan.transfer_to is not None:
        lines.append((today - timedelta(days=2), 8, "transfer_requested", None,
                      {"to": plan.transfer_to.name_kk, "to_ru": plan.transfer_to.name_ru},
                      staff.pedagogue))
    return sorted(lines, key=lambda line: (line[0], line[1]))
