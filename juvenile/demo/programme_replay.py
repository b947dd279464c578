"""Replaying a demo case's records against its programme, with the services' rules.

``simulate`` takes the records in date order: a record ticks the earliest-due planned
occurrence of its kind whose period holds its day, as ``juvenile.irp.occurrences.fulfil``
does; a newer version takes effect as ``juvenile.irp.services.approve`` makes it (the
older one's plans from that day withdrawn, the new lines skipping the periods their origin
already did); the closure withdraws what was not yet due. ``cancel`` then calls off some
of the periods nobody did, with a reason.
"""

import random
from bisect import bisect_left
from datetime import date
from typing import TYPE_CHECKING

from juvenile.demo.programme_texts import CANCEL_REASONS, LEISURE_OF_LINE
from juvenile.irp.models import OccurrenceStatus

if TYPE_CHECKING:
    from juvenile.demo.programme import Item
    from juvenile.demo.programme_cases import Course, School
    from juvenile.demo.programme_work import Record

#: A record of a line marked by hand (not a session or a visit).
MARK = "mark"
#: Occurrence statuses, as plain strings (an enum member's value is slow to read in bulk).
PLANNED, DONE, CANCELLED = (OccurrenceStatus.PLANNED.value, OccurrenceStatus.DONE.value,
                            OccurrenceStatus.CANCELLED.value)
#: Share of the periods nobody did that were called off.
CALLED_OFF = 0.25


class Occurrence:
    """A planned occurrence of an item, as the replay leaves it."""

    __slots__ = ("alive", "done_on", "due_on", "item", "marked_by", "record", "result",
                 "status", "window_start")

    def __init__(self, window_start: date, due_on: date, item: "Item"):
        self.window_start, self.due_on, self.item = window_start, due_on, item
        self.reset()

    def reset(self) -> None:
        self.status, self.alive = PLANNED, True
        self.done_on = self.record = self.result = self.marked_by = None


def simulate(course: "Course") -> None:
    """Replay the records in date order against the version in force: a record ticks the
    earliest-due planned occurrence of its kind whose period holds its day; a newer
    version, and the closure, withdraw the planned occurrences not yet due."""
    versions = course.approved()
    for version in versions:
        for item in version.items:
            for slot in item.occurrences:
                slot.reset()
    course.records.sort(key=lambda r: r.day)
    current = -1
    for record in course.records:
        while current + 1 < len(versions) and versions[current + 1].approved_on <= record.day:
            current += 1
            _take_effect(versions, current)
        if current < 0 or not record.attended:
            continue
        _fulfil(versions[current], record)
    for n in range(current + 1, len(versions)):
        _take_effect(versions, n)
    if versions and course.closed_on is not None:
        _withdraw(versions[-1], course.closed_on)


def _take_effect(versions: list, n: int) -> None:
    """Version ``n`` is approved: the one before gives up its plans from that day on, and
    the new lines skip the periods their origin already did (``approve``'s ``skip_due``)."""
    if n == 0:
        return
    day = versions[n].approved_on
    _withdraw(versions[n - 1], day)
    for item in versions[n].items:
        if item.origin is None:
            continue
        acted = {slot.due_on for slot in item.origin.occurrences
                 if slot.due_on >= day and slot.status != PLANNED}
        for slot in item.occurrences:
            if slot.due_on in acted:
                slot.alive = False


def _fulfil(version, record: "Record") -> None:
    best = None
    for item in version.items:
        if item.key != record.key:
            continue
        index = bisect_left(item.dues, record.day)
        if index == len(item.dues):
            continue
        slot = item.occurrences[index]
        if (slot.alive and slot.status == PLANNED
                and slot.window_start <= record.day and (best is None or
                                                          slot.due_on < best.due_on)):
            best = slot
    if best is not None:
        best.status, best.done_on, best.record = DONE, record.day, record
        if record.kind == MARK:
            best.result, best.marked_by = record.row["result"], record.actor


def _withdraw(version, day: date) -> None:
    for item in version.items:
        for slot in item.occurrences:
            if slot.status == PLANNED and slot.due_on >= day:
                slot.alive = False


def cancel(rng: random.Random, course: "Course", school: "School") -> None:
    """Some occurrences nobody did were called off, with the reason."""
    for version in course.approved():
        for item in version.items:
            for slot in item.occurrences:
                if (slot.alive and slot.status == PLANNED
                        and slot.due_on < course.today and rng.random() < CALLED_OFF):
                    slot.status = CANCELLED
                    slot.result = course.text(rng.choice(CANCEL_REASONS))
                    slot.marked_by = item.user_id or school.pedagogue[0]


def hints(course: "Course") -> None:
    """What the hand-marked lines brought about, for the schooling and leisure step."""
    for version in course.approved():
        for item in version.items:
            for slot in item.occurrences:
                if slot.record is None or slot.record.kind != MARK:
                    continue
                key = item.line.key
                if key in LEISURE_OF_LINE:
                    course.hints.setdefault("leisure", (*slot.record.row["leisure"],
                                                        slot.done_on))
                elif key in {"return", "employment"}:
                    course.hints.setdefault(key, slot.done_on)
