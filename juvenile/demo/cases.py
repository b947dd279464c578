"""The demo region's minors and their cases, at every stage, with the whole timeline.

The rows are planned in Python (deterministic, ``random.Random(2026)``) and written in
bulk: the services are for users, and the demo must load in seconds. Every rule the
services keep holds here too: IINs agree with birth date and sex; enrolment needs a
representative's consent, happens before 18 and after identification; one open enrolment
per minor; a stage moves only when its requirements are met (specialist assigned, three
months of active rehabilitation, six months of support, no crisis); deadlines come from
``stage_deadline`` and the regional settings; early closures carry a note and the deputy
head's confirmation; offences during support are repeat offences; a suicide attempt or
self-harm during an open case raises its crisis flag. The timeline (CaseEvent) and the
stage history (StageMove) say what the services would have written.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from juvenile.accounts.models import Organisation, OrganisationKind, Role, User
from juvenile.cases import dates
from juvenile.cases.iin import make_iin
from juvenile.cases.models import ClosureReason, Stage
from juvenile.cases.stages import add_months, stage_deadline
from juvenile.demo import case_rows, people
from juvenile.demo.region import DISTRICTS
from juvenile.settings import registry

if TYPE_CHECKING:  # the builder imports this module for its list of steps
    from juvenile.demo.builder import DemoRegion

SEED = 2026
MINORS = 600
#: The school of the named demo accounts: its psychologist gets the showcase cases.
SHOWCASE = "TRZ-S01"
SHOWCASE_MINORS = 30
HISTORY_DAYS = 425  # about 14 months
#: The first closures for a reason other than completion, one of each.
FIRST_CLOSURES = ["deceased", "turned_18", "institution", "moved_away", "other"]
#: How often a stage runs past its deadline.
LATE = {Stage.INITIAL: 0.3, Stage.ACTIVE: 0.3, Stage.FOLLOW_UP: 0.5}


@dataclass
class Staff:
    """Who acts for one school or college."""

    org: Organisation
    district: str
    psychologist: User
    pedagogue: User
    deputy: User
    inspector: User
    coordinator: User
    inspector_name: str


@dataclass
class Course:
    """One enrolment, as it went from identification to today or to its closure."""

    enrolled_on: date
    identified_on: date
    groups: list[int]
    source: str
    reason: str
    details: dict = field(default_factory=dict)  # police registration and release
    responsible: User | None = None
    assigned_on: date | None = None
    coworker: User | None = None
    stage: Stage = Stage.INITIAL
    stage_started_on: date | None = None
    stage_due_on: date | None = None
    #: (from, to, on, actor, extension days, reason, due after an extension)
    moves: list[tuple] = field(default_factory=list)
    closed_on: date | None = None
    closure_reason: str | None = None
    closure_note: str | None = None
    closed_by: User | None = None
    confirmed_by: User | None = None
    crisis: tuple[date, str] | None = None  # (raised on, incident kind)
    row: int = -1  # position among the enrolment rows, for their ids


@dataclass
class Plan:
    """One minor: identity, representatives, enrolments, incidents."""

    staff: Staff
    lang: str
    sex: str
    row: dict = field(default_factory=dict)
    family: tuple = ()
    representatives: list[dict] = field(default_factory=list)
    courses: list[Course] = field(default_factory=list)
    incidents: list[dict] = field(default_factory=list)
    transfer_to: Organisation | None = None


class Planner:
    """Plans every minor of the demo from one seeded random source, relative to ``today``."""

    def __init__(self, demo: "DemoRegion", today: date):
        self.rng = random.Random(SEED)
        self.today = today
        self.settings = registry.values()
        self.staff = _staff(demo, self.rng)
        self.iins: set[str] = set()
        self.closures = 0

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.rng.randint(low, high))

    def text(self, pair: tuple[str, str], lang: str) -> str:
        return pair[0] if lang == "kk" else pair[1]

    # --- the minors ------------------------------------------------------------------

    def plans(self) -> list[Plan]:
        showcase = next(s for s in self.staff if s.org.code == SHOWCASE)
        others = [s for s in self.staff if s is not showcase]
        weights = [1.6 if s.district == "TRZ" else 1.0 for s in others]
        plans = [self.showcase(showcase, n) for n in range(SHOWCASE_MINORS)]
        for staff in self.rng.choices(others, weights, k=MINORS - SHOWCASE_MINORS):
            plans.append(self.minor(staff))
        self.hand_overs(plans, showcase)
        return plans

    def showcase(self, staff: Staff, n: int) -> Plan:
        """The named psychologist's cases: one overdue, one in crisis, and so on."""
        psy, t = staff.psychologist, self.today
        forced = [
            {"enrolled_on": add_months(t, -6) - self.days(25, 40), "hold": Stage.ACTIVE},
            {"enrolled_on": t - self.days(60, 90), "hold": Stage.ACTIVE, "crisis": True},
            {"enrolled_on": t - self.days(13, 18), "hold": Stage.INITIAL},
            {"enrolled_on": add_months(t, -12) - self.days(10, 30), "hold": Stage.FOLLOW_UP},
            {"enrolled_on": t - self.days(150, 200), "groups": [1, 3]},
            {"enrolled_on": t - self.days(40, 120), "responsible": staff.pedagogue},
            {"enrolled_on": t - self.days(1, 3), "assign": False},
        ]
        if n < len(forced):
            return self.minor(staff, **({"responsible": psy, "extend": False, "late": set()}
                                        | forced[n]))
        return self.minor(staff, responsible=psy if self.rng.random() < 0.35 else None)

    def minor(self, staff: Staff, **course) -> Plan:
        rng = self.rng
        sex = rng.choice("mf")
        # Taraz, Korday and Shu have more Russian-speaking families than the rest.
        kazakh = rng.random() < (0.7 if staff.district in {"TRZ", "KRD", "SHU"} else 0.85)
        plan = Plan(staff=staff, sex=sex, lang="kk" if kazakh and rng.random() < 0.85 else "ru",
                    family=people.family(rng, kazakh, sex))
        kind = 1.0 if "enrolled_on" in course else rng.random()
        if kind < 0.04:  # registered, waiting for the parents' consent
            identified = self.today - self.days(0, 20)
            self.identity(plan, identified, groups=[2])
            self.representatives(plan, consent=None)
            return plan
        groups = course.pop("groups", None) or self.groups()
        first = self.course(plan, groups, kind, **course)
        self.identity(plan, first.identified_on, groups, first)
        consent = first.identified_on + timedelta(days=rng.randint(
            0, (first.enrolled_on - first.identified_on).days))
        self.representatives(plan, consent=consent)
        self.incidents(plan)
        return plan

    def groups(self) -> list[int]:
        rng = self.rng
        first = rng.choices([1, 2, 3, 4, 5], [20, 38, 32, 4, 6])[0]
        groups = {first}
        if first == 4 and rng.random() < 0.6:
            groups.add(1)
        elif rng.random() < 0.25:
            groups.add(rng.choices([2, 3, 5], [45, 45, 10])[0])
        return sorted(groups)

    def identity(self, plan: Plan, registered_on: date, groups: list[int],
                 first: Course | None = None) -> None:
        rng, staff = self.rng, plan.staff
        college = staff.org.kind == OrganisationKind.COLLEGE.value
        youngest = 16 if 4 in groups else 15 if college else 12 if 1 in groups else 10
        if first is not None and first.closure_reason == ClosureReason.TURNED_18:
            # The eighteenth birthday falls between enrolment and closure.
            born = add_months(first.closed_on - self.days(0, 20), -12 * 18)
            born = max(born, add_months(first.enrolled_on, -12 * 18) + timedelta(days=1))
        else:
            age = rng.randint(youngest, 17)
            latest = add_months(self.today, -12 * age)
            born = latest - timedelta(days=rng.randint(0, 364))
            if add_months(born, 12 * (age + 1)) <= self.today:
                born = latest
        surname, given, patronymic = plan.family[:3]
        iin = None
        while iin is None or iin in self.iins:
            iin = make_iin(born, plan.sex, rng.randint(0, 9999))
        self.iins.add(iin)
        plan.row = {
            "iin": iin, "surname": surname, "given_name": given, "patronymic": patronymic,
            "birth_date": born, "sex": plan.sex, "schooling_language": plan.lang,
            "address": people.address(rng, staff.district, plan.lang),
            "phone": people.phone(rng) if rng.random() < 0.6 else None,
            "organisation_id": staff.org.id, "district_id": staff.org.district_id,
            "grade": people.grade(rng, born, self.today, college, plan.lang),
            "created_at": case_rows.stamp(rng, registered_on), "created_by_id": staff.pedagogue.id,
            "version": 1,
        }

    def representatives(self, plan: Plan, consent: date | None) -> None:
        """One or two; the first gave the consent ``consent`` (None: not yet)."""
        rng = self.rng
        relations = rng.choices(["mother", "father", "guardian", "trustee", "other_relative"],
                                [70, 14, 8, 4, 4])
        if rng.random() < 0.3 or consent is None:
            relations.append("father" if relations[0] == "mother" else "mother")
        for n, relation in enumerate(relations):
            given = consent if n == 0 else (
                consent if consent and rng.random() < 0.4 else None)
            plan.representatives.append({
                "relation": relation, "full_name": people.adult_name(rng, plan.family, relation),
                "phone": people.phone(rng),
                "address": plan.row["address"] if rng.random() < 0.8 else None,
                "consent_on": given,
                "consent_form": (rng.choices(["written", "electronic"], [80, 20])[0]
                                 if given else None),
                "consent_recorded_by_id": plan.staff.pedagogue.id if given else None,
                "version": 1,
            })

    # --- the cases -------------------------------------------------------------------

    def course(self, plan: Plan, groups: list[int], kind: float, *, enrolled_on=None,
               hold=None, crisis=False, responsible=None, assign=True, extend=True,
               late=None) -> Course:
        """The minor's enrolments; returns the first. Closures and re-enrolments by ``kind``."""
        rng, t = self.rng, self.today
        if kind < 0.14:  # closed for a reason other than completion
            start = enrolled_on or t - self.days(40, HISTORY_DAYS)
            reason, longest = self.closure_reason()
            stop = start + self.days(10, max(10, min(longest, (t - start).days)))
            course = self.enrolment(plan, groups, start)
            self.run(course, plan.staff, stop=(min(stop, t), reason), responsible=responsible)
            return course
        if kind < 0.18:  # closed early, then enrolled again
            start = t - self.days(180, HISTORY_DAYS)
            course = self.enrolment(plan, groups, start)
            stop = start + self.days(20, 120)
            self.run(course, plan.staff, stop=(stop, rng.choice(["moved_away", "other"])),
                     responsible=responsible)
            again = min(stop + self.days(30, 90), t - self.days(0, 5))
            self.run(self.enrolment(plan, groups, again, after=stop), plan.staff,
                     responsible=responsible)
            return course
        start = enrolled_on or self.enrolment_day()
        course = self.enrolment(plan, groups, start)
        self.run(course, plan.staff, hold=hold, responsible=responsible, assign=assign,
                 extend=extend, late=late)
        if crisis or (course.closed_on is None and rng.random() < 0.03):
            raised = max(course.stage_started_on, t - self.days(3, 40))
            course.crisis = (raised, rng.choice(["suicide_attempt", "self_harm"]))
        return course

    def closure_reason(self) -> tuple[str, int]:
        """A reason to close other than completion, and the most days the case may last.

        The first closures take each reason in turn, and close before the case could
        complete, so that every reason is on record."""
        self.closures += 1
        if self.closures <= len(FIRST_CLOSURES):
            return FIRST_CLOSURES[self.closures - 1], 150
        reasons = ["moved_away", "other", "institution", "turned_18"]
        return self.rng.choices(reasons, [35, 25, 20, 20])[0], HISTORY_DAYS

    def enrolment_day(self) -> date:
        draw = self.rng.random()
        if draw < 0.10:
            return self.today - self.days(0, 9)
        if draw < 0.18:
            return self.today - self.days(10, 45)
        return self.today - self.days(31, HISTORY_DAYS)

    def enrolment(self, plan: Plan, groups: list[int], enrolled_on: date,
                  after: date | None = None) -> Course:
        rng, lang = self.rng, plan.lang
        identified = enrolled_on - self.days(0, 10)
        if after is not None:
            identified = max(identified, after + timedelta(days=1))
        sources = (["police", "commission"] if {1, 4} & set(groups) else
                   ["health"] if 5 in groups else
                   ["school", "social_protection", "family", "commission", "minor"])
        reason = "; ".join(self.text(rng.choice(people.REASONS[g]), lang) for g in groups)
        course = Course(enrolled_on=enrolled_on, identified_on=identified, groups=groups,
                        source=sources[0] if rng.random() < 0.8 else rng.choice(sources),
                        reason=reason)
        if {1, 4} & set(groups):
            registered = identified - self.days(0, 60)
            course.details = {
                "police_registered_on": registered,
                "police_grounds": self.text(rng.choice(
                    people.POLICE_GROUNDS if 1 in groups else [people.RELEASE_GROUNDS]), lang),
                "police_inspector": plan.staff.inspector_name}
            if 4 in groups:
                course.details |= {
                    "released_on": registered - self.days(1, 10),
                    "release_institution": self.text(rng.choice(people.RELEASE_INSTITUTIONS),
                                                     lang)}
        plan.courses.append(course)
        return course

    def run(self, course: Course, staff: Staff, *, stop=None, hold=None, responsible=None,
            assign=True, extend=True, late=None) -> None:
        """Walk the course through its stages up to today, or to its closure ``stop`` =
        (day, reason). ``hold``: the stage it stays in; ``late``: stages that overrun."""
        rng, s, e = self.rng, self.settings, course.enrolled_on
        if late is None:
            late = {stage for stage, chance in LATE.items() if rng.random() < chance}
        first_move = e + (self.days(12, 60) if Stage.INITIAL in late else self.days(4, 9))
        active_due = add_months(first_move, s[registry.ACTIVE_STAGE_MAX_MONTHS.key])
        shortest = add_months(first_move, s[registry.ACTIVE_STAGE_MIN_MONTHS.key])
        second_move = (active_due + self.days(5, 90) if Stage.ACTIVE in late else
                       min(max(shortest, active_due - self.days(0, 80)), active_due))
        follow_due = stage_deadline(Stage.FOLLOW_UP, second_move, e, s)
        done = follow_due + (self.days(8, 75) if Stage.FOLLOW_UP in late else self.days(-7, 3))
        done = max(done, second_move + timedelta(days=1),
                   add_months(e, s[registry.MINIMUM_SUPPORT_MONTHS.key]))
        end = stop[0] if stop else self.today
        course.stage_started_on = e
        course.stage_due_on = stage_deadline(Stage.INITIAL, e, e, s)
        if assign:
            latest = (first_move - e).days - 1
            course.assigned_on = e + self.days(0, latest if Stage.INITIAL in late
                                               else min(5, latest))
            if course.assigned_on > end:
                course.assigned_on = None
            course.responsible = responsible or (
                staff.psychologist if 5 in course.groups or rng.random() < 0.45
                else staff.pedagogue)
            if course.assigned_on is None:
                course.responsible = None
            elif rng.random() < 0.3:
                course.coworker = (staff.pedagogue if course.responsible is staff.psychologist
                                   else staff.psychologist)
        for move_on, to in ((first_move, Stage.ACTIVE), (second_move, Stage.FOLLOW_UP),
                            (done, Stage.CLOSED)):
            if extend and move_on > course.stage_due_on and rng.random() < 0.35:
                self.extend(course, staff, end)
            if course.stage is hold or course.responsible is None:
                break
            if move_on > end or (stop and move_on >= end):
                break
            if to is Stage.CLOSED:
                self.close(course, move_on, ClosureReason.COMPLETED.value, course.responsible)
                return
            course.moves.append((course.stage, to, move_on, course.responsible, None, None, None))
            course.stage, course.stage_started_on = to, move_on
            course.stage_due_on = stage_deadline(to, move_on, e, s)
        if stop:
            self.close_early(course, staff, *stop)

    def extend(self, course: Course, staff: Staff, end: date) -> None:
        on = course.stage_due_on - self.days(1, 7)
        if on > end or on <= course.stage_started_on:
            return
        days = self.rng.choice([30, 45, 60, 90])
        lang = "kk" if self.rng.random() < 0.7 else "ru"
        reason = self.text(self.rng.choice(people.EXTENSION_REASONS), lang)
        course.stage_due_on += timedelta(days=days)
        course.moves.append((course.stage, course.stage, on, staff.coordinator, days, reason,
                             course.stage_due_on))

    def close_early(self, course: Course, staff: Staff, on: date, reason: str) -> None:
        minimum = self.settings[registry.MINIMUM_SUPPORT_MONTHS.key]
        early = on < add_months(course.enrolled_on, minimum)
        notes = people.CLOSURE_NOTES.get(reason)
        lang = "kk" if self.rng.random() < 0.7 else "ru"
        note = self.text(self.rng.choice(notes), lang) if notes else None
        confirmed = early and reason not in {"turned_18", "deceased"}
        actor = staff.deputy if confirmed or course.responsible is None else course.responsible
        self.close(course, on, reason, actor, note, staff.deputy if confirmed else None)

    def close(self, course: Course, on: date, reason: str, actor: User,
              note: str | None = None, confirmed_by: User | None = None) -> None:
        course.moves.append((course.stage, Stage.CLOSED, on, actor, None, note, None))
        course.stage, course.closed_on, course.closure_reason = Stage.CLOSED, on, reason
        course.closure_note, course.closed_by, course.confirmed_by = note, actor, confirmed_by

    # --- incidents and hand-overs ---------------------------------------------------------

    def incidents(self, plan: Plan) -> None:
        rng, staff = self.rng, plan.staff
        previous_end = None
        for course in plan.courses:
            before = course.identified_on - self.days(1, 20)
            recorded = course.identified_on
            if previous_end is None or before > previous_end:
                if 1 in course.groups:
                    kind = rng.choices(["offence_administrative", "offence_criminal"], [7, 3])[0]
                    before = min(before, course.details["police_registered_on"])
                    self.incident(plan, kind, before, staff.inspector, recorded)
                if 5 in course.groups:
                    self.incident(plan, "suicide_attempt", before, staff.pedagogue, recorded)
            previous_end = course.closed_on
            if course.crisis is not None:
                self.incident(plan, course.crisis[1], course.crisis[0], staff.psychologist,
                              course.crisis[0])
            last = course.closed_on or self.today
            if (last - course.enrolled_on).days < 10:
                continue
            chances = [("offence", 0.22 if {1, 4} & set(course.groups) else
                        0.12 if 3 in course.groups else 0.03),
                       ("running_away", 0.08 if {2, 3} & set(course.groups) else 0.02),
                       ("expulsion", 0.08 if staff.org.kind == "college" else 0.0)]
            for kind, chance in chances:
                if rng.random() < chance:
                    on = course.enrolled_on + self.days(5, (last - course.enrolled_on).days)
                    if kind == "offence":
                        kind = rng.choices(["offence_administrative", "offence_criminal"],
                                           [7, 3])[0]
                    actor = staff.inspector if kind.startswith("offence") else staff.pedagogue
                    self.incident(plan, kind, on, actor, on)

    def incident(self, plan: Plan, kind: str, on: date, actor: User, recorded: date) -> None:
        during = next((c for c in plan.courses if c.enrolled_on <= on and (
            c.closed_on is None or c.closed_on >= on)), None)
        plan.incidents.append({
            "kind": kind, "occurred_on": on, "course": during, "recorded_by": actor,
            "recorded_on": recorded, "repeat": kind.startswith("offence") and during is not None,
            "description": self.text(self.rng.choice(people.INCIDENTS[kind]), plan.lang)})

    def hand_overs(self, plans: list[Plan], showcase: Staff) -> None:
        """One case handed over to the showcase school, one handed from it."""
        taraz = {s.org.code: s.org for s in self.staff if s.district == "TRZ"}
        for source, target in (("TRZ-S02", SHOWCASE), (SHOWCASE, "TRZ-S03")):
            plan = next(p for p in reversed(plans) if p.staff.org.code == source
                        and p.courses and p.courses[-1].closed_on is None
                        and p.courses[-1].crisis is None and p.transfer_to is None
                        and p.courses[-1].enrolled_on < self.today - timedelta(days=10))
            plan.transfer_to = taraz[target]


def build_cases(demo: "DemoRegion") -> None:
    """About 600 minors across the region's schools and colleges, with their cases."""
    today = dates.today()
    plans = Planner(demo, today).plans()
    case_rows.write(plans, today, SEED + 1)


# --- people and places ------------------------------------------------------------------


def _staff(demo: "DemoRegion", rng: random.Random) -> list[Staff]:
    by_role = {(u.organisation.id, u.role): u for u in demo.users}
    staff = []
    for code, *_ in DISTRICTS:
        police = demo.orgs(code, OrganisationKind.POLICE)[0]
        inspector = by_role[(police.id, Role.POLICE_INSPECTOR.value)]
        coordinator = by_role[(demo.orgs(code, OrganisationKind.EDUCATION_DEPARTMENT)[0].id,
                               Role.DISTRICT_COORDINATOR.value)]
        # The generated accounts carry a role and a code for a name; the registration
        # papers carry a person's name.
        name = inspector.full_name if inspector.login == "inspector" else (
            f"{rng.choice(people.KAZAKH_SURNAMES)} {rng.choice(people.KAZAKH_BOYS)[0]}. "
            f"{rng.choice(people.KAZAKH_FATHERS)[0]}.")
        for kind in (OrganisationKind.SCHOOL, OrganisationKind.COLLEGE):
            for org in demo.orgs(code, kind):
                staff.append(Staff(
                    org=org, district=code, inspector=inspector, coordinator=coordinator,
                    inspector_name=name,
                    psychologist=by_role[(org.id, Role.PSYCHOLOGIST.value)],
                    pedagogue=by_role[(org.id, Role.SOCIAL_PEDAGOGUE.value)],
                    deputy=by_role[(org.id, Role.SCHOOL_ADMIN.value)]))
    return staff
