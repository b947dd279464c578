"""Read paths of the work lists: my work, the school's and the district's open cases, and
the minors on police preventive registration.

Each list costs a fixed number of queries whatever its page size: one for the total (with
the counts the page shows, grouped in SQL) and one for the page of rows. Rows are plain
columns, target groups included (a bit mask summed in SQL), so showing them loads nothing
more.
"""

from dataclasses import dataclass, field
from datetime import date
from math import ceil

from sqlalchemy import case, exists, func, or_, select

from juvenile import access
from juvenile.accounts.models import Organisation, OrganisationKind, User
from juvenile.accounts.queries import name_column
from juvenile.cases.models import (
    Enrolment,
    Minor,
    Stage,
    TargetGroup,
    enrolment_coworkers,
    enrolment_groups,
)
from juvenile.extensions import db
from juvenile.pagination import Page

OPEN_STAGES = (Stage.INITIAL, Stage.ACTIVE, Stage.FOLLOW_UP)
#: The groups whose minors the police keep on preventive registration.
POLICE_GROUPS = (TargetGroup.PREVENTIVE_REGISTRATION, TargetGroup.RELEASED_FROM_DETENTION)

_GROUP_BIT = case({int(g): 1 << (int(g) - 1) for g in TargetGroup},
                  value=enrolment_groups.c.target_group, else_=0)
_STAGE_ORDER = case({s.value: i for i, s in enumerate(Stage)}, value=Enrolment.stage,
                    else_=len(Stage))


def _groups_mask(only=TargetGroup):
    """The enrolment's target groups as a bit mask (bit g-1 for group g), per row."""
    return (select(func.sum(_GROUP_BIT))
            .where(enrolment_groups.c.enrolment_id == Enrolment.id,
                   enrolment_groups.c.target_group.in_([int(g) for g in only]))
            .correlate(Enrolment).scalar_subquery())


def groups_of(mask: int | None) -> list[TargetGroup]:
    return [g for g in TargetGroup if (mask or 0) & (1 << (int(g) - 1))]


def _has_group(*groups) -> object:
    return exists().where(enrolment_groups.c.enrolment_id == Enrolment.id,
                          enrolment_groups.c.target_group.in_([int(g) for g in groups]))


# --- rows ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    """One open case as a list shows it, computed for the day ``on``."""

    enrolment_id: int
    minor_id: int
    surname: str
    given_name: str
    patronymic: str | None
    birth_date: date
    stage: str
    stage_due_on: date
    crisis: bool
    groups: list[TargetGroup]
    school: str
    responsible: str | None
    on: date

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.given_name, self.patronymic) if p)

    @property
    def age(self) -> int:
        born = self.birth_date
        return self.on.year - born.year - ((self.on.month, self.on.day) < (born.month, born.day))

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label

    @property
    def days_left(self) -> int:
        """Days until the stage's deadline; negative when it is overdue."""
        return (self.stage_due_on - self.on).days


def _case_columns():
    return (Enrolment.id, Minor.id, Minor.surname, Minor.given_name, Minor.patronymic,
            Minor.birth_date, Enrolment.stage, Enrolment.stage_due_on, Enrolment.crisis,
            _groups_mask(), name_column(Organisation), User.full_name)


def _case_row(row, on: date) -> CaseRow:
    (enrolment_id, minor_id, surname, given_name, patronymic, birth_date, stage, due,
     crisis, mask, school, responsible) = row
    return CaseRow(enrolment_id, minor_id, surname, given_name, patronymic, birth_date, stage,
                   due, bool(crisis), groups_of(mask), school, responsible, on)


def _joined(*columns):
    """Open enrolments with their minor, school and responsible specialist."""
    return (select(*columns).select_from(Enrolment)
            .join(Minor, Minor.id == Enrolment.minor_id)
            .join(Organisation, Organisation.id == Enrolment.organisation_id)
            .outerjoin(User, User.id == Enrolment.responsible_id))


def _open_in_scope(user: User) -> list:
    return [Enrolment.closed_on.is_(None), access.case_scope(user, Enrolment)]


# --- sorting ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sort:
    """A whitelisted ``?sort=`` value: a key, "-" before it for descending order."""

    key: str
    descending: bool = False

    @property
    def param(self) -> str:
        return f"-{self.key}" if self.descending else self.key

    def toggled(self, key: str) -> str:
        """The ``?sort=`` of a column heading: its key, reversed if it is the current one."""
        return f"-{key}" if key == self.key and not self.descending else key


def _sort_columns() -> dict[str, tuple]:
    return {
        "deadline": (Enrolment.stage_due_on,),
        "name": (Minor.surname, Minor.given_name),
        "stage": (_STAGE_ORDER, Enrolment.stage_due_on),
        "school": (name_column(Organisation), Minor.surname, Minor.given_name),
        # Cases without a specialist first, then by the specialist's name.
        "specialist": (Enrolment.responsible_id.is_not(None), User.full_name),
        "registered": (Enrolment.police_registered_on,),
    }


def resolve_sort(value: str | None, allowed: tuple[str, ...]) -> Sort:
    """The requested sort if it is one of ``allowed``, else the first of them."""
    value = (value or "").strip()
    key = value.removeprefix("-")
    if key not in allowed:
        return Sort(allowed[0])
    return Sort(key, value.startswith("-"))


def _order_by(sort: Sort, pinned: tuple = ()) -> list:
    columns = _sort_columns()[sort.key]
    ordered = [c.desc() if sort.descending else c.asc() for c in columns]
    return [*pinned, *ordered, Enrolment.id]


# --- filters and counts ------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFilters:
    stage: str | None = None
    organisation_id: int | None = None
    group: int | None = None
    overdue: bool = False
    crisis: bool = False
    unassigned: bool = False

    def conditions(self, today: date) -> list:
        """SQL conditions for the filters; values outside the whitelists are ignored."""
        conditions = []
        if self.stage in {s.value for s in OPEN_STAGES}:
            conditions.append(Enrolment.stage == self.stage)
        if self.organisation_id:
            conditions.append(Enrolment.organisation_id == self.organisation_id)
        if self.group in {int(g) for g in TargetGroup}:
            conditions.append(_has_group(self.group))
        if self.overdue:
            conditions.append(Enrolment.stage_due_on < today)
        if self.crisis:
            conditions.append(Enrolment.crisis.is_(True))
        if self.unassigned:
            conditions.append(Enrolment.responsible_id.is_(None))
        return conditions


@dataclass
class CaseCounts:
    """Counts of the cases a list shows (its filters applied)."""

    total: int = 0
    overdue: int = 0
    crisis: int = 0
    unassigned: int = 0
    by_stage: dict[str, int] = field(default_factory=dict)
    #: (organisation id, name, count), by name; filled only for the district's list.
    by_school: list[tuple[int, str, int]] = field(default_factory=list)

    def stages(self) -> list[tuple[Stage, int]]:
        return [(stage, self.by_stage.get(stage.value, 0)) for stage in OPEN_STAGES]


def _counts(conditions: list, today: date, by_school: bool) -> CaseCounts:
    """One GROUP BY query (by stage, and by school for the district), folded into totals."""
    def flagged(condition):
        return func.sum(case((condition, 1), else_=0))

    keys = [Enrolment.stage]
    if by_school:
        keys += [Enrolment.organisation_id, name_column(Organisation)]
    stmt = (select(*keys, func.count(), flagged(Enrolment.stage_due_on < today),
                   flagged(Enrolment.crisis.is_(True)),
                   flagged(Enrolment.responsible_id.is_(None)))
            .select_from(Enrolment).where(*conditions).group_by(*keys))
    if by_school:
        stmt = stmt.join(Organisation, Organisation.id == Enrolment.organisation_id)
    counts, schools = CaseCounts(), {}
    for stage, *school, n, overdue, crisis, unassigned in db.session.execute(stmt):
        counts.total += n
        counts.overdue += overdue
        counts.crisis += crisis
        counts.unassigned += unassigned
        counts.by_stage[stage] = counts.by_stage.get(stage, 0) + n
        if school:
            org_id, name = school
            schools[(name, org_id)] = schools.get((name, org_id), 0) + n
    counts.by_school = [(org_id, name, n) for (name, org_id), n in sorted(schools.items())]
    return counts


# --- the lists -----------------------------------------------------------------------------


@dataclass
class CaseList:
    page: Page
    sort: Sort
    counts: CaseCounts | None = None


def _page_of(stmt, total: int, page: int, per_page: int, make_row) -> Page:
    """The rows of one page, in one query (none when there is nothing to show)."""
    page = min(max(page, 1), max(1, ceil(total / per_page)))
    items = []
    if total:
        result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
        items = [make_row(row) for row in result]
    return Page(items=items, total=total, page=page, per_page=per_page)


MY_WORK_SORTS = ("deadline", "name", "stage")
SCHOOL_SORTS = ("deadline", "name", "stage", "specialist")
DISTRICT_SORTS = ("deadline", "name", "school", "stage")
REGISTERED_SORTS = ("name", "school", "registered", "stage")


def my_work(user: User, today: date, sort: str | None, page: int, per_page: int) -> CaseList:
    """The specialist's open cases (responsible or co-worker): crisis cases pinned on top,
    then by the chosen order (by default the deadline: overdue first, then the nearest)."""
    chosen = resolve_sort(sort, MY_WORK_SORTS)
    coworker = exists().where(enrolment_coworkers.c.enrolment_id == Enrolment.id,
                              enrolment_coworkers.c.user_id == user.id)
    conditions = [*_open_in_scope(user), or_(Enrolment.responsible_id == user.id, coworker)]
    total = db.session.scalar(select(func.count(Enrolment.id)).where(*conditions))
    stmt = (_joined(*_case_columns()).where(*conditions)
            .order_by(*_order_by(chosen, pinned=(Enrolment.crisis.desc(),))))
    return CaseList(_page_of(stmt, total, page, per_page, lambda r: _case_row(r, today)),
                    chosen)


def school_cases(user: User, today: date, filters: CaseFilters, sort: str | None,
                 page: int, per_page: int) -> CaseList:
    """The open cases of the user's school, filtered, with counts per stage."""
    return _case_list(user, today, filters, resolve_sort(sort, SCHOOL_SORTS), page,
                      per_page, by_school=False)


def district_cases(user: User, today: date, filters: CaseFilters, sort: str | None,
                   page: int, per_page: int) -> CaseList:
    """Every open case of the coordinator's district, filtered, with counts per stage,
    per school, overdue and in crisis."""
    return _case_list(user, today, filters, resolve_sort(sort, DISTRICT_SORTS), page,
                      per_page, by_school=True)


def _case_list(user: User, today: date, filters: CaseFilters, sort: Sort, page: int,
               per_page: int, by_school: bool) -> CaseList:
    conditions = [*_open_in_scope(user), *filters.conditions(today)]
    counts = _counts(conditions, today, by_school)
    stmt = _joined(*_case_columns()).where(*conditions).order_by(*_order_by(sort))
    return CaseList(_page_of(stmt, counts.total, page, per_page,
                             lambda r: _case_row(r, today)), sort, counts)


def district_schools(user: User) -> list[tuple[int, str]]:
    """The schools and colleges of the user's district, by name (for the filters)."""
    district_id = user.organisation.district_id
    if district_id is None:
        return []
    name = name_column(Organisation)
    return [tuple(row) for row in db.session.execute(
        select(Organisation.id, name)
        .where(Organisation.district_id == district_id,
               Organisation.kind.in_([OrganisationKind.SCHOOL.value,
                                      OrganisationKind.COLLEGE.value]))
        .order_by(name, Organisation.id))]


# --- minors on preventive registration -----------------------------------------------------


@dataclass(frozen=True)
class RegisteredRow:
    """A minor on police preventive registration as the inspector sees them: identity,
    legal status, stage and specialist — nothing clinical (no crisis, no other groups)."""

    enrolment_id: int
    minor_id: int
    surname: str
    given_name: str
    patronymic: str | None
    birth_date: date
    groups: list[TargetGroup]
    registered_on: date | None
    grounds: str | None
    stage: str
    school: str
    responsible: str | None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.given_name, self.patronymic) if p)

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label


def registered_minors(user: User, filters: CaseFilters, sort: str | None, page: int,
                      per_page: int) -> CaseList:
    """Minors of the district whose open enrolment has target group 1 or 4."""
    chosen = resolve_sort(sort, REGISTERED_SORTS)
    group = filters.group if filters.group in {int(g) for g in POLICE_GROUPS} else None
    conditions = [*_open_in_scope(user), _has_group(*([group] if group else POLICE_GROUPS))]
    if filters.organisation_id:
        conditions.append(Enrolment.organisation_id == filters.organisation_id)
    total = db.session.scalar(select(func.count(Enrolment.id)).where(*conditions))
    stmt = (_joined(Enrolment.id, Minor.id, Minor.surname, Minor.given_name, Minor.patronymic,
                    Minor.birth_date, _groups_mask(POLICE_GROUPS),
                    Enrolment.police_registered_on, Enrolment.police_grounds, Enrolment.stage,
                    name_column(Organisation), User.full_name)
            .where(*conditions).order_by(*_order_by(chosen)))

    def make_row(row) -> RegisteredRow:
        values = list(row)
        values[6] = groups_of(values[6])
        return RegisteredRow(*values)

    return CaseList(_page_of(stmt, total, page, per_page, make_row), chosen)
