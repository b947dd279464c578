"""Leisure and socialisation: the school's psychologists and social pedagogues record,
correct and (on the day, their own) delete involvements; everyone else gets 403 (the
deputy head and the district coordinator read the case page's section only).

The involvement made here was recorded two days ago by the social pedagogue, so nobody
may delete it: a delete by an allowed role is refused with a message, not a 403, and the
record stays for the other roles' requests.
"""

from datetime import date, timedelta

from juvenile.accounts.models import Role
from juvenile.dbtypes import utcnow

RECORDERS = frozenset({Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE})

MATRIX = {
    "leisure.new_involvement": RECORDERS,
    "leisure.edit_involvement": RECORDERS,
    "leisure.delete_involvement": RECORDERS,
}


def make_targets(db, world, case) -> dict:
    from juvenile.leisure.models import LeisureInvolvement

    involvement = LeisureInvolvement(
        kind="sports_section", name="Футбол", organiser="ДЮСШ",
        starts_on=date.today() - timedelta(days=2),
        recorded_by_id=world.users["social_pedagogue"].id,
        recorded_at=utcnow() - timedelta(days=2))
    involvement.place_from(case.enrolment)
    db.session.add(involvement)
    db.session.commit()
    return {"involvement_id": involvement.id}
