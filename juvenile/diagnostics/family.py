"""Rules of the family environment analysis and of the specialist's conclusion on the
social-psychological portrait. Every change is audited here; a new analysis goes on the
case timeline (as a clinical line: the police and the commission never see it)."""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from juvenile.accounts.models import Role, User
from juvenile.audit import services as audit
from juvenile.cases.models import Enrolment, LabelledEnum, Minor
from juvenile.cases.services import add_event, open_enrolment
from juvenile.cases.timeline import register_kind
from juvenile.dbtypes import utcnow
from juvenile.diagnostics.models import FamilyAnalysis, PortraitConclusion
from juvenile.errors import ConflictError, ServiceError, check_version, stale_record_message
from juvenile.extensions import db

# The same scales as the living-conditions act's (one definition, one translation).
from juvenile.familywork.models import Condition as MaterialConditions
from juvenile.familywork.models import Supervision

#: Roles that record the family analysis (INSTRUMENTS/PROGRAMME: the school's specialists).
FAMILY_RECORDERS = frozenset({Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE})


class _Choice(LabelledEnum):
    """A choice of the family analysis, with its translated label."""

    @classmethod
    def labels(cls) -> dict:
        return _LABELS[cls]


class ParentingStyle(_Choice):
    AUTHORITATIVE = "authoritative"
    AUTHORITARIAN = "authoritarian"
    PERMISSIVE = "permissive"
    NEGLECTFUL = "neglectful"
    INCONSISTENT = "inconsistent"


class Conflict(_Choice):
    NONE = "none"
    OCCASIONAL = "occasional"
    FREQUENT = "frequent"


_LABELS: dict[type, dict] = {
    ParentingStyle: {ParentingStyle.AUTHORITATIVE: _l("authoritative (warm, with clear rules)"),
                     ParentingStyle.AUTHORITARIAN: _l("authoritarian (strict, little warmth)"),
                     ParentingStyle.PERMISSIVE: _l("permissive (warm, few rules)"),
                     ParentingStyle.NEGLECTFUL: _l("neglectful (little warmth, few rules)"),
                     ParentingStyle.INCONSISTENT: _l("inconsistent")},
    Conflict: {Conflict.NONE: _l("no conflict"), Conflict.OCCASIONAL: _l("occasional conflict"),
               Conflict.FREQUENT: _l("frequent conflict")},
}

FAMILY_FIELDS = ["recorded_on", "household", "parenting_style", "conflict",
                 "violence_or_neglect_signs", "violence_or_neglect_note", "substance_use",
                 "substance_use_note", "material_conditions", "supervision", "risk_factors",
                 "protective_factors"]
CONCLUSION_FIELDS = ["strengths", "conclusion"]


@dataclass
class FamilyData:
    recorded_on: date
    household: str
    parenting_style: str
    conflict: str
    violence_or_neglect_signs: bool
    violence_or_neglect_note: str | None
    substance_use: bool
    substance_use_note: str | None
    material_conditions: str
    supervision: str
    risk_factors: str | None
    protective_factors: str | None


def may_record_family(user: User, minor: Minor) -> bool:
    """The psychologists and social pedagogues of the minor's school."""
    return (user.is_authenticated and user.role_enum in FAMILY_RECORDERS
            and minor.organisation_id == user.organisation_id)


def may_conclude(user: User, enrolment: Enrolment) -> bool:
    """The portrait's conclusion: the responsible specialist and the school's psychologists."""
    if not user.is_authenticated:
        return False
    if enrolment.responsible_id == user.id:
        return True
    return (user.role_enum is Role.PSYCHOLOGIST
            and enrolment.organisation_id == user.organisation_id)


def _validate_family(minor: Minor, data: FamilyData, today: date) -> None:
    if data.recorded_on > today:
        raise ServiceError(_("The date is in the future."), "recorded_on")
    if data.recorded_on < minor.birth_date:
        raise ServiceError(_("The date is before the minor's birth."), "recorded_on")
    if not (data.household or "").strip():
        raise ServiceError(_("Say who lives with the minor."), "household")
    for name, enum in (("parenting_style", ParentingStyle), ("conflict", Conflict),
                       ("material_conditions", MaterialConditions),
                       ("supervision", Supervision)):
        if getattr(data, name) not in set(enum):
            raise ServiceError(_("Choose one of the options."), name)
    if data.violence_or_neglect_signs and not (data.violence_or_neglect_note or "").strip():
        raise ServiceError(_("Describe the signs of violence or neglect."),
                           "violence_or_neglect_note")
    if data.substance_use and not (data.substance_use_note or "").strip():
        raise ServiceError(_("Describe the substance use."), "substance_use_note")


def _apply(analysis: FamilyAnalysis, data: FamilyData) -> None:
    for name, value in data.__dict__.items():
        setattr(analysis, name, value.strip() if isinstance(value, str) else value)
    # A note belongs to a "yes": a "no" keeps no stale description behind it.
    if not data.violence_or_neglect_signs:
        analysis.violence_or_neglect_note = None
    if not data.substance_use:
        analysis.substance_use_note = None
    analysis.risk_factors = analysis.risk_factors or None
    analysis.protective_factors = analysis.protective_factors or None


def _check_recorder(actor: User, minor: Minor) -> None:
    if not may_record_family(actor, minor):
        raise ServiceError(_("The family analysis is recorded by the psychologists and social "
                             "pedagogues of the minor's school."))


def record_family_analysis(actor: User, minor: Minor, data: FamilyData,
                           today: date) -> FamilyAnalysis:
    """Record an analysis of the minor's family environment; it joins the open case."""
    _check_recorder(actor, minor)
    _validate_family(minor, data, today)
    enrolment = open_enrolment(minor)
    analysis = FamilyAnalysis(minor_id=minor.id, recorded_by_id=actor.id,
                              enrolment_id=enrolment.id if enrolment else None,
                              organisation_id=minor.organisation_id,
                              district_id=minor.district_id)
    _apply(analysis, data)
    db.session.add(analysis)
    db.session.flush()
    audit.record(actor, "create", analysis, minor.audit_label,
                 audit.snapshot(analysis, FAMILY_FIELDS))
    add_event(minor, "family_analysis", data.recorded_on, actor, enrolment=enrolment,
              clinical=True)
    return analysis


def update_family_analysis(actor: User, analysis: FamilyAnalysis, minor: Minor,
                           data: FamilyData, expected_version: int | None,
                           today: date) -> FamilyAnalysis:
    """Correct an analysis; the row's version moves and the audit keeps what changed."""
    check_version(analysis, expected_version)
    _check_recorder(actor, minor)
    _validate_family(minor, data, today)
    before = audit.snapshot(analysis, FAMILY_FIELDS)
    _apply(analysis, data)
    db.session.flush()
    changes = audit.diff(before, audit.snapshot(analysis, FAMILY_FIELDS))
    if changes:
        audit.record(actor, "update", analysis, minor.audit_label, changes)
    return analysis


def conclusion_of(enrolment: Enrolment) -> PortraitConclusion | None:
    return db.session.scalar(select(PortraitConclusion)
                             .where(PortraitConclusion.enrolment_id == enrolment.id))


def save_conclusion(actor: User, enrolment: Enrolment, strengths: str | None,
                    conclusion: str | None, expected_version: int | None) -> PortraitConclusion:
    """Write the strengths and the specialist's conclusion of the enrolment's portrait.

    ``expected_version`` is None when the form was opened before any conclusion existed:
    if one was saved meanwhile, the save is refused rather than overwriting it.
    """
    if not may_conclude(actor, enrolment):
        raise ServiceError(_("The conclusion is written by the responsible specialist or a "
                             "psychologist of the school."))
    record = conclusion_of(enrolment)
    if record is None and not (strengths or "").strip() and not (conclusion or "").strip():
        raise ServiceError(_("Write the strengths or the conclusion."), "conclusion")
    if record is None:
        record = PortraitConclusion(enrolment_id=enrolment.id,
                                    organisation_id=enrolment.organisation_id,
                                    district_id=enrolment.district_id)
        db.session.add(record)
        before, action = {}, "create"
    else:
        if expected_version is None:
            raise ConflictError(stale_record_message())
        check_version(record, expected_version)
        before, action = audit.snapshot(record, CONCLUSION_FIELDS), "update"
    record.strengths = (strengths or "").strip() or None
    record.conclusion = (conclusion or "").strip() or None
    record.updated_by_id = actor.id
    record.updated_at = utcnow()
    db.session.flush()
    changes = audit.diff(before, audit.snapshot(record, CONCLUSION_FIELDS))
    if changes:
        audit.record(actor, action, record, enrolment.audit_label, changes)
    return record


register_kind("family_analysis", _l("Family analysis"),
              lambda d: _("The family environment was analysed."))
