"""Recording assessments and reading their results."""

from juvenile.accounts.models import Role

SCHOOL = frozenset({Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE, Role.SCHOOL_ADMIN})

MATRIX = {
    "diagnostics.new_assessment": frozenset({Role.PSYCHOLOGIST}),
    "diagnostics.assessment": SCHOOL,
    "diagnostics.rescore": frozenset({Role.PSYCHOLOGIST}),
}


def make_assessment(db, minor, psychologist, enrolment=None):
    """A result of an instrument the library does not know, for the routes' targets."""
    from datetime import date

    from juvenile.diagnostics.models import Assessment

    assessment = Assessment(
        minor_id=minor.id, enrolment_id=enrolment.id if enrolment else None,
        custom_name="Test", construct="anxiety", administered_on=date.today(),
        administered_by_id=psychologist.id, stage="initial", scores={"total": "12"},
        level="moderate", organisation_id=minor.organisation_id,
        district_id=minor.district_id)
    db.session.add(assessment)
    db.session.commit()
    return assessment


def record_diagnostics(db, enrolment, psychologist, on=None):
    """An assessment of each construct in the enrolment's current stage: what the stage
    requirements of the diagnostics domain ask before a case moves on or completes."""
    from juvenile.diagnostics.models import Assessment, Construct

    for construct in Construct:
        db.session.add(Assessment(
            minor_id=enrolment.minor_id, enrolment_id=enrolment.id, custom_name="Test",
            construct=construct.value, administered_on=on or enrolment.stage_started_on,
            administered_by_id=psychologist.id, stage=enrolment.stage, level="low",
            organisation_id=enrolment.organisation_id, district_id=enrolment.district_id))
    db.session.flush()
