"""The demo region's diagnostics: anxiety, aggression and suicide risk for every case.

Each enrolment is assessed at enrolment (before it leaves the initial stage), again at
the end of active rehabilitation and at the end of follow-up, when it got that far, as
the stage requirements ask. Answers are drawn from a seeded severity per construct, so
most minors improve from one assessment to the next and some do not; they are scored
with the library's scorer, and written in bulk like the rest of the demo.

The suicide-risk screens all come back negative here: positive and acute screens belong
to the crisis cases of the demo's protocol step, with their checklist and safety plan.
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import insert, select

from juvenile.accounts.models import Role, User
from juvenile.cases import dates
from juvenile.cases.models import CaseEvent, Enrolment, Minor, Stage, StageMove
from juvenile.demo.case_rows import stamp
from juvenile.diagnostics import library, scoring
from juvenile.diagnostics.models import Assessment, Instrument, InstrumentVersion
from juvenile.extensions import db

if TYPE_CHECKING:  # the builder imports this module for its list of steps
    from juvenile.demo.builder import DemoRegion

SEED = 4004
#: Share of enrolments whose every construct improves from one assessment to the next.
IMPROVING = 0.75
WORSENING = 0.1
OVERRIDE_REASON = {"kk": "Сұрақтар оқылып, түсіндірілді", "ru": "Вопросы зачитаны с пояснениями"}


@dataclass
class Course:
    """What the step needs of one enrolment."""

    id: int
    minor_id: int
    organisation_id: int
    district_id: int | None
    enrolled_on: date
    closed_on: date | None
    closure_reason: str | None
    birth_date: date
    lang: str


def build_library(demo: "DemoRegion") -> None:
    """The instrument library the demo region scores with (version 1 of each key)."""
    library.ensure_library()


def build_assessments(demo: "DemoRegion") -> None:
    """Assessments at enrolment and the repeats, for every enrolment of the demo."""
    today = dates.today()
    rng = random.Random(SEED)
    versions = _versions()
    psychologists = _psychologists()
    moves = _moves()
    rows = []
    for course in _courses():
        psychologist = psychologists.get(course.organisation_id)
        if psychologist is None:
            continue
        plan = None
        for stage, day in _occasions(rng, course, moves[course.id], today):
            plan = plan or _plan(rng, _age(course, day))
            rows += _administer(rng, course, plan, stage, day, versions, psychologist)
    if rows:
        db.session.execute(insert(Assessment.__table__), rows)
        names = {v.id: v.definition["name"] for v in versions.values()}
        db.session.execute(insert(CaseEvent.__table__), [_event(row, names) for row in rows])


# --- what the database already holds --------------------------------------------------


def _versions() -> dict[str, InstrumentVersion]:
    rows = db.session.execute(select(Instrument.code, InstrumentVersion)
                              .join(InstrumentVersion,
                                    InstrumentVersion.instrument_id == Instrument.id)
                              .where(InstrumentVersion.number == 1)).all()
    return {code: version for code, version in rows}


def _psychologists() -> dict[int, int]:
    """organisation id -> its first psychologist's id."""
    found: dict[int, int] = {}
    for org_id, user_id in db.session.execute(
            select(User.organisation_id, User.id).where(User.role == Role.PSYCHOLOGIST.value)
            .order_by(User.id)):
        found.setdefault(org_id, user_id)
    return found


def _moves() -> dict[int, dict[str, tuple[str, date]]]:
    """enrolment id -> {stage left: (the stage it went to, the day)}."""
    left: dict[int, dict[str, tuple[str, date]]] = defaultdict(dict)
    for enrolment_id, from_stage, to_stage, moved_on in db.session.execute(
            select(StageMove.enrolment_id, StageMove.from_stage, StageMove.to_stage,
                   StageMove.moved_on).where(StageMove.from_stage != StageMove.to_stage)):
        left[enrolment_id][from_stage] = (to_stage, moved_on)
    return left


def _courses() -> list[Course]:
    rows = db.session.execute(
        select(Enrolment.id, Enrolment.minor_id, Enrolment.organisation_id,
               Enrolment.district_id, Enrolment.enrolled_on, Enrolment.closed_on,
               Enrolment.closure_reason, Minor.birth_date, Minor.schooling_language)
        .join(Minor, Minor.id == Enrolment.minor_id)
        .order_by(Enrolment.id))
    return [Course(*row) for row in rows]


# --- when, what and which answers ----------------------------------------------------


def _within(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max((last - first).days, 0)))


def _occasions(rng: random.Random, course: Course, left: dict[str, tuple[str, date]],
               today: date) -> list[tuple[str, date]]:
    """(stage, day) of each assessment: at enrolment, at the end of active rehabilitation
    and at the end of follow-up, when the case got that far (the stage requirements)."""
    end = course.closed_on or today
    initial_end = left.get(Stage.INITIAL.value, (None, end))[1]
    occasions = []
    if Stage.INITIAL.value in left or rng.random() < 0.8:
        last = min(initial_end, course.enrolled_on + timedelta(days=10), today)
        occasions.append((Stage.INITIAL.value, _within(rng, course.enrolled_on, last)))
    repeats = {Stage.ACTIVE.value: Stage.FOLLOW_UP.value, Stage.FOLLOW_UP.value: Stage.CLOSED.value}
    for stage, next_stage in repeats.items():
        to, ended = left.get(stage, (None, None))
        if to != next_stage or (to == Stage.CLOSED.value
                                and course.closure_reason != "completed"):
            continue
        started = max(day for _s, day in occasions) if occasions else course.enrolled_on
        occasions.append((stage, _within(rng, max(started, ended - timedelta(days=12)), ended)))
    return occasions


def _age(course: Course, day: date) -> int:
    born = course.birth_date
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _plan(rng: random.Random, age: int) -> dict:
    """The instrument of each construct (the same for the repeats, so results compare),
    the minor's severity on each, and how it moves from one assessment to the next."""
    anxiety = ("phillips" if age <= 13 else "scared" if age <= 15 else
               rng.choice(["stai_khanin", "gad7"]))
    if age >= 12 and rng.random() < 0.2:
        anxiety = "gad7"
    aggression = "bass_darky" if age >= 14 and rng.random() < 0.7 else "buss_perry"
    suicide = "asq" if age < 12 else rng.choices(["phq_a", "osr", "asq"], [4, 3, 3])[0]
    draw = rng.random()
    step = (-rng.uniform(0.15, 0.35) if draw < IMPROVING else
            rng.uniform(0.05, 0.2) if draw < IMPROVING + WORSENING else 0.0)
    return {"anxiety": anxiety, "aggression": aggression, "suicide_risk": suicide,
            "severity": {c: min(0.95, max(0.05, rng.betavariate(2.6, 2.0)))
                         for c in ("anxiety", "aggression", "suicide_risk")},
            "step": step, "taken": 0}


def _scored_answer(definition: dict, item: int) -> tuple[str, str]:
    """(the answer that scores towards the construct, the other extreme)."""
    spec = definition["answers"]
    if spec["type"] == "yes_no":
        keyed = definition.get("key", {}).get(str(item), scoring.YES)
        other = scoring.NO if keyed == scoring.YES else scoring.YES
        return (other, keyed) if definition.get("count") == "mismatch" else (keyed, other)
    against = any(item in s.get("reverse", []) or item in s.get("minus", [])
                  for s in definition["scales"])
    high, low = str(spec["max"]), str(spec["min"])
    return (low, high) if against else (high, low)


def _answers(rng: random.Random, definition: dict, severity: float) -> dict[int, str]:
    spec = definition["answers"]
    answers = {}
    for item in range(1, definition["items"] + 1):
        towards, away = _scored_answer(definition, item)
        if spec["type"] == "yes_no":
            answers[item] = towards if rng.random() < severity else away
            continue
        share = min(1.0, max(0.0, rng.gauss(severity, 0.22)))
        value = round(share * (spec["max"] - spec["min"]))
        answers[item] = str(spec["min"] + value if int(towards) == spec["max"]
                            else spec["max"] - value)
    return answers


def _safe(code: str, answers: dict[int, str]) -> dict[int, str]:
    """Keep the suicide-risk screens negative (see the module's docstring)."""
    if code == "asq":
        return dict.fromkeys(range(1, 5), scoring.NO)
    if code == "phq_a":
        answers[9] = "0"
    return answers


def _judgement(construct: str, severity: float) -> str:
    """The psychologist's level where the instrument has no cut-offs. A high suicide risk
    would start the safety protocol: that belongs to the demo's crisis cases."""
    if severity < 0.35 or (construct == "suicide_risk" and severity < 0.5):
        return "low"
    return "moderate" if severity < 0.65 or construct == "suicide_risk" else "high"


def _administer(rng: random.Random, course: Course, plan: dict, stage: str, day: date,
                versions: dict[str, InstrumentVersion], psychologist: int) -> list[dict]:
    age = _age(course, day)
    rows = []
    for construct in ("anxiety", "aggression", "suicide_risk"):
        code = plan[construct]
        version = versions[code]
        definition = version.definition
        severity = min(0.95, max(0.03, plan["severity"][construct] + plan["step"] * plan[
            "taken"] + rng.gauss(0, 0.04)))
        if construct == "suicide_risk":
            severity *= 0.7
        answers = _safe(code, _answers(rng, definition, severity))
        result = scoring.score(definition, answers)
        youngest, oldest = (definition.get("age") or {}).get("min"), (
            definition.get("age") or {}).get("max")
        outside = (youngest is not None and age < youngest) or (
            oldest is not None and age > oldest)
        rows.append({
            "minor_id": course.minor_id, "enrolment_id": course.id,
            "instrument_version_id": version.id, "construct": construct,
            "administered_on": day, "administered_by_id": psychologist, "stage": stage,
            "answers": {str(n): a for n, a in answers.items()}, "scores": result.scores,
            "level": result.level or _judgement(construct, severity),
            "screen_result": result.screen,
            "age_override_reason": OVERRIDE_REASON.get(course.lang, OVERRIDE_REASON["ru"])
            if outside else None,
            "created_at": stamp(rng, day), "district_id": course.district_id,
            "organisation_id": course.organisation_id, "version": 1,
        })
    plan["taken"] += 1
    return rows


def _event(row: dict, names: dict[int, dict]) -> dict:
    """The timeline line the assessment service writes."""
    name = names[row["instrument_version_id"]]
    return {"minor_id": row["minor_id"], "enrolment_id": row["enrolment_id"],
            "occurred_on": row["administered_on"], "kind": "assessment",
            "data": {"name": name["kk"], "name_ru": name["ru"],
                     "construct": row["construct"], "level": row["level"]},
            "clinical": True, "actor_id": row["administered_by_id"], "at": row["created_at"]}
