"""The individual rehabilitation programme: the school's staff and the district's
coordinator read it (the programme page, a version, the comparison, the PDF); the
school's psychologists and social pedagogues draft it and mark its occurrences; the deputy
head approves it. The police and the commission see none of it."""

from datetime import date, timedelta

from juvenile.accounts.models import Role

SCHOOL = frozenset({Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE, Role.SCHOOL_ADMIN})
READERS = SCHOOL | {Role.DISTRICT_COORDINATOR}
SPECIALISTS = frozenset({Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE})

MATRIX = {
    "irp.programme": READERS,
    "irp.version": READERS,
    "irp.compare": READERS,
    "irp.programme_pdf": READERS,
    "irp.new_draft": SPECIALISTS,
    "irp.edit_draft": SPECIALISTS,
    "irp.discard_draft": SPECIALISTS,
    "irp.new_activity": SPECIALISTS,
    "irp.edit_activity": SPECIALISTS,
    "irp.remove_activity": SPECIALISTS,
    "irp.mark": SPECIALISTS,
    "irp.approve": frozenset({Role.SCHOOL_ADMIN}),
}


def make_programme(db, enrolment, specialist, deputy_head, *, day: date | None = None,
                   correction: bool = True):
    """An approved first version with one weekly consultation (its occurrences expanded)
    and, when ``correction``, a correction draft copied from it. Returns (v1, v2 or None)."""
    from juvenile.irp import services

    day = day or date.today()
    v1 = services.start_draft(specialist, enrolment, "Мақсат: мектепке қайта оралу", day)
    services.add_activity(specialist, v1, services.ActivityData(
        direction="psychological", title="Жеке кеңес", fulfilled_by="consultation",
        responsible_user_id=specialist.id, partner_organisation_id=None, partner_name=None,
        frequency="weekly", starts_on=enrolment.enrolled_on,
        ends_on=enrolment.enrolled_on + timedelta(days=60)), v1.version)
    services.approve(deputy_head, v1, v1.version, day)
    v2 = None
    if correction:
        v2 = services.start_draft(specialist, enrolment, v1.goals, day, reason="Түзету")
    db.session.commit()
    return v1, v2


def make_targets(db, world, case):
    v1, v2 = make_programme(db, case.enrolment, world.users["psychologist"],
                            world.users["school_admin"])
    return {"irp_id": v2.id, "irp_activity_id": v2.activities[0].id,
            "occurrence_id": v1.activities[0].occurrences[0].id}
