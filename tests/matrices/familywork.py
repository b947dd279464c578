"""Family work: the home visit's living-conditions act and the legal measures.

The school's staff of the minor read (view_sessions); its psychologists and social
pedagogues record and correct (record_work). The police, the district coordinator, the
commission and everybody else get 403.
"""

from juvenile.accounts.models import Role

SCHOOL = frozenset({Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE, Role.SCHOOL_ADMIN})
RECORDERS = frozenset({Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE})

MATRIX = {
    "familywork.overview": SCHOOL,
    "familywork.new_act": RECORDERS,
    "familywork.edit_act": RECORDERS,
    "familywork.act": SCHOOL,
    "familywork.act_pdf": SCHOOL,
    "familywork.new_measure": RECORDERS,
    "familywork.measure_outcome": RECORDERS,
}


def make_act(db, enrolment, recorder, on=None):
    """A home visit's act with one participant and one person living there."""
    from datetime import date

    from juvenile.familywork.models import LivingConditionsAct

    act = LivingConditionsAct(
        visited_on=on or enrolment.enrolled_on, address="Тараз, Абай көшесі 1",
        participants=[{"name": "Серікова Айгүл", "position": "әлеуметтік педагог",
                       "organisation": "№1 мектеп"}],
        household=[{"name": "Әбенова Гүлмира", "relation": "анасы", "birth_year": 1985,
                    "occupation": "сатушы"}],
        housing_type="apartment", rooms=2, housing_condition="adequate",
        material_conditions="poor", supervision="insufficient", risk_factors=["low_income"],
        conclusions="Жағдайы қанағаттанарлық", recommendations="Бақылау",
        recorded_by_id=recorder.id)
    act.place_from(enrolment)
    assert act.visited_on <= date.today()
    db.session.add(act)
    db.session.commit()
    return act


def make_measure(db, enrolment, recorder):
    from juvenile.familywork.models import LegalMeasure

    measure = LegalMeasure(kind="warning", taken_on=enrolment.enrolled_on,
                           description="Ескерту берілді", recorded_by_id=recorder.id)
    measure.place_from(enrolment)
    db.session.add(measure)
    db.session.commit()
    return measure


def make_targets(db, world, case) -> dict:
    recorder = world.users["social_pedagogue"]
    return {"act_id": make_act(db, case.enrolment, recorder).id,
            "measure_id": make_measure(db, case.enrolment, recorder).id}
