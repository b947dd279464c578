"""Indicator queries about the work done in the month, each record counted at the school
where it was done (its own organisation_id): diagnostics, IRP occurrences, sessions,
home visits, and the monthly attendance of the supported pupils.
Definitions: docs/indicators.md."""

from sqlalchemy import Date, and_, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from juvenile.cases.models import Enrolment
from juvenile.diagnostics.models import Assessment
from juvenile.education.models import MonthlyAttendance
from juvenile.extensions import db
from juvenile.familywork.models import LivingConditionsAct
from juvenile.irp.models import Occurrence, OccurrenceStatus
from juvenile.irp.occurrences import effective_status
from juvenile.reports.queries_frame import Frame, Tally, month_start
from juvenile.sessions.models import FAMILY_KINDS, Session

#: Session kinds counted as family consultations (PROGRAMME.md direction 3).
FAMILY_CONSULTATION_KINDS = sorted(kind.value for kind in FAMILY_KINDS)


def assessments(frame: Frame, tally: Tally) -> None:
    """assessments and assessments_by_construct: administered in the month."""
    rows = db.session.execute(
        select(Assessment.organisation_id, Assessment.construct, func.count())
        .where(frame.in_month(Assessment.administered_on),
               *frame.in_scope(Assessment.organisation_id, Assessment.district_id))
        .group_by(Assessment.organisation_id, Assessment.construct))
    for org, construct, count in rows:
        tally.add(org, "assessments", count)
        tally.add(org, "assessments_by_construct", count, construct)


def occurrences(frame: Frame, tally: Tally) -> None:
    """irp_planned, irp_done, irp_missed, irp_cancelled: IRP occurrences due in the month
    by their status as users see it (effective_status) after the month."""
    status = effective_status(frame.occurrences_on).label("status")
    per_row = (select(Occurrence.organisation_id, status)
               .where(frame.in_month(Occurrence.due_on),
                      *frame.in_scope(Occurrence.organisation_id, Occurrence.district_id))
               .subquery())
    rows = db.session.execute(
        select(per_row.c.organisation_id, per_row.c.status, func.count())
        .group_by(per_row.c.organisation_id, per_row.c.status))
    for org, status_value, count in rows:
        if status_value == OccurrenceStatus.CANCELLED.value:
            tally.add(org, "irp_cancelled", count)
            continue
        tally.add(org, "irp_planned", count)
        if status_value == OccurrenceStatus.DONE.value:
            tally.add(org, "irp_done", count)
        elif status_value == OccurrenceStatus.MISSED.value:
            tally.add(org, "irp_missed", count)


def sessions(frame: Frame, tally: Tally) -> None:
    """sessions, sessions_by_kind and family_consultations: sessions held in the month
    (a group session counts once per minor who attended it)."""
    rows = db.session.execute(
        select(Session.organisation_id, Session.kind, func.count())
        .where(frame.in_month(Session.held_on),
               or_(Session.group_session_id.is_(None), Session.attended.is_(True)),
               *frame.in_scope(Session.organisation_id, Session.district_id))
        .group_by(Session.organisation_id, Session.kind))
    for org, kind, count in rows:
        tally.add(org, "sessions", count)
        tally.add(org, "sessions_by_kind", count, kind)
        if kind in FAMILY_CONSULTATION_KINDS:
            tally.add(org, "family_consultations", count)


def home_visits(frame: Frame, tally: Tally) -> None:
    """home_visits: living-conditions acts of visits made in the month."""
    act = LivingConditionsAct
    rows = db.session.execute(
        select(act.organisation_id, func.count())
        .where(frame.in_month(act.visited_on), *frame.in_scope(act.organisation_id,
                                                                 act.district_id))
        .group_by(act.organisation_id))
    for org, count in rows:
        tally.add(org, "home_visits", count)


def attendance(frame: Frame, tally: Tally) -> None:
    """missed_unexcused / attendance_pupils for this month and the previous one, and for
    the enrolment month of this month's pupils: one query (a UNION ALL of the two parts)."""
    row = MonthlyAttendance
    scope = frame.in_scope(row.organisation_id, row.district_id)
    months = (select(row.month, row.organisation_id, func.sum(row.missed_unexcused),
                     func.count())
              .where(row.month.in_([frame.first, frame.previous_first]), *scope)
              .group_by(row.month, row.organisation_id))
    entry = aliased(MonthlyAttendance)
    # The enrolment month's part carries no month (NULL).
    cohort = (select(literal(None, Date), row.organisation_id,
                     func.sum(entry.missed_unexcused), func.count(entry.id))
              .join(Enrolment, Enrolment.id == row.enrolment_id)
              .join(entry, and_(entry.minor_id == row.minor_id,
                                entry.month == month_start(Enrolment.enrolled_on)))
              .where(row.month == frame.first, *scope)
              .group_by(row.organisation_id))
    suffixes = {frame.first: "", frame.previous_first: "_previous", None: "_enrolment_month"}
    for month, org, missed, pupils in db.session.execute(union_all(months, cohort)):
        which = suffixes[month]
        tally.add(org, f"missed_unexcused{which}", missed)
        tally.add(org, f"attendance_pupils{which}", pupils)
