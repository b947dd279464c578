"""The work the demo's programmes drive: sessions, group sessions, home visits, results
marked by hand, legal measures.

The records are planned first, most of them from the occurrences (most past ones get
their session, visit or mark; the rest are missed, some of those cancelled), some on
their own (the first visit and talks of the initial stage, crisis help, phone contacts,
group sessions, consultations the active stage still needed). They are then replayed
against the programme (``juvenile.demo.programme_replay``), so which occurrence a record
ticks is what the services would have ticked.
"""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from flask import current_app

from juvenile.demo.programme_acts import act_row
from juvenile.demo.programme_replay import MARK, cancel, hints, simulate
from juvenile.demo.programme_texts import (
    CONFIDENTIAL_NOTES,
    GROUP_TOPICS,
    LEISURE,
    LEISURE_OF_LINE,
    MEASURE_OUTCOMES,
    MEASURES,
    ORGANISERS,
    RELATIONS,
    RESULTS,
    SUMMARIES,
)
from juvenile.irp.occurrences import HOME_VISIT
from juvenile.sessions.models import FAMILY_KINDS, PSYCHOLOGICAL_KINDS

if TYPE_CHECKING:
    from juvenile.demo.programme import Item
    from juvenile.demo.programme_cases import Course, School

PSYCHOLOGICAL = {k.value for k in PSYCHOLOGICAL_KINDS}
FAMILY = {k.value for k in FAMILY_KINDS}
#: Interval of the active stage's consultation requirement (its default setting).
CONSULTATION_DAYS = 7
MINUTES = {"consultation": (30, 45), "correction": (40, 60), "training": (60, 90),
           "crisis_help": (40, 90), "contact_minor": (10, 20), "contact_family": (10, 25),
           "family_consultation": (30, 60), "parenting_training": (60, 90),
           "career_guidance": (30, 45)}
#: How often a past occurrence got its record, by what ticks it off.
DONE = {"consultation": 0.9, "correction": 0.85, "training": 0.8, HOME_VISIT: 0.8,
        "family_consultation": 0.85, "parenting_training": 0.75, "career_guidance": 0.85,
        "contact_minor": 0.85, MARK: 0.85}


@dataclass(eq=False)
class Record:
    """A session line, a home visit, or a hand mark (``kind`` "mark"), on ``day``."""

    kind: str
    key: str
    day: date
    actor: int
    row: dict = field(default_factory=dict)
    attended: bool = True
    group: "GroupPlan | None" = None
    id: int | None = None
    at: datetime | None = None


@dataclass(eq=False)
class GroupPlan:
    row: dict
    id: int | None = None


@dataclass
class Work:
    groups: list[GroupPlan]
    measures: list[tuple["Course", dict]]


def plan(rng: random.Random, courses: list["Course"], schools: dict[int, "School"],
         partners: dict, representatives: dict, crises: dict, today: date) -> Work:
    """Every course's records, replayed against its occurrences."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    for course in courses:
        school = schools[course.organisation_id]
        writer = Writer(rng, course, school, partners.get(course.district_id, {}),
                        representatives.get(course.minor_id, []))
        writer.initial()
        writer.planned()
        writer.crisis({at.astimezone(zone).date() for at in crises.get(course.id, [])})
        writer.contacts()
    groups = group_sessions(rng, courses, schools, today)
    for course in courses:
        top_up(rng, course)
        simulate(course)
        cancel(rng, course, schools[course.organisation_id])
        hints(course)
    return Work(groups, measures(rng, courses, schools, today))


def day_in(rng: random.Random, first: date, last: date) -> date:
    """A day of [first, last], a weekday when there is one."""
    span = max((last - first).days, 0)
    for _ in range(4):
        day = first + timedelta(days=rng.randint(0, span))
        if day.weekday() < 5:
            return day
    return day


class Writer:
    """Plans one course's records."""

    def __init__(self, rng: random.Random, course: "Course", school: "School",
                 partners: dict, representatives: list):
        self.rng, self.course, self.school = rng, course, school
        self.partners, self.representatives = partners, representatives

    def session(self, kind: str, day: date, actor: int | None = None, key: str | None = None,
                **extra) -> Record:
        rng, course = self.rng, self.course
        actor = actor or self.conductor(kind)
        low, high = MINUTES[kind]
        fmt = rng.choices(["in_person", "phone", "online"],
                          [35, 60, 5] if kind.startswith("contact") else
                          [70, 25, 5] if kind == "family_consultation" else [92, 0, 8])[0]
        notes = None
        if kind in PSYCHOLOGICAL and actor == self.school.psychologist[0] and \
                rng.random() < 0.25:
            notes = course.text(rng.choice(CONFIDENTIAL_NOTES))
        participants = None
        if kind in FAMILY and self.representatives:
            relation, name = self.representatives[0]
            participants = f"{course.text(RELATIONS.get(relation, RELATIONS['mother']))}: {name}"
        record = Record(kind, key or kind, day, actor, {
            "kind": kind, "held_on": day, "duration_minutes": rng.randrange(low, high + 1, 5),
            "format": fmt, "conducted_by_id": actor, "participants": participants,
            "summary": course.text(rng.choice(SUMMARIES[kind])), "confidential_notes": notes,
        } | extra)
        course.records.append(record)
        return record

    def conductor(self, kind: str) -> int:
        if kind in {"consultation", "contact_minor"}:
            return self.course.responsible_id or self.school.psychologist[0]
        if kind in FAMILY - {"parenting_training"}:
            return self.school.pedagogue[0]
        return self.school.psychologist[0]

    def visit(self, day: date) -> Record:
        row = act_row(self.rng, self.course, self.school, self.partners, self.representatives,
                      day)
        record = Record(HOME_VISIT, HOME_VISIT, day, self.school.pedagogue[0], row)
        self.course.records.append(record)
        return record

    def mark(self, item: "Item", day: date) -> None:
        course, rng = self.course, self.rng
        key = item.line.key
        row = {"result": course.text(RESULTS[key])}
        kind = LEISURE_OF_LINE.get(key)
        if kind is not None:
            name = rng.choice(LEISURE[kind])
            row["result"] += f": {course.text(name)}"
            row["leisure"] = (kind, name, rng.choice(ORGANISERS[kind]))
        actor = item.user_id or course.responsible_id or self.school.pedagogue[0]
        course.records.append(Record(MARK, item.key, day, actor, row))

    # --- what the course gets ---------------------------------------------------------

    def initial(self) -> None:
        """The first home visit (the initial stage's requirement), first talks."""
        course, rng = self.course, self.rng
        left = course.moved.get("initial")
        last = left or course.last_day
        if left is not None or rng.random() < 0.45:
            self.visit(day_in(rng, course.enrolled_on, last))
        if rng.random() < 0.6:
            self.session("consultation", day_in(rng, course.enrolled_on, last))
        if rng.random() < 0.5:
            self.session("contact_family", day_in(
                rng, course.enrolled_on, min(course.enrolled_on + timedelta(days=10), last)))

    def planned(self) -> None:
        """A record for most past occurrences of each approved version, until the next."""
        course, rng, today = self.course, self.rng, self.course.today
        approved = course.approved()
        for n, version in enumerate(approved):
            until = (approved[n + 1].approved_on - timedelta(days=1) if n + 1 < len(approved)
                     else course.last_day)
            for item in version.items:
                kind = item.line.fulfilled_by or MARK
                for slot in item.occurrences:
                    if slot.window_start > until:
                        break
                    last = min(slot.due_on, until)
                    chance = DONE[kind]
                    if slot.due_on >= today:  # the period under way: done so far, or not yet
                        chance *= ((today - slot.window_start).days + 1) / (
                            (slot.due_on - slot.window_start).days + 1)
                    if rng.random() >= chance:
                        continue
                    day = day_in(rng, slot.window_start, last)
                    if kind == MARK:
                        self.mark(item, day)
                    elif kind == HOME_VISIT:
                        self.visit(day)
                    else:
                        self.session(kind, day, item.user_id)

    def crisis(self, raised: set[date]) -> None:
        course, rng = self.course, self.rng
        if course.crisis_on:
            raised.add(course.crisis_on)
        for day in sorted(raised):
            if not course.enrolled_on <= day <= course.last_day:
                continue
            self.session("crisis_help", day, self.school.psychologist[0])
            later = day + timedelta(days=rng.randint(1, 3))
            if later <= course.last_day and rng.random() < 0.6:
                self.session("crisis_help", later, self.school.psychologist[0])

    def contacts(self) -> None:
        course, rng = self.course, self.rng
        for _ in range((course.last_day - course.enrolled_on).days // 75):
            self.session(rng.choice(["contact_minor", "contact_family"]),
                         day_in(rng, course.enrolled_on, course.last_day))


def group_sessions(rng: random.Random, courses: list["Course"],
                   schools: dict[int, "School"], today: date) -> list[GroupPlan]:
    """About one a month per school: three to eight of its minors, some absent."""
    by_school: dict[int, list] = defaultdict(list)
    for course in courses:
        by_school[course.organisation_id].append(course)
    plans = []
    for org_id, members in sorted(by_school.items()):
        school = schools[org_id]
        day = today - timedelta(days=rng.randint(400, 420))
        while True:
            day += timedelta(days=rng.randint(18, 35))
            day += timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)
            if day > today:
                break
            kind = rng.choices(["training", "parenting_training", "career_guidance"],
                               [60, 20, 20])[0]
            present = [c for c in members if c.enrolled_on <= day <= c.last_day
                       and (kind != "career_guidance" or c.age_on(day) >= 14)]
            if len(present) >= 3:
                plans.append(_group(rng, school, org_id, kind, day,
                                    rng.sample(present, rng.randint(3, min(8, len(present))))))
    return plans


def _group(rng: random.Random, school: "School", org_id: int, kind: str, day: date,
           chosen: list["Course"]) -> GroupPlan:
    conductor = (school.pedagogue[0] if kind == "career_guidance" and rng.random() < 0.4
                 else school.psychologist[0])
    topic = rng.choice(GROUP_TOPICS[kind])
    kazakh = sum(c.lang == "kk" for c in chosen) * 2 >= len(chosen)
    low, high = MINUTES[kind]
    notes = None
    if kind == "training" and rng.random() < 0.3:
        notes = "Екі қатысушы ашылмады, жеке жұмыс керек" if kazakh \
            else "Двое участников не раскрылись, нужна индивидуальная работа"
    group = GroupPlan({
        "organisation_id": org_id, "district_id": chosen[0].district_id, "kind": kind,
        "topic": topic[0] if kazakh else topic[1], "held_on": day,
        "duration_minutes": rng.randrange(low, high + 1, 5), "format": "in_person",
        "conducted_by_id": conductor,
        "summary": (SUMMARIES[kind][0][0] if kazakh else SUMMARIES[kind][0][1]),
        "confidential_notes": notes, "recorded_by_id": conductor, "version": 1})
    absent = rng.sample(range(len(chosen)), min(len(chosen) - 2, rng.choice([0, 0, 1, 1, 2])))
    for n, course in enumerate(chosen):
        course.records.append(Record(kind, kind, day, conductor, {
            "kind": kind, "held_on": day, "duration_minutes": group.row["duration_minutes"],
            "format": "in_person", "conducted_by_id": conductor, "participants": None,
            "summary": group.row["topic"], "confidential_notes": None,
        }, attended=n not in absent, group=group))
    return group


def top_up(rng: random.Random, course: "Course") -> None:
    """At least one consultation per seven days of active rehabilitation, up to the day it
    ended (the requirement checked at the move) or to today."""
    began = course.moved.get("initial")
    if began is None:
        return
    ended = course.moved.get("active") or course.last_day
    needed = (ended - began).days // CONSULTATION_DAYS
    held = sum(1 for r in course.records if r.kind in PSYCHOLOGICAL and r.attended
               and began <= r.day <= ended)
    if held >= needed:
        return
    school_psychologist = next((r.actor for r in course.records if r.kind == "correction"),
                               None)
    for _ in range(needed - held):
        day = day_in(rng, began, ended)
        actor = course.responsible_id or school_psychologist
        course.records.append(Record("consultation", "consultation", day, actor, {
            "kind": "consultation", "held_on": day,
            "duration_minutes": rng.randrange(30, 46, 5), "format": "in_person",
            "conducted_by_id": actor, "participants": None,
            "summary": course.text(rng.choice(SUMMARIES["consultation"])),
            "confidential_notes": None}))


def measures(rng: random.Random, courses: list["Course"], schools: dict[int, "School"],
             today: date) -> list[tuple["Course", dict]]:
    """A few legal measures, where the visits found violence, drink or neglect, or the
    minor is on the police register; most have their outcome."""
    found = []
    for course in courses:
        visits = [r for r in course.records if r.kind == HOME_VISIT]
        if not visits:
            continue
        risks = set(visits[0].row["risk_factors"])
        chance = (0.3 if risks & {"violence", "alcohol", "neglect"} else
                  0.08 if {1, 4} & course.groups else 0.01)
        if rng.random() >= chance:
            continue
        kinds = (["referral_police", "referral_guardianship"] if "violence" in risks else
                 ["warning", "referral_guardianship"] if risks & {"alcohol", "neglect"} else
                 ["referral_commission", "warning"])
        kind = rng.choice(kinds)
        taken = day_in(rng, visits[0].day, min(visits[0].day + timedelta(days=40),
                                               course.last_day))
        outcome_on = taken + timedelta(days=rng.randint(10, 45))
        done = rng.random() < 0.6 and outcome_on <= today
        found.append((course, {
            "kind": kind, "taken_on": taken,
            "description": course.text(rng.choice(MEASURES[kind])),
            "outcome": course.text(MEASURE_OUTCOMES[kind]) if done else None,
            "outcome_on": outcome_on if done else None,
            "recorded_by_id": schools[course.organisation_id].pedagogue[0]}))
    return found
