"""The demo region's programme work (issue 5): IRPs and everything they drive.

Every enrolment that left the initial stage has its first IRP version approved by the
deputy head within that stage (drafted by the responsible specialist), with four to eight
lines across the directions; some got a correction (version 2, the first superseded, with
its reason) in active rehabilitation, and every case that reached follow-up has a review
version approved there. Some open initial cases wait with a draft. Each approved line is
expanded into dated occurrences (``juvenile.irp.occurrences.periods``), and the sessions,
home visits and hand-marked results that tick them off are then replayed in date order
with the same rule as ``occurrences.fulfil`` (``programme_replay.simulate``), so every status
is what the services would have left: done with its record, missed (planned, past due),
cancelled with a reason, or still to come. A newer version withdraws the older one's
planned occurrences from its approval on, as ``withdraw_future`` does; a closure does the
same. Active rehabilitation holds at least one consultation per seven days (the stage
requirement), topped up where the planned ones were missed.

The step then adds the schooling, work and leisure histories (``juvenile.demo.schooling``).
Rows are written in bulk (``juvenile.demo.programme_rows``), like the rest of the demo.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING

from juvenile.cases import dates
from juvenile.cases.models import Stage
from juvenile.cases.stages import add_months
from juvenile.demo import programme_rows, programme_work, schooling
from juvenile.demo.programme_cases import (
    PARTNER_KINDS,
    Course,
    School,
    load_courses,
    load_crises,
    load_partners,
    load_representatives,
    load_schools,
)
from juvenile.demo.programme_replay import Occurrence
from juvenile.demo.programme_texts import CORRECTION_REASONS, GOALS, LINES, REVIEW_REASONS, Line
from juvenile.irp.models import IrpStatus
from juvenile.irp.occurrences import periods
from juvenile.settings import registry

if TYPE_CHECKING:  # the builder imports this module for its list of steps
    from juvenile.demo.builder import DemoRegion

SEED = 5005
#: Lines planned for the active stage only (the review plans what follows).
ACTIVE_WORK = {"consultation", "correction", "prevention", "training"}
#: Lines dropped first when a programme would have more than eight.
OPTIONAL = ["college", "police_joint", "rights", "training", "parenting", "employment",
            "career", "social_help", "health", "legal"]


@dataclass
class Version:
    """One version of the programme (an IrpVersion row) with its lines."""

    number: int
    drafted_on: date
    drafted_by: int
    approved_on: date | None
    approved_by: int | None
    goals: str
    items: list["Item"] = field(default_factory=list)
    reason: str | None = None
    is_review: bool = False
    based_on: "Version | None" = None
    status: str = IrpStatus.DRAFT.value
    superseded_on: date | None = None
    id: int | None = None


@dataclass(eq=False)
class Item:
    """One line of a version (an Activity row)."""

    line: Line
    version: Version
    title: str
    frequency: str
    starts_on: date
    ends_on: date
    user_id: int | None
    partner_id: int | None
    origin: "Item | None" = None
    position: int = 0
    occurrences: list = field(default_factory=list)
    dues: list[date] = field(default_factory=list)
    id: int | None = None
    #: What ticks it off: a session kind, "home_visit", or its own hand marks.
    key: str = ""

    def __post_init__(self) -> None:
        self.key = self.line.fulfilled_by or f"mark:{id(self)}"


def build_programme(demo: "DemoRegion") -> None:
    """IRPs, sessions, group sessions, home visits, measures, and the schooling, work and
    leisure histories of every demo enrolment."""
    today = dates.today()
    rng = random.Random(SEED)
    settings = registry.values()
    courses = load_courses(today)
    schools = load_schools()
    partners = load_partners()
    for course in courses:
        school = schools[course.organisation_id]
        course.not_attending = (not course.college and course.age_on(course.enrolled_on) >= 12
                                and rng.random() < 0.07)
        plan_versions(rng, course, school, partners.get(course.district_id, {}), settings)
        expand(course)
    work = programme_work.plan(rng, courses, schools, partners, load_representatives(),
                               load_crises(), today)
    programme_rows.write(courses, work, rng)
    schooling.build(rng, courses, schools, today)


# --- the programme's versions ----------------------------------------------------------


def _between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max((last - first).days, 0)))


def plan_versions(rng: random.Random, course: Course, school: School, partners: dict,
                  settings: dict) -> None:
    """The first version (approved in the initial stage, or a draft waiting), a correction
    in active rehabilitation for some, a review in follow-up, a pending draft for a few."""
    if course.responsible_id is None:
        return
    assigned = max(course.assigned_at.date(), course.enrolled_on)
    left_initial = course.moved.get(Stage.INITIAL.value)
    last = left_initial or course.last_day
    if left_initial is None:
        draw, waiting = rng.random(), course.closed_on is None
        if draw >= (0.7 if waiting else 0.5):
            return
        approve = draw < (0.25 if waiting else 0.2)
    else:
        approve = True
    drafted = _between(rng, assigned, last)
    first = _version(rng, course, school, 1, drafted, None)
    if not approve:
        first.items = _items(rng, course, school, partners, settings, drafted)
        return
    first.approved_on = _between(rng, drafted, min(drafted + timedelta(days=3), last))
    first.items = _items(rng, course, school, partners, settings, first.approved_on)
    active_end = course.moved.get(Stage.ACTIVE.value) or course.last_day
    if left_initial is not None and rng.random() < 0.25:
        earliest = max(left_initial + timedelta(days=20), first.approved_on + timedelta(days=1))
        latest = active_end - timedelta(days=1)
        if earliest <= latest:
            _correct(rng, course, school, partners, _between(rng, earliest, latest))
    if Stage.ACTIVE.value in course.moved:
        began = course.moved[Stage.ACTIVE.value]
        _review(rng, course, school, settings,
                _between(rng, began, min(began + timedelta(days=30), course.last_day)))
    if course.closed_on is None and rng.random() < 0.05:
        previous = course.versions[-1]
        if previous.approved_on < course.today:
            day = _between(rng, previous.approved_on + timedelta(days=1), course.today)
            pending = _version(rng, course, school, previous.number + 1, day, previous)
            pending.reason = course.text(rng.choice(list(CORRECTION_REASONS.values())))
            pending.items = [_copy(item, pending) for item in previous.items]
    _statuses(course)


def _version(rng: random.Random, course: Course, school: School, number: int, drafted: date,
             based_on: Version | None) -> Version:
    goals = [GOALS[g] for g in sorted(course.groups) if g in GOALS]
    goals = [GOALS["general"], *rng.sample(goals, min(len(goals), 2))]
    goals.append(GOALS["education"] if course.not_attending or rng.random() < 0.5
                 else GOALS["leisure"])
    version = Version(
        number=number, drafted_on=drafted, drafted_by=course.responsible_id,
        approved_on=None, approved_by=None,
        goals="\n".join(f"{n}. {course.text(g)}" for n, g in enumerate(goals, 1)),
        based_on=based_on)
    course.versions.append(version)
    return version


def _keys(rng: random.Random, course: Course, age: int) -> list[str]:
    """Which lines the first version has: four to eight, across the directions."""
    groups, risky = course.groups, bool({1, 4} & course.groups)
    keys = ["consultation"]
    if 5 in groups:
        keys.append("prevention")
    elif rng.random() < (0.7 if 3 in groups else 0.45):
        keys.append("correction")
    if rng.random() < 0.25:
        keys.append("training")
    home = rng.random() < 0.6
    keys += ["home_visit"] * home
    if rng.random() < 0.75 or not home:
        keys.append("family_consultation")
    if rng.random() < 0.15:
        keys.append("parenting")
    if course.not_attending:
        keys.append("return")
    if not course.college and (rng.random() < 0.85 or course.not_attending):
        keys.append("attendance")
    if age >= 14 and rng.random() < 0.45:
        keys.append("career")
    if age >= 16 and rng.random() < 0.15:
        keys.append("employment")
    if not {"attendance", "career", "return", "employment"} & set(keys):
        keys.append("attendance")
    if rng.random() < 0.9:
        keys.append(rng.choices(["sports", "club", "mentoring", "volunteering", "events"],
                                [35, 25, 12, 10, 18])[0])
    if risky and rng.random() < 0.8:
        keys.append("legal")
    elif rng.random() < 0.1:
        keys.append("rights")
    if 5 in groups or (3 in groups and rng.random() < 0.2):
        keys.append("health")
    if course.family and course.family[0] == "poor" and rng.random() < 0.5:
        keys.append("social_help")
    if risky and rng.random() < 0.3:
        keys.append("police_joint")
    if not course.college and age >= 15 and rng.random() < 0.08:
        keys.append("college")
    for key in OPTIONAL:
        if len(keys) <= 8:
            break
        if key in keys:
            keys.remove(key)
    if len(keys) < 4:
        keys.append("events" if "events" not in keys else "rights")
    return keys


def _who(line: Line, course: Course, school: School, partners: dict) -> tuple:
    """(responsible user, partner organisation) of a line."""
    if line.who == "responsible":
        return course.responsible_id, None
    if line.who == "psychologist":
        return school.psychologist[0], None
    if line.who in PARTNER_KINDS and partners.get(line.who):
        return None, partners[line.who][0]
    return school.pedagogue[0], None


def _item(rng: random.Random, course: Course, school: School, partners: dict, key: str,
          version: Version, starts: date, ends: date, frequency: str | None = None) -> Item:
    line = LINES[key]
    frequency = frequency or line.frequency
    if frequency == "once":
        ends = starts + timedelta(days=rng.randint(14, 45))
    user, partner = _who(line, course, school, partners)
    return Item(line=line, version=version, title=course.text(line.title), frequency=frequency,
                starts_on=starts, ends_on=ends, user_id=user, partner_id=partner)


def _items(rng: random.Random, course: Course, school: School, partners: dict,
           settings: dict, starts: date) -> list[Item]:
    version = course.versions[-1]
    until = add_months(course.enrolled_on, settings[registry.FOLLOW_UP_UNTIL_MONTH.key])
    ends = max(until, starts + timedelta(days=90))
    # Psychological work is planned for active rehabilitation at its longest.
    active = add_months(starts, settings[registry.ACTIVE_STAGE_MAX_MONTHS.key])
    return [_item(rng, course, school, partners, key, version, starts,
                  active if key in ACTIVE_WORK else ends)
            for key in _keys(rng, course, course.age_on(starts))]


def _copy(item: Item, version: Version, **changes) -> Item:
    return Item(line=item.line, version=version, title=item.title, origin=item,
                **({"frequency": item.frequency, "starts_on": item.starts_on,
                    "ends_on": item.ends_on, "user_id": item.user_id,
                    "partner_id": item.partner_id} | changes))


def _correct(rng: random.Random, course: Course, school: School, partners: dict,
             day: date) -> None:
    """Version 2: the first one's lines with one change, for the reason given."""
    previous = course.versions[-1]
    by_key = {item.line.key: item for item in previous.items}
    options = []
    if "correction" in by_key:
        options.append("correction")
    if not {"sports", "club", "mentoring", "volunteering"} & set(by_key) and len(by_key) < 8:
        options.append("sports")
    if "family_consultation" in by_key:
        options.append("family_consultation")
    if "social_help" not in by_key and len(by_key) < 8:
        options.append("social_help")
    if not options:
        return
    reason = rng.choice(options)
    drafted = max(day - timedelta(days=rng.randint(0, 3)), previous.approved_on)
    version = _version(rng, course, school, previous.number + 1, drafted, previous)
    version.approved_on, version.approved_by = day, school.deputy[0]
    version.reason = course.text(CORRECTION_REASONS[reason])
    faster = {"correction": "weekly", "family_consultation": "fortnightly"}
    for item in previous.items:
        if item.line.key == reason and reason in faster:
            version.items.append(_copy(item, version, frequency=faster[reason]))
        else:
            version.items.append(_copy(item, version))
    if reason in {"sports", "social_help"}:
        version.items.append(_item(rng, course, school, partners, reason, version, day,
                                   day + timedelta(days=45)))


def _review(rng: random.Random, course: Course, school: School, settings: dict,
            day: date) -> None:
    """The follow-up review: the recurring lines carried on, consultations monthly, the
    minor's behaviour watched each month; one-off lines and correction sessions done."""
    previous = course.versions[-1]
    drafted = max(day - timedelta(days=rng.randint(0, 4)), previous.approved_on)
    version = _version(rng, course, school, previous.number + 1, drafted, previous)
    version.approved_on, version.approved_by = day, school.deputy[0]
    version.is_review = True
    version.reason = course.text(rng.choice(REVIEW_REASONS))
    until = add_months(course.enrolled_on, settings[registry.FOLLOW_UP_UNTIL_MONTH.key])
    ends = max(until, add_months(day, 3))
    keep = {"consultation": "monthly", "prevention": "monthly", "home_visit": None,
            "family_consultation": "monthly", "attendance": None, "events": None,
            "legal": None}
    for item in previous.items:
        if item.line.key in keep:
            version.items.append(_copy(item, version, starts_on=day, ends_on=ends,
                                       frequency=keep[item.line.key] or item.frequency))
    monitoring = _item(rng, course, school, {}, "monitoring", version, day, ends)
    version.items.insert(1, monitoring)
    while len(version.items) < 4:
        key = "events" if "events" not in {i.line.key for i in version.items} else "rights"
        version.items.append(_item(rng, course, school, {}, key, version, day, ends))


def _statuses(course: Course) -> None:
    approved = course.approved()
    for older, newer in pairwise(approved):
        older.status, older.superseded_on = IrpStatus.SUPERSEDED.value, newer.approved_on
    if approved:
        approved[-1].status = IrpStatus.APPROVED.value


def expand(course: Course) -> None:
    """Each approved line's occurrences, from its version's approval on (``expand``)."""
    for version in course.approved():
        for item in version.items:
            for start, due in periods(item.frequency, item.starts_on, item.ends_on):
                if due < version.approved_on:
                    continue
                item.occurrences.append(
                    Occurrence(max(start, version.approved_on), due, item))
            item.dues = [o.due_on for o in item.occurrences]
