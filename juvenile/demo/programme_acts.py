"""The demo's living-conditions acts: who came, who lives there, and what they found, in
the minor's language, agreeing with the family analysis where there is one."""

import random
from datetime import date
from typing import TYPE_CHECKING

from juvenile.demo import people
from juvenile.demo.programme_texts import (
    CONCLUSIONS,
    HOUSING_NOTES,
    INCOME_NOTES,
    OCCUPATIONS,
    POSITIONS,
    RECOMMENDATIONS,
    RELATIONS,
    REST,
    RISK_NOTES,
    SIBLINGS,
    STUDY,
    SUPERVISION_NOTES,
)

if TYPE_CHECKING:
    from juvenile.demo.programme_cases import Course, School


def person(rng: random.Random, lang: str, female: bool = True) -> str:
    """A made-up adult's full name (a class teacher, a mentor, a doctor)."""
    if lang == "kk":
        father = rng.choice(people.KAZAKH_FATHERS)
        if female:
            return (f"{rng.choice(people.KAZAKH_SURNAMES)}а {rng.choice(people.KAZAKH_MOTHERS)}"
                    f" {father}қызы")
        return (f"{rng.choice(people.KAZAKH_SURNAMES)} {rng.choice(people.KAZAKH_FATHERS)} "
                f"{father}ұлы")
    _father, son, daughter = rng.choice(people.RUSSIAN_FATHERS)
    male_form, female_form = rng.choice(people.RUSSIAN_SURNAMES)
    if female:
        return f"{female_form} {rng.choice(people.RUSSIAN_MOTHERS)} {daughter}"
    return f"{male_form} {rng.choice(people.RUSSIAN_FATHERS)[0]} {son}"


def _risks(rng: random.Random, course: "Course", material: str, supervision: str) -> list[str]:
    _m, _s, conflict, violence, substance = course.family or (None, None, None, False, False)
    found = [code for code, present in (
        ("alcohol", substance), ("violence", violence),
        ("neglect", supervision == "absent"), ("conflict", conflict == "frequent"),
        ("low_income", material == "poor"),
        ("unemployment", material == "poor" and rng.random() < 0.5),
        ("overcrowding", rng.random() < 0.08), ("parent_absent", rng.random() < 0.1),
        ("criminal_record", bool({1, 4} & course.groups) and rng.random() < 0.15)) if present]
    if course.family is None and rng.random() < 0.15:
        found.append(rng.choice(["alcohol", "conflict", "neglect"]))
    return found


def _participants(rng: random.Random, course: "Course", school: "School",
                  partners: dict) -> list[dict]:
    i = 0 if course.lang == "kk" else 1
    found = [{"name": school.pedagogue[1], "position": POSITIONS["pedagogue"][i],
              "organisation": school.name[i]}]
    if rng.random() < 0.6:
        found.append({"name": person(rng, course.lang), "position": POSITIONS["teacher"][i],
                      "organisation": school.name[i]})
    police = partners.get("police")
    if police and ({1, 4} & course.groups or rng.random() < 0.15):
        found.append({"name": course.police_inspector or person(rng, course.lang, False),
                      "position": POSITIONS["police"][i], "organisation": police[1 + i]})
    health = partners.get("health")
    if health and rng.random() < 0.1:
        found.append({"name": person(rng, course.lang), "position": POSITIONS["health"][i],
                      "organisation": health[1 + i]})
    return found


def _household(rng: random.Random, course: "Course", representatives: list) -> list[dict]:
    i = 0 if course.lang == "kk" else 1
    born = course.birth_date.year
    found = []
    for relation, name in representatives:
        older = rng.randint(45, 62) if relation in {"guardian", "trustee"} else rng.randint(20, 34)
        found.append({"name": name, "relation": RELATIONS.get(relation, RELATIONS["mother"])[i],
                      "birth_year": born - older, "occupation": rng.choice(OCCUPATIONS)[i]})
    found.append({"name": f"{course.surname} {course.given_name}",
                  "relation": ("баланың өзі", "несовершеннолетний")[i], "birth_year": born,
                  "occupation": ("студент" if course.college else ("оқушы", "учащийся")[i])})
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        sex = rng.choice("mf")
        names = ((people.KAZAKH_BOYS if sex == "m" else people.KAZAKH_GIRLS) if i == 0 else
                 (people.RUSSIAN_BOYS if sex == "m" else people.RUSSIAN_GIRLS))
        found.append({"name": rng.choice(names), "relation": SIBLINGS[sex][i],
                      "birth_year": born + rng.randint(1, 8),
                      "occupation": ("тәрбиеленуші", "воспитанник")[i]})
    return found


def act_row(rng: random.Random, course: "Course", school: "School", partners: dict,
            representatives: list, day: date) -> dict:
    """The columns of a living-conditions act of ``day`` (without the case's place)."""
    i = 0 if course.lang == "kk" else 1
    material = course.family[0] if course.family else rng.choices(
        ["good", "adequate", "poor"], [25, 55, 20])[0]
    supervision = course.family[1] if course.family else rng.choices(
        ["adequate", "insufficient", "absent"], [50, 42, 8])[0]
    condition = {"good": rng.choice(["good", "adequate"]), "adequate": "adequate",
                 "poor": rng.choice(["poor", "adequate"])}[material]
    risks = _risks(rng, course, material, supervision)
    verdict = "poor" if condition == "poor" else "risk" if risks else "good"
    housing = rng.choices(["apartment", "house", "rented", "dormitory", "other"],
                          [40, 40, 14, 4, 2])[0]
    return {
        "visited_on": day, "address": course.address,
        "participants": _participants(rng, course, school, partners),
        "household": _household(rng, course, representatives),
        "housing_type": housing, "rooms": rng.randint(1, 2 if housing == "dormitory" else 5),
        "housing_condition": condition, "housing_note": HOUSING_NOTES[condition][i],
        "material_conditions": material, "income_note": INCOME_NOTES[material][i],
        "study_conditions": rng.choice(STUDY)[i], "rest_conditions": rng.choice(REST)[i],
        "supervision": supervision, "supervision_note": SUPERVISION_NOTES[supervision][i],
        "risk_factors": risks,
        "risk_note": "; ".join(RISK_NOTES[r][i] for r in risks[:3]),
        "conclusions": CONCLUSIONS[verdict][i],
        "recommendations": rng.choice(RECOMMENDATIONS)[i],
    }
