"""Indicator queries about the cases' events in the month: who entered and left the
programme, the crisis flags raised and cleared, and the minors registered but not
enrolled. The state at the month's end is juvenile.reports.queries_state.
Definitions: docs/indicators.md."""


from sqlalchemy import String, and_, case, func, literal, or_, select, union_all

from juvenile.cases.models import Enrolment, Minor, Placement
from juvenile.diagnostics.models import CrisisEpisode
from juvenile.extensions import db
from juvenile.reports.queries_frame import Frame, Tally, held_on


def _flag(condition):
    return case((condition, 1), else_=0)


def entries_and_exits(frame: Frame, tally: Tally) -> None:
    """enrolled (placed where held on enrolled_on) and closed / closed_by_reason (placed
    where held on closed_on): one query, a UNION ALL of the two."""
    scope = frame.in_scope(Placement.organisation_id, Placement.district_id)
    entered = (
        select(literal("enrolled").label("what"), Placement.organisation_id,
               literal(None, String).label("reason"), func.count().label("n"))
        .select_from(Enrolment)
        .join(Placement, and_(Placement.enrolment_id == Enrolment.id,
                              held_on(Enrolment.enrolled_on)))
        .where(frame.in_month(Enrolment.enrolled_on), *scope)
        .group_by(Placement.organisation_id))
    left = (
        select(literal("closed").label("what"), Placement.organisation_id,
               Enrolment.closure_reason.label("reason"), func.count().label("n"))
        .select_from(Enrolment)
        .join(Placement, and_(Placement.enrolment_id == Enrolment.id,
                              held_on(Enrolment.closed_on)))
        .where(Enrolment.closed_on.is_not(None), frame.in_month(Enrolment.closed_on), *scope)
        .group_by(Placement.organisation_id, Enrolment.closure_reason))
    for what, org, reason, count in db.session.execute(union_all(entered, left)):
        if what == "enrolled":
            tally.add(org, "enrolled", count)
        else:
            tally.add(org, "closed", count)
            tally.add(org, "closed_by_reason", count, reason)


def registered_not_enrolled(frame: Frame, tally: Tally) -> None:
    """registered_not_enrolled: minors registered by the month's end (created_at, region
    time) with no enrolment begun by then, placed at the school they attend now."""
    started = select(Enrolment.minor_id).where(Enrolment.enrolled_on <= frame.last)
    rows = db.session.execute(
        select(Minor.organisation_id, func.count())
        .where(Minor.created_at < frame.ends_utc, Minor.id.not_in(started),
               *frame.in_scope(Minor.organisation_id, Minor.district_id))
        .group_by(Minor.organisation_id))
    for org, count in rows:
        tally.add(org, "registered_not_enrolled", count)


def crisis_events(frame: Frame, tally: Tally) -> None:
    """crisis_raised and crisis_cleared: episodes raised or cleared in the month (region
    time), placed at the school that raised the episode (where the protocol is worked)."""
    starts, ends = frame.starts_utc, frame.ends_utc
    raised = and_(CrisisEpisode.raised_at >= starts, CrisisEpisode.raised_at < ends)
    cleared = and_(CrisisEpisode.cleared_at >= starts, CrisisEpisode.cleared_at < ends)
    rows = db.session.execute(
        select(CrisisEpisode.organisation_id, func.sum(_flag(raised)), func.sum(_flag(cleared)))
        .where(or_(raised, cleared),
               *frame.in_scope(CrisisEpisode.organisation_id, CrisisEpisode.district_id))
        .group_by(CrisisEpisode.organisation_id))
    for org, raised_count, cleared_count in rows:
        tally.add(org, "crisis_raised", raised_count)
        tally.add(org, "crisis_cleared", cleared_count)
