"""Rules of the individual rehabilitation programme (ЖОБ / ИПР): drafting, activities,
approval, corrections and reviews, and marking an occurrence by hand.

Who: the school's specialists of the case (the responsible specialist, the co-workers, any
psychologist or social pedagogue of the minor's school) draft and mark; the deputy head of
the minor's school approves. A version is changed only while it is a draft; approving a
correction supersedes the approved version, withdraws its future plans and expands the
new version's activities from the day of approval. Every change is audited here (free
text — goals, reasons, titles, results — by the field's name only: the coordinator reads
the trail); drafting and approval go on the case timeline.

"The minor's school" is the school the minor attends now: when a case is handed over,
``hand_over`` moves the programme and its future periods to the receiving school, whose
staff then read, draft and mark it; the sending school's staff no longer do.
"""

from dataclasses import dataclass, fields
from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm.attributes import flag_modified

from juvenile import access
from juvenile.accounts.models import Organisation, OrganisationKind, Role, User
from juvenile.audit import labels as audit_labels
from juvenile.audit import services as audit
from juvenile.cases.models import Enrolment, Minor, Stage
from juvenile.cases.services import CLOSURE_HOOKS, TRANSFER_HOOKS, add_event
from juvenile.cases.stages import add_months
from juvenile.cases.timeline import register_kind
from juvenile.dbtypes import utcnow
from juvenile.errors import ServiceError, check_version
from juvenile.extensions import db
from juvenile.irp import occurrences
from juvenile.irp.models import (
    Activity,
    Direction,
    Frequency,
    IrpStatus,
    IrpVersion,
    Occurrence,
    OccurrenceStatus,
)
from juvenile.irp.queries import is_clinical_activity
from juvenile.sessions.models import SessionKind

#: The programme covers at most this many months from enrolment (initial stage, up to six
#: months of active work, a year of follow-up, extensions): a guard against typing errors.
MAX_MONTHS = 24
TITLE_MAX, TEXT_MAX, PARTNER_NAME_MAX = 1000, 4000, 300

#: Organisations that may be responsible for an activity instead of the school's staff.
PARTNER_KINDS = frozenset({OrganisationKind.HEALTH, OrganisationKind.SOCIAL_PROTECTION,
                           OrganisationKind.POLICE, OrganisationKind.COLLEGE,
                           OrganisationKind.COMMISSION, OrganisationKind.EDUCATION_DEPARTMENT})

#: What may tick an activity off: a session kind or a home visit (None: marked by hand).
FULFILMENT_KINDS = tuple([k.value for k in SessionKind] + [occurrences.HOME_VISIT])

ACTIVITY_FIELDS = ["direction", "title", "fulfilled_by", "responsible_user_id",
                   "partner_organisation_id", "partner_name", "frequency", "starts_on",
                   "ends_on"]
VERSION_FIELDS = ["number", "status", "goals", "reason", "is_review", "based_on_id"]
OCCURRENCE_FIELDS = ["status", "done_on", "result"]
#: Free text: the audit trail (read by the district coordinator) names these fields when
#: they change, never their words (juvenile.audit.services.redact).
ACTIVITY_TEXTS = ("title",)
VERSION_TEXTS = ("goals", "reason")
OCCURRENCE_TEXTS = ("result",)

audit_labels.OBJECT_LABELS.update({
    "irp_versions": _l("Rehabilitation programme (IRP)"),
    "irp_activities": _l("IRP activity"),
    "irp_occurrences": _l("IRP activity occurrence"),
})
audit_labels.ACTION_LABELS.update({
    "approve": _l("approved"),
    "supersede": _l("superseded"),
    "mark": _l("marked"),
    "withdraw": _l("plans withdrawn"),
    "hand_over": _l("handed over with the case"),
})


@dataclass
class ActivityData:
    direction: str
    title: str
    fulfilled_by: str | None
    responsible_user_id: int | None
    partner_organisation_id: int | None
    partner_name: str | None
    frequency: str
    starts_on: date
    ends_on: date


# --- who ---------------------------------------------------------------------------------


def _enrolment_of(record) -> Enrolment:
    return db.session.get(Enrolment, record.enrolment_id)


def _minor_of(enrolment: Enrolment) -> Minor:
    return enrolment.minor


def _at_minors_school(user: User, enrolment: Enrolment) -> bool:
    """The user works at the school the minor attends now: after a hand-over the case and
    its programme are the receiving school's, the sending school's staff lose them."""
    return _minor_of(enrolment).organisation_id == user.organisation_id


def may_draft(user: User, enrolment: Enrolment) -> bool:
    """The case's school specialists: its responsible specialist and co-workers, and any
    psychologist or social pedagogue of the minor's school (the school that has the case
    now)."""
    return (user.is_authenticated and user.role_enum in access.SPECIALISTS
            and _at_minors_school(user, enrolment))


def may_approve(user: User, enrolment: Enrolment) -> bool:
    """The deputy head for upbringing of the minor's school."""
    return (user.is_authenticated and user.role_enum is Role.SCHOOL_ADMIN
            and _at_minors_school(user, enrolment))


def may_view(user: User, enrolment: Enrolment) -> bool:
    """School staff of the minor's school (the school the minor attends now, also for a
    closed enrolment of a minor who moved on); the coordinator of the minor's district
    reads."""
    if not user.is_authenticated:
        return False
    if user.role_enum in access.SCHOOL_ROLES:
        return _at_minors_school(user, enrolment)
    district_id = _minor_of(enrolment).district_id
    return (user.role_enum is Role.DISTRICT_COORDINATOR and district_id is not None
            and district_id == user.organisation.district_id)


def _policy(user: User, action: str, record) -> bool:
    irp = record if isinstance(record, IrpVersion) else (
        record.irp if isinstance(record, Activity) else record.activity.irp)
    enrolment = _enrolment_of(irp)
    if action == "view":
        return may_view(user, enrolment)
    if action in {"draft", "mark"}:
        return may_draft(user, enrolment)
    if action == "approve":
        return may_approve(user, enrolment)
    return False


for _model in (IrpVersion, Activity, Occurrence):
    access.register_policy(_model, _policy)


def _require_draft_rights(actor: User, enrolment: Enrolment) -> None:
    if not may_draft(actor, enrolment):
        raise ServiceError(_("The programme is drafted and marked by the psychologists and "
                             "social pedagogues of the minor's school."))
    if not enrolment.is_open:
        raise ServiceError(_("The case is closed."))


def _require_draft(irp: IrpVersion) -> None:
    if irp.status != IrpStatus.DRAFT.value:
        raise ServiceError(_("Only a draft can be changed. To change an approved programme, "
                             "make a correction."))


def _touch(irp: IrpVersion) -> None:
    """A change to a draft's activities moves the draft's version: it is the token every
    form of the draft carries, so a stale form is refused."""
    flag_modified(irp, "goals")


# --- reading -----------------------------------------------------------------------------


def approved_version(enrolment_id: int) -> IrpVersion | None:
    return db.session.scalar(select(IrpVersion).where(
        IrpVersion.enrolment_id == enrolment_id,
        IrpVersion.status == IrpStatus.APPROVED.value))


def draft_version(enrolment_id: int) -> IrpVersion | None:
    return db.session.scalar(select(IrpVersion).where(
        IrpVersion.enrolment_id == enrolment_id, IrpVersion.status == IrpStatus.DRAFT.value))


# --- drafting ----------------------------------------------------------------------------


def _clean(text: str | None) -> str:
    return (text or "").strip()


def _validate_version_texts(enrolment: Enrolment, goals: str, reason: str | None,
                            is_review: bool, correction: bool) -> None:
    if len(goals) > TEXT_MAX:
        raise ServiceError(_("Write at most %(n)d characters.", n=TEXT_MAX), "goals")
    if correction and not reason:
        raise ServiceError(_("Say why the programme is corrected, or write the review's "
                             "conclusion."), "reason")
    if reason and len(reason) > TEXT_MAX:
        raise ServiceError(_("Write at most %(n)d characters.", n=TEXT_MAX), "reason")
    if is_review and not correction:
        raise ServiceError(_("The first programme is not a review."), "is_review")
    if is_review and enrolment.stage != Stage.FOLLOW_UP.value:
        raise ServiceError(_("A review of the programme is made in the follow-up stage."),
                           "is_review")


def start_draft(actor: User, enrolment: Enrolment, goals: str, today: date, *,
                reason: str | None = None, is_review: bool = False) -> IrpVersion:
    """Draft the enrolment's programme: the first version, or a correction of the approved
    one (its goals and activities copied, each activity remembering its origin)."""
    _require_draft_rights(actor, enrolment)
    if draft_version(enrolment.id) is not None:
        raise ServiceError(_("A draft of the programme is already being prepared: continue "
                             "it."))
    approved = approved_version(enrolment.id)
    goals, reason = _clean(goals), _clean(reason) or None
    _validate_version_texts(enrolment, goals, reason, is_review, approved is not None)
    number = db.session.scalar(select(func.coalesce(func.max(IrpVersion.number), 0)).where(
        IrpVersion.enrolment_id == enrolment.id)) + 1
    irp = IrpVersion(enrolment_id=enrolment.id, minor_id=enrolment.minor_id,
                     organisation_id=enrolment.organisation_id,
                     district_id=enrolment.district_id, number=number,
                     status=IrpStatus.DRAFT.value, goals=goals,
                     reason=reason if approved else None, is_review=bool(is_review),
                     based_on_id=approved.id if approved else None, drafted_by_id=actor.id)
    db.session.add(irp)
    if approved is not None:
        for source in approved.activities:
            copy = Activity(**{name: getattr(source, name) for name in ACTIVITY_FIELDS},
                            direction_order=source.direction_order, position=source.position,
                            origin_id=source.id)
            irp.activities.append(copy)
    db.session.flush()
    audit.record(actor, "create", irp, enrolment.audit_label,
                 audit.redact(audit.snapshot(irp, VERSION_FIELDS), VERSION_TEXTS))
    add_event(enrolment.minor, "irp_drafted", today, actor, enrolment=enrolment,
              data={"number": number, "correction": approved is not None,
                    "review": bool(is_review)})
    return irp


def update_draft(actor: User, irp: IrpVersion, goals: str, reason: str | None,
                 is_review: bool, expected_version: int | None) -> IrpVersion:
    """Change a draft's goals (and, for a correction, its reason and whether it is the
    follow-up review)."""
    check_version(irp, expected_version)
    enrolment = _enrolment_of(irp)
    _require_draft_rights(actor, enrolment)
    _require_draft(irp)
    correction = irp.based_on_id is not None
    goals, reason = _clean(goals), _clean(reason) or None
    _validate_version_texts(enrolment, goals, reason, is_review, correction)
    before = audit.snapshot(irp, VERSION_FIELDS)
    irp.goals = goals
    irp.reason = reason if correction else None
    irp.is_review = bool(is_review)
    db.session.flush()
    changes = audit.diff(before, audit.snapshot(irp, VERSION_FIELDS))
    if changes:
        audit.record(actor, "update", irp, enrolment.audit_label,
                     audit.redact(changes, VERSION_TEXTS))
    return irp


def discard_draft(actor: User, irp: IrpVersion, expected_version: int | None) -> None:
    """Throw a draft away (a correction started by mistake); the approved version stays."""
    check_version(irp, expected_version)
    enrolment = _enrolment_of(irp)
    _require_draft_rights(actor, enrolment)
    _require_draft(irp)
    audit.record(actor, "delete", irp, enrolment.audit_label,
                 audit.redact(audit.snapshot(irp, VERSION_FIELDS), VERSION_TEXTS))
    db.session.delete(irp)
    db.session.flush()


# --- activities ----------------------------------------------------------------------------


def _staff_member(user_id: int, enrolment: Enrolment) -> User | None:
    user = db.session.get(User, user_id)
    if (user is None or not user.is_enabled or user.role_enum not in access.SCHOOL_ROLES
            or user.organisation_id != enrolment.organisation_id):
        return None
    return user


def _validate_responsible(data: ActivityData, enrolment: Enrolment) -> None:
    given = [data.responsible_user_id is not None, data.partner_organisation_id is not None,
             bool(data.partner_name)]
    if sum(given) != 1:
        message = (_("Say who is responsible: a member of the school's staff, a partner "
                     "organisation or a partner by name.") if not any(given) else
                   _("Choose only one responsible: a member of staff, a partner organisation "
                     "or a partner by name."))
        raise ServiceError(message, "responsible_user_id")
    if data.responsible_user_id is not None and _staff_member(
            data.responsible_user_id, enrolment) is None:
        raise ServiceError(_("The responsible person must be on the staff of the minor's "
                             "school."), "responsible_user_id")
    if data.partner_organisation_id is not None:
        org = db.session.get(Organisation, data.partner_organisation_id)
        if org is None or not org.is_active or org.kind not in PARTNER_KINDS:
            raise ServiceError(_("Choose a partner organisation from the list."),
                               "partner_organisation_id")
    if data.partner_name and len(data.partner_name) > PARTNER_NAME_MAX:
        raise ServiceError(_("Write at most %(n)d characters.", n=PARTNER_NAME_MAX),
                           "partner_name")


def _validate_activity(data: ActivityData, enrolment: Enrolment) -> None:
    if data.direction not in set(Direction):
        raise ServiceError(_("Choose one of the options."), "direction")
    if not data.title:
        raise ServiceError(_("Say what is to be done."), "title")
    if len(data.title) > TITLE_MAX:
        raise ServiceError(_("Write at most %(n)d characters.", n=TITLE_MAX), "title")
    if data.fulfilled_by is not None and data.fulfilled_by not in FULFILMENT_KINDS:
        raise ServiceError(_("Choose one of the options."), "fulfilled_by")
    if data.frequency not in set(Frequency):
        raise ServiceError(_("Choose one of the options."), "frequency")
    _validate_responsible(data, enrolment)
    _validate_dates(data, enrolment)


def _validate_dates(data: ActivityData, enrolment: Enrolment) -> None:
    if data.starts_on < enrolment.enrolled_on:
        raise ServiceError(_("The date is before the enrolment (%(date)s).",
                             date=format_date(enrolment.enrolled_on, "medium")), "starts_on")
    last = add_months(enrolment.enrolled_on, MAX_MONTHS)
    if enrolment.closed_on is not None:
        last = min(last, enrolment.closed_on)
    if data.ends_on < data.starts_on:
        raise ServiceError(_("The end is before the start."), "ends_on")
    for name in ("starts_on", "ends_on"):
        if getattr(data, name) > last:
            raise ServiceError(_("The programme covers the enrolment: at most until "
                                 "%(date)s", date=format_date(last, "medium")), name)


def _normalised(data: ActivityData) -> ActivityData:
    values = {f.name: getattr(data, f.name) for f in fields(ActivityData)}
    values["title"] = _clean(values["title"])
    values["partner_name"] = _clean(values["partner_name"]) or None
    values["fulfilled_by"] = values["fulfilled_by"] or None
    return ActivityData(**values)


def _apply(activity: Activity, data: ActivityData) -> None:
    for name in ACTIVITY_FIELDS:
        setattr(activity, name, getattr(data, name))
    activity.direction_order = list(Direction).index(Direction(data.direction))


def add_activity(actor: User, irp: IrpVersion, data: ActivityData,
                 expected_version: int | None) -> Activity:
    """Add a line to a draft under its direction (at the end of that direction)."""
    check_version(irp, expected_version)
    enrolment = _enrolment_of(irp)
    _require_draft_rights(actor, enrolment)
    _require_draft(irp)
    data = _normalised(data)
    _validate_activity(data, enrolment)
    activity = Activity(position=1 + max((a.position for a in irp.activities), default=0))
    _apply(activity, data)
    irp.activities.append(activity)
    _touch(irp)
    db.session.flush()
    audit.record(actor, "create", activity, enrolment.audit_label,
                 audit.redact(audit.snapshot(activity, ["irp_id", *ACTIVITY_FIELDS]),
                              ACTIVITY_TEXTS), scope=irp.audit_scope)
    return activity


def update_activity(actor: User, activity: Activity, data: ActivityData,
                    expected_version: int | None) -> Activity:
    """Change a line of a draft. ``expected_version`` is the draft's version."""
    irp = activity.irp
    check_version(irp, expected_version)
    enrolment = _enrolment_of(irp)
    _require_draft_rights(actor, enrolment)
    _require_draft(irp)
    data = _normalised(data)
    _validate_activity(data, enrolment)
    before = audit.snapshot(activity, ACTIVITY_FIELDS)
    _apply(activity, data)
    changes = audit.diff(before, audit.snapshot(activity, ACTIVITY_FIELDS))
    if changes:
        _touch(irp)
        db.session.flush()
        audit.record(actor, "update", activity, enrolment.audit_label,
                     audit.redact(changes, ACTIVITY_TEXTS),
                     scope=irp.audit_scope)
    return activity


def remove_activity(actor: User, activity: Activity, expected_version: int | None) -> None:
    """Take a line out of a draft. ``expected_version`` is the draft's version."""
    irp = activity.irp
    check_version(irp, expected_version)
    enrolment = _enrolment_of(irp)
    _require_draft_rights(actor, enrolment)
    _require_draft(irp)
    audit.record(actor, "delete", activity, enrolment.audit_label,
                 audit.redact(audit.snapshot(activity, ["irp_id", *ACTIVITY_FIELDS]),
                              ACTIVITY_TEXTS), scope=irp.audit_scope)
    irp.activities.remove(activity)
    _touch(irp)
    db.session.flush()


# --- approval ------------------------------------------------------------------------------


def approve(actor: User, irp: IrpVersion, expected_version: int | None,
            today: date) -> IrpVersion:
    """The deputy head approves a draft: it takes effect today. A correction supersedes the
    approved version, whose plans from today on are withdrawn; each activity is expanded
    into its occurrences (a first version from the activity's start, a correction from
    today, skipping the periods its origin line was already marked for)."""
    check_version(irp, expected_version)
    enrolment = _enrolment_of(irp)
    if not may_approve(actor, enrolment):
        raise ServiceError(_("The programme is approved by the deputy head of the minor's "
                             "school."))
    if not enrolment.is_open:
        raise ServiceError(_("The case is closed."))
    if irp.status != IrpStatus.DRAFT.value:
        raise ServiceError(_("Only a draft can be approved."))
    if not (irp.goals or "").strip():
        raise ServiceError(_("The programme has no goals yet."))
    if not irp.activities:
        raise ServiceError(_("The programme has no activities yet."))
    previous = approved_version(enrolment.id)
    if previous is not None:
        _supersede(actor, previous, enrolment, today)
    irp.status = IrpStatus.APPROVED.value
    irp.approved_by_id, irp.approved_at, irp.approved_on = actor.id, utcnow(), today
    db.session.flush()
    created = []
    for activity in irp.activities:
        created += _expand(activity, today if previous is not None else None)
    occurrences.match_held(enrolment.id, created)
    db.session.flush()
    audit.record(actor, "approve", irp, enrolment.audit_label,
                 {"status": [IrpStatus.DRAFT.value, IrpStatus.APPROVED.value],
                  "approved_on": [None, today.isoformat()]})
    add_event(enrolment.minor, "irp_approved", today, actor, enrolment=enrolment,
              data={"number": irp.number, "correction": previous is not None,
                    "review": irp.is_review})
    return irp


def withdraw_on_closure(actor: User, enrolment: Enrolment) -> int:
    """A closed case plans nothing more: the approved programme's periods due after the
    closing day are withdrawn (otherwise they would turn "missed"). Returns how many."""
    irp = approved_version(enrolment.id)
    if irp is None or enrolment.closed_on is None:
        return 0
    withdrawn = occurrences.withdraw_future(irp, enrolment.closed_on + timedelta(days=1))
    if withdrawn:
        db.session.flush()
        audit.record(actor, "withdraw", irp, enrolment.audit_label,
                     {"withdrawn_occurrences": [None, withdrawn],
                      "closed_on": [None, enrolment.closed_on.isoformat()]})
    return withdrawn


if withdraw_on_closure not in CLOSURE_HOOKS:
    CLOSURE_HOOKS.append(withdraw_on_closure)


def hand_over(actor: User, enrolment: Enrolment, from_organisation: Organisation,
              to_organisation: Organisation, day: date) -> None:
    """The open case moved to another school (a hand-over accepted on ``day``): its
    programme goes with it. The approved version and the draft are the receiving school's
    from now on, and so are the periods due on or after the day; past periods stay where
    the work was due (reports count them there). Activities whose responsible person is
    not on the receiving school's staff lose that person: the case's new responsible
    specialist takes them (the programme page says so). Audited in the receiving school's
    scope; no text."""
    versions = db.session.scalars(select(IrpVersion).where(
        IrpVersion.enrolment_id == enrolment.id,
        IrpVersion.status.in_([IrpStatus.APPROVED.value, IrpStatus.DRAFT.value]))
        .order_by(IrpVersion.number)).all()
    if not versions:
        return
    place = to_organisation.id, to_organisation.district_id
    ids = [v.id for v in versions]
    moved: dict[int, int] = dict.fromkeys(ids, 0)
    for occurrence in db.session.scalars(
            select(Occurrence).join(Activity).where(Activity.irp_id.in_(ids),
                                                     Occurrence.due_on >= day)):
        occurrence.organisation_id, occurrence.district_id = place
        moved[occurrence.activity.irp_id] += 1
    released: dict[int, list[int]] = {irp_id: [] for irp_id in ids}
    for activity in db.session.scalars(
            select(Activity).join(User, User.id == Activity.responsible_user_id).where(
                Activity.irp_id.in_(ids), User.organisation_id != to_organisation.id)):
        activity.responsible_user_id = None
        released[activity.irp_id].append(activity.id)
    for irp in versions:
        irp.organisation_id, irp.district_id = place
    db.session.flush()
    for irp in versions:
        audit.record(actor, "hand_over", irp, enrolment.audit_label,
                     {"organisation_id": [from_organisation.id, to_organisation.id],
                      "handed_over_on": day.isoformat(),
                      "moved_occurrences": moved[irp.id],
                      "activities_without_responsible": released[irp.id]},
                     scope=irp.audit_scope)


if hand_over not in TRANSFER_HOOKS:
    TRANSFER_HOOKS.append(hand_over)


def _supersede(actor: User, previous: IrpVersion, enrolment: Enrolment, today: date) -> None:
    previous.status = IrpStatus.SUPERSEDED.value
    previous.superseded_on = today
    withdrawn = occurrences.withdraw_future(previous, today)
    db.session.flush()
    audit.record(actor, "supersede", previous, enrolment.audit_label,
                 {"status": [IrpStatus.APPROVED.value, IrpStatus.SUPERSEDED.value],
                  "withdrawn_occurrences": [None, withdrawn]})


def _expand(activity: Activity, from_day: date | None) -> list[Occurrence]:
    acted = set()
    if activity.origin_id is not None and from_day is not None:
        acted = set(db.session.scalars(select(Occurrence.due_on).where(
            Occurrence.activity_id == activity.origin_id, Occurrence.due_on >= from_day,
            Occurrence.status != OccurrenceStatus.PLANNED.value)))
    return occurrences.expand(activity, from_day, skip_due=acted)


# --- marking by hand -------------------------------------------------------------------------


def mark_occurrence(actor: User, occurrence: Occurrence, status: str, done_on: date | None,
                    result: str | None, expected_version: int | None,
                    today: date) -> Occurrence:
    """The specialist marks a period of an activity: done (when, with what result), missed,
    cancelled (with the reason), or planned again. A period a session or a home visit
    ticked off is changed through that record, not by hand."""
    check_version(occurrence, expected_version)
    enrolment = _enrolment_of(occurrence)
    _require_draft_rights(actor, enrolment)
    if occurrence.session_id is not None or occurrence.act_id is not None:
        raise ServiceError(_("A recorded session or home visit ticked this off: change that "
                             "record instead."))
    if status not in set(OccurrenceStatus):
        raise ServiceError(_("Choose one of the options."), "status")
    result = _clean(result) or None
    if result and len(result) > TEXT_MAX:
        raise ServiceError(_("Write at most %(n)d characters.", n=TEXT_MAX), "result")
    if status == OccurrenceStatus.DONE.value:
        _validate_done(done_on, result, enrolment, today)
    else:
        done_on = None
    if status == OccurrenceStatus.CANCELLED.value and not result:
        raise ServiceError(_("Say why it was cancelled."), "result")
    if status == OccurrenceStatus.PLANNED.value:
        result = None
    before = audit.snapshot(occurrence, OCCURRENCE_FIELDS)
    occurrence.status, occurrence.done_on, occurrence.result = status, done_on, result
    occurrence.marked_by_id = actor.id if status != OccurrenceStatus.PLANNED.value else None
    occurrence.marked_at = utcnow()
    db.session.flush()
    changes = audit.diff(before, audit.snapshot(occurrence, OCCURRENCE_FIELDS))
    # placed where the case is now (a past period kept at the sending school included)
    audit.record(actor, "mark", occurrence, enrolment.audit_label,
                 audit.redact(changes, OCCURRENCE_TEXTS), scope=enrolment.audit_scope)
    activity = occurrence.activity
    add_event(enrolment.minor, "irp_occurrence", done_on or today, actor, enrolment=enrolment,
              data={"direction": activity.direction, "status": status,
                    "due": occurrence.due_on.isoformat()},
              clinical=is_clinical_activity(activity.direction, activity.fulfilled_by))
    return occurrence


def _validate_done(done_on: date | None, result: str | None, enrolment: Enrolment,
                   today: date) -> None:
    if done_on is None:
        raise ServiceError(_("Say when it was done."), "done_on")
    if done_on > today:
        raise ServiceError(_("The date is in the future."), "done_on")
    if done_on < enrolment.enrolled_on:
        raise ServiceError(_("The date is before the enrolment (%(date)s).",
                             date=format_date(enrolment.enrolled_on, "medium")), "done_on")
    if not result:
        raise ServiceError(_("Write the result."), "result")


# --- the timeline --------------------------------------------------------------------------


def _version_sentence(data: dict, first: str, correction: str, review: str) -> str:
    if data.get("review"):
        return review
    return correction if data.get("correction") else first


register_kind("irp_drafted", _l("IRP drafted"), lambda d: _version_sentence(
    d, _("The rehabilitation programme (version %(n)s) was drafted.", n=int(d["number"])),
    _("A correction of the programme (version %(n)s) was drafted.", n=int(d["number"])),
    _("A review of the programme (version %(n)s) was drafted.", n=int(d["number"]))))
register_kind("irp_approved", _l("IRP approved"), lambda d: _version_sentence(
    d, _("The rehabilitation programme (version %(n)s) was approved.", n=int(d["number"])),
    _("A correction of the programme (version %(n)s) was approved.", n=int(d["number"])),
    _("The review of the programme (version %(n)s) was approved.", n=int(d["number"]))))
register_kind("irp_occurrence", _l("IRP activity marked"), lambda d: _(
    "A planned activity (%(direction)s) was marked: %(status)s.",
    direction=Direction(d["direction"]).label, status=OccurrenceStatus(d["status"]).label))
