"""The demo's enrolments as the programme step needs them, read from what the earlier
steps wrote: stages and their moves, target groups, the family analysis, the school's
staff, the district's partner organisations, representatives and crisis episodes."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from juvenile.accounts.models import Organisation, Role, User
from juvenile.cases.models import (
    Enrolment,
    LegalRepresentative,
    Minor,
    Stage,
    StageMove,
    enrolment_groups,
)
from juvenile.diagnostics.models import CrisisEpisode, FamilyAnalysis
from juvenile.extensions import db

if TYPE_CHECKING:
    from juvenile.demo.programme import Version

PARTNER_KINDS = ("health", "police", "social_protection", "college")


@dataclass
class School:
    """The staff of one school or college, and its name."""

    psychologist: tuple[int, str]
    pedagogue: tuple[int, str]
    deputy: tuple[int, str]
    name: tuple[str, str]


@dataclass
class Course:
    """One enrolment, with what the step plans for it."""

    id: int
    minor_id: int
    organisation_id: int
    district_id: int | None
    enrolled_on: date
    closed_on: date | None
    closure_reason: str | None
    stage: str
    responsible_id: int | None
    assigned_at: datetime | None
    crisis_on: date | None
    police_inspector: str | None
    lang: str
    birth_date: date
    sex: str
    given_name: str
    surname: str
    address: str
    org_kind: str
    today: date
    groups: set[int] = field(default_factory=set)
    #: stage left for the next one -> the day (extensions and the closure are not moves on)
    moved: dict[str, date] = field(default_factory=dict)
    family: tuple | None = None  # (material, supervision, conflict, violence, substance)
    not_attending: bool = False
    versions: list["Version"] = field(default_factory=list)
    records: list = field(default_factory=list)
    #: What the programme's hand-marked lines brought about: {"leisure": (...), ...}
    hints: dict = field(default_factory=dict)

    @property
    def last_day(self) -> date:
        """The last day work can be recorded: today, or the closure."""
        return self.closed_on or self.today

    @property
    def college(self) -> bool:
        return self.org_kind == "college"

    def text(self, pair: tuple[str, str]) -> str:
        return pair[0] if self.lang == "kk" else pair[1]

    def age_on(self, day: date) -> int:
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def approved(self) -> list["Version"]:
        return [v for v in self.versions if v.approved_on is not None]


def load_courses(today: date) -> list[Course]:
    """Every enrolment, with its minor, groups, moves on and family analysis."""
    rows = db_rows(
        select(Enrolment.id, Enrolment.minor_id, Enrolment.organisation_id,
               Enrolment.district_id, Enrolment.enrolled_on, Enrolment.closed_on,
               Enrolment.closure_reason, Enrolment.stage, Enrolment.responsible_id,
               Enrolment.responsible_assigned_at, Enrolment.crisis_raised_on,
               Enrolment.police_inspector, Minor.schooling_language, Minor.birth_date,
               Minor.sex, Minor.given_name, Minor.surname, Minor.address, Organisation.kind)
        .join(Minor, Minor.id == Enrolment.minor_id)
        .join(Organisation, Organisation.id == Enrolment.organisation_id)
        .order_by(Enrolment.id))
    courses = {row[0]: Course(*row, today=today) for row in rows}
    for enrolment_id, group in db_rows(select(enrolment_groups.c.enrolment_id,
                                              enrolment_groups.c.target_group)):
        courses[enrolment_id].groups.add(group)
    for enrolment_id, from_stage, moved_on in db_rows(
            select(StageMove.enrolment_id, StageMove.from_stage, StageMove.moved_on)
            .where(StageMove.from_stage != StageMove.to_stage,
                   StageMove.to_stage != Stage.CLOSED.value)):
        courses[enrolment_id].moved[from_stage] = moved_on
    for enrolment_id, *family in db_rows(
            select(FamilyAnalysis.enrolment_id, FamilyAnalysis.material_conditions,
                   FamilyAnalysis.supervision, FamilyAnalysis.conflict,
                   FamilyAnalysis.violence_or_neglect_signs, FamilyAnalysis.substance_use)
            .order_by(FamilyAnalysis.id)):
        courses[enrolment_id].family = tuple(family)
    return list(courses.values())


def load_schools() -> dict[int, School]:
    """organisation id -> its (first) psychologist, social pedagogue and deputy head."""
    staff: dict[int, dict[str, tuple[int, str]]] = defaultdict(dict)
    roles = [Role.PSYCHOLOGIST.value, Role.SOCIAL_PEDAGOGUE.value, Role.SCHOOL_ADMIN.value]
    for org_id, role, user_id, name in db_rows(
            select(User.organisation_id, User.role, User.id, User.full_name)
            .where(User.role.in_(roles)).order_by(User.id)):
        staff[org_id].setdefault(role, (user_id, name))
    names = dict((row[0], row[1:]) for row in db_rows(
        select(Organisation.id, Organisation.name_kk, Organisation.name_ru)))
    return {org_id: School(people[Role.PSYCHOLOGIST.value], people[Role.SOCIAL_PEDAGOGUE.value],
                           people[Role.SCHOOL_ADMIN.value], names[org_id])
            for org_id, people in staff.items() if len(people) == 3}


def load_partners() -> dict[int, dict[str, tuple[int, str, str]]]:
    """district id -> {organisation kind: (id, Kazakh name, Russian name)}."""
    found: dict[int, dict] = defaultdict(dict)
    for org_id, district_id, kind, name_kk, name_ru in db_rows(
            select(Organisation.id, Organisation.district_id, Organisation.kind,
                   Organisation.name_kk, Organisation.name_ru)
            .where(Organisation.kind.in_(PARTNER_KINDS), Organisation.district_id.is_not(None))
            .order_by(Organisation.id)):
        found[district_id].setdefault(kind, (org_id, name_kk, name_ru))
    return found


def load_representatives() -> dict[int, list[tuple[str, str]]]:
    """minor id -> [(relation, full name)] of the legal representatives."""
    found: dict[int, list] = defaultdict(list)
    for minor_id, relation, name in db_rows(
            select(LegalRepresentative.minor_id, LegalRepresentative.relation,
                   LegalRepresentative.full_name).order_by(LegalRepresentative.id)):
        found[minor_id].append((relation, name))
    return found


def load_crises() -> dict[int, list[datetime]]:
    """enrolment id -> when each of its crisis episodes was raised."""
    found: dict[int, list] = defaultdict(list)
    for enrolment_id, raised_at in db_rows(select(CrisisEpisode.enrolment_id,
                                                  CrisisEpisode.raised_at)):
        found[enrolment_id].append(raised_at)
    return found


def db_rows(statement) -> list[tuple]:
    return [tuple(row) for row in db.session.execute(statement)]
