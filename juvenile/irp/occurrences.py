"""An approved activity's occurrences: the periods of its frequency, each to be done once.

This module is the one place that knows how a frequency becomes dated periods, how a
session or a home visit ticks one off, and when a planned one counts as missed. The
sessions and family-work domains call ``fulfil`` / ``release``; reports and work lists
use ``effective_status``.
"""

import calendar
from collections.abc import Collection
from datetime import date, timedelta

from sqlalchemy import and_, case, select

from juvenile.dbtypes import utcnow
from juvenile.extensions import db
from juvenile.irp.models import Activity, Frequency, IrpVersion, Occurrence, OccurrenceStatus

#: What a home visit (a living-conditions act) fulfils.
HOME_VISIT = "home_visit"


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _quarter_end(day: date) -> date:
    last_month = (day.month - 1) // 3 * 3 + 3
    return _month_end(date(day.year, last_month, 1))


def periods(frequency: str, starts_on: date, ends_on: date) -> list[tuple[date, date]]:
    """[(window_start, due_on)] covering starts_on..ends_on.

    Weekly periods are calendar weeks (Monday to Sunday), monthly and quarterly ones are
    calendar months and quarters, fortnightly ones are 14 days from the start; the first
    and last period are cut at the activity's own dates. A one-off activity is one period.
    """
    if ends_on < starts_on:
        return []
    frequency = Frequency(frequency)
    if frequency is Frequency.ONCE:
        return [(starts_on, ends_on)]
    result = []
    start = starts_on
    while start <= ends_on:
        if frequency is Frequency.WEEKLY:
            end = start + timedelta(days=6 - start.weekday())
        elif frequency is Frequency.FORTNIGHTLY:
            end = start + timedelta(days=13)
        elif frequency is Frequency.MONTHLY:
            end = _month_end(start)
        else:
            end = _quarter_end(start)
        end = min(end, ends_on)
        result.append((start, end))
        start = end + timedelta(days=1)
    return result


def expand(activity: Activity, from_day: date | None = None, *,
           skip_due: Collection[date] = ()) -> list[Occurrence]:
    """Add the activity's occurrences (from ``from_day`` on, when a correction takes
    effect mid-way); the caller has flushed the activity and its programme.

    ``skip_due``: periods (by their due day) already acted on in the line this activity
    was corrected from (done, cancelled or marked missed before the correction): not
    planned twice.
    """
    irp = activity.irp
    created = []
    for window_start, due_on in periods(activity.frequency, activity.starts_on,
                                        activity.ends_on):
        if from_day is not None and due_on < from_day:
            continue
        if due_on in skip_due:
            continue
        if from_day is not None and window_start < from_day:
            window_start = from_day
        occurrence = Occurrence(
            activity=activity, enrolment_id=irp.enrolment_id,
            organisation_id=irp.organisation_id, district_id=irp.district_id,
            window_start=window_start, due_on=due_on)
        db.session.add(occurrence)
        created.append(occurrence)
    return created


def withdraw_future(irp: IrpVersion, from_day: date) -> int:
    """When a newer version takes effect: the old version's occurrences not yet done and
    not yet due are dropped (they were plans, never facts). Returns how many."""
    stale = db.session.scalars(
        select(Occurrence).join(Activity).where(
            Activity.irp_id == irp.id,
            Occurrence.status == OccurrenceStatus.PLANNED.value,
            Occurrence.due_on >= from_day)).all()
    for occurrence in stale:
        db.session.delete(occurrence)
    return len(stale)


def effective_status(today: date):
    """SQL: the occurrence's status as users see it (planned and past due → missed)."""
    return case(
        (and_(Occurrence.status == OccurrenceStatus.PLANNED.value, Occurrence.due_on < today),
         OccurrenceStatus.MISSED.value),
        else_=Occurrence.status)


def status_of(occurrence: Occurrence, today: date) -> OccurrenceStatus:
    status = OccurrenceStatus(occurrence.status)
    if status is OccurrenceStatus.PLANNED and occurrence.due_on < today:
        return OccurrenceStatus.MISSED
    return status


def fulfil(enrolment_id: int, kind: str, day: date, *, session_id: int | None = None,
           act_id: int | None = None) -> Occurrence | None:
    """Tick off the occurrence a record of ``kind`` held on ``day`` fulfils: of the
    enrolment's activities fulfilled by that kind, the earliest-due occurrence still
    planned whose period contains the day. None when the programme planned no such work
    then (the record stands on its own)."""
    occurrence = db.session.scalars(
        select(Occurrence).join(Activity).where(
            Occurrence.enrolment_id == enrolment_id,
            Activity.fulfilled_by == kind,
            Occurrence.status == OccurrenceStatus.PLANNED.value,
            Occurrence.window_start <= day, Occurrence.due_on >= day)
        .order_by(Occurrence.due_on, Occurrence.id).limit(1)).first()
    if occurrence is None:
        return None
    occurrence.status = OccurrenceStatus.DONE.value
    occurrence.done_on = day
    occurrence.session_id = session_id
    occurrence.act_id = act_id
    occurrence.marked_at = utcnow()
    return occurrence


def release(*, session_id: int | None = None, act_id: int | None = None) -> int:
    """A record that fulfilled occurrences no longer does (deleted, or the minor did not
    attend after all): its occurrences are planned again. Returns how many."""
    if session_id is None and act_id is None:
        return 0
    condition = (Occurrence.session_id == session_id if session_id is not None
                 else Occurrence.act_id == act_id)
    released = db.session.scalars(select(Occurrence).where(condition)).all()
    for occurrence in released:
        occurrence.status = OccurrenceStatus.PLANNED.value
        occurrence.done_on = None
        occurrence.session_id = None
        occurrence.act_id = None
        occurrence.marked_at = utcnow()
    return len(released)


def match_held(enrolment_id: int, created: list[Occurrence]) -> int:
    """Tick newly planned occurrences with work already recorded in their periods: a
    programme approved on day 8 counts the consultation held on day 2. Each session or
    act ticks at most one occurrence; one already ticking another is left alone. Two
    queries, however many occurrences. Returns how many were ticked."""
    from juvenile.familywork.models import LivingConditionsAct
    from juvenile.sessions.models import Session

    db.session.flush()  # the new rows' defaults (status "planned") are set on flush
    wanted = [o for o in created if o.status == OccurrenceStatus.PLANNED.value
              and o.activity.fulfilled_by]
    if not wanted:
        return 0
    used_sessions = set(db.session.scalars(select(Occurrence.session_id).where(
        Occurrence.enrolment_id == enrolment_id, Occurrence.session_id.is_not(None))))
    used_acts = set(db.session.scalars(select(Occurrence.act_id).where(
        Occurrence.enrolment_id == enrolment_id, Occurrence.act_id.is_not(None))))
    held: list[tuple[date, str, int | None, int | None]] = [
        (day, kind, session_id, None) for session_id, kind, day in db.session.execute(
            select(Session.id, Session.kind, Session.held_on).where(
                Session.enrolment_id == enrolment_id, Session.attended.is_(True)))
        if session_id not in used_sessions]
    held += [(day, HOME_VISIT, None, act_id) for act_id, day in db.session.execute(
        select(LivingConditionsAct.id, LivingConditionsAct.visited_on).where(
            LivingConditionsAct.enrolment_id == enrolment_id))
        if act_id not in used_acts]
    held.sort(key=lambda item: (item[0], item[2] or 0, item[3] or 0))
    ticked = 0
    for occurrence in sorted(wanted, key=lambda o: (o.due_on, o.window_start)):
        for index, (day, kind, session_id, act_id) in enumerate(held):
            if (kind == occurrence.activity.fulfilled_by
                    and occurrence.window_start <= day <= occurrence.due_on):
                occurrence.status = OccurrenceStatus.DONE.value
                occurrence.done_on = day
                occurrence.session_id, occurrence.act_id = session_id, act_id
                occurrence.marked_at = utcnow()
                del held[index]
                ticked += 1
                break
    return ticked
