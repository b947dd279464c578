"""Sessions and group sessions: the school's staff see them (the coordinator, the police,
the commission do not); its psychologists and social pedagogues record and change them
(the records below are the social pedagogue's own, so both specialists may change them)."""

from juvenile.accounts.models import Role

SCHOOL = frozenset({Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE, Role.SCHOOL_ADMIN})
SPECIALISTS = frozenset({Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE})

MATRIX = {
    "sessions.enrolment_sessions": SCHOOL,
    "sessions.minor_sessions": SCHOOL,
    "sessions.new_session": SPECIALISTS,
    "sessions.session": SCHOOL,
    "sessions.edit_session": SPECIALISTS,
    "sessions.delete_session": SPECIALISTS,
    "sessions.group_sessions": SCHOOL,
    "sessions.new_group_session": SPECIALISTS,
    "sessions.group_session": SCHOOL,
    "sessions.edit_group_session": SPECIALISTS,
    "sessions.delete_group_session": SPECIALISTS,
}


def make_targets(db, world, case) -> dict:
    """A session of the open case and a group session with the case's line, both recorded
    by the school's social pedagogue on the day of enrolment."""
    from juvenile.sessions.models import GroupSession, Session

    recorder = world.users["social_pedagogue"]
    enrolment = case.enrolment
    common = {"kind": "contact_family", "held_on": enrolment.enrolled_on,
              "duration_minutes": 30, "format": "phone", "conducted_by_id": recorder.id,
              "recorded_by_id": recorder.id}
    session = Session(**common, summary="Қоңырау")
    session.place_from(enrolment)
    group = GroupSession(**common, topic="Тренинг", organisation_id=enrolment.organisation_id,
                         district_id=enrolment.district_id)
    db.session.add_all([session, group])
    db.session.flush()
    line = Session(**common, summary="Тренинг", group_session_id=group.id, attended=True)
    line.place_from(enrolment)
    db.session.add(line)
    db.session.commit()
    return {"session_id": session.id, "group_session_id": group.id}
