"""The demo region's family analyses and portrait conclusions.

About seven in ten enrolled minors have their family environment analysed by the school's
social pedagogue or psychologist in the first weeks of the (latest) enrolment, with the
clinical timeline line the service writes; about half of the open cases past the initial
stage carry the responsible specialist's conclusion on the portrait. Texts are in the
case's language; rows are written in bulk like the rest of the demo.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import insert, select

from juvenile.accounts.models import Role, User
from juvenile.cases import dates
from juvenile.cases.models import CaseEvent, Enrolment, Minor, Stage
from juvenile.demo.case_rows import stamp
from juvenile.diagnostics.family import Conflict, MaterialConditions, ParentingStyle, Supervision
from juvenile.diagnostics.models import FamilyAnalysis, PortraitConclusion
from juvenile.extensions import db

if TYPE_CHECKING:  # the builder imports this module for its list of steps
    from juvenile.demo.builder import DemoRegion

SEED = 2027
ANALYSED = 0.7
CONCLUDED = 0.5

#: (Kazakh, Russian) descriptions of the household.
HOUSEHOLDS = [
    ("Анасы, әкесі және екі інісімен бірге тұрады",
     "Живёт с матерью, отцом и двумя младшими братьями"),
    ("Анасымен және әжесімен тұрады, әкесі бөлек тұрады",
     "Живёт с матерью и бабушкой, отец проживает отдельно"),
    ("Ата-анасымен және үш бауырымен тұрады", "Живёт с родителями и тремя братьями и сёстрами"),
    ("Анасымен және өгей әкесімен тұрады", "Живёт с матерью и отчимом"),
    ("Әжесі мен атасының қамқорлығында, ата-анасы жұмыс бабымен Алматыда",
     "Под опекой бабушки и дедушки, родители на заработках в Алматы"),
    ("Анасымен екеуі тұрады, анасы жалғыз тәрбиелейді", "Живёт вдвоём с матерью-одиночкой"),
    ("Әкесімен және әкесінің әйелімен тұрады", "Живёт с отцом и его супругой"),
    ("Ата-анасымен, әжесімен және әпкесімен тұрады",
     "Живёт с родителями, бабушкой и старшей сестрой"),
    ("Апасының (нағашы апасының) қамқорлығында", "Под опекой тёти по матери"),
    ("Көп балалы отбасы: ата-анасы және бес бала", "Многодетная семья: родители и пятеро детей"),
]
VIOLENCE_NOTES = [
    ("Әкесі ұрып-соғады деген белгілер бар, бала үйге барғысы келмейді",
     "Есть признаки физических наказаний со стороны отца, ребёнок не хочет идти домой"),
    ("Бала жиі аш келеді, киімі маусымға сай емес",
     "Ребёнок часто приходит голодным, одежда не по сезону"),
    ("Ата-анасы баланы ұзақ уақыт қараусыз қалдырады",
     "Родители надолго оставляют ребёнка без присмотра"),
]
SUBSTANCE_NOTES = [
    ("Әкесі жүйелі түрде алкоголь ішеді", "Отец систематически злоупотребляет алкоголем"),
    ("Өгей әкесі апта сайын ішімдік ішеді, үйде жанжал болады",
     "Отчим еженедельно выпивает, дома бывают скандалы"),
    ("Үлкен ағасы есірткі қолданады деген мәлімет бар",
     "Есть сведения об употреблении наркотиков старшим братом"),
]
RISKS = {
    "conflict": ("Отбасындағы жиі жанжалдар", "Частые конфликты в семье"),
    "supervision": ("Бос уақыты бақылаусыз", "Свободное время без контроля взрослых"),
    "material": ("Отбасының материалдық жағдайы төмен", "Низкий материальный уровень семьи"),
    "style": ("Тәрбиеде бірізділік жоқ", "Непоследовательность в воспитании"),
    "violence": ("Зорлық-зомбылық немесе қараусыз қалу белгілері",
                 "Признаки насилия или пренебрежения нуждами"),
    "substance": ("Отбасында психобелсенді заттарды қолдану", "Употребление ПАВ в семье"),
}
PROTECTIVE = [
    ("Анасымен жылы қарым-қатынас", "Тёплые отношения с матерью"),
    ("Әжесі баланың оқуына көңіл бөледі", "Бабушка следит за учёбой ребёнка"),
    ("Спорт секциясына қатысады", "Посещает спортивную секцию"),
    ("Ата-анасы мектеппен байланыс жасауға дайын", "Родители готовы сотрудничать со школой"),
    ("Үйірмеге барады, досы бар", "Посещает кружок, есть близкий друг"),
    ("Ағасы үлгі болады, қолдау көрсетеді", "Старший брат служит примером и поддерживает"),
]
STRENGTHS = [
    ("Спортқа қызығады, жаттықтырушымен байланысы жақсы",
     "Увлекается спортом, хороший контакт с тренером"),
    ("Шығармашылыққа бейім, жақсы сурет салады", "Творческие способности, хорошо рисует"),
    ("Көмек сұрауға дайын, маманмен байланысқа түседі",
     "Готов обращаться за помощью, идёт на контакт со специалистом"),
    ("Інілеріне қамқорлық жасайды, жауапкершілігі бар",
     "Заботится о младших, проявляет ответственность"),
    ("Техникаға қызығады, колледжге түскісі келеді",
     "Интересуется техникой, хочет поступить в колледж"),
]
CONCLUSIONS = [
    ("Жағдайы тұрақталып келеді, жеке жұмысты жалғастыру ұсынылады",
     "Состояние стабилизируется, рекомендовано продолжить индивидуальную работу"),
    ("Мазасыздық деңгейі төмендеді, отбасымен жұмыс жүргізу қажет",
     "Уровень тревожности снизился, необходима работа с семьёй"),
    ("Мінез-құлқында оң өзгерістер бар, бос уақытын ұйымдастыру ұсынылады",
     "Есть положительная динамика в поведении, рекомендована организация досуга"),
    ("Агрессия көріністері сақталады, психологпен топтық сабақтар ұсынылады",
     "Сохраняются проявления агрессии, рекомендованы групповые занятия с психологом"),
]


@dataclass
class Course:
    id: int
    minor_id: int
    organisation_id: int
    district_id: int | None
    enrolled_on: date
    closed_on: date | None
    stage: str
    stage_started_on: date
    responsible_id: int | None
    lang: str


def build_family(demo: "DemoRegion") -> None:
    """Family analyses for most enrolled minors, conclusions for half the open cases."""
    today = dates.today()
    rng = random.Random(SEED)
    recorders = _recorders()
    courses = _courses()
    latest: dict[int, Course] = {}
    for course in courses:  # ordered by id: the last one of a minor wins
        latest[course.minor_id] = course
    analyses, events, analysed_on = [], [], {}
    for course in latest.values():
        staff = recorders.get(course.organisation_id)
        if not staff or rng.random() >= ANALYSED:
            continue
        last = min(course.closed_on or today, today)
        on = min(course.enrolled_on + timedelta(days=rng.randint(1, 21)), last)
        actor = (course.responsible_id if course.responsible_id in staff.values()
                 and rng.random() < 0.5 else
                 staff.get(Role.SOCIAL_PEDAGOGUE.value if rng.random() < 0.6
                           else Role.PSYCHOLOGIST.value) or next(iter(staff.values())))
        analyses.append(_analysis(rng, course, on, actor))
        events.append({"minor_id": course.minor_id, "enrolment_id": course.id,
                       "occurred_on": on, "kind": "family_analysis", "data": None,
                       "clinical": True, "actor_id": actor, "at": stamp(rng, on)})
        analysed_on[course.id] = on
    conclusions = []
    for course in courses:
        if (course.closed_on is not None or course.stage == Stage.INITIAL.value
                or course.responsible_id is None or rng.random() >= CONCLUDED):
            continue
        first = max(analysed_on.get(course.id, course.enrolled_on), course.stage_started_on)
        on = min(first + timedelta(days=rng.randint(0, 30)), today)
        text = rng.choice(CONCLUSIONS)
        strengths = rng.choice(STRENGTHS)
        i = 0 if course.lang == "kk" else 1
        conclusions.append({
            "enrolment_id": course.id, "strengths": strengths[i], "conclusion": text[i],
            "updated_by_id": course.responsible_id, "updated_at": stamp(rng, on),
            "organisation_id": course.organisation_id, "district_id": course.district_id,
            "version": 1})
    for model, rows in ((FamilyAnalysis, analyses), (CaseEvent, events),
                        (PortraitConclusion, conclusions)):
        if rows:
            db.session.execute(insert(model.__table__), rows)


def _recorders() -> dict[int, dict[str, int]]:
    """organisation id -> {role: its first psychologist's / social pedagogue's id}."""
    found: dict[int, dict[str, int]] = {}
    roles = [Role.PSYCHOLOGIST.value, Role.SOCIAL_PEDAGOGUE.value]
    for org_id, role, user_id in db.session.execute(
            select(User.organisation_id, User.role, User.id).where(User.role.in_(roles))
            .order_by(User.id)):
        found.setdefault(org_id, {}).setdefault(role, user_id)
    return found


def _courses() -> list[Course]:
    rows = db.session.execute(
        select(Enrolment.id, Enrolment.minor_id, Minor.organisation_id, Minor.district_id,
               Enrolment.enrolled_on, Enrolment.closed_on, Enrolment.stage,
               Enrolment.stage_started_on, Enrolment.responsible_id, Minor.schooling_language)
        .join(Minor, Minor.id == Enrolment.minor_id)
        .order_by(Enrolment.id))
    return [Course(*row) for row in rows]


def _analysis(rng: random.Random, course: Course, on: date, actor: int) -> dict:
    i = 0 if course.lang == "kk" else 1
    style = rng.choices(list(ParentingStyle), [30, 20, 15, 10, 25])[0]
    conflict = rng.choices(list(Conflict), [35, 45, 20])[0]
    material = rng.choices(list(MaterialConditions), [25, 55, 20])[0]
    supervision = rng.choices(list(Supervision), [45, 45, 10])[0]
    if style is ParentingStyle.NEGLECTFUL and supervision is Supervision.ADEQUATE:
        supervision = Supervision.INSUFFICIENT
    violence = rng.random() < (0.25 if style is ParentingStyle.NEGLECTFUL
                               or conflict is Conflict.FREQUENT else 0.06)
    substance = rng.random() < (0.2 if conflict is Conflict.FREQUENT else 0.07)
    risks = [key for key, present in (
        ("conflict", conflict is Conflict.FREQUENT),
        ("supervision", supervision is not Supervision.ADEQUATE),
        ("material", material is MaterialConditions.POOR),
        ("style", style is ParentingStyle.INCONSISTENT),
        ("violence", violence), ("substance", substance)) if present]
    protective = rng.sample(PROTECTIVE, rng.randint(1, 2)) if rng.random() < 0.9 else []
    return {
        "minor_id": course.minor_id, "enrolment_id": course.id, "recorded_on": on,
        "recorded_by_id": actor, "household": rng.choice(HOUSEHOLDS)[i],
        "parenting_style": style.value, "conflict": conflict.value,
        "violence_or_neglect_signs": violence,
        "violence_or_neglect_note": rng.choice(VIOLENCE_NOTES)[i] if violence else None,
        "substance_use": substance,
        "substance_use_note": rng.choice(SUBSTANCE_NOTES)[i] if substance else None,
        "material_conditions": material.value, "supervision": supervision.value,
        "risk_factors": "; ".join(RISKS[key][i] for key in risks) or None,
        "protective_factors": "; ".join(p[i] for p in protective) or None,
        "organisation_id": course.organisation_id, "district_id": course.district_id,
        "version": 1,
    }
