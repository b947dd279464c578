"""Every route has an access rule, and each role reaches exactly the routes it should.

The expectations below are written out independently of juvenile.access.RULES: a new
route fails test_every_route_is_in_the_matrix until someone decides who may use it.
"""

import pytest

from juvenile.accounts.models import Role
from juvenile.extensions import db as _db
from tests.matrices import PUBLIC as _PUBLIC
from tests.matrices import collect_matrix, collect_targets
from tests.matrices.crisis import make_episode
from tests.matrices.diagnostics import make_assessment
from tests.matrices.instruments import make_instrument

ALL = frozenset(Role)
PUBLIC = _PUBLIC

#: endpoint -> roles allowed (or PUBLIC): one module per area under tests/matrices/.
MATRIX = collect_matrix()


def _routes(app):
    for rule in app.url_map.iter_rules():
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        yield rule, methods


def _url(rule, targets) -> str:
    values = {name: targets[name] for name in rule.arguments}
    if rule.endpoint == "static":
        values["filename"] = "style.css"
    return rule.build(values, append_unknown=False)[1]


@pytest.fixture
def targets(world, make_user, make_case):
    """Records the routes act on, apart from the accounts that sign in. The case is in
    school1 (district D1, where the world's accounts work); the pending hand-over comes
    from school2 to school1."""
    spare = make_user(Role.PSYCHOLOGIST, world.orgs["school2"], "spare.account")
    case = make_case(world.orgs["school1"])
    incoming = make_case(world.orgs["school2"], transfer_to=world.orgs["school1"])
    analysis = _family_analysis(case.minor, world.users["psychologist"])
    episode = make_episode(_db, case.enrolment, world.users["psychologist"])
    assessment = make_assessment(_db, case.minor, world.users["psychologist"], case.enrolment)
    made = collect_targets(_db, world, case)
    return made | {"org_id": world.orgs["school3"].id, "user_id": spare.id,
            "episode_id": episode.id,
            "assessment_id": assessment.id,
            "instrument_id": make_instrument(_db),
            "analysis_id": analysis.id,
            "minor_id": case.minor.id, "enrolment_id": case.enrolment.id,
            "representative_id": case.representative.id,
            "transfer_id": incoming.transfer.id}


def _family_analysis(minor, recorder):
    from datetime import date

    from juvenile.diagnostics.models import FamilyAnalysis

    analysis = FamilyAnalysis(
        minor_id=minor.id, recorded_on=date(2026, 9, 1), recorded_by_id=recorder.id,
        household="mother", parenting_style="authoritative", conflict="none",
        material_conditions="adequate", supervision="adequate",
        organisation_id=minor.organisation_id, district_id=minor.district_id)
    _db.session.add(analysis)
    _db.session.commit()
    return analysis


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule, _ in _routes(app)}
    assert endpoints == set(MATRIX), (
        f"routes without an expectation: {sorted(endpoints - set(MATRIX))}; "
        f"expectations without a route: {sorted(set(MATRIX) - endpoints)}"
    )


def test_every_view_carries_an_access_rule(app):
    missing = [endpoint for endpoint, view in app.view_functions.items()
               if getattr(view, "access_rule", None) is None]
    assert missing == []


def test_a_view_without_a_rule_is_refused_at_run_time(app_factory):
    app = app_factory()

    @app.route("/forgotten")
    def forgotten():
        return "secret"

    assert app.test_client().get("/forgotten").status_code == 403


def test_anonymous_requests_go_to_login(app, client, targets):
    for rule, methods in _routes(app):
        if MATRIX[rule.endpoint] == PUBLIC:
            continue
        url = _url(rule, targets)
        for method in methods:
            response = client.open(url, method=method)
            assert response.status_code == 302, (method, url, response.status_code)
            assert response.headers["Location"].startswith("/login?next="), (method, url)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_role_reaches_only_its_routes(app, client, world, targets, auth, role):
    user = world.users[role.value]
    for rule, methods in _routes(app):
        allowed = MATRIX[rule.endpoint]
        if allowed == PUBLIC or rule.endpoint == "auth.logout":
            continue
        url = _url(rule, targets)
        for method in methods:
            assert auth.login(user.login).status_code == 302
            response = client.open(url, method=method)
            if role in allowed:
                assert response.status_code not in (401, 403, 404), (role, method, url)
                assert "/login" not in response.headers.get("Location", ""), (role, method, url)
            else:
                assert response.status_code == 403, (role, method, url, response.status_code)
            _db.session.rollback()
