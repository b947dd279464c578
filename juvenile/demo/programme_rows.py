"""Writing the demo's programme work in bulk: group sessions, sessions, acts, IRP versions
with their activities and occurrences, legal measures, and the timeline lines the
services write for each (with the same data, ids included, so that the services find
and rewrite a line when its record is corrected)."""

import random
from datetime import date
from typing import TYPE_CHECKING

from juvenile.cases.models import CaseEvent
from juvenile.demo.case_rows import insert_ids, insert_rows, stamp
from juvenile.demo.programme_replay import CANCELLED, MARK
from juvenile.demo.programme_work import PSYCHOLOGICAL, Work
from juvenile.familywork.models import LegalMeasure, LivingConditionsAct
from juvenile.irp.models import Activity, Direction, IrpVersion, Occurrence
from juvenile.irp.occurrences import HOME_VISIT
from juvenile.sessions.models import GroupSession, Session

if TYPE_CHECKING:
    from juvenile.demo.programme_cases import Course

DIRECTION_ORDER = {d.value: n for n, d in enumerate(Direction)}


def place(course: "Course") -> dict:
    """The CaseRecord columns that say whose record it is and where it was made."""
    return {"enrolment_id": course.id, "minor_id": course.minor_id,
            "organisation_id": course.organisation_id, "district_id": course.district_id}


def event(course: "Course", kind: str, day: date, actor: int, data: dict, at,
          clinical: bool = False) -> dict:
    return {"minor_id": course.minor_id, "enrolment_id": course.id, "occurred_on": day,
            "kind": kind, "data": data, "clinical": clinical, "actor_id": actor, "at": at}


def write(courses: list["Course"], work: Work, rng: random.Random) -> None:
    events: list[dict] = []
    for group, group_id in zip(work.groups, insert_ids(GroupSession, [
            g.row | {"recorded_at": stamp(rng, g.row["held_on"])} for g in work.groups]),
            strict=True):
        group.id = group_id
    _records(courses, rng, events)
    _versions(courses, rng, events)
    _occurrences(courses, rng, events)
    measures = [(course, place(course) | row | {"recorded_at": stamp(rng, row["taken_on"]),
                                                "version": 1})
                for course, row in work.measures]
    for (course, row), measure_id in zip(measures, insert_ids(
            LegalMeasure, [row for _c, row in measures]), strict=True):
        data = {"measure_id": measure_id, "kind": row["kind"]}
        if row["outcome"]:
            data |= {"outcome": row["outcome"], "outcome_on": row["outcome_on"].isoformat()}
        events.append(event(course, "legal_measure", row["taken_on"], row["recorded_by_id"],
                            data, row["recorded_at"]))
    insert_rows(CaseEvent, events)


def _records(courses: list["Course"], rng: random.Random, events: list[dict]) -> None:
    """Sessions and acts, with their ids on the records (the occurrences point at them)."""
    sessions, acts = [], []
    for course in courses:
        for record in course.records:
            if record.kind == MARK:
                continue
            record.at = stamp(rng, record.day)
            row = place(course) | record.row | {"recorded_by_id": record.actor,
                                                "recorded_at": record.at, "version": 1}
            if record.kind == HOME_VISIT:
                record.row = row
                acts.append((course, record))
                continue
            record.row = row | {"attended": record.attended,
                                "group_session_id": record.group.id if record.group else None}
            sessions.append((course, record))
    for model, records in ((Session, sessions), (LivingConditionsAct, acts)):
        for (_course, record), record_id in zip(records, insert_ids(
                model, [r.row for _c, r in records]), strict=True):
            record.id = record_id
    for course, record in acts:
        events.append(event(course, "home_visit", record.day, record.actor,
                            {"act_id": record.id,
                             "participants": len(record.row["participants"])}, record.at))
    for course, record in sessions:
        data = {"session_id": record.id, "kind": record.kind,
                "minutes": record.row["duration_minutes"], "format": record.row["format"]}
        if record.group is not None:
            data |= {"group": True, "attended": record.attended}
        events.append(event(course, "session", record.day, record.actor, data, record.at,
                            clinical=record.kind in PSYCHOLOGICAL))


def _versions(courses: list["Course"], rng: random.Random, events: list[dict]) -> None:
    """Versions and their activities, a number at a time (a version points at the one it
    was based on, an activity at its origin in that version); drafting and approval on
    the timeline."""
    deepest = max((len(c.versions) for c in courses), default=0)
    for number in range(1, deepest + 1):
        versions = [(c, v) for c in courses for v in c.versions if v.number == number]
        rows = []
        for course, version in versions:
            drafted_at = stamp(rng, version.drafted_on)
            approved_at = stamp(rng, version.approved_on) if version.approved_on else None
            rows.append({
                "enrolment_id": course.id, "minor_id": course.minor_id,
                "organisation_id": course.organisation_id, "district_id": course.district_id,
                "number": number, "status": version.status, "goals": version.goals,
                "reason": version.reason, "is_review": version.is_review,
                "based_on_id": version.based_on.id if version.based_on else None,
                "drafted_by_id": version.drafted_by, "drafted_at": drafted_at,
                "approved_by_id": version.approved_by, "approved_at": approved_at,
                "approved_on": version.approved_on, "superseded_on": version.superseded_on,
                "version": 1})
            data = {"number": number, "correction": version.based_on is not None,
                    "review": version.is_review}
            events.append(event(course, "irp_drafted", version.drafted_on,
                                version.drafted_by, data, drafted_at))
            if version.approved_on:
                events.append(event(course, "irp_approved", version.approved_on,
                                    version.approved_by, data, approved_at))
        for (_course, version), version_id in zip(versions, insert_ids(IrpVersion, rows),
                                                  strict=True):
            version.id = version_id
        items = [item for _c, v in versions for item in _ordered(v.items)]
        for item, item_id in zip(items, insert_ids(Activity, [
                {"irp_id": item.version.id, "direction": item.line.direction.value,
                 "direction_order": DIRECTION_ORDER[item.line.direction.value],
                 "position": item.position, "title": item.title,
                 "fulfilled_by": item.line.fulfilled_by, "responsible_user_id": item.user_id,
                 "partner_organisation_id": item.partner_id, "partner_name": None,
                 "frequency": item.frequency, "starts_on": item.starts_on,
                 "ends_on": item.ends_on, "origin_id": item.origin.id if item.origin else None}
                for item in items]), strict=True):
            item.id = item_id


def _ordered(items: list) -> list:
    """Numbered within their direction, in the order they were planned."""
    seen: dict[str, int] = {}
    for item in items:
        direction = item.line.direction.value
        item.position = seen.get(direction, 0)
        seen[direction] = item.position + 1
    return items


def _occurrences(courses: list["Course"], rng: random.Random, events: list[dict]) -> None:
    """Each approved line's occurrences as the replay left them; a line marked by hand
    (done with its result, or cancelled) puts the mark on the timeline."""
    rows = []
    for course in courses:
        for version in course.approved():
            for item in version.items:
                for slot in item.occurrences:
                    if slot.alive:
                        rows.append(_occurrence(course, item, slot, rng, events))
    insert_rows(Occurrence, rows)


def _occurrence(course: "Course", item, slot, rng: random.Random, events: list[dict]) -> dict:
    record = slot.record
    cancelled = slot.status == CANCELLED
    by_hand = cancelled or (record is not None and record.kind == MARK)
    marked_on = slot.done_on or (slot.due_on if cancelled else None)
    marked_at = record.at if record is not None and record.at else (
        stamp(rng, marked_on) if marked_on else None)
    if by_hand:
        events.append(event(course, "irp_occurrence", marked_on, slot.marked_by,
                            {"direction": item.line.direction.value, "status": slot.status,
                             "due": slot.due_on.isoformat()}, marked_at,
                            clinical=item.line.direction is Direction.PSYCHOLOGICAL))
    linked = record is not None and record.kind != MARK
    return {
        "activity_id": item.id, "enrolment_id": course.id,
        "organisation_id": course.organisation_id, "district_id": course.district_id,
        "window_start": slot.window_start, "due_on": slot.due_on, "status": slot.status,
        "done_on": slot.done_on, "result": slot.result,
        "session_id": record.id if linked and record.kind != HOME_VISIT else None,
        "act_id": record.id if linked and record.kind == HOME_VISIT else None,
        "marked_by_id": slot.marked_by, "marked_at": marked_at, "version": 1}
