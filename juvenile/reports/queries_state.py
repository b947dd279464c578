"""Indicator queries about the state of the programme at the month's end: the cases in it
(each placed at the school that held it on the last day) by stage, target group,
deadline, approved IRP, leisure or work, standing crisis flag, education status, and the
levels of their first and latest assessments. Definitions: docs/indicators.md.

All of it is one statement: the cases in the programme are a CTE that each part reads
(a UNION ALL of rows shaped (part, organisation_id, code, n1…n5)), so the database finds
them once. Deadlines that changed after the month are rebuilt by a second query.
"""

from datetime import date, timedelta
from itertools import groupby

from sqlalchemy import String, and_, case, cast, func, literal, or_, select, union_all

from juvenile.cases.models import Stage, StageMove, enrolment_groups
from juvenile.cases.stages import stage_deadline
from juvenile.diagnostics.models import Assessment, CrisisEpisode
from juvenile.education.models import EducationRecord, Employment
from juvenile.extensions import db
from juvenile.irp.models import IrpVersion
from juvenile.leisure.models import LeisureInvolvement
from juvenile.leisure.queries import overlaps
from juvenile.reports.queries_frame import Frame, Tally, programme_at_end
from juvenile.settings import registry

#: The code of a minor with no education status recorded by the month's end.
UNKNOWN = "unknown"


def _flag(condition):
    return case((condition, 1), else_=0)


def _part(name: str, organisation_id, code, *counts):
    """The columns every part has: (part, organisation_id, code, n1…n5)."""
    padded = [*counts, *[literal(0)] * (5 - len(counts))]
    return [literal(name).label("part"), organisation_id.label("organisation_id"),
            cast(code, String).label("code"),
            *[count.label(f"n{i}") for i, count in enumerate(padded, 1)]]


def programme_state(frame: Frame, tally: Tally) -> None:
    """in_programme, in_programme_by_stage, overdue, coverage_approved, involved,
    crisis_open, in_programme_by_group, education_status, levels_at_enrolment and
    levels_latest: one query, plus one for the deadlines rebuilt."""
    prog = programme_at_end(frame)
    statement = union_all(_caseload(frame, prog), _groups(prog), _education(frame, prog),
                          _levels(frame, prog))
    for part, org, code, *counts in db.session.execute(statement):
        READERS[part](tally, org, code, [int(n or 0) for n in counts])
    _overdue_rebuilt(frame, tally)


# --- the parts ------------------------------------------------------------------------------


def stage_left_after(frame: Frame):
    """Subquery (enrolment_id, left_stage): for each case with a stage move, extension or
    closure after the month's end, the stage it left at its first stage move after it
    (extensions are not moves; NULL when it was only extended). The stage at the month's
    end is COALESCE(left_stage, the current stage)."""
    extension = case((StageMove.from_stage == StageMove.to_stage, 1), else_=0)
    ranked = (select(StageMove.enrolment_id, StageMove.from_stage, StageMove.to_stage,
                     func.row_number().over(partition_by=StageMove.enrolment_id, order_by=(
                         extension, StageMove.moved_on, StageMove.id)).label("rank"))
              .where(StageMove.moved_on > frame.last).subquery())
    return (select(ranked.c.enrolment_id,
                   case((ranked.c.from_stage != ranked.c.to_stage, ranked.c.from_stage),
                        else_=None).label("left_stage"))
            .where(ranked.c.rank == 1).subquery("stage_left"))


def involved_minors(frame: Frame) -> list:
    """The minors involved in leisure, and those employed, in the month: the rule of
    juvenile.leisure.queries.labour_or_leisure_clause (an involvement or an employment
    whose dates overlap the month, ``overlaps``) as two sets, which the database reads
    once each rather than once per case."""
    return [select(model.minor_id).where(overlaps(model, frame.first, frame.last))
            for model in (LeisureInvolvement, Employment)]


def _caseload(frame: Frame, prog):
    """Per school and stage at the month's end: cases, overdue (deadline unchanged since
    the month), with an approved IRP, involved in leisure or work, crisis standing."""
    left = stage_left_after(frame)
    approved = select(IrpVersion.enrolment_id).where(IrpVersion.approved_on <= frame.last)
    standing = select(CrisisEpisode.enrolment_id).where(
        CrisisEpisode.raised_at < frame.ends_utc,
        or_(CrisisEpisode.cleared_at.is_(None), CrisisEpisode.cleared_at >= frame.ends_utc))
    per_case = (
        select(prog.c.organisation_id,
               func.coalesce(left.c.left_stage, prog.c.stage).label("stage"),
               case((left.c.enrolment_id.is_not(None), 0),
                    (prog.c.stage_due_on < frame.as_of, 1), else_=0).label("overdue"),
               _flag(prog.c.enrolment_id.in_(approved)).label("approved"),
               _flag(or_(*[prog.c.minor_id.in_(minors) for minors in involved_minors(frame)]))
               .label("involved"),
               _flag(prog.c.enrolment_id.in_(standing)).label("crisis_open"))
        .select_from(prog)
        .outerjoin(left, left.c.enrolment_id == prog.c.enrolment_id)
        .subquery())
    c = per_case.c
    return (select(*_part("caseload", c.organisation_id, c.stage, func.count(),
                          func.sum(c.overdue), func.sum(c.approved), func.sum(c.involved),
                          func.sum(c.crisis_open)))
            .group_by(c.organisation_id, c.stage))


def _groups(prog):
    """Per school and target group (a case in several groups counts in each)."""
    group = enrolment_groups.c.target_group
    return (select(*_part("group", prog.c.organisation_id, group, func.count()))
            .join(enrolment_groups, enrolment_groups.c.enrolment_id == prog.c.enrolment_id)
            .group_by(prog.c.organisation_id, group))


def _education(frame: Frame, prog):
    """Per school and the minor's latest education status begun by the last day."""
    ranked = (select(EducationRecord.minor_id, EducationRecord.status,
                     func.row_number().over(partition_by=EducationRecord.minor_id, order_by=(
                         EducationRecord.since.desc(), EducationRecord.id.desc()))
                     .label("rank"))
              .where(EducationRecord.since <= frame.last).subquery())
    return (select(*_part("education", prog.c.organisation_id, ranked.c.status,
                          func.count()))
            .select_from(prog)
            .outerjoin(ranked, and_(ranked.c.minor_id == prog.c.minor_id, ranked.c.rank == 1))
            .group_by(prog.c.organisation_id, ranked.c.status))


def _levels(frame: Frame, prog):
    """Per school, construct and level: first assessments and latest ones (by the last
    day) of the enrolments in the programme."""
    # One window, one sort: the first has no previous row, the latest no next one.
    window = {"partition_by": (Assessment.enrolment_id, Assessment.construct),
              "order_by": (Assessment.administered_on, Assessment.id)}
    ranked = (
        select(prog.c.organisation_id, Assessment.construct, Assessment.level,
               func.lag(Assessment.id).over(**window).label("previous"),
               func.lead(Assessment.id).over(**window).label("next"))
        .join(prog, and_(prog.c.minor_id == Assessment.minor_id,
                         prog.c.enrolment_id == Assessment.enrolment_id))
        .where(Assessment.administered_on <= frame.last)
        .subquery())
    first, latest = ranked.c.previous.is_(None), ranked.c.next.is_(None)
    code = ranked.c.construct + literal(":") + ranked.c.level
    return (select(*_part("levels", ranked.c.organisation_id, code, func.sum(_flag(first)),
                          func.sum(_flag(latest))))
            .where(or_(first, latest))
            .group_by(ranked.c.organisation_id, ranked.c.construct, ranked.c.level))


def _read_caseload(tally: Tally, org, stage, counts) -> None:
    count, overdue, approved, involved, crisis = counts
    tally.add(org, "in_programme", count)
    tally.add(org, "in_programme_by_stage", count, stage)
    tally.add(org, "overdue", overdue)
    tally.add(org, "coverage_approved", approved)
    tally.add(org, "involved", involved)
    tally.add(org, "crisis_open", crisis)


def _read_levels(tally: Tally, org, code, counts) -> None:
    first, latest = counts[:2]
    if first:
        tally.add(org, "levels_at_enrolment", first, code)
    if latest:
        tally.add(org, "levels_latest", latest, code)


READERS = {
    "caseload": _read_caseload,
    "group": lambda tally, org, code, counts: tally.add(
        org, "in_programme_by_group", counts[0], code),
    "education": lambda tally, org, code, counts: tally.add(
        org, "education_status", counts[0], code or UNKNOWN),
    "levels": _read_levels,
}


# --- deadlines that changed after the month ---------------------------------------------------


def _overdue_rebuilt(frame: Frame, tally: Tally) -> None:
    """overdue, for the cases in the programme at the month's end whose stage or deadline
    changed after it: the deadline as it stood then is rebuilt from the stage moves."""
    prog = programme_at_end(frame)
    changed = select(StageMove.enrolment_id).where(StageMove.moved_on > frame.last)
    rows = db.session.execute(
        select(prog.c.enrolment_id, prog.c.organisation_id, prog.c.enrolled_on,
               prog.c.stage_due_on, StageMove.from_stage, StageMove.to_stage,
               StageMove.moved_on, StageMove.extension_days)
        .join(StageMove, StageMove.enrolment_id == prog.c.enrolment_id)
        .where(prog.c.enrolment_id.in_(changed))
        .order_by(prog.c.enrolment_id, StageMove.moved_on, StageMove.id)).all()
    settings = registry.values()
    for _, moves in groupby(rows, key=lambda row: row.enrolment_id):
        moves = list(moves)
        due = deadline_at(frame.last, moves[0].enrolled_on, moves[0].stage_due_on, moves,
                          settings)
        tally.add(moves[0].organisation_id, "overdue", 1 if due < frame.as_of else 0)


def deadline_at(day: date, enrolled_on: date, current_due: date, moves,
                settings: dict) -> date:
    """The stage deadline a case had on ``day``, from its current deadline and its stage
    moves (rows with from_stage, to_stage, moved_on, extension_days, in order).

    When only extensions came after ``day``, it is the current deadline less those
    extensions. When the stage changed after ``day``, it is the deadline of the stage the
    case then left (juvenile.cases.stages.stage_deadline, with today's regional settings),
    from the day that stage began, plus the extensions granted in it up to ``day``."""
    later = [m for m in moves if m.moved_on > day]
    later_moves = [m for m in later if m.from_stage != m.to_stage]
    if not later_moves:
        return current_due - timedelta(days=sum(m.extension_days or 0 for m in later))
    stage = Stage(later_moves[0].from_stage)
    begun = [m.moved_on for m in moves if m.moved_on <= day and m.from_stage != m.to_stage]
    started = begun[-1] if begun else enrolled_on
    extended = sum(m.extension_days or 0 for m in moves
                   if m.from_stage == m.to_stage and started <= m.moved_on <= day)
    return stage_deadline(stage, started, enrolled_on, settings) + timedelta(days=extended)
