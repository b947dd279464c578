"""Read paths of leisure and socialisation, and the one definition of "involved".

The rule, written once here and reused by the case page and the reports:

    A minor is *involved in month M* when at least one leisure involvement of theirs
    overlaps M, that is when

        starts_on <= the last day of M  AND  (ends_on IS NULL OR ends_on >= the first day of M)

    Both ends are inclusive: an involvement that starts on the last day of M, or ends on
    the first day of M, counts for M; one that ended the day before M does not. An
    involvement without an end counts for every month from its start on. A public or
    cultural event is one day (its end is its start) unless a longer end was typed.
    The involvements of every enrolment of the minor count (a section the minor joined
    during an earlier period of support and still attends is still an involvement), and
    so does a start before the current enrolment. Nothing is typed as "involved": it is
    always computed from the dates.

*Involved in leisure or labour in month M* (the commission's indicator 5, "adolescents
involved in leisure and labour activity") is the same rule over the leisure
involvements and the temporary or permanent employments
(juvenile.education.models.Employment) of the minor together.

Who is counted at all in a month (the denominator of a share: the minors under support
in M, in the scope of a report) is the report's own definition; this module gives the
numerator's condition and a COUNT DISTINCT of minors over any set of enrolments.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, distinct, exists, func, or_, select

from juvenile.accounts.models import User
from juvenile.cases.models import Enrolment
from juvenile.education.models import Employment
from juvenile.extensions import db
from juvenile.leisure.models import LeisureInvolvement, LeisureKind

# --- months ---------------------------------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(first: date) -> date:
    """The last day of the month that ``first`` lies in."""
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def last_months(today: date, count: int = 12) -> list[date]:
    """The first days of the ``count`` months up to and including today's, oldest first."""
    months = [month_start(today)]
    while len(months) < count:
        months.append(month_start(months[-1] - timedelta(days=1)))
    return months[::-1]


# --- the rule ---------------------------------------------------------------------------


def overlaps(model, first_day: date, last_day: date):
    """SQL: the row's [starts_on, ends_on] period (ends_on NULL: still going) overlaps the
    days from ``first_day`` to ``last_day``, both inclusive. ``model`` is
    LeisureInvolvement or Employment (any model with starts_on and ends_on)."""
    return and_(model.starts_on <= last_day,
                or_(model.ends_on.is_(None), model.ends_on >= first_day))


def involved_clause(first_day: date, last_day: date, minor_id=Enrolment.minor_id):
    """SQL condition: the minor is involved in leisure between the two days (a month: its
    first and last day). See the module's docstring for the exact rule.

    ``minor_id`` is the minor to test: by default the minor of the Enrolment row of the
    surrounding query (a correlated EXISTS, for counts over a scope), or a column of
    another model, or a plain id. Examples::

        select(func.count(distinct(Enrolment.minor_id)))
            .where(Enrolment.district_id == d, involved_clause(first, last))
        select(involved_clause(first, last, minor_id=42))
    """
    return exists().where(LeisureInvolvement.minor_id == minor_id,
                          overlaps(LeisureInvolvement, first_day, last_day))


def employed_clause(first_day: date, last_day: date, minor_id=Enrolment.minor_id):
    """SQL condition: the minor has temporary or permanent employment overlapping the days
    (the same overlap rule as leisure)."""
    return exists().where(Employment.minor_id == minor_id,
                          overlaps(Employment, first_day, last_day))


def labour_or_leisure_clause(first_day: date, last_day: date, minor_id=Enrolment.minor_id):
    """SQL condition: the minor is involved in leisure, or employed, between the two days —
    the commission's "involved in leisure and labour activity" (indicator 5)."""
    return or_(involved_clause(first_day, last_day, minor_id),
               employed_clause(first_day, last_day, minor_id))


def count_involved_minors(first_day: date, last_day: date, *enrolment_conditions,
                          clause=involved_clause) -> int:
    """How many distinct minors, among the enrolments that meet ``enrolment_conditions``
    (conditions on Enrolment: a district, a school, under support in the month…), meet
    ``clause`` (involved_clause or labour_or_leisure_clause) between the two days. A minor
    with two involvements, or two enrolments, counts once."""
    return db.session.scalar(
        select(func.count(distinct(Enrolment.minor_id)))
        .where(*enrolment_conditions, clause(first_day, last_day)))


def involvement_by_month(enrolment: Enrolment, months: list[date]) -> list[tuple[date, bool]]:
    """(first day of the month, involved?) for each of ``months`` (first days), for the
    enrolment's minor: one query whatever the number of months or involvements."""
    if not months:
        return []
    columns = [involved_clause(first, month_end(first), enrolment.minor_id).label(f"m{i}")
               for i, first in enumerate(months)]
    row = db.session.execute(select(*columns)).one()
    return [(first, bool(value)) for first, value in zip(months, row, strict=True)]


# --- the case page ---------------------------------------------------------------------


@dataclass
class InvolvementRow:
    """One involvement as the case page shows it (plain values)."""

    id: int
    kind: str
    name: str
    organiser: str
    mentor_name: str | None
    mentor_contact: str | None
    starts_on: date
    ends_on: date | None
    note: str
    recorded_by_id: int
    recorded_by: str
    recorded_at: object
    #: It began before the enrolment it was recorded under (shown, not refused).
    before_enrolment: bool
    #: Its enrolment is still open (records of a closed case are read-only).
    enrolment_open: bool
    #: It goes on today.
    current: bool
    #: It overlaps today's month (the rule of involved_clause, on this row).
    this_month: bool

    @property
    def kind_label(self) -> str:
        try:
            return LeisureKind(self.kind).label
        except ValueError:
            return self.kind


def involvements_of(minor_id: int, today: date) -> list[InvolvementRow]:
    """Every involvement of the minor, newest start first, with whether it goes on today
    and whether it counts for this month: one query."""
    first = month_start(today)
    rows = db.session.execute(
        select(LeisureInvolvement, User.full_name, Enrolment.enrolled_on,
               Enrolment.closed_on,
               overlaps(LeisureInvolvement, today, today).label("goes_on"),
               overlaps(LeisureInvolvement, first, month_end(first)).label("in_month"))
        .join(User, User.id == LeisureInvolvement.recorded_by_id)
        .join(Enrolment, Enrolment.id == LeisureInvolvement.enrolment_id)
        .where(LeisureInvolvement.minor_id == minor_id)
        .order_by(LeisureInvolvement.starts_on.desc(), LeisureInvolvement.id.desc()))
    return [InvolvementRow(
        id=i.id, kind=i.kind, name=i.name, organiser=i.organiser or "",
        mentor_name=i.mentor_name, mentor_contact=i.mentor_contact, starts_on=i.starts_on,
        ends_on=i.ends_on, note=i.note or "", recorded_by_id=i.recorded_by_id,
        recorded_by=recorded_by, recorded_at=i.recorded_at,
        before_enrolment=i.starts_on < enrolled_on, enrolment_open=closed_on is None,
        current=bool(current), this_month=bool(this_month))
        for i, recorded_by, enrolled_on, closed_on, current, this_month in rows]
