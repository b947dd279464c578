"""The safety protocol: the episode page (school staff act, the coordinator views), its
actions and the printable plan (school staff), raising by judgement (psychologists)."""

from datetime import date

from juvenile.accounts.models import Role

SCHOOL = frozenset({Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE, Role.SCHOOL_ADMIN})

MATRIX = {
    "crisis.episode": SCHOOL | {Role.DISTRICT_COORDINATOR},
    "crisis.record_step": SCHOOL,
    "crisis.acknowledge": SCHOOL,
    "crisis.clear": SCHOOL,
    "crisis.safety_plan": SCHOOL,
    "crisis.print_plan": SCHOOL,
    "crisis.raise_judgement": frozenset({Role.PSYCHOLOGIST}),
}


def make_episode(db, enrolment, raiser):
    """An open acute episode of ``enrolment`` with a safety plan (for tests/test_access.py:
    every crisis route then has something to show)."""
    from juvenile.diagnostics.models import CrisisEpisode, SafetyPlan

    episode = CrisisEpisode(enrolment_id=enrolment.id, minor_id=enrolment.minor_id,
                            severity="acute", trigger="judgement", raised_by_id=raiser.id,
                            organisation_id=enrolment.organisation_id,
                            district_id=enrolment.district_id)
    db.session.add(episode)
    db.session.flush()
    db.session.add(SafetyPlan(episode_id=episode.id, warning_signs="w", coping_strategies="c",
                              distracting_people_places="d", people_to_ask="p",
                              professionals_and_lines="l", safe_environment="s",
                              review_on=date(2030, 1, 1), made_by_id=raiser.id))
    enrolment.crisis = True
    db.session.commit()
    return episode
