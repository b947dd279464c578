"""Read paths of the programme: a version with its activities and occurrences, the
enrolment's versions, two versions compared, the case page's summary and the specialist's
missed and due activities.

Each costs a fixed number of queries whatever the number of activities and occurrences,
and returns plain values (the PDF is rendered from them too).
"""

import calendar
import difflib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from juvenile import access
from juvenile.accounts.models import Organisation, OrganisationKind, Role, User
from juvenile.accounts.queries import name_column
from juvenile.cases.models import Enrolment, Minor
from juvenile.extensions import db
from juvenile.irp.models import (
    Activity,
    Direction,
    Frequency,
    IrpStatus,
    IrpVersion,
    Occurrence,
    OccurrenceStatus,
)
from juvenile.irp.occurrences import HOME_VISIT, effective_status
from juvenile.sessions.models import PSYCHOLOGICAL_KINDS, SessionKind


def fulfilment_label(value: str | None) -> str:
    """What ticks an activity off, as the reader's language says it."""
    if not value:
        return _("marked by hand")
    if value == HOME_VISIT:
        return _("a home visit with the living-conditions act")
    try:
        return _("a session: %(kind)s", kind=SessionKind(value).label)
    except ValueError:
        return value


#: Session kinds of psychological help: an activity they tick off is clinical.
_PSYCHOLOGICAL = frozenset(k.value for k in PSYCHOLOGICAL_KINDS)


def is_clinical_activity(direction: str, fulfilled_by: str | None) -> bool:
    """Psychological help: the psychological direction, or an activity ticked off by a
    psychological session (consultation, correction, training, crisis help). Its
    periods' results and dates are for the school's staff only, not the coordinator."""
    return direction == Direction.PSYCHOLOGICAL.value or fulfilled_by in _PSYCHOLOGICAL


# --- a version -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OccurrenceLine:
    id: int
    window_start: date
    due_on: date
    #: As users see it: planned and past due reads "missed".
    status: OccurrenceStatus
    #: As stored: "planned" until someone (or a record) acts.
    stored_status: str
    done_on: date | None
    result: str | None
    #: Ticked off by a session or a home visit (changed through that record).
    by_record: bool
    version: int

    @property
    def status_label(self) -> str:
        return self.status.label

    @property
    def awaits_action(self) -> bool:
        """Missed without anyone having said so yet."""
        return (self.status is OccurrenceStatus.MISSED
                and self.stored_status == OccurrenceStatus.PLANNED.value)


@dataclass
class ActivityLine:
    id: int
    irp_id: int
    direction: Direction
    title: str
    fulfilled_by: str | None
    responsible_user_id: int | None
    partner_organisation_id: int | None
    partner_name: str | None
    #: The person or partner responsible, as shown.
    responsible: str
    frequency: Frequency
    starts_on: date
    ends_on: date
    origin_id: int | None
    occurrences: list[OccurrenceLine] = field(default_factory=list)
    #: The periods' results and dates are withheld from this reader (psychological help
    #: read by the coordinator): only the counts by status are left.
    withheld: dict[str, int] | None = None

    @property
    def fulfilled_by_label(self) -> str:
        return fulfilment_label(self.fulfilled_by)

    @property
    def frequency_label(self) -> str:
        return self.frequency.label

    @property
    def is_clinical(self) -> bool:
        return is_clinical_activity(self.direction.value, self.fulfilled_by)

    @property
    def for_case_responsible(self) -> bool:
        """Nobody named: the case's responsible specialist does it (an activity whose
        person stayed at the school the case was handed over from)."""
        return (self.responsible_user_id is None and self.partner_organisation_id is None
                and not self.partner_name)

    def counts(self) -> dict[str, int]:
        if self.withheld is not None:
            return dict(self.withheld)
        counts = {s.value: 0 for s in OccurrenceStatus}
        for line in self.occurrences:
            counts[line.status.value] += 1
        return counts

    def withhold(self) -> None:
        """Keep the counts, drop the periods (their results, dates and links)."""
        self.withheld = self.counts()
        self.occurrences = []


@dataclass
class VersionView:
    id: int
    enrolment_id: int
    minor_id: int
    number: int
    status: IrpStatus
    goals: str
    reason: str | None
    is_review: bool
    based_on_id: int | None
    drafted_by: str
    drafted_at: datetime
    approved_by: str | None
    approved_on: date | None
    superseded_on: date | None
    version: int
    activities: list[ActivityLine] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return self.status.label

    @property
    def is_draft(self) -> bool:
        return self.status is IrpStatus.DRAFT

    @property
    def is_correction(self) -> bool:
        return self.based_on_id is not None

    def by_direction(self) -> list[tuple[Direction, list[ActivityLine]]]:
        """Every direction in the programme's order, with its activities (maybe none)."""
        return [(d, [a for a in self.activities if a.direction is d]) for d in Direction]

    @property
    def has_unassigned(self) -> bool:
        return any(a.for_case_responsible for a in self.activities)

    def withhold_clinical(self) -> "VersionView":
        """For a reader who does not see clinical content (the coordinator): the periods of
        psychological help keep only their counts."""
        for activity in self.activities:
            if activity.is_clinical:
                activity.withhold()
        return self


def _versions(*conditions) -> list[VersionView]:
    drafter, approver = aliased(User), aliased(User)
    rows = db.session.execute(
        select(IrpVersion.id, IrpVersion.enrolment_id, IrpVersion.minor_id, IrpVersion.number,
               IrpVersion.status, IrpVersion.goals, IrpVersion.reason, IrpVersion.is_review,
               IrpVersion.based_on_id, drafter.full_name, IrpVersion.drafted_at,
               approver.full_name, IrpVersion.approved_on, IrpVersion.superseded_on,
               IrpVersion.version)
        .join(drafter, drafter.id == IrpVersion.drafted_by_id)
        .outerjoin(approver, approver.id == IrpVersion.approved_by_id)
        .where(*conditions).order_by(IrpVersion.number.desc()))
    views = []
    for row in rows:
        values = list(row)
        values[4] = IrpStatus(values[4])
        values[7] = bool(values[7])
        views.append(VersionView(*values))
    return views


def _responsible_label(user_name, org_name, partner_name) -> str:
    return user_name or org_name or partner_name or _("the case's responsible specialist")


def _activities(irp_ids: list[int], with_occurrences: bool, today: date) -> list[ActivityLine]:
    """The activities of these versions (by direction and position), their responsible
    named, and their occurrences when asked: two queries."""
    if not irp_ids:
        return []
    rows = db.session.execute(
        select(Activity.id, Activity.irp_id, Activity.direction, Activity.title,
               Activity.fulfilled_by, Activity.responsible_user_id,
               Activity.partner_organisation_id, Activity.partner_name, User.full_name,
               name_column(Organisation), Activity.frequency, Activity.starts_on,
               Activity.ends_on, Activity.origin_id)
        .outerjoin(User, User.id == Activity.responsible_user_id)
        .outerjoin(Organisation, Organisation.id == Activity.partner_organisation_id)
        .where(Activity.irp_id.in_(irp_ids))
        .order_by(Activity.irp_id, Activity.direction_order, Activity.position, Activity.id))
    lines = {}
    for (activity_id, irp_id, direction, title, fulfilled_by, user_id, org_id, partner_name,
         user_name, org_name, frequency, starts_on, ends_on, origin_id) in rows:
        lines[activity_id] = ActivityLine(
            activity_id, irp_id, Direction(direction), title, fulfilled_by, user_id, org_id,
            partner_name, _responsible_label(user_name, org_name, partner_name),
            Frequency(frequency), starts_on, ends_on, origin_id)
    if with_occurrences and lines:
        for line in _occurrences(list(lines), today):
            lines[line[0]].occurrences.append(line[1])
    return list(lines.values())


def _occurrences(activity_ids: list[int], today: date):
    rows = db.session.execute(
        select(Occurrence.activity_id, Occurrence.id, Occurrence.window_start,
               Occurrence.due_on, effective_status(today), Occurrence.status,
               Occurrence.done_on, Occurrence.result,
               or_(Occurrence.session_id.is_not(None), Occurrence.act_id.is_not(None)),
               Occurrence.version)
        .where(Occurrence.activity_id.in_(activity_ids))
        .order_by(Occurrence.due_on, Occurrence.id))
    for (activity_id, occurrence_id, window_start, due_on, status, stored, done_on, result,
         by_record, version) in rows:
        yield activity_id, OccurrenceLine(occurrence_id, window_start, due_on,
                                          OccurrenceStatus(status), stored, done_on, result,
                                          bool(by_record), version)


def version_view(irp_id: int, today: date, with_occurrences: bool = True) -> VersionView:
    """One version in full: three queries."""
    view = _versions(IrpVersion.id == irp_id)[0]
    view.activities = _activities([irp_id], with_occurrences, today)
    return view


@dataclass
class Programme:
    """The enrolment's programme: every version (newest first), the approved one and the
    draft in full."""

    versions: list[VersionView]
    approved: VersionView | None
    draft: VersionView | None

    @property
    def state(self) -> str:
        if self.approved is not None:
            return "approved"
        return "draft" if self.draft is not None else "none"

    def withhold_clinical(self) -> "Programme":
        for view in (self.approved, self.draft):
            if view is not None:
                view.withhold_clinical()
        return self


def programme(enrolment_id: int, today: date) -> Programme:
    """Three queries, however many versions, activities and occurrences."""
    versions = _versions(IrpVersion.enrolment_id == enrolment_id)
    approved = next((v for v in versions if v.status is IrpStatus.APPROVED), None)
    draft = next((v for v in versions if v.status is IrpStatus.DRAFT), None)
    shown = {v.id: v for v in (approved, draft) if v is not None}
    for line in _activities(list(shown), True, today):
        shown[line.irp_id].activities.append(line)
    return Programme(versions, approved, draft)


# --- comparing two versions ------------------------------------------------------------------

#: The fields of an activity a comparison looks at, with their labels.
COMPARED_FIELDS = ("direction", "title", "fulfilled_by", "responsible", "frequency",
                   "starts_on", "ends_on")


def compared_field_labels() -> dict[str, str]:
    return {"direction": _("Direction"), "title": _("Activity"),
            "fulfilled_by": _("Ticked off by"), "responsible": _("Responsible"),
            "frequency": _("Frequency"), "starts_on": _("From"), "ends_on": _("Until")}


@dataclass
class ActivityChange:
    #: "added", "removed", "changed" or "same".
    kind: str
    old: ActivityLine | None
    new: ActivityLine | None
    fields: list[str] = field(default_factory=list)

    @property
    def direction(self) -> Direction:
        return (self.new or self.old).direction


@dataclass
class Comparison:
    old: VersionView
    new: VersionView
    #: The goals line by line: ("same" | "removed" | "added", text).
    goals: list[tuple[str, str]]
    changes: list[ActivityChange]

    def by_direction(self) -> list[tuple[Direction, list[ActivityChange]]]:
        return [(d, [c for c in self.changes if c.direction is d]) for d in Direction
                if any(c.direction is d for c in self.changes)]

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)


def _goals_diff(old: str, new: str) -> list[tuple[str, str]]:
    kinds = {" ": "same", "-": "removed", "+": "added"}
    return [(kinds[line[0]], line[2:]) for line in difflib.ndiff(
        (old or "").splitlines(), (new or "").splitlines()) if line[0] in kinds]


def _ancestors(enrolment_id: int) -> dict[int, int | None]:
    """activity id -> the id of the line it was corrected from, for the whole enrolment."""
    return dict(db.session.execute(
        select(Activity.id, Activity.origin_id).join(IrpVersion)
        .where(IrpVersion.enrolment_id == enrolment_id)).all())


def _origin_in(activity: ActivityLine, old_ids: set[int], origins: dict) -> int | None:
    """The line of the older version this one descends from (through any versions between)."""
    current, seen = activity.origin_id, set()
    while current is not None and current not in old_ids and current not in seen:
        seen.add(current)
        current = origins.get(current)
    return current if current in old_ids else None


def _changed_fields(old: ActivityLine, new: ActivityLine) -> list[str]:
    return [name for name in COMPARED_FIELDS if getattr(old, name) != getattr(new, name)]


def compare(first_id: int, second_id: int, today: date) -> Comparison:
    """Two versions of one enrolment side by side, the older on the left: which activities
    were added, removed or changed (matched through the line each was corrected from), and
    the goals line by line. Five queries."""
    views = {v.id: v for v in _versions(IrpVersion.id.in_([first_id, second_id]))}
    old, new = sorted(views.values(), key=lambda v: v.number)
    for line in _activities([old.id, new.id], False, today):
        views[line.irp_id].activities.append(line)
    origins = _ancestors(old.enrolment_id)
    old_lines = {a.id: a for a in old.activities}
    matched, changes = set(), []
    for activity in new.activities:
        origin = _origin_in(activity, set(old_lines), origins)
        if origin is None or origin in matched:
            changes.append(ActivityChange("added", None, activity))
            continue
        matched.add(origin)
        differing = _changed_fields(old_lines[origin], activity)
        changes.append(ActivityChange("changed" if differing else "same", old_lines[origin],
                                      activity, differing))
    changes += [ActivityChange("removed", line, None) for line in old.activities
                if line.id not in matched]
    return Comparison(old, new, _goals_diff(old.goals, new.goals), changes)


# --- the case page's summary -----------------------------------------------------------------


def month_bounds(day: date) -> tuple[date, date]:
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


@dataclass
class Summary:
    """The programme of an enrolment in a line, and this month's activities by status."""

    enrolment_id: int
    approved_number: int | None
    approved_on: date | None
    draft_number: int | None
    month: dict[str, int]

    @property
    def state(self) -> str:
        if self.approved_number is not None:
            return "approved"
        return "draft" if self.draft_number is not None else "none"


def summary(enrolment_id: int, today: date) -> Summary:
    """Two queries."""
    versions = db.session.execute(
        select(IrpVersion.status, IrpVersion.number, IrpVersion.approved_on)
        .where(IrpVersion.enrolment_id == enrolment_id,
               IrpVersion.status.in_([IrpStatus.APPROVED.value, IrpStatus.DRAFT.value]))).all()
    approved = next((v for v in versions if v.status == IrpStatus.APPROVED.value), None)
    draft = next((v for v in versions if v.status == IrpStatus.DRAFT.value), None)
    first, last = month_bounds(today)
    # grouped over a subquery: PostgreSQL does not match a CASE with bound values in
    # GROUP BY to the same CASE in the select list
    this_month = (select(effective_status(today).label("status"))
                  .where(Occurrence.enrolment_id == enrolment_id, Occurrence.due_on >= first,
                         Occurrence.due_on <= last).subquery())
    month = {s.value: 0 for s in OccurrenceStatus}
    for value, n in db.session.execute(
            select(this_month.c.status, func.count()).group_by(this_month.c.status)):
        month[value] = n
    return Summary(enrolment_id, approved.number if approved else None,
                   approved.approved_on if approved else None,
                   draft.number if draft else None, month)


# --- the specialist's work list --------------------------------------------------------------


@dataclass(frozen=True)
class DueRow:
    occurrence_id: int
    window_start: date
    due_on: date
    title: str
    direction: Direction
    enrolment_id: int
    minor_id: int
    surname: str
    given_name: str
    patronymic: str | None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.given_name, self.patronymic) if p)


@dataclass
class DueWork:
    #: Past due and still planned (nobody said what happened), oldest first.
    missed: list[DueRow]
    missed_total: int
    #: Planned and due from today to Sunday.
    this_week: list[DueRow]
    this_week_total: int


def _due_rows(user: User, *conditions, limit: int) -> tuple[list[DueRow], int]:
    """One query: the rows (with the total before the limit, as a window count)."""
    responsible = or_(Activity.responsible_user_id == user.id,
                      and_(Activity.responsible_user_id.is_(None),
                           Enrolment.responsible_id == user.id))
    rows = db.session.execute(
        select(Occurrence.id, Occurrence.window_start, Occurrence.due_on, Activity.title,
               Activity.direction, Enrolment.id, Minor.id, Minor.surname, Minor.given_name,
               Minor.patronymic, func.count().over())
        .select_from(Occurrence)
        .join(Activity, Activity.id == Occurrence.activity_id)
        .join(Enrolment, Enrolment.id == Occurrence.enrolment_id)
        .join(Minor, Minor.id == Enrolment.minor_id)
        .where(Occurrence.status == OccurrenceStatus.PLANNED.value,
               Enrolment.closed_on.is_(None), access.case_scope(user, Enrolment),
               responsible, *conditions)
        .order_by(Occurrence.due_on, Minor.surname, Minor.given_name, Occurrence.id)
        .limit(limit)).all()
    total = rows[0][-1] if rows else 0
    return [DueRow(*row[:4], Direction(row[4]), *row[5:10]) for row in rows], total


def due_work(user: User, today: date, limit: int = 50) -> DueWork:
    """The specialist's activities that were due and nobody marked (effectively missed),
    and those due this week: the activity's responsible user is the specialist, or, when
    no user is responsible for it, the case's responsible specialist. Open cases of the
    specialist's school only. Two queries."""
    sunday = today + timedelta(days=6 - today.weekday())
    missed, missed_total = _due_rows(user, Occurrence.due_on < today, limit=limit)
    week, week_total = _due_rows(user, Occurrence.due_on >= today, Occurrence.due_on <= sunday,
                                 limit=limit)
    return DueWork(missed, missed_total, week, week_total)


# --- choices for the activity form ----------------------------------------------------------


def staff_choices(organisation_id: int) -> list[tuple[int, str]]:
    """The school's enabled staff (psychologists, social pedagogues, deputy heads), by name."""
    rows = db.session.execute(
        select(User.id, User.full_name, User.role)
        .where(User.organisation_id == organisation_id, User.is_enabled.is_(True),
               User.role.in_([r.value for r in access.SCHOOL_ROLES]))
        .order_by(User.full_name, User.id))
    return [(user_id, f"{name} — {Role(role).label}") for user_id, name, role in rows]


def partner_choices(district_id: int | None, partner_kinds) -> list[tuple[int, str]]:
    """Active partner organisations of the district and the regional bodies, by name."""
    name = name_column(Organisation)
    place = (Organisation.district_id.is_(None) if district_id is None else
             or_(Organisation.district_id == district_id, Organisation.district_id.is_(None)))
    rows = db.session.execute(
        select(Organisation.id, name, Organisation.kind)
        .where(Organisation.is_active.is_(True), place,
               Organisation.kind.in_([k.value for k in partner_kinds]))
        .order_by(Organisation.district_id.is_(None), name, Organisation.id))
    return [(org_id, f"{org_name} ({OrganisationKind(kind).label})")
            for org_id, org_name, kind in rows]
