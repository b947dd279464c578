"""The administrator's organisation screens: list, create, edit, deactivate, access."""

import html
import re
from html.parser import HTMLParser

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from juvenile.accounts import services
from juvenile.accounts.models import Organisation, OrganisationKind, Role, User
from juvenile.audit.models import AuditEntry
from juvenile.extensions import db as _db
from tests.conftest import PASSWORD, AuthActions, count_queries

# --- page helpers --------------------------------------------------------------------


def _text(app, message: str, **values) -> str:
    """A message as the (Kazakh) interface shows it."""
    with app.test_request_context(), force_locale("kk"):
        return gettext(message, **values)


class _TableParser(HTMLParser):
    """The cells of every <tbody> row, as whitespace-collapsed text."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self._in_body = False
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self._row = []
        elif self._row is not None and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def rows(response) -> list[list[str]]:
    """Data rows of the page's table (the "nothing found" row is left out)."""
    parser = _TableParser()
    parser.feed(response.get_data(as_text=True))
    return [row for row in parser.rows if len(row) > 1]


def codes(response) -> list[str]:
    return [row[0] for row in rows(response)]


def field_error(response, field_id: str) -> str | None:
    """The error shown beside a field, or None."""
    match = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>',
                      response.get_data(as_text=True), re.S)
    return html.unescape(match.group(1)).strip() if match else None


def flashes(response) -> list[str]:
    page = response.get_data(as_text=True)
    found = re.findall(r'<div class="flash flash-\w+"[^>]*>(.*?)</div>', page, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in found]


def input_value(response, name: str) -> str | None:
    page = response.get_data(as_text=True)
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    if tag is None:
        return None
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else ""


def selected(response, name: str) -> str | None:
    page = response.get_data(as_text=True)
    select_tag = re.search(rf'<select[^>]*\bname="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select_tag, f"no select {name}"
    option = re.search(r'<option selected value="([^"]*)"', select_tag.group(1))
    return option.group(1) if option else None


def _reload(obj):
    _db.session.expire_all()
    return _db.session.get(type(obj), obj.id)


def _entries(action: str | None = None, object_type: str = "organisations"):
    _db.session.expire_all()
    stmt = select(AuditEntry).where(AuditEntry.object_type == object_type)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return list(_db.session.scalars(stmt.order_by(AuditEntry.id)))


def _org_count() -> int:
    _db.session.expire_all()
    return _db.session.scalar(select(func.count(Organisation.id)))


def _form(org: Organisation, **changes) -> dict:
    data = {"kind": org.kind, "district_id": str(org.district_id or ""), "code": org.code,
            "name_kk": org.name_kk, "name_ru": org.name_ru, "version": str(org.version)}
    data.update(changes)
    return data


NEW_SCHOOL = {"kind": "school", "code": "ZH-SCH-77", "name_kk": "Абай атындағы №77 мектеп",
              "name_ru": "Школа №77 имени Абая"}


# --- list ----------------------------------------------------------------------------


def test_list_shows_every_organisation_with_its_district_kind_and_active_accounts(
        client, world, login_as, make_user):
    make_user(Role.PSYCHOLOGIST, world.orgs["school1"], "gone.away", enabled=False)
    make_user(Role.PARTNER, world.orgs["college1"], "college.partner")
    login_as(Role.ADMIN)
    response = client.get("/admin/organisations")
    assert response.status_code == 200
    table = {row[0]: row for row in rows(response)}
    assert set(table) == {org.code for org in world.orgs.values()}
    # psychologist, social pedagogue and school admin; the deactivated account is not counted
    assert table["SCHOOL1"][4] == "3"
    assert table["COLLEGE1"][4] == "1"
    assert table["SCHOOL2"][4] == "0"
    assert table["REGION_EDU"][4] == "2"  # methodologist and administrator
    assert table["SCHOOL3"][1] == "school3 (kk)"
    assert table["SCHOOL3"][2] == _text(client.application, "School")
    assert table["SCHOOL3"][3] == world.districts["D2"].name_kk
    assert table["REGION_KDN"][3] == _text(client.application, "Region")


def test_list_search_matches_code_and_names(client, world, login_as):
    login_as(Role.ADMIN)
    assert codes(client.get("/admin/organisations?q=school1")) == ["SCHOOL1"]
    assert sorted(codes(client.get("/admin/organisations?q=POLICE"))) == ["POLICE1", "POLICE2"]
    assert codes(client.get("/admin/organisations?q=health1 (ru)")) == ["HEALTH1"]
    # "_" is a literal underscore, not a LIKE wildcard
    assert sorted(codes(client.get("/admin/organisations?q=region_"))) == [
        "REGION_EDU", "REGION_KDN"]
    assert codes(client.get("/admin/organisations?q=school_")) == []
    assert codes(client.get("/admin/organisations?q=nothing-like-this")) == []


def test_list_search_finds_a_kazakh_name_whatever_its_case(client, world, login_as):
    org = world.orgs["school2"]
    org.name_kk = "Абай атындағы мектеп"
    _db.session.commit()
    login_as(Role.ADMIN)
    assert codes(client.get("/admin/organisations?q=Абай")) == ["SCHOOL2"]
    assert codes(client.get("/admin/organisations?q=абай")) == ["SCHOOL2"]


def test_list_filters_by_district_and_kind(client, world, login_as):
    login_as(Role.ADMIN)
    d1, d2 = world.districts["D1"].id, world.districts["D2"].id
    assert sorted(codes(client.get(f"/admin/organisations?district_id={d2}"))) == [
        "EDU2", "POLICE2", "SCHOOL3"]
    assert sorted(codes(client.get("/admin/organisations?kind=police"))) == [
        "POLICE1", "POLICE2"]
    assert sorted(codes(client.get(f"/admin/organisations?district_id={d1}&kind=school"))) == [
        "SCHOOL1", "SCHOOL2"]
    assert sorted(codes(client.get(
        f"/admin/organisations?district_id={d2}&kind=school&q=school"))) == ["SCHOOL3"]
    response = client.get("/admin/organisations?kind=education_department")
    assert sorted(codes(response)) == ["EDU1", "EDU2", "REGION_EDU"]
    # the chosen filters stay chosen
    assert selected(response, "kind") == "education_department"


def test_list_query_count_does_not_grow_with_rows(app, client, world, login_as, make_user):
    region = world.region
    districts = [world.districts["D1"], world.districts["D2"], None]
    for prefix, n in (("TRIO", 3), ("BULK", 40)):
        for i in range(n):
            org = Organisation(region=region, district=districts[i % 3],
                               kind=OrganisationKind.HEALTH.value, code=f"{prefix}-{i:02d}",
                               name_kk=f"{prefix} {i} kk", name_ru=f"{prefix} {i} ru")
            _db.session.add(org)
    _db.session.commit()
    for code in ("TRIO-00", "BULK-00", "BULK-01"):
        org = _db.session.scalar(select(Organisation).where(Organisation.code == code))
        make_user(Role.PARTNER, org)
    login_as(Role.ADMIN)
    client.get("/admin/organisations?q=trio")  # warm-up: connection set-up is not counted

    def count(url):
        return count_queries(client, url)

    few, few_queries = count("/admin/organisations?q=trio")
    many, many_queries = count("/admin/organisations?q=bulk")
    assert len(rows(few)) == 3
    assert len(rows(many)) == 40
    assert dict((r[0], r[4]) for r in rows(many))["BULK-01"] == "1"
    assert few_queries == many_queries


# --- create --------------------------------------------------------------------------


def test_create_saves_and_audits_the_created_fields(app, client, world, login_as):
    admin = login_as(Role.ADMIN)
    d2 = world.districts["D2"]
    response = client.post("/admin/organisations/new",
                           data={**NEW_SCHOOL, "district_id": str(d2.id)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/organisations"
    listing = client.get(response.headers["Location"])
    assert _text(app, "Organisation %(name)s created.",
                 name=NEW_SCHOOL["name_kk"]) in flashes(listing)
    assert "ZH-SCH-77" in codes(listing)

    org = _db.session.scalar(select(Organisation).where(Organisation.code == "ZH-SCH-77"))
    assert (org.kind, org.district_id, org.name_kk, org.name_ru, org.is_active) == (
        "school", d2.id, NEW_SCHOOL["name_kk"], NEW_SCHOOL["name_ru"], True)
    assert org.region_id == world.region.id
    [entry] = _entries("create")
    assert (entry.actor_id, entry.object_id, entry.summary) == (admin.id, org.id, "ZH-SCH-77")
    assert entry.changes == {"kind": "school", "district_id": d2.id, "code": "ZH-SCH-77",
                             "name_kk": NEW_SCHOOL["name_kk"],
                             "name_ru": NEW_SCHOOL["name_ru"], "is_active": True}
    assert entry.district_id == d2.id  # a D2 coordinator's trail, not D1's


def test_create_regional_body_without_district(client, world, login_as):
    login_as(Role.ADMIN)
    response = client.post("/admin/organisations/new", data={
        "kind": "social_protection", "district_id": "", "code": "REG-SOC",
        "name_kk": "Әлеуметтік қорғау басқармасы", "name_ru": "Управление соцзащиты"})
    assert response.status_code == 302
    org = _db.session.scalar(select(Organisation).where(Organisation.code == "REG-SOC"))
    assert org.district_id is None


def _assert_refused(app, response, before: int, field: str, message: str, kept: dict):
    assert response.status_code == 200
    assert field_error(response, field) == _text(app, message)
    for name, value in kept.items():
        if name in ("kind", "district_id"):
            assert selected(response, name) == value, name
        else:
            assert input_value(response, name) == value, name
    assert _org_count() == before
    assert _entries("create") == []


def test_duplicate_code_is_refused_beside_the_code(app, client, world, login_as):
    login_as(Role.ADMIN)
    before = _org_count()
    data = {**NEW_SCHOOL, "code": "SCHOOL1", "district_id": str(world.districts["D1"].id)}
    response = client.post("/admin/organisations/new", data=data)
    _assert_refused(app, response, before, "code",
                    "Another organisation already has this code.", data)
    assert field_error(response, "name_kk") is None


def test_school_without_district_is_refused_beside_the_district(app, client, world, login_as):
    login_as(Role.ADMIN)
    before = _org_count()
    data = {**NEW_SCHOOL, "district_id": ""}
    response = client.post("/admin/organisations/new", data=data)
    _assert_refused(app, response, before, "district_id",
                    "A school, college or police department belongs to a district.", data)


def test_bad_code_characters_are_refused_beside_the_code(app, client, world, login_as):
    login_as(Role.ADMIN)
    before = _org_count()
    data = {**NEW_SCHOOL, "code": "мектеп 77!", "district_id": str(world.districts["D1"].id)}
    response = client.post("/admin/organisations/new", data=data)
    _assert_refused(app, response, before, "code",
                    "Use Latin letters, digits, dots, hyphens or underscores.", data)


def test_missing_names_are_refused(app, client, world, login_as):
    login_as(Role.ADMIN)
    before = _org_count()
    data = {**NEW_SCHOOL, "name_ru": "", "district_id": str(world.districts["D1"].id)}
    response = client.post("/admin/organisations/new", data=data)
    _assert_refused(app, response, before, "name_ru", "This field is required.",
                    {"code": "ZH-SCH-77", "name_kk": NEW_SCHOOL["name_kk"]})


# --- edit ----------------------------------------------------------------------------


def test_edit_form_shows_the_current_values_and_version(client, world, login_as):
    login_as(Role.ADMIN)
    org = world.orgs["police2"]
    response = client.get(f"/admin/organisations/{org.id}")
    assert response.status_code == 200
    assert input_value(response, "code") == "POLICE2"
    assert input_value(response, "name_ru") == "police2 (ru)"
    assert selected(response, "district_id") == str(world.districts["D2"].id)
    assert selected(response, "kind") == "police"
    assert input_value(response, "version") == str(org.version)


def test_edit_is_saved_and_audited_with_changed_fields_only(app, client, world, login_as):
    admin = login_as(Role.ADMIN)
    org = world.orgs["school2"]
    d2 = world.districts["D2"]
    response = client.post(f"/admin/organisations/{org.id}", data=_form(
        org, name_ru="Школа №2", district_id=str(d2.id)))
    assert response.status_code == 302
    assert _text(app, "Changes saved.") in flashes(client.get(response.headers["Location"]))
    org = _reload(org)
    assert (org.name_ru, org.district_id, org.name_kk) == ("Школа №2", d2.id, "school2 (kk)")
    assert org.version == 2
    # one entry in each district's trail: the new one, and the one it left
    entries = _entries("update")
    assert {e.district_id for e in entries} == {d2.id, world.districts["D1"].id}
    for entry in entries:
        assert entry.actor_id == admin.id and entry.object_id == org.id
        assert entry.changes == {"name_ru": ["school2 (ru)", "Школа №2"],
                                 "district_id": [world.districts["D1"].id, d2.id]}


def test_saving_an_unchanged_form_leaves_no_entry(client, world, login_as):
    login_as(Role.ADMIN)
    org = world.orgs["school2"]
    assert client.post(f"/admin/organisations/{org.id}", data=_form(org)).status_code == 302
    assert _entries("update") == []
    assert _reload(org).version == 1


def test_kind_cannot_change_while_the_organisation_has_accounts(app, client, world, login_as):
    login_as(Role.ADMIN)
    org = world.orgs["school1"]
    response = client.post(f"/admin/organisations/{org.id}", data=_form(org, kind="college"))
    assert response.status_code == 200
    assert field_error(response, "kind") == _text(
        app, "The kind cannot change while the organisation has accounts.")
    assert _reload(org).kind == "school"
    assert _entries("update") == []


def test_second_save_with_a_stale_version_is_refused(app, world, make_user):
    make_user(Role.ADMIN, world.orgs["region_edu"], "admin.two")
    first, second = app.test_client(), app.test_client()
    AuthActions(first).login("admin")
    AuthActions(second).login("admin.two")
    org = world.orgs["college1"]
    url = f"/admin/organisations/{org.id}"
    # both open the form
    first_version = input_value(first.get(url), "version")
    second_version = input_value(second.get(url), "version")
    assert first_version == second_version == "1"
    # the first saves
    saved = first.post(url, data=_form(org, name_ru="Колледж (первый)", version=first_version))
    assert saved.status_code == 302
    # the second saves over it with the version they opened
    refused = second.post(url, data=_form(org, name_kk="Колледж (екінші)",
                                          version=second_version))
    assert refused.status_code == 200
    assert _text(app, "Someone else changed this record after you opened it. "
                      "Your changes were not saved: reload the page and apply them again."
                 ) in flashes(refused)
    org = _reload(org)
    assert (org.name_ru, org.name_kk) == ("Колледж (первый)", "college1 (kk)")
    assert [entry.actor_login for entry in _entries("update")] == ["admin"]
    # after reloading, the second person's save goes through
    fresh = input_value(second.get(url), "version")
    assert fresh == "2"
    assert second.post(url, data=_form(org, name_kk="Колледж (екінші)",
                                       version=fresh)).status_code == 302
    assert _reload(org).name_kk == "Колледж (екінші)"


def test_a_save_without_the_version_is_refused(app, client, world, login_as):
    login_as(Role.ADMIN)
    org = world.orgs["college1"]
    data = _form(org, name_ru="Без версии")
    del data["version"]
    response = client.post(f"/admin/organisations/{org.id}", data=data)
    assert response.status_code == 200
    assert _reload(org).name_ru == "college1 (ru)"


def test_unknown_organisation_is_404(client, world, login_as):
    login_as(Role.ADMIN)
    assert client.get("/admin/organisations/999999").status_code == 404


# --- deactivate ----------------------------------------------------------------------


def test_deactivate_is_refused_while_the_organisation_has_active_accounts(
        app, client, world, login_as, make_user):
    login_as(Role.ADMIN)
    org = world.orgs["school2"]
    staff = make_user(Role.PSYCHOLOGIST, org, "school2.psy")
    url = f"/admin/organisations/{org.id}/active"

    response = client.post(url, data={"active": "0"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/organisations/{org.id}"
    page = client.get(response.headers["Location"])
    assert _text(app, "Deactivate the organisation's accounts first.") in flashes(page)
    assert _reload(org).is_active is True
    assert _entries("deactivate") == []

    assert client.post(f"/admin/users/{staff.id}/active",
                       data={"active": "0"}).status_code == 302
    assert _reload(staff).is_enabled is False
    response = client.post(url, data={"active": "0"})
    page = client.get(response.headers["Location"])
    assert _text(app, "Organisation deactivated.") in flashes(page)
    assert _reload(org).is_active is False
    [entry] = _entries("deactivate")
    assert entry.changes == {"is_active": [True, False]}
    # no longer offered for new accounts, and listed as deactivated
    listing = {row[0]: row for row in rows(client.get("/admin/organisations?q=school2"))}
    assert listing["SCHOOL2"][5] == _text(app, "Deactivated")
    assert f'<option value="{org.id}"' not in client.get("/admin/users/new").get_data(
        as_text=True)

    # and it can be reactivated
    page = client.get(client.post(url, data={"active": "1"}).headers["Location"])
    assert _text(app, "Organisation activated.") in flashes(page)
    assert _reload(org).is_active is True
    assert len(_entries("activate")) == 1


def test_service_refuses_deactivation_with_active_accounts(app, world):
    admin = world.users["admin"]
    with app.test_request_context():
        with pytest.raises(services.ServiceError):
            services.set_organisation_active(admin, world.orgs["police1"], False)
        _db.session.rollback()
    assert _reload(world.orgs["police1"]).is_active is True


# --- access --------------------------------------------------------------------------


def _admin_organisation_urls(app, org_id: int):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/admin/organisations"):
            url = rule.build({"org_id": org_id} if "org_id" in rule.arguments else {},
                             append_unknown=False)[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, url


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN],
                         ids=lambda r: r.value)
def test_other_roles_get_403_on_every_organisation_url(app, client, world, role):
    org = world.orgs["school2"]
    urls = list(_admin_organisation_urls(app, org.id))
    assert len(urls) >= 6  # list, new (GET, POST), edit (GET, POST), toggle
    AuthActions(client).login(role.value, PASSWORD)
    for method, url in urls:
        data = _form(org, name_ru="hacked") if method == "POST" else None
        response = client.open(url, method=method, data=data)
        assert response.status_code == 403, (role, method, url, response.status_code)
    org = _reload(org)
    assert (org.name_ru, org.is_active) == ("school2 (ru)", True)
    assert _org_count() == len(world.orgs)


def test_anonymous_visitor_is_sent_to_sign_in(app, client, world):
    for method, url in _admin_organisation_urls(app, world.orgs["school2"].id):
        response = client.open(url, method=method)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    assert _db.session.scalar(select(func.count(User.id))) == len(world.users)
