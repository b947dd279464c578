"""Education and employment: the monthly missed-lessons screen, the minor's education
page and the forms of the status, quarterly progress and employment.

The monthly screen is the school's (psychologists, social pedagogues, the deputy head);
the education page is read by the school's staff and the district coordinator; the
psychologists and social pedagogues record.
"""

from datetime import date
from decimal import Decimal

from juvenile.accounts.models import Role
from juvenile.education.models import EducationRecord, Employment, QuarterlyProgress

SCHOOL = frozenset({Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE, Role.SCHOOL_ADMIN})
READERS = SCHOOL | {Role.DISTRICT_COORDINATOR}
RECORDERS = frozenset({Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE})

MATRIX = {
    "education.attendance": SCHOOL,
    "education.overview": READERS,
    "education.new_status": RECORDERS,
    "education.edit_status": RECORDERS,
    "education.new_progress": RECORDERS,
    "education.edit_progress": RECORDERS,
    "education.new_employment": RECORDERS,
    "education.edit_employment": RECORDERS,
}


def make_targets(db, world, case) -> dict:
    """A status, a quarter's progress and an employment of the open case in school1."""
    recorder = world.users["social_pedagogue"]
    status = EducationRecord(status="attending", since=date(2026, 9, 1), note="")
    progress = QuarterlyProgress(year=2025, quarter=1, failing_subjects=1,
                                 failing_note="алгебра", average_mark=Decimal("3.40"))
    employment = Employment(kind="temporary", employer="Тараз су", position="көмекші",
                            starts_on=date(2026, 6, 1), ends_on=None, note="")
    for record in (status, progress, employment):
        record.place_from(case.enrolment)
        record.recorded_by_id = recorder.id
        db.session.add(record)
    db.session.commit()
    return {"education_record_id": status.id, "progress_id": progress.id,
            "employment_id": employment.id}
