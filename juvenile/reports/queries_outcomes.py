"""Indicator queries about outcomes: offences and suicide attempts of minors under support
(each placed at the school that held the case on the day it happened), and the minors
under support over the twelve months the repeat-offending rate is measured on.
Definitions: docs/indicators.md."""

from sqlalchemy import Integer, and_, case, exists, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from juvenile.cases.models import Enrolment, Incident, IncidentKind, Placement
from juvenile.extensions import db
from juvenile.reports.queries_frame import Frame, Tally, held_on

OFFENCES = sorted(kind.value for kind in IncidentKind if kind.is_offence)
ATTEMPT = IncidentKind.SUICIDE_ATTEMPT.value


def earlier_attempt(incident) -> object:
    """SQL: the minor of ``incident`` made a suicide attempt before it (an earlier day, or
    the same day recorded first), whether under support or not."""
    earlier = aliased(Incident)
    return exists().where(
        earlier.minor_id == incident.minor_id, earlier.kind == ATTEMPT,
        or_(earlier.occurred_on < incident.occurred_on,
            and_(earlier.occurred_on == incident.occurred_on, earlier.id < incident.id)))


def incidents(frame: Frame, tally: Tally) -> None:
    """offences, repeat_offences, suicide_attempts, repeat_suicide_attempts (in the month)
    and repeat_offences_12m (the twelve months ending with it): incidents under support
    (enrolment_id set), placed where the case was held on the day: one query."""
    in_month = frame.in_month(Incident.occurred_on)
    repeat_attempt = and_(Incident.kind == ATTEMPT, earlier_attempt(Incident))
    per_row = (
        select(Placement.organisation_id, Incident.kind, Incident.is_repeat_offence,
               case((in_month, 1), else_=0).label("in_month"),
               case((repeat_attempt, 1), else_=0).label("repeat_attempt"))
        .join(Placement, and_(Placement.enrolment_id == Incident.enrolment_id,
                              held_on(Incident.occurred_on)))
        .where(Incident.enrolment_id.is_not(None), Incident.kind.in_([*OFFENCES, ATTEMPT]),
               Incident.occurred_on.between(frame.window_first, frame.last),
               *frame.in_scope(Placement.organisation_id, Placement.district_id))
        .subquery())
    rows = db.session.execute(
        select(per_row.c.organisation_id, per_row.c.kind, per_row.c.is_repeat_offence,
               per_row.c.in_month, per_row.c.repeat_attempt, func.count())
        .group_by(per_row.c.organisation_id, per_row.c.kind, per_row.c.is_repeat_offence,
                  per_row.c.in_month, per_row.c.repeat_attempt))
    for org, kind, repeat, month, repeat_attempt, count in rows:
        if kind == ATTEMPT:
            if month:
                tally.add(org, "suicide_attempts", count)
                tally.add(org, "repeat_suicide_attempts", count if repeat_attempt else 0)
            continue
        if repeat:
            tally.add(org, "repeat_offences_12m", count)
        if month:
            tally.add(org, "offences", count)
            tally.add(org, "repeat_offences", count if repeat else 0)


def under_support_12m(frame: Frame, tally: Tally) -> None:
    """under_support_12m: distinct minors under support in the scope on at least one day
    of the twelve months (a minor counts once however many schools or enrolments), per
    school, per district and for the whole scope: one query (a UNION ALL of the three)."""
    held = (select(Enrolment.minor_id, Placement.organisation_id, Placement.district_id)
            .join(Placement, Placement.enrolment_id == Enrolment.id)
            .where(Enrolment.enrolled_on <= frame.last,
                   or_(Enrolment.closed_on.is_(None),
                       Enrolment.closed_on >= frame.window_first),
                   Placement.from_date <= frame.last,
                   or_(Placement.to_date.is_(None), Placement.to_date > frame.window_first),
                   *frame.in_scope(Placement.organisation_id, Placement.district_id))
            .distinct().cte("held"))
    minors = func.count(func.distinct(held.c.minor_id))
    parts = [select(literal(level), column, minors).group_by(column) for level, column in (
        ("org", held.c.organisation_id), ("district", held.c.district_id))]
    parts.append(select(literal("total"), literal(None, Integer), minors))
    for level, key, count in db.session.execute(union_all(*parts)):
        tally.set_exact((level, key), "under_support_12m", count)
