"""The work lists: each role's scope, ordering, filters and counts, pagination, the
inspector's list, and a query count that does not grow with the rows shown."""

from datetime import date, timedelta

import pytest
from flask_babel import force_locale, gettext, ngettext

from juvenile.accounts.models import Role
from juvenile.cases import worklists
from juvenile.cases.dates import today
from juvenile.cases.models import Stage
from tests.conftest import count_queries


@pytest.fixture
def open_case(db, make_case):
    """An open case whose deadline is ``due_in`` days from today."""

    def create(org, surname, *, due_in=10, crisis=False, stage="initial", groups=(2,),
               responsible=None, coworkers=(), police_grounds=None, closed=False):
        case = make_case(org, surname=surname, groups=groups, stage=stage,
                         responsible=responsible)
        enrolment = case.enrolment
        enrolment.stage_due_on = today() + timedelta(days=due_in)
        enrolment.crisis = crisis
        enrolment.coworkers = list(coworkers)
        if police_grounds:
            enrolment.police_registered_on = date(2025, 5, 20)
            enrolment.police_grounds = police_grounds
        if closed:
            enrolment.closed_on, enrolment.stage = today(), Stage.CLOSED.value
            enrolment.closure_reason = "moved_away"
        db.session.commit()
        return case

    return create


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _order(page: str, *names: str) -> list[str]:
    """The names that appear on the page, in the order they appear."""
    found = [name for name in names if name in page]
    return sorted(found, key=page.index)


def _kk(app, text: str, plural: str | None = None, n: int | None = None) -> str:
    with app.test_request_context(), force_locale("kk"):
        return ngettext(text, plural, n) if plural else gettext(text)


# --- my work ------------------------------------------------------------------------------


def test_my_work_pins_crisis_then_overdue_then_nearest_deadline(app, client, world,
                                                                open_case, login_as):
    school1 = world.orgs["school1"]
    me, colleague = world.users["psychologist"], world.users["social_pedagogue"]
    open_case(school1, "Валиев", due_in=5, responsible=me)
    open_case(school1, "Бекенов", due_in=-2, responsible=me)
    open_case(school1, "Григорьев", due_in=1, responsible=colleague, coworkers=[me])
    open_case(school1, "Даулетов", due_in=30, crisis=True, responsible=me)
    open_case(school1, "Ахметов", due_in=-9, responsible=me)
    open_case(school1, "Жанатов", due_in=3, responsible=colleague)  # not mine
    open_case(school1, "Ерланов", due_in=-20, responsible=me, closed=True)  # closed
    login_as(Role.PSYCHOLOGIST)
    page = _page(client, "/work")
    assert _order(page, "Ахметов", "Бекенов", "Валиев", "Григорьев", "Даулетов", "Жанатов",
                  "Ерланов") == ["Даулетов", "Ахметов", "Бекенов", "Григорьев", "Валиев"]
    assert _kk(app, "%(num)s day overdue", "%(num)s days overdue", 2) in page
    assert _kk(app, "%(num)s day left", "%(num)s days left", 5) in page
    assert _kk(app, "Crisis") in page


def test_my_work_shows_age_groups_stage_and_links_to_the_case(client, world, open_case,
                                                              login_as):
    me = world.users["psychologist"]
    case = open_case(world.orgs["school1"], "Ахметов", groups=(2, 3), stage="active",
                     responsible=me)
    login_as(Role.PSYCHOLOGIST)
    page = _page(client, "/work")
    assert f'href="/minors/{case.minor.id}"' in page
    assert ">2</abbr>, <abbr" in page and ">3</abbr>" in page
    assert f'<td class="num">{case.minor.age_on(today())}</td>' in page
    assert Stage.ACTIVE.label in page


def test_my_work_keeps_crisis_on_top_whatever_the_sort(client, world, open_case, login_as):
    me = world.users["psychologist"]
    open_case(world.orgs["school1"], "Ахметов", responsible=me)
    open_case(world.orgs["school1"], "Бекенов", responsible=me, crisis=True)
    open_case(world.orgs["school1"], "Валиев", responsible=me)
    login_as(Role.PSYCHOLOGIST)
    assert _order(_page(client, "/work?sort=name"), "Ахметов", "Бекенов", "Валиев") == [
        "Бекенов", "Ахметов", "Валиев"]
    assert _order(_page(client, "/work?sort=-name"), "Ахметов", "Бекенов", "Валиев") == [
        "Бекенов", "Валиев", "Ахметов"]


def test_a_psychologist_of_another_school_sees_none_of_school1s_cases(
        client, world, open_case, make_user, auth):
    other = make_user(Role.PSYCHOLOGIST, world.orgs["school2"], "psy.school2")
    open_case(world.orgs["school1"], "Ахметов", responsible=world.users["psychologist"])
    # Even a case naming them (a stale assignment) stays out of their lists.
    open_case(world.orgs["school1"], "Бекенов", responsible=other, coworkers=[other])
    open_case(world.orgs["school2"], "Валиев", responsible=other)
    auth.login(other.login)
    for url in ("/work", "/school", "/school?sort=name"):
        page = _page(client, url)
        assert "Валиев" in page
        assert "Ахметов" not in page and "Бекенов" not in page


# --- the school's list ------------------------------------------------------------------


def test_school_list_flags_cases_without_a_specialist_and_counts_stages(
        app, client, world, open_case, login_as):
    school1 = world.orgs["school1"]
    psy = world.users["psychologist"]
    open_case(school1, "Ахметов", responsible=psy)
    open_case(school1, "Бекенов", stage="active", due_in=-1)
    open_case(school1, "Валиев", stage="active", responsible=psy)
    open_case(school1, "Григорьев", stage="follow_up", responsible=psy, closed=True)
    open_case(world.orgs["school2"], "Даулетов")
    user = login_as(Role.SCHOOL_ADMIN)
    page = _page(client, "/school")
    assert _order(page, "Ахметов", "Бекенов", "Валиев", "Григорьев", "Даулетов") == [
        "Бекенов", "Ахметов", "Валиев"]
    assert page.count(_kk(app, "not assigned")) == 1
    assert psy.full_name in page
    counts = worklists.school_cases(user, today(), worklists.CaseFilters(), None, 1, 50).counts
    assert (counts.total, counts.overdue, counts.unassigned) == (3, 1, 1)
    assert counts.stages() == [(Stage.INITIAL, 1), (Stage.ACTIVE, 2), (Stage.FOLLOW_UP, 0)]


def test_school_list_filters(client, world, open_case, login_as):
    school1 = world.orgs["school1"]
    psy = world.users["psychologist"]
    open_case(school1, "Ахметов", groups=(1,), responsible=psy)
    open_case(school1, "Бекенов", stage="active", due_in=-1, responsible=psy)
    open_case(school1, "Валиев", stage="active")
    login_as(Role.SOCIAL_PEDAGOGUE)
    names = ("Ахметов", "Бекенов", "Валиев")
    assert _order(_page(client, "/school?stage=active"), *names) == ["Бекенов", "Валиев"]
    assert _order(_page(client, "/school?group=1"), *names) == ["Ахметов"]
    assert _order(_page(client, "/school?overdue=y"), *names) == ["Бекенов"]
    assert _order(_page(client, "/school?unassigned=y"), *names) == ["Валиев"]
    assert _order(_page(client, "/school?stage=active&unassigned=y"), *names) == ["Валиев"]
    # Values outside the choices are ignored, not an error.
    assert len(_order(_page(client, "/school?stage=closed&group=x&sort=evil"), *names)) == 3


# --- the district's list ------------------------------------------------------------------


@pytest.fixture
def district_cases(world, open_case, make_user):
    psy2 = make_user(Role.PSYCHOLOGIST, world.orgs["school2"], "psy.school2")
    open_case(world.orgs["school1"], "Ахметов", groups=(1, 2), due_in=-3,
              responsible=world.users["psychologist"])
    open_case(world.orgs["school1"], "Бекенов", stage="active", crisis=True)
    open_case(world.orgs["school2"], "Валиев", stage="active", due_in=-1, responsible=psy2)
    open_case(world.orgs["college1"], "Григорьев", stage="follow_up", groups=(4,))
    open_case(world.orgs["school2"], "Даулетов", closed=True)
    open_case(world.orgs["school3"], "Жанатов", groups=(1,), crisis=True)  # D2


def test_district_list_counts(app, world, district_cases):
    coordinator = world.users["district_coordinator"]
    result = worklists.district_cases(coordinator, today(), worklists.CaseFilters(), None,
                                      1, 50)
    counts = result.counts
    assert (counts.total, counts.overdue, counts.crisis, counts.unassigned) == (4, 2, 1, 2)
    assert counts.stages() == [(Stage.INITIAL, 1), (Stage.ACTIVE, 2), (Stage.FOLLOW_UP, 1)]
    by_school = {org_id: n for org_id, _name, n in counts.by_school}
    assert by_school == {world.orgs["school1"].id: 2, world.orgs["school2"].id: 1,
                         world.orgs["college1"].id: 1}
    filtered = worklists.district_cases(
        coordinator, today(), worklists.CaseFilters(stage="active"), None, 1, 50).counts
    assert (filtered.total, filtered.overdue, filtered.crisis) == (2, 1, 1)
    assert {org_id: n for org_id, _name, n in filtered.by_school} == {
        world.orgs["school1"].id: 1, world.orgs["school2"].id: 1}


def test_district_list_filters(client, world, district_cases, login_as):
    login_as(Role.DISTRICT_COORDINATOR)
    names = ("Ахметов", "Бекенов", "Валиев", "Григорьев", "Даулетов", "Жанатов")
    school2, school3 = world.orgs["school2"].id, world.orgs["school3"].id
    assert _order(_page(client, "/district"), *names) == [
        "Ахметов", "Валиев", "Бекенов", "Григорьев"]
    assert _order(_page(client, "/district?stage=active"), *names) == ["Валиев", "Бекенов"]
    assert _order(_page(client, f"/district?organisation_id={school2}"), *names) == [
        "Валиев"]
    assert _order(_page(client, "/district?group=1"), *names) == ["Ахметов"]
    assert _order(_page(client, "/district?group=4"), *names) == ["Григорьев"]
    assert _order(_page(client, "/district?overdue=y"), *names) == ["Ахметов", "Валиев"]
    assert _order(_page(client, "/district?crisis=y"), *names) == ["Бекенов"]
    # A school of another district in the URL shows nothing of it.
    assert _order(_page(client, f"/district?organisation_id={school3}"), *names) == []


def test_district_list_sorts_by_name_school_stage_and_deadline(client, world, district_cases,
                                                               login_as):
    login_as(Role.DISTRICT_COORDINATOR)
    names = ("Ахметов", "Бекенов", "Валиев", "Григорьев")
    assert _order(_page(client, "/district?sort=name"), *names) == list(names)
    assert _order(_page(client, "/district?sort=-name"), *names) == list(reversed(names))
    assert _order(_page(client, "/district?sort=stage"), *names) == [
        "Ахметов", "Валиев", "Бекенов", "Григорьев"]
    assert _order(_page(client, "/district?sort=-deadline"), *names) == [
        "Бекенов", "Григорьев", "Валиев", "Ахметов"]
    # School names are "college1 (kk)", "school1 (kk)", "school2 (kk)".
    assert _order(_page(client, "/district?sort=school"), *names) == [
        "Григорьев", "Ахметов", "Бекенов", "Валиев"]
    page = _page(client, "/district?sort=school")
    assert 'aria-sort="ascending"' in page and "sort=-school" in page


def test_another_districts_coordinator_sees_none_of_d1s_cases(client, world, district_cases,
                                                              make_user, auth):
    other = make_user(Role.DISTRICT_COORDINATOR, world.orgs["edu2"], "coord.d2")
    auth.login(other.login)
    page = _page(client, "/district")
    assert "Жанатов" in page
    for name in ("Ахметов", "Бекенов", "Валиев", "Григорьев"):
        assert name not in page
    counts = worklists.district_cases(other, today(), worklists.CaseFilters(), None, 1,
                                      50).counts
    assert counts.total == 1
    assert [org_id for org_id, _name, _n in counts.by_school] == [world.orgs["school3"].id]


def test_district_list_is_paginated(app, client, world, open_case, login_as):
    app.config["LIST_PAGE_SIZE"] = 2
    names = ["Ахметов", "Бекенов", "Валиев", "Григорьев", "Даулетов"]
    for days, name in enumerate(names):
        open_case(world.orgs["school1"], name, due_in=days)
    login_as(Role.DISTRICT_COORDINATOR)
    pages = [_order(_page(client, f"/district?page={n}"), *names) for n in (1, 2, 3)]
    assert pages == [names[0:2], names[2:4], names[4:5]]
    assert _order(_page(client, "/district?page=99"), *names) == names[4:5]
    second = _page(client, "/district?sort=-name&page=2")
    assert _order(second, *names) == ["Валиев", "Бекенов"]
    assert "sort=-name" in second and "page=3" in second


# --- the inspector's list ---------------------------------------------------------------


def test_inspector_sees_only_minors_on_preventive_registration(app, client, world,
                                                               open_case, login_as):
    psy = world.users["psychologist"]
    open_case(world.orgs["school1"], "Ахметов", groups=(1, 5), crisis=True, responsible=psy,
              police_grounds="Ұсақ бұзақылық")
    open_case(world.orgs["school2"], "Бекенов", groups=(4,), stage="active")
    open_case(world.orgs["school1"], "Валиев", groups=(2, 3, 5))
    open_case(world.orgs["school1"], "Григорьев", groups=(1,), closed=True)
    open_case(world.orgs["school3"], "Даулетов", groups=(1,))  # D2
    login_as(Role.POLICE_INSPECTOR)
    names = ("Ахметов", "Бекенов", "Валиев", "Григорьев", "Даулетов")
    page = _page(client, "/registered")
    assert _order(page, *names) == ["Ахметов", "Бекенов"]
    assert "Ұсақ бұзақылық" in page and psy.full_name in page
    # Nothing clinical: no crisis flag, no group 5 (after a suicide attempt).
    assert _kk(app, "Crisis") not in page
    assert ">5</abbr>" not in page and ">1</abbr>" in page and ">4</abbr>" in page
    assert _order(_page(client, "/registered?group=4"), *names) == ["Бекенов"]
    assert _order(_page(client, "/registered?group=5"), *names) == ["Ахметов", "Бекенов"]
    school2 = world.orgs["school2"].id
    assert _order(_page(client, f"/registered?organisation_id={school2}"), *names) == [
        "Бекенов"]
    assert _order(_page(client, "/registered?sort=-name"), *names) == ["Бекенов", "Ахметов"]


# --- query counts ---------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    return count_queries(client, url)[1]


LISTS = [(Role.PSYCHOLOGIST, "/work"), (Role.SCHOOL_ADMIN, "/school"),
         (Role.DISTRICT_COORDINATOR, "/district"), (Role.POLICE_INSPECTOR, "/registered")]


def test_query_count_does_not_grow_with_the_rows_shown(client, world, open_case, login_as,
                                                      auth):
    psy, coworker = world.users["psychologist"], world.users["social_pedagogue"]

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            open_case(world.orgs["school1"], f"Сынақ{i:02d}",
                      groups=(1, 2, 4), due_in=i - 20, crisis=i % 7 == 0, responsible=psy,
                      coworkers=[coworker], police_grounds="grounds",
                      stage=("initial", "active", "follow_up")[i % 3])

    add(3, 0)
    few = {}
    for role, url in LISTS:
        auth.logout()
        login_as(role)
        few[url] = _queries(client, url)
        assert _page(client, url).count("Сынақ") >= 3
    add(37, 3)
    for role, url in LISTS:
        auth.logout()
        login_as(role)
        assert _page(client, url).count("Сынақ") >= 40
        assert _queries(client, url) == few[url], url
        assert few[url] <= 6, (url, few[url])
