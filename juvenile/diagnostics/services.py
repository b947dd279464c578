"""Recording assessments: dates, age range, answers scored by the one scorer, the level,
the crisis a screen raises, rescoring with a newer key, and the repeat diagnostics each
stage requires. Item answers are clinical: they never enter the audit trail."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from juvenile.accounts.models import User
from juvenile.audit import labels as audit_labels
from juvenile.audit import services as audit
from juvenile.cases import services as case_services
from juvenile.cases.models import Enrolment, Minor, Stage
from juvenile.cases.stages import requirement
from juvenile.cases.timeline import register_kind
from juvenile.diagnostics import library, protocol, scoring
from juvenile.diagnostics.models import (
    Assessment,
    Construct,
    InstrumentVersion,
    Level,
)
from juvenile.errors import ServiceError, check_version
from juvenile.extensions import db

POSITIVE_SCREENS = ("positive", "acute")
MAX_CUSTOM_SCORES = 12

audit_labels.ACTION_LABELS.update({"rescore": _l("rescored with the current key")})
audit_labels.OBJECT_LABELS.update({"assessments": _l("Assessment")})


@dataclass
class AssessmentData:
    """What the psychologist typed. ``answers`` maps item numbers to the typed answer."""

    administered_on: date
    answers: dict[int, str] = field(default_factory=dict)
    #: The psychologist's level: required when the instrument gives none.
    level: str | None = None
    age_override_reason: str = ""
    #: "Clinical judgement: acute risk" ticked.
    judgement_acute: bool = False
    notes: str = ""
    #: An instrument the library does not know: its name, construct and raw scores.
    custom_name: str = ""
    construct: str = ""
    raw_scores: list[tuple[str, str]] = field(default_factory=list)


# --- checks -----------------------------------------------------------------------------


def _check_date(minor: Minor, enrolment: Enrolment | None, day: date, today: date) -> None:
    if day > today:
        raise ServiceError(_("The date is in the future."), "administered_on")
    if day < minor.birth_date:
        raise ServiceError(_("The date is before the minor's birth."), "administered_on")
    if enrolment is not None and day < enrolment.enrolled_on:
        raise ServiceError(_("The date is before the enrolment (%(date)s).",
                             date=enrolment.enrolled_on.isoformat()), "administered_on")


def age_range(definition: dict) -> tuple[int | None, int | None]:
    """(youngest, oldest) age in years the instrument is meant for; None where open."""
    age = definition.get("age") or {}
    if isinstance(age, list | tuple):
        return (age[0] if age else None), (age[1] if len(age) > 1 else None)
    return age.get("min"), age.get("max")


def _check_age(minor: Minor, definition: dict, day: date, reason: str) -> None:
    youngest, oldest = age_range(definition)
    age = minor.age_on(day)
    outside = (youngest is not None and age < youngest) or (oldest is not None and age > oldest)
    if outside and not reason:
        raise ServiceError(_("The minor is %(age)d: outside the instrument's age range "
                             "(%(range)s). Give a reason to use it all the same.",
                             age=age, range=age_text(definition)), "age_override_reason")


def age_text(definition: dict) -> str:
    youngest, oldest = age_range(definition)
    if youngest is not None and oldest is not None:
        return f"{youngest}–{oldest}"
    if youngest is not None:
        return f"{youngest}+"
    return f"≤{oldest}" if oldest is not None else "—"


def is_yes_no(definition: dict) -> bool:
    return definition["answers"]["type"] == "yes_no"


def allowed_answers(definition: dict) -> list[str]:
    """The answers an item of the instrument takes, as typed: y/n or the scale's digits,
    and r where a refusal to answer counts."""
    spec = definition["answers"]
    typed = ([scoring.YES, scoring.NO] if is_yes_no(definition)
             else [str(n) for n in range(spec["min"], spec["max"] + 1)])
    return typed + ([scoring.REFUSED] if spec.get("refusal") else [])


def has_own_levels(definition: dict) -> bool:
    """Whether the key gives a level (cut-offs or a screen); if not, the psychologist does."""
    screen = definition.get("screen") or {}
    return bool(definition.get("levels") or screen.get("levels"))


def _items_text(numbers) -> str:
    return ", ".join(str(n) for n in sorted(int(n) for n in numbers))


def score_answers(definition: dict, answers: dict[int, str]) -> scoring.ScoreResult:
    """Score, refusing answers out of range and answers missing beyond what the instrument
    allows, each with the item numbers."""
    result = scoring.score(definition, answers)
    if result.invalid:
        raise ServiceError(_("Answers out of range on items: %(items)s.",
                             items=_items_text(result.invalid)), "answers")
    if not result.complete:
        raise ServiceError(_("Too many items are unanswered for this instrument. "
                             "Missing: %(items)s.", items=_items_text(result.missing)),
                           "answers")
    return result


def _check_level(level: str | None) -> str:
    if level not in set(Level):
        raise ServiceError(_("Choose the level in your judgement."), "level")
    return level


# --- recording --------------------------------------------------------------------------


def record_assessment(actor: User, minor: Minor, version: InstrumentVersion | None,
                      data: AssessmentData, today: date) -> Assessment:
    """Record one administration of an instrument (``version`` None: one the library does
    not know). A positive or acute screen, or the psychologist's judgement of acute risk,
    raises the case's crisis flag."""
    enrolment = case_services.open_enrolment(minor)
    _check_date(minor, enrolment, data.administered_on, today)
    reason = data.age_override_reason.strip()
    if version is None:
        assessment = _custom_assessment(data)
    else:
        assessment = _scored_assessment(minor, version, data, reason)
    assessment.minor_id, assessment.enrolment_id = minor.id, (
        enrolment.id if enrolment else None)
    assessment.administered_on, assessment.administered_by_id = data.administered_on, actor.id
    assessment.stage = enrolment.stage if enrolment else None
    assessment.notes = data.notes.strip() or None
    assessment.organisation_id, assessment.district_id = (minor.organisation_id,
                                                          minor.district_id)
    db.session.add(assessment)
    db.session.flush()
    audit.record(actor, "create", assessment, minor.audit_label, _audited(assessment))
    case_services.add_event(minor, "assessment", data.administered_on, actor,
                            enrolment=enrolment, data=_event_data(assessment),
                            clinical=True)
    _raise_crisis(actor, enrolment, assessment, data.judgement_acute, today)
    return assessment


def _scored_assessment(minor: Minor, version: InstrumentVersion, data: AssessmentData,
                       reason: str) -> Assessment:
    definition = version.definition
    _check_age(minor, definition, data.administered_on, reason)
    result = score_answers(definition, data.answers)
    level = result.level or _check_level(data.level)
    youngest, oldest = age_range(definition)
    age = minor.age_on(data.administered_on)
    inside = (youngest is None or age >= youngest) and (oldest is None or age <= oldest)
    return Assessment(
        instrument_version_id=version.id, construct=version.instrument.construct,
        answers={str(n): a for n, a in sorted(data.answers.items()) if a not in (None, "")},
        scores=dict(result.scores), level=level, screen_result=result.screen,
        age_override_reason=None if inside else reason)


def _custom_assessment(data: AssessmentData) -> Assessment:
    name = data.custom_name.strip()
    if not name:
        raise ServiceError(_("Name the instrument."), "custom_name")
    if data.construct not in set(Construct):
        raise ServiceError(_("Choose what the instrument measures."), "construct")
    scores = {}
    for scale, value in data.raw_scores:
        scale, value = (scale or "").strip(), (value or "").strip()
        if scale or value:
            if not (scale and value):
                raise ServiceError(_("Give each score with the name of its scale."),
                                   "raw_scores")
            scores[scale[:100]] = value[:50]
    if len(scores) > MAX_CUSTOM_SCORES:
        raise ServiceError(_("At most %(n)d scores.", n=MAX_CUSTOM_SCORES), "raw_scores")
    return Assessment(custom_name=name[:200], construct=data.construct, answers=None,
                      scores=scores or None, level=_check_level(data.level))


def _audited(assessment: Assessment) -> dict:
    """What the trail keeps of a new assessment: never the answers, nor the note."""
    version = assessment.instrument_version
    return {"instrument": version.instrument.code if version else assessment.custom_name,
            "version": version.number if version else None,
            "administered_on": assessment.administered_on.isoformat(),
            "level": assessment.level, "screen_result": assessment.screen_result,
            "age_override_reason": assessment.age_override_reason}


def _event_data(assessment: Assessment) -> dict:
    version = assessment.instrument_version
    names = ({"name": version.instrument.name_kk, "name_ru": version.instrument.name_ru}
             if version else {"name": assessment.custom_name})
    return names | {"construct": assessment.construct, "level": assessment.level}


def _crisis_trigger(assessment: Assessment, judgement_acute: bool) -> tuple[str, str] | None:
    """(trigger, severity) for protocol.raise_crisis, or None when nothing is raised."""
    screen = assessment.screen_result
    version = assessment.instrument_version
    code = version.instrument.code if version else ""
    if screen == "acute":
        return "asq_acute", "acute"
    if judgement_acute:
        return "judgement", "acute"
    if screen == "positive":
        return ("phq_item9" if code.startswith("phq") else "asq_positive"), "positive"
    return None


def _raise_crisis(actor: User, enrolment: Enrolment | None, assessment: Assessment,
                  judgement_acute: bool, today: date) -> None:
    raised = _crisis_trigger(assessment, judgement_acute)
    if raised is None or enrolment is None:
        return
    trigger, severity = raised
    protocol.raise_crisis(actor, enrolment, trigger=trigger, severity=severity, today=today,
                          assessment=assessment)


def screen_without_case(assessment: Assessment, judgement_acute: bool = False) -> bool:
    """A positive screen of a minor not in the programme: no episode could be opened."""
    return (assessment.enrolment_id is None
            and _crisis_trigger(assessment, judgement_acute) is not None)


# --- rescoring --------------------------------------------------------------------------


def is_current(assessment: Assessment) -> bool:
    version = assessment.instrument_version
    if version is None:
        return True
    return library.current_version(version.instrument).id == version.id


def rescore(actor: User, assessment: Assessment, today: date,
            expected_version: int | None = None) -> Assessment:
    """Score the stored answers again with the instrument's current key; the audit entry
    keeps the old result. A screen that becomes positive raises the crisis flag."""
    check_version(assessment, expected_version)
    old = assessment.instrument_version
    if old is None or not assessment.answers:
        raise ServiceError(_("Only answers entered item by item can be rescored."))
    current = library.current_version(old.instrument)
    if current.id == old.id:
        raise ServiceError(_("The result is already scored with the current key."))
    answers = {int(n): a for n, a in assessment.answers.items()}
    try:
        result = score_answers(current.definition, answers)
    except ServiceError as refusal:
        raise ServiceError(_("The stored answers do not fit the current key: %(why)s",
                             why=refusal.message)) from None
    before = {"version": old.number, "scores": assessment.scores,
              "level": assessment.level, "screen_result": assessment.screen_result}
    assessment.instrument_version_id, assessment.instrument_version = current.id, current
    assessment.scores = dict(result.scores)
    # An instrument without cut-offs keeps the level the psychologist chose.
    assessment.level = result.level or assessment.level
    assessment.screen_result = result.screen
    db.session.flush()
    after = {"version": current.number, "scores": assessment.scores,
             "level": assessment.level, "screen_result": assessment.screen_result}
    minor = db.session.get(Minor, assessment.minor_id)
    audit.record(actor, "rescore", assessment, minor.audit_label, audit.diff(before, after))
    if result.screen in POSITIVE_SCREENS and before["screen_result"] != result.screen:
        enrolment = case_services.open_enrolment(minor)
        if enrolment is not None and enrolment.id == assessment.enrolment_id:
            _raise_crisis(actor, enrolment, assessment, False, today)
    return assessment


# --- the timeline -----------------------------------------------------------------------


def _instrument_name(data: dict) -> str:
    from flask_babel import get_locale

    locale = get_locale()
    if locale is not None and locale.language == "ru" and data.get("name_ru"):
        return data["name_ru"]
    return data["name"]


register_kind("assessment", _l("Assessment"),
              lambda d: _("Assessment: %(instrument)s; %(construct)s, level %(level)s.",
                          instrument=_instrument_name(d),
                          construct=Construct(d["construct"]).label,
                          level=Level(d["level"]).label))


# --- what each stage requires -----------------------------------------------------------


def constructs_assessed(enrolment: Enrolment, stage: Stage | None = None) -> set[str]:
    """Constructs assessed under this enrolment (in one stage, when given)."""
    stmt = select(Assessment.construct).distinct().where(
        Assessment.enrolment_id == enrolment.id,
        Assessment.administered_on >= enrolment.enrolled_on)
    if stage is not None:
        stmt = stmt.where(Assessment.stage == stage.value)
    return set(db.session.scalars(stmt))


def _each_construct(enrolment: Enrolment, stage: Stage | None) -> bool:
    return set(Construct) <= constructs_assessed(enrolment, stage)


@requirement(Stage.INITIAL, "initial_diagnostics",
             lambda s: str(_l("Initial diagnostics: anxiety, aggression and suicide risk "
                              "assessed")))
def _initial_diagnostics(enrolment, today, settings):
    return _each_construct(enrolment, None)


@requirement(Stage.ACTIVE, "repeat_diagnostics_active",
             lambda s: str(_l("Repeat diagnostics at the end of active rehabilitation: "
                              "anxiety, aggression and suicide risk")))
def _repeat_active(enrolment, today, settings):
    return _each_construct(enrolment, Stage.ACTIVE)


@requirement(Stage.FOLLOW_UP, "repeat_diagnostics_follow_up",
             lambda s: str(_l("Repeat diagnostics at the end of follow-up: anxiety, "
                              "aggression and suicide risk")))
def _repeat_follow_up(enrolment, today, settings):
    return _each_construct(enrolment, Stage.FOLLOW_UP)

