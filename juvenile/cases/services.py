"""Rules of the case file. Every change is audited and put on the timeline here."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from juvenile.accounts.models import Organisation, OrganisationKind, Role, User
from juvenile.audit import services as audit
from juvenile.cases.iin import InvalidIIN, parse_iin
from juvenile.cases.models import (
    CaseEvent,
    ClosureReason,
    ConsentForm,
    Enrolment,
    Incident,
    IncidentKind,
    LegalRepresentative,
    Minor,
    Placement,
    Relation,
    SchoolingLanguage,
    Sex,
    Source,
    Stage,
    StageMove,
    TargetGroup,
    Transfer,
    TransferStatus,
    enrolment_groups,
)
from juvenile.cases.stages import NEXT_STAGE, add_months, checklist, stage_deadline
from juvenile.dbtypes import utcnow
from juvenile.errors import ServiceError, check_version
from juvenile.extensions import db
from juvenile.settings import registry

MINOR_FIELDS = ["iin", "surname", "given_name", "patronymic", "birth_date", "sex",
                "schooling_language", "address", "phone", "organisation_id", "grade"]
REPRESENTATIVE_FIELDS = ["relation", "full_name", "phone", "address", "consent_on",
                         "consent_form"]
SPECIALIST_ROLES = {Role.PSYCHOLOGIST.value, Role.SOCIAL_PEDAGOGUE.value}
SCHOOL_KINDS = {OrganisationKind.SCHOOL.value, OrganisationKind.COLLEGE.value}
ADULT_AGE = 18

#: Called with (actor, enrolment, incident) when a suicide attempt or self-harm is recorded
#: during an open enrolment (also while its crisis flag already stands).
#: The diagnostics domain adds the safety protocol here.
CRISIS_HOOKS: list[Callable] = []
#: Called with (actor, enrolment) when a case closes, after its closing is recorded.
#: The IRP domain withdraws the programme's plans after the closing day here.
CLOSURE_HOOKS: list[Callable] = []
#: Called with (actor, enrolment, from_organisation, to_organisation, day) when an open
#: case is handed over, after the enrolment has moved. Domains whose records follow the
#: case (the IRP and its future plans) move them here.
TRANSFER_HOOKS: list[Callable] = []


def is_clinical_event(kind: str, data: dict | None) -> bool:
    """Lines the police and the coordinator must not read: the crisis and every incident
    that is not an offence (a suicide attempt, self-harm, running away, expulsion)."""
    if kind == "crisis_raised":
        return True
    return kind == "incident" and not IncidentKind((data or {})["kind"]).is_offence


def add_event(minor: Minor, kind: str, occurred_on: date, actor: User | None, *,
              enrolment: Enrolment | None = None, data: dict | None = None,
              clinical: bool = False) -> CaseEvent:
    """Put one line on the minor's timeline."""
    event = CaseEvent(minor_id=minor.id, enrolment_id=enrolment.id if enrolment else None,
                      occurred_on=occurred_on, kind=kind, data=data or None,
                      clinical=clinical, actor_id=actor.id if actor else None)
    db.session.add(event)
    return event


def event_of(minor_id: int, kind: str, key: dict) -> CaseEvent | None:
    """The timeline line of one record: the line of ``kind`` whose data holds ``key``
    (e.g. {"session_id": 12}), so an edit rewrites it instead of adding another. A minor
    has few lines of a kind; they are matched here, in one query."""
    events = db.session.scalars(select(CaseEvent).where(
        CaseEvent.minor_id == minor_id, CaseEvent.kind == kind).order_by(CaseEvent.id))
    return next((event for event in events
                 if all((event.data or {}).get(name) == value for name, value in key.items())),
                None)


# --- minors ----------------------------------------------------------------------------


@dataclass
class MinorData:
    iin: str
    surname: str
    given_name: str
    patronymic: str | None
    birth_date: date
    sex: str
    schooling_language: str
    address: str
    phone: str | None
    grade: str | None


class MinorAlreadyRegistered(ServiceError):
    """The IIN is on record. ``minor`` is set only when the actor may open it."""

    def __init__(self, message: str, minor: Minor | None):
        super().__init__(message, "iin")
        self.minor = minor


def _validate_minor(data: MinorData, today: date) -> None:
    try:
        facts = parse_iin(data.iin)
    except InvalidIIN as invalid:
        messages = {
            "format": _("An IIN has exactly 12 digits."),
            "checksum": _("This IIN is not valid: its check digit does not match. "
                          "Check the digits against the document."),
            "date": _("This IIN does not encode a real birth date."),
            "century": _("The seventh digit of an IIN is 1 to 6."),
        }
        raise ServiceError(messages[invalid.reason], "iin") from None
    if data.birth_date > today:
        raise ServiceError(_("The birth date is in the future."), "birth_date")
    if data.birth_date != facts.birth_date:
        raise ServiceError(_("The birth date differs from the one in the IIN (%(date)s).",
                             date=facts.birth_date.strftime("%d.%m.%Y")), "birth_date")
    if data.sex != facts.sex:
        raise ServiceError(_("The sex differs from the one encoded in the IIN."), "sex")
    if data.sex not in set(Sex):
        raise ServiceError(_("Choose the sex."), "sex")
    if data.schooling_language not in set(SchoolingLanguage):
        raise ServiceError(_("Choose the language of schooling."), "schooling_language")


def find_by_iin(iin: str) -> Minor | None:
    return db.session.scalar(select(Minor).where(Minor.iin == iin))


def register_minor(actor: User, data: MinorData, today: date,
                   may_open: Callable[[Minor], bool]) -> Minor:
    """Register a minor at the actor's school. One record per IIN in the whole region.

    When the IIN is on record, raises MinorAlreadyRegistered carrying the minor only if
    ``may_open`` says the actor may see it; otherwise nothing of it is revealed.
    """
    if actor.organisation.kind not in SCHOOL_KINDS:
        raise ServiceError(_("Minors are registered by their school or college."))
    existing = find_by_iin(data.iin.strip())
    if existing is not None:
        # Who typed whose IIN is kept, in the district of the minor it matched: school
        # staff know many children's IINs, and the answer says the child is in the
        # programme. The district coordinator sees these entries.
        audit.record_access(actor, "iin_match", existing)
        if may_open(existing):
            raise MinorAlreadyRegistered(_("This minor is already registered."), existing)
        raise MinorAlreadyRegistered(
            _("This minor is registered in another organisation. To take the case over, ask "
              "that organisation to hand it over to your school (the district education "
              "department can tell you which one)."), None)
    data.iin = data.iin.strip()
    _validate_minor(data, today)
    minor = Minor(**data.__dict__, organisation_id=actor.organisation_id,
                  district_id=actor.organisation.district_id, created_by_id=actor.id)
    db.session.add(minor)
    db.session.flush()
    audit.record(actor, "create", minor, minor.audit_label, audit.snapshot(minor, MINOR_FIELDS))
    add_event(minor, "registered", today, actor)
    return minor


def update_minor(actor: User, minor: Minor, data: MinorData, expected_version: int | None,
                 today: date) -> Minor:
    check_version(minor, expected_version)
    if data.iin.strip() != minor.iin and find_by_iin(data.iin.strip()) is not None:
        raise ServiceError(_("Another minor already has this IIN."), "iin")
    data.iin = data.iin.strip()
    _validate_minor(data, today)
    before = audit.snapshot(minor, MINOR_FIELDS)
    for name, value in data.__dict__.items():
        setattr(minor, name, value)
    db.session.flush()
    changes = audit.diff(before, audit.snapshot(minor, MINOR_FIELDS))
    if changes:
        audit.record(actor, "update", minor, minor.audit_label, changes)
    return minor


# --- legal representatives --------------------------------------------------------------


@dataclass
class RepresentativeData:
    relation: str
    full_name: str
    phone: str | None
    address: str | None
    consent_on: date | None
    consent_form: str | None


def _validate_representative(data: RepresentativeData, today: date) -> None:
    if data.relation not in set(Relation):
        raise ServiceError(_("Choose who the representative is to the minor."), "relation")
    if data.consent_on is not None:
        if data.consent_on > today:
            raise ServiceError(_("The date is in the future."), "consent_on")
        if data.consent_form not in set(ConsentForm):
            raise ServiceError(_("Say how the consent was given."), "consent_form")
    elif data.consent_form:
        raise ServiceError(_("Give the date of the consent."), "consent_on")


def save_representative(actor: User, minor: Minor, data: RepresentativeData, today: date,
                        representative: LegalRepresentative | None = None,
                        expected_version: int | None = None) -> LegalRepresentative:
    """Add a legal representative, or change one (with their consent)."""
    _validate_representative(data, today)
    if representative is None:
        representative = LegalRepresentative(minor=minor)
        db.session.add(representative)
        before, action = {}, "create"
    else:
        check_version(representative, expected_version)
        before, action = audit.snapshot(representative, REPRESENTATIVE_FIELDS), "update"
    consent_was = representative.consent_on
    for name, value in data.__dict__.items():
        setattr(representative, name, value)
    if data.consent_on != consent_was:
        representative.consent_recorded_by_id = actor.id if data.consent_on else None
    db.session.flush()
    changes = audit.diff(before, audit.snapshot(representative, REPRESENTATIVE_FIELDS))
    if changes:
        audit.record(actor, action, representative, minor.audit_label, changes)
    if data.consent_on and data.consent_on != consent_was:
        add_event(minor, "consent", data.consent_on, actor,
                  data={"relation": data.relation, "form": data.consent_form})
    return representative


# --- enrolment ----------------------------------------------------------------------------


@dataclass
class EnrolmentData:
    groups: list[int]
    source: str
    identified_on: date
    enrolled_on: date
    reason: str
    police_registered_on: date | None = None
    police_grounds: str | None = None
    police_inspector: str | None = None
    released_on: date | None = None
    release_institution: str | None = None


def open_enrolment(minor: Minor) -> Enrolment | None:
    return db.session.scalar(select(Enrolment).where(Enrolment.minor_id == minor.id,
                                                     Enrolment.closed_on.is_(None)))


def _validate_enrolment(minor: Minor, data: EnrolmentData, today: date) -> None:
    groups = set(data.groups)
    if not groups or not groups <= set(TargetGroup):
        raise ServiceError(_("Choose at least one target group."), "groups")
    if data.source not in set(Source):
        raise ServiceError(_("Choose who identified the minor."), "source")
    for name in ("identified_on", "enrolled_on"):
        if getattr(data, name) > today:
            raise ServiceError(_("The date is in the future."), name)
    if data.identified_on < minor.birth_date:
        raise ServiceError(_("The date is before the minor's birth."), "identified_on")
    if data.enrolled_on < data.identified_on:
        raise ServiceError(_("Enrolment cannot come before identification."), "enrolled_on")
    if minor.age_on(data.enrolled_on) >= ADULT_AGE:
        raise ServiceError(_("The minor is 18 on this date: the programme is for minors."),
                           "enrolled_on")
    if groups & {TargetGroup.PREVENTIVE_REGISTRATION, TargetGroup.RELEASED_FROM_DETENTION}:
        if not data.police_registered_on:
            raise ServiceError(_("Give the date of the police preventive registration."),
                               "police_registered_on")
        if data.police_registered_on > today:
            raise ServiceError(_("The date is in the future."), "police_registered_on")
        if not (data.police_grounds or "").strip():
            raise ServiceError(_("Give the grounds of the registration."), "police_grounds")
    if TargetGroup.RELEASED_FROM_DETENTION in groups:
        if not data.released_on:
            raise ServiceError(_("Give the release date."), "released_on")
        if data.released_on > today or data.released_on < minor.birth_date:
            raise ServiceError(_("The release date is not possible."), "released_on")
        if not (data.release_institution or "").strip():
            raise ServiceError(_("Name the institution."), "release_institution")


def has_consent(minor: Minor) -> bool:
    return db.session.scalar(select(LegalRepresentative.id).where(
        LegalRepresentative.minor_id == minor.id,
        LegalRepresentative.consent_on.is_not(None)).limit(1)) is not None


def enrol_minor(actor: User, minor: Minor, data: EnrolmentData, today: date) -> Enrolment:
    """Open a case: the minor enters the programme's initial stage."""
    if not has_consent(minor):
        raise ServiceError(_("Enrolment needs the consent of a legal representative to the "
                             "processing of personal data and to participation. Record it "
                             "on the representative first."))
    if open_enrolment(minor) is not None:
        raise ServiceError(_("The minor is already in the programme."))
    _validate_enrolment(minor, data, today)
    settings = registry.values()
    keeps = {} if {TargetGroup.PREVENTIVE_REGISTRATION, TargetGroup.RELEASED_FROM_DETENTION} \
        & set(data.groups) else {"police_registered_on": None, "police_grounds": None,
                                 "police_inspector": None}
    if TargetGroup.RELEASED_FROM_DETENTION not in set(data.groups):
        keeps |= {"released_on": None, "release_institution": None}
    fields = {k: v for k, v in data.__dict__.items() if k != "groups"} | keeps
    enrolment = Enrolment(
        minor=minor, organisation_id=minor.organisation_id, district_id=minor.district_id,
        stage=Stage.INITIAL.value, stage_started_on=data.enrolled_on,
        stage_due_on=stage_deadline(Stage.INITIAL, data.enrolled_on, data.enrolled_on,
                                    settings),
        created_by_id=actor.id, **fields)
    db.session.add(enrolment)
    db.session.flush()
    db.session.add(Placement(enrolment_id=enrolment.id, organisation_id=enrolment.organisation_id,
                             district_id=enrolment.district_id, from_date=data.enrolled_on))
    db.session.execute(enrolment_groups.insert(), [
        {"enrolment_id": enrolment.id, "target_group": int(g)} for g in sorted(set(data.groups))])
    audit.record(actor, "create", enrolment, minor.audit_label,
                 {"groups": sorted(set(data.groups)), "enrolled_on": str(data.enrolled_on),
                  "source": data.source})
    add_event(minor, "enrolled", data.enrolled_on, actor, enrolment=enrolment,
              data={"groups": sorted(set(data.groups))})
    return enrolment


def enrolment_groups_of(enrolment: Enrolment) -> list[TargetGroup]:
    return [TargetGroup(g) for g in db.session.scalars(
        select(enrolment_groups.c.target_group)
        .where(enrolment_groups.c.enrolment_id == enrolment.id)
        .order_by(enrolment_groups.c.target_group))]


def assign_specialist(actor: User, enrolment: Enrolment, responsible_id: int,
                      coworker_ids: list[int], today: date,
                      expected_version: int | None) -> None:
    """The school administrator names the responsible specialist and the co-workers."""
    check_version(enrolment, expected_version)
    if not enrolment.is_open:
        raise ServiceError(_("The case is closed."))
    chosen = {responsible_id, *coworker_ids}
    staff = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_(chosen), User.organisation_id == enrolment.organisation_id,
        User.is_enabled.is_(True)))}
    responsible = staff.get(responsible_id)
    if responsible is None or responsible.role not in SPECIALIST_ROLES:
        raise ServiceError(_("The responsible specialist is a psychologist or a social "
                             "pedagogue of the school."), "responsible_id")
    if set(coworker_ids) - set(staff):
        raise ServiceError(_("Co-workers are staff of the school."), "coworker_ids")
    before = {"responsible_id": enrolment.responsible_id,
              "coworker_ids": sorted(u.id for u in enrolment.coworkers)}
    enrolment.responsible_id = responsible_id
    enrolment.coworkers = [staff[i] for i in coworker_ids if i != responsible_id]
    # Always touches the row, so its version moves even when only co-workers changed.
    enrolment.responsible_assigned_at = _now()
    db.session.flush()
    after = {"responsible_id": responsible_id,
             "coworker_ids": sorted(u.id for u in enrolment.coworkers)}
    audit.record(actor, "assign", enrolment, enrolment.audit_label, audit.diff(before, after))
    add_event(enrolment.minor, "specialist_assigned", today, actor,
              enrolment=enrolment, data={"name": responsible.full_name})


# --- stages and closure -------------------------------------------------------------------


def unmet_requirements(enrolment: Enrolment, today: date) -> list[str]:
    return [item.label for item in checklist(enrolment, today) if not item.met]


def move_to_next_stage(actor: User, enrolment: Enrolment, today: date,
                       expected_version: int | None) -> Stage:
    """Complete the current stage and begin the next. Refused while requirements are unmet;
    the follow-up stage ends by closing the case as completed."""
    check_version(enrolment, expected_version)
    stage = Stage(enrolment.stage)
    if not enrolment.is_open or stage is Stage.FOLLOW_UP:
        raise ServiceError(_("Close the case as completed to end the follow-up stage."))
    unmet = unmet_requirements(enrolment, today)
    if unmet:
        raise ServiceError(_("The stage cannot be completed yet. Not met: %(items)s",
                             items="; ".join(unmet)))
    new_stage = NEXT_STAGE[stage]
    enrolment.stage = new_stage.value
    enrolment.stage_started_on = today
    enrolment.stage_due_on = stage_deadline(new_stage, today, enrolment.enrolled_on,
                                            registry.values())
    db.session.add(StageMove(enrolment_id=enrolment.id, from_stage=stage.value,
                             to_stage=new_stage.value, moved_on=today, actor_id=actor.id))
    db.session.flush()
    audit.record(actor, "stage", enrolment, enrolment.audit_label,
                 {"stage": [stage.value, new_stage.value]})
    add_event(enrolment.minor, "stage", today, actor, enrolment=enrolment,
              data={"from": stage.value, "to": new_stage.value})
    return new_stage


def extend_stage(actor: User, enrolment: Enrolment, days: int, reason: str, today: date,
                 expected_version: int | None) -> None:
    """The district coordinator gives the current stage more time, with a reason."""
    check_version(enrolment, expected_version)
    if not enrolment.is_open:
        raise ServiceError(_("The case is closed."))
    if not 1 <= days <= 180:
        raise ServiceError(_("Extend by 1 to 180 days."), "days")
    if not reason.strip():
        raise ServiceError(_("Give the reason for the extension."), "reason")
    before = enrolment.stage_due_on
    enrolment.stage_due_on = before + timedelta(days=days)
    db.session.add(StageMove(enrolment_id=enrolment.id, from_stage=enrolment.stage,
                             to_stage=enrolment.stage, moved_on=today, extension_days=days,
                             reason=reason.strip(), actor_id=actor.id))
    db.session.flush()
    audit.record(actor, "extend", enrolment, enrolment.audit_label,
                 {"stage_due_on": [str(before), str(enrolment.stage_due_on)],
                  "reason": reason.strip()})
    add_event(enrolment.minor, "extended", today, actor, enrolment=enrolment,
              data={"days": days, "until": str(enrolment.stage_due_on)})


@dataclass
class ClosureData:
    reason: str
    closed_on: date
    note: str = ""
    extra: dict = field(default_factory=dict)


def close_enrolment(actor: User, enrolment: Enrolment, data: ClosureData, today: date,
                    expected_version: int | None) -> None:
    """End a case with one of the fixed reasons."""
    check_version(enrolment, expected_version)
    if not enrolment.is_open:
        raise ServiceError(_("The case is already closed."))
    if enrolment.crisis:
        raise ServiceError(_("The case cannot be closed while its crisis flag stands."))
    if data.reason not in set(ClosureReason):
        raise ServiceError(_("Choose the reason for closing."), "reason")
    reason = ClosureReason(data.reason)
    if data.closed_on > today:
        raise ServiceError(_("The date is in the future."), "closed_on")
    if data.closed_on < enrolment.stage_started_on:
        raise ServiceError(_("The case cannot close before its current stage began."),
                           "closed_on")
    note = data.note.strip()
    if reason is ClosureReason.OTHER and not note:
        raise ServiceError(_("Describe the reason."), "note")
    if reason is ClosureReason.COMPLETED:
        if enrolment.stage != Stage.FOLLOW_UP.value:
            raise ServiceError(_("A case is completed only after the follow-up stage."),
                               "reason")
        unmet = unmet_requirements(enrolment, data.closed_on)
        if unmet:
            raise ServiceError(_("The stage cannot be completed yet. Not met: %(items)s",
                                 items="; ".join(unmet)), "reason")
    if reason is ClosureReason.TURNED_18 and enrolment.minor.age_on(data.closed_on) < ADULT_AGE:
        raise ServiceError(_("The minor is not 18 on this date."), "closed_on")
    minimum = registry.setting(registry.MINIMUM_SUPPORT_MONTHS.key)
    early = data.closed_on < add_months(enrolment.enrolled_on, minimum)
    if early and reason not in {ClosureReason.TURNED_18, ClosureReason.DECEASED}:
        if not note:
            raise ServiceError(_("Closing before %(n)d months of support needs an explanation.",
                                 n=minimum), "note")
        if actor.role != Role.SCHOOL_ADMIN.value:
            raise ServiceError(_("Closing before %(n)d months of support is confirmed by the "
                                 "deputy head for upbringing: ask them to close the case.",
                                 n=minimum))
        enrolment.closure_confirmed_by_id = actor.id
    previous_stage = enrolment.stage
    enrolment.closed_on = data.closed_on
    enrolment.closure_reason = reason.value
    enrolment.closure_note = note or None
    enrolment.stage = Stage.CLOSED.value
    db.session.add(StageMove(enrolment_id=enrolment.id, from_stage=previous_stage,
                             to_stage=Stage.CLOSED.value, moved_on=data.closed_on,
                             reason=note or None, actor_id=actor.id))
    db.session.flush()
    audit.record(actor, "close", enrolment, enrolment.audit_label,
                 {"stage": [previous_stage, Stage.CLOSED.value], "reason": reason.value,
                  "early": early})
    add_event(enrolment.minor, "closed", data.closed_on, actor, enrolment=enrolment,
              data={"reason": reason.value})
    for hook in CLOSURE_HOOKS:
        hook(actor, enrolment)


# --- incidents -----------------------------------------------------------------------------


def enrolment_on(minor: Minor, day: date) -> Enrolment | None:
    """The enrolment under which the minor was supported on ``day``, if any."""
    return db.session.scalar(select(Enrolment).where(
        Enrolment.minor_id == minor.id, Enrolment.enrolled_on <= day,
        (Enrolment.closed_on.is_(None)) | (Enrolment.closed_on >= day)))


def record_incident(actor: User, minor: Minor, kind: str, occurred_on: date,
                    description: str, today: date) -> Incident:
    """Record an offence, a suicide attempt, self-harm, running away or an expulsion.

    An offence while under support is a repeat offence. A suicide attempt or self-harm
    during an open enrolment raises its crisis flag and calls the crisis hooks.
    """
    if kind not in set(IncidentKind):
        raise ServiceError(_("Choose what happened."), "kind")
    incident_kind = IncidentKind(kind)
    if actor.role == Role.POLICE_INSPECTOR.value and not incident_kind.is_offence:
        raise ServiceError(_("The police record offences; the school records the rest."),
                           "kind")
    if occurred_on > today:
        raise ServiceError(_("The date is in the future."), "occurred_on")
    if occurred_on < minor.birth_date:
        raise ServiceError(_("The date is before the minor's birth."), "occurred_on")
    if not description.strip():
        raise ServiceError(_("Describe what happened."), "description")
    during = enrolment_on(minor, occurred_on)
    incident = Incident(minor_id=minor.id, enrolment_id=during.id if during else None,
                        kind=incident_kind.value, occurred_on=occurred_on,
                        description=description.strip(),
                        is_repeat_offence=incident_kind.is_offence and during is not None,
                        recorded_by_id=actor.id, district_id=minor.district_id)
    db.session.add(incident)
    db.session.flush()
    audit.record(actor, "create", incident, minor.audit_label,
                 {"kind": incident_kind.value, "occurred_on": str(occurred_on)},
                 scope=minor.audit_scope)
    add_event(minor, "incident", occurred_on, actor, enrolment=during,
              data={"kind": incident_kind.value, "repeat": incident.is_repeat_offence},
              clinical=is_clinical_event("incident", {"kind": incident_kind.value}))
    current = open_enrolment(minor)
    if incident_kind.raises_crisis and current is not None:
        if not current.crisis:
            current.crisis = True
            current.crisis_raised_on = occurred_on
            db.session.flush()
            audit.record(actor, "crisis", current, minor.audit_label,
                         {"crisis": [False, True]})
            add_event(minor, "crisis_raised", occurred_on, actor, enrolment=current,
                      data={"kind": incident_kind.value}, clinical=True)
        # Also while the flag stands: an attempt turns an open episode acute.
        for hook in CRISIS_HOOKS:
            hook(actor, current, incident)
    return incident


# --- transfer ------------------------------------------------------------------------------


def request_transfer(actor: User, minor: Minor, to_organisation: Organisation,
                     note: str, today: date) -> Transfer:
    """The sending school hands the case over to the school the minor moved to."""
    if to_organisation.kind not in SCHOOL_KINDS or not to_organisation.is_active:
        raise ServiceError(_("Choose an active school or college."), "to_organisation_id")
    if to_organisation.id == minor.organisation_id:
        raise ServiceError(_("The minor already attends this school."), "to_organisation_id")
    if pending_transfer(minor) is not None:
        raise ServiceError(_("A hand-over of this minor is already waiting."))
    transfer = Transfer(minor=minor, from_organisation_id=minor.organisation_id,
                        to_organisation_id=to_organisation.id, note=note.strip() or None,
                        requested_by_id=actor.id)
    db.session.add(transfer)
    db.session.flush()
    audit.record(actor, "transfer_requested", transfer, minor.audit_label,
                 {"to_organisation_id": to_organisation.id}, scope=minor.audit_scope)
    audit.record(actor, "transfer_requested", transfer, minor.audit_label,
                 {"from_organisation_id": minor.organisation_id},
                 scope=(to_organisation.district_id, to_organisation.id))
    add_event(minor, "transfer_requested", today, actor,
              data={"to": to_organisation.name_kk, "to_ru": to_organisation.name_ru})
    return transfer


def pending_transfer(minor: Minor) -> Transfer | None:
    return db.session.scalar(select(Transfer).where(
        Transfer.minor_id == minor.id, Transfer.status == TransferStatus.PENDING.value))


def _move_placement(enrolment: Enrolment, to_org, today: date) -> None:
    """The case is held at ``to_org`` from ``today`` on (reports count it there)."""
    held = db.session.scalars(select(Placement).where(
        Placement.enrolment_id == enrolment.id, Placement.to_date.is_(None))).all()
    for placement in held:
        if placement.from_date >= today:
            db.session.delete(placement)  # handed on the same day it arrived
        else:
            placement.to_date = today
    db.session.add(Placement(enrolment_id=enrolment.id, organisation_id=to_org.id,
                             district_id=to_org.district_id, from_date=today))


def accept_transfer(actor: User, transfer: Transfer, responsible_id: int | None,
                    today: date) -> None:
    """The receiving school's administrator takes the case over; the history moves along."""
    if transfer.status != TransferStatus.PENDING.value:
        raise ServiceError(_("This hand-over is no longer waiting."))
    if actor.organisation_id != transfer.to_organisation_id:
        raise ServiceError(_("Only the receiving school accepts a hand-over."))
    if transfer.minor.organisation_id != transfer.from_organisation_id:
        raise ServiceError(_("The minor no longer attends the school that asked for this "
                             "hand-over."))
    if actor.role != Role.SCHOOL_ADMIN.value:
        raise ServiceError(_("The deputy head for upbringing accepts a hand-over."))
    minor, to_org = transfer.minor, transfer.to_organisation
    from_scope = minor.audit_scope
    minor.organisation_id, minor.district_id = to_org.id, to_org.district_id
    enrolment = open_enrolment(minor)
    transfer.status = TransferStatus.ACCEPTED.value
    transfer.decided_by_id, transfer.decided_at = actor.id, _now()
    db.session.flush()
    if enrolment is not None:
        enrolment.organisation_id, enrolment.district_id = to_org.id, to_org.district_id
        _move_placement(enrolment, to_org, today)
        for hook in TRANSFER_HOOKS:
            hook(actor, enrolment, transfer.from_organisation, to_org, today)
        enrolment.responsible_id = None
        enrolment.coworkers = []
        db.session.flush()
        if responsible_id:
            assign_specialist(actor, enrolment, responsible_id, [], today, None)
    for scope in (from_scope, (to_org.district_id, to_org.id)):
        audit.record(actor, "transfer_accepted", transfer, minor.audit_label,
                     {"organisation_id": [transfer.from_organisation_id, to_org.id]},
                     scope=scope)
    add_event(minor, "transfer_accepted", today, actor, enrolment=enrolment,
              data={"to": to_org.name_kk, "to_ru": to_org.name_ru})


def decline_transfer(actor: User, transfer: Transfer, note: str) -> None:
    if transfer.status != TransferStatus.PENDING.value:
        raise ServiceError(_("This hand-over is no longer waiting."))
    if actor.organisation_id not in {transfer.to_organisation_id,
                                     transfer.from_organisation_id}:
        raise ServiceError(_("Only the two schools decide on a hand-over."))
    cancelled = actor.organisation_id == transfer.from_organisation_id
    transfer.status = (TransferStatus.CANCELLED if cancelled else TransferStatus.DECLINED).value
    transfer.decided_by_id, transfer.decided_at = actor.id, _now()
    transfer.decision_note = note.strip() or None
    db.session.flush()
    audit.record(actor, f"transfer_{transfer.status}", transfer, transfer.minor.audit_label,
                 {"status": [TransferStatus.PENDING.value, transfer.status]},
                 scope=transfer.minor.audit_scope)


def _now():
    return utcnow()
