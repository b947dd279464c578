"""Builds the demo region. Later issues add steps (minors, their histories) to STEPS."""

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select

from juvenile.accounts.models import District, Organisation, OrganisationKind, Region, Role, User
from juvenile.accounts.passwords import hash_password, new_session_token, temporary_password
from juvenile.audit import services as audit
from juvenile.demo.assessments import build_assessments, build_library
from juvenile.demo.cases import build_cases
from juvenile.demo.crisis import build_crisis
from juvenile.demo.family import build_family
from juvenile.demo.programme import build_programme
from juvenile.demo.region import DEFAULT_SCHOOLS, DISTRICTS, REGION, SCHOOLS_PER_DISTRICT
from juvenile.extensions import db


@dataclass
class DemoRegion:
    """What the steps build, passed from one step to the next."""

    password: str
    password_hash: str
    region: Region | None = None
    districts: dict[str, District] = field(default_factory=dict)
    #: (district code or "REGION", kind) -> organisations
    organisations: dict[tuple[str, str], list[Organisation]] = field(default_factory=dict)
    users: list[User] = field(default_factory=list)

    def orgs(self, district_code: str, kind: OrganisationKind) -> list[Organisation]:
        return self.organisations.get((district_code, kind.value), [])


def _org(demo: DemoRegion, district_code: str | None, kind: OrganisationKind, code: str,
         name_kk: str, name_ru: str) -> Organisation:
    district = demo.districts.get(district_code) if district_code else None
    org = Organisation(region=demo.region, district=district, kind=kind.value, code=code,
                       name_kk=name_kk, name_ru=name_ru)
    db.session.add(org)
    demo.organisations.setdefault((district_code or "REGION", kind.value), []).append(org)
    return org


def build_places(demo: DemoRegion) -> None:
    code, name_kk, name_ru = REGION
    demo.region = Region(code=code, name_kk=name_kk, name_ru=name_ru)
    db.session.add(demo.region)
    for d_code, d_kk, d_ru, is_city, *_ in DISTRICTS:
        district = District(region=demo.region, code=d_code, name_kk=d_kk, name_ru=d_ru,
                            is_city=is_city)
        db.session.add(district)
        demo.districts[d_code] = district


def build_regional_bodies(demo: DemoRegion) -> None:
    kind = OrganisationKind
    _org(demo, None, kind.EDUCATION_DEPARTMENT, "ZHM-EDU",
         "Жамбыл облысы әкімдігінің білім басқармасы",
         "Управление образования акимата Жамбылской области")
    _org(demo, None, kind.COMMISSION, "ZHM-KDN",
         "Жамбыл облысы әкімдігі жанындағы кәмелетке толмағандардың істері және олардың "
         "құқықтарын қорғау жөніндегі комиссия",
         "Комиссия по делам несовершеннолетних и защите их прав при акимате Жамбылской области")
    _org(demo, None, kind.HEALTH, "ZHM-PSY",
         "Жамбыл облыстық психикалық денсаулық орталығы",
         "Жамбылский областной центр психического здоровья")


def build_district_bodies(demo: DemoRegion) -> None:
    kind = OrganisationKind
    for d_code, _kk, _ru, is_city, gen_kk, gen_ru in DISTRICTS:
        _org(demo, d_code, kind.EDUCATION_DEPARTMENT, f"{d_code}-EDU",
             f"{gen_kk} білім бөлімі", f"Отдел образования {gen_ru}")
        _org(demo, d_code, kind.POLICE, f"{d_code}-POL",
             f"{gen_kk} полиция басқармасы", f"Управление полиции {gen_ru}")
        _org(demo, d_code, kind.COMMISSION, f"{d_code}-KDN",
             f"{gen_kk} әкімдігі жанындағы КТІҚҚК", f"КДНиЗП при акимате {gen_ru}")
        _org(demo, d_code, kind.HEALTH, f"{d_code}-HLT",
             f"{gen_kk} {'қалалық емханасы' if is_city else 'орталық ауруханасы'}",
             f"{'Городская поликлиника' if is_city else 'Центральная больница'} {gen_ru}")
        _org(demo, d_code, kind.SOCIAL_PROTECTION, f"{d_code}-SOC",
             f"{gen_kk} жұмыспен қамту және әлеуметтік бағдарламалар бөлімі",
             f"Отдел занятости и социальных программ {gen_ru}")


def build_schools(demo: DemoRegion) -> None:
    kind = OrganisationKind
    for d_code, _kk, _ru, _city, gen_kk, gen_ru in DISTRICTS:
        for number in range(1, SCHOOLS_PER_DISTRICT.get(d_code, DEFAULT_SCHOOLS) + 1):
            _org(demo, d_code, kind.SCHOOL, f"{d_code}-S{number:02d}",
                 f"{gen_kk} №{number} жалпы білім беретін мектебі",
                 f"Общеобразовательная школа №{number} {gen_ru}")
        _org(demo, d_code, kind.COLLEGE, f"{d_code}-C01",
             f"{gen_kk} көпсалалы колледжі", f"Многопрофильный колледж {gen_ru}")


#: (role, district code or None for regional, organisation kind, which one, login, name)
DEMO_ACCOUNTS = [
    (Role.ADMIN, None, OrganisationKind.EDUCATION_DEPARTMENT, 0, "admin",
     "Әкімші Жүйелік"),
    (Role.METHODOLOGIST, None, OrganisationKind.EDUCATION_DEPARTMENT, 0, "methodologist",
     "Сейітова Гүлнар Әбілқызы"),
    (Role.PSYCHOLOGIST, "TRZ", OrganisationKind.SCHOOL, 0, "psychologist",
     "Ахметова Әйгерім Серікқызы"),
    (Role.SOCIAL_PEDAGOGUE, "TRZ", OrganisationKind.SCHOOL, 0, "social.pedagogue",
     "Жұмабаев Нұрлан Қайратұлы"),
    (Role.SCHOOL_ADMIN, "TRZ", OrganisationKind.SCHOOL, 0, "deputy.head",
     "Омарова Ләззат Бекқызы"),
    (Role.POLICE_INSPECTOR, "TRZ", OrganisationKind.POLICE, 0, "inspector",
     "Сәрсенбаев Ержан Мұратұлы"),
    (Role.DISTRICT_COORDINATOR, "TRZ", OrganisationKind.EDUCATION_DEPARTMENT, 0,
     "coordinator", "Исаева Меруерт Төлегенқызы"),
    (Role.COMMISSION_MEMBER, "TRZ", OrganisationKind.COMMISSION, 0, "commission",
     "Қасымов Талғат Өмірұлы"),
    (Role.PARTNER, "TRZ", OrganisationKind.HEALTH, 0, "partner.health",
     "Нұрғалиева Динара Асқарқызы"),
]


def _user(demo: DemoRegion, role: Role, org: Organisation, login: str, name: str) -> User:
    user = User(login=login, full_name=name, role=role.value, organisation=org,
                password_hash=demo.password_hash, must_change_password=False,
                session_token=new_session_token())
    db.session.add(user)
    demo.users.append(user)
    return user


def build_accounts(demo: DemoRegion) -> None:
    """One named account per role (printed), and staff for every other organisation."""
    for role, d_code, kind, index, login, name in DEMO_ACCOUNTS:
        _user(demo, role, demo.orgs(d_code or "REGION", kind)[index], login, name)
    staff = {
        OrganisationKind.SCHOOL: [(Role.PSYCHOLOGIST, "psy"), (Role.SOCIAL_PEDAGOGUE, "sp"),
                                  (Role.SCHOOL_ADMIN, "dep")],
        OrganisationKind.COLLEGE: [(Role.PSYCHOLOGIST, "psy"), (Role.SOCIAL_PEDAGOGUE, "sp"),
                                   (Role.SCHOOL_ADMIN, "dep")],
        OrganisationKind.POLICE: [(Role.POLICE_INSPECTOR, "idn")],
        OrganisationKind.EDUCATION_DEPARTMENT: [(Role.DISTRICT_COORDINATOR, "coord")],
        OrganisationKind.COMMISSION: [(Role.COMMISSION_MEMBER, "kdn")],
    }
    taken = {(u.organisation.code, u.role) for u in demo.users}
    for (d_code, kind), orgs in demo.organisations.items():
        if d_code == "REGION":
            continue
        for org in orgs:
            for role, prefix in staff.get(OrganisationKind(kind), []):
                if (org.code, role.value) not in taken:
                    login = f"{prefix}.{org.code.lower()}"
                    _user(demo, role, org, login, f"{role.label} {org.code}")


#: The steps, in order. A later domain appends its own (e.g. minors and their cases).
STEPS: list[Callable[[DemoRegion], None]] = [
    build_places,
    build_regional_bodies,
    build_district_bodies,
    build_schools,
    build_accounts,
    build_cases,
    build_library,
    build_assessments,
    build_family,
    build_crisis,
    build_programme,
]


def bootstrap_region(admin_login: str, admin_name: str) -> str:
    """Places and regional bodies of the real region, and its first administrator.

    Returns the administrator's one-time password (they must replace it at first sign-in).
    """
    demo = DemoRegion(password="", password_hash="")
    for step in (build_places, build_regional_bodies):
        step(demo)
    db.session.flush()
    password = temporary_password()
    admin = User(login=admin_login.strip().lower(), full_name=admin_name.strip(),
                 role=Role.ADMIN.value,
                 organisation=demo.orgs("REGION", OrganisationKind.EDUCATION_DEPARTMENT)[0],
                 password_hash=hash_password(password), must_change_password=True,
                 session_token=new_session_token())
    db.session.add(admin)
    db.session.flush()
    audit.record(None, "create", admin, admin.login)
    return password


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count(Organisation.id)))


def build_demo_region(password: str | None = None) -> DemoRegion:
    """Load the whole demo region into the current session (flushes, does not commit)."""
    password = password or secrets.token_urlsafe(9)
    demo = DemoRegion(password=password, password_hash=hash_password(password))
    for step in STEPS:
        step(demo)
        db.session.flush()
    audit.record(None, "demo_loaded", demo.region, demo.region.code, object_type="system",
                 scope=(None, None))
    return demo


def printed_logins(demo: DemoRegion) -> list[tuple[str, str, str]]:
    """(role label, login, organisation) for the one named account of each role."""
    named = {login for *_, login, _name in DEMO_ACCOUNTS}
    return [(u.role_enum.label, u.login, u.organisation.name)
            for u in demo.users if u.login in named]
