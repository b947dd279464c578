"""The family environment analysis and the social-psychological portrait, HTML and PDF.

The PDF's text is read through WeasyPrint's document API (the same HTML, the same
fetcher); its fonts from the PDF bytes themselves. When poppler's pdftotext is on the
machine, one more test reads the text out of the served PDF.
"""

import contextlib
import re
import shutil
import socket
import subprocess
import zlib
from datetime import date, timedelta

import pytest
from flask import current_app, render_template_string
from flask_babel import force_locale, gettext
from sqlalchemy import select

from juvenile import pdf
from juvenile.accounts.models import Role
from juvenile.audit.models import AuditEntry
from juvenile.cases.models import CaseEvent, Enrolment
from juvenile.cases.timeline import describe
from juvenile.diagnostics import family, portrait
from juvenile.diagnostics.models import (
    Assessment,
    FamilyAnalysis,
    Instrument,
    InstrumentVersion,
    PortraitConclusion,
)
from juvenile.errors import ConflictError, ServiceError
from juvenile.extensions import db as _db
from tests.conftest import counted_queries

KAZAKH_LETTERS = "әғқңөұүһі"
#: A conclusion with every Kazakh-specific letter, lower and upper case.
KAZAKH_TEXT = "Әсем ғылым қалың өмір ұлы үміт һәм іні; ӘҒҚҢӨҰҮҺІ"
SECRET_NOTE = "clinical-note-never-printed"


def _stale_message() -> str:
    """The refusal of a stale form, in the interface language (Kazakh by default)."""
    from juvenile.errors import stale_record_message

    with force_locale("kk"):
        return stale_record_message()


# --- helpers -----------------------------------------------------------------------------


def _data(**changes) -> family.FamilyData:
    values = dict(recorded_on=date.today() - timedelta(days=1),
                  household="Анасы, 38 жас; әжесі", parenting_style="inconsistent",
                  conflict="occasional", violence_or_neglect_signs=False,
                  violence_or_neglect_note=None, substance_use=False, substance_use_note=None,
                  material_conditions="adequate", supervision="insufficient",
                  risk_factors="Кешке бақылау жоқ", protective_factors="Әжесімен жақын")
    return family.FamilyData(**(values | changes))


def _form(**changes) -> dict:
    values = {"recorded_on": (date.today() - timedelta(days=1)).isoformat(),
              "household": "Анасы мен әжесі", "parenting_style": "permissive",
              "conflict": "none", "violence_or_neglect_signs": "no",
              "violence_or_neglect_note": "", "substance_use": "no",
              "substance_use_note": "", "material_conditions": "poor",
              "supervision": "absent", "risk_factors": "", "protective_factors": ""}
    return values | changes


def _instrument_version(code: str, construct: str, verified: bool) -> InstrumentVersion:
    instrument = Instrument(code=code, construct=construct, name_kk=f"{code} (kk)",
                            name_ru=f"{code} (ru)")
    version = InstrumentVersion(instrument=instrument, number=1, definition={},
                                key_verified=verified)
    _db.session.add_all([instrument, version])
    _db.session.flush()
    return version


def _assessment(case, user, construct: str, level: str, on: date, version=None,
                custom_name=None) -> Assessment:
    row = Assessment(minor_id=case.minor.id, enrolment_id=case.enrolment.id,
                     instrument_version_id=version.id if version else None,
                     custom_name=custom_name, construct=construct, administered_on=on,
                     administered_by_id=user.id, answers={"1": 3, "2": "answer-value"},
                     scores={"total": 14}, level=level, notes=SECRET_NOTE,
                     organisation_id=case.minor.organisation_id,
                     district_id=case.minor.district_id)
    _db.session.add(row)
    return row


@pytest.fixture
def case(world, make_case):
    # Group 1 (police preventive registration): the inspector of the district opens it.
    return make_case(world.orgs["school1"], responsible=world.users["social_pedagogue"],
                     enrolled_on=date.today() - timedelta(days=40), groups=(1, 2))


@pytest.fixture
def full_case(case, world):
    """A case with three constructs assessed (anxiety twice), a family analysis with a
    "yes" on violence, and a conclusion in Kazakh."""
    psychologist = world.users["psychologist"]
    gad = _instrument_version("t_gad7", "anxiety", True)
    buss = _instrument_version("t_bass", "aggression", False)
    today = date.today()
    _assessment(case, psychologist, "anxiety", "high", today - timedelta(days=30), gad)
    _assessment(case, psychologist, "anxiety", "moderate", today - timedelta(days=2), gad)
    _assessment(case, psychologist, "aggression", "low", today - timedelta(days=20), buss)
    _assessment(case, psychologist, "suicide_risk", "low", today - timedelta(days=5),
                custom_name="Өз сауалнамасы")
    family.record_family_analysis(psychologist, case.minor, _data(
        violence_or_neglect_signs=True, violence_or_neglect_note="Көгерген іздер"),
        date.today())
    family.save_conclusion(psychologist, case.enrolment, "Спортпен айналысады",
                           KAZAKH_TEXT, None)
    _db.session.commit()
    return case


def _pdf_chunks(data: bytes) -> bytes:
    """The PDF with its compressed streams inflated, to look for fonts in it."""
    chunks = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        with contextlib.suppress(zlib.error):
            chunks.append(zlib.decompress(match.group(1)))
    return b"\n".join(chunks)


def _texts(box):
    if getattr(box, "text", None):
        yield box.text
    for child in getattr(box, "children", None) or []:
        yield from _texts(child)


def _document_text(app, enrolment, language: str) -> str:
    """The text WeasyPrint lays out for the portrait PDF, page by page."""
    from juvenile.diagnostics.portrait_views import PDF_TEMPLATE, _pdf_context

    with app.test_request_context():
        html = pdf.render_html(PDF_TEMPLATE, language,
                               lambda: _pdf_context(_db.session.merge(enrolment), date.today()))
        document = pdf.html_document(html)
    return "\n".join(text for page in document.pages for text in _texts(page._page_box))


# --- the family analysis: rules ------------------------------------------------------------


@pytest.mark.parametrize(("changes", "field"), [
    ({"recorded_on": date.today() + timedelta(days=1)}, "recorded_on"),
    ({"recorded_on": date(2000, 1, 1)}, "recorded_on"),
    ({"household": "  "}, "household"),
    ({"parenting_style": "strict"}, "parenting_style"),
    ({"conflict": ""}, "conflict"),
    ({"material_conditions": "rich"}, "material_conditions"),
    ({"supervision": "none"}, "supervision"),
    ({"violence_or_neglect_signs": True, "violence_or_neglect_note": " "},
     "violence_or_neglect_note"),
    ({"substance_use": True, "substance_use_note": None}, "substance_use_note"),
])
def test_family_analysis_refuses_bad_input(case, world, changes, field):
    with pytest.raises(ServiceError) as refused:
        family.record_family_analysis(world.users["psychologist"], case.minor,
                                      _data(**changes), date.today())
    assert refused.value.field == field
    _db.session.rollback()
    assert _db.session.scalar(select(FamilyAnalysis.id)) is None


@pytest.mark.parametrize("role", ["school_admin", "police_inspector"])
def test_only_the_school_specialists_record_it(case, world, role):
    with pytest.raises(ServiceError):
        family.record_family_analysis(world.users[role], case.minor, _data(), date.today())


def test_a_specialist_of_another_school_cannot_record_it(case, world, make_user):
    other = make_user(Role.SOCIAL_PEDAGOGUE, world.orgs["school2"])
    with pytest.raises(ServiceError):
        family.record_family_analysis(other, case.minor, _data(), date.today())


def test_recording_is_audited_and_on_the_clinical_timeline(case, world):
    analysis = family.record_family_analysis(world.users["social_pedagogue"], case.minor,
                                             _data(), date.today())
    _db.session.commit()
    assert analysis.enrolment_id == case.enrolment.id
    assert analysis.organisation_id == case.minor.organisation_id
    entry = _db.session.scalar(select(AuditEntry).where(
        AuditEntry.object_type == "family_analyses", AuditEntry.action == "create"))
    assert entry.changes["parenting_style"] == "inconsistent"
    line = _db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "family_analysis"))
    assert line.clinical is True
    assert line.occurred_on == _data().recorded_on
    with current_app.test_request_context(), force_locale("kk"):
        expected = gettext("The family environment was analysed.")
        assert describe("family_analysis", line.data) == expected


def test_an_edit_makes_a_new_version_and_keeps_what_changed(case, world):
    user = world.users["psychologist"]
    analysis = family.record_family_analysis(
        user, case.minor, _data(substance_use=True, substance_use_note="Әкесі ішеді"),
        date.today())
    _db.session.commit()
    assert analysis.version == 1
    family.update_family_analysis(user, analysis, case.minor,
                                  _data(conflict="frequent"), 1, date.today())
    _db.session.commit()
    assert analysis.version == 2
    assert analysis.substance_use_note is None  # a "no" keeps no stale note
    entry = _db.session.scalar(select(AuditEntry).where(
        AuditEntry.object_type == "family_analyses", AuditEntry.action == "update"))
    assert entry.changes["conflict"] == ["occasional", "frequent"]
    assert entry.changes["substance_use"] == [True, False]
    with pytest.raises(ConflictError):
        family.update_family_analysis(user, analysis, case.minor,
                                      _data(conflict="none"), 1, date.today())


# --- the family analysis: screens ---------------------------------------------------------


def test_a_psychologist_records_it_from_the_case_page(client, case, login_as):
    login_as("psychologist")
    page = client.get(f"/minors/{case.minor.id}").get_data(as_text=True)
    assert 'id="family-panel"' in page
    assert f"/minors/{case.minor.id}/family/new" in page
    response = client.post(f"/minors/{case.minor.id}/family/new", data=_form())
    assert response.status_code == 302
    _db.session.expire_all()
    saved = _db.session.scalar(select(FamilyAnalysis))
    assert (saved.parenting_style, saved.supervision) == ("permissive", "absent")
    assert saved.violence_or_neglect_signs is False
    page = client.get(f"/minors/{case.minor.id}").get_data(as_text=True)
    assert "Анасы" not in page  # the panel summarises; the portrait has the details
    assert f"/family/{saved.id}/edit" in page
    assert f"/enrolments/{case.enrolment.id}/portrait.pdf?lang=kk" in page
    assert f"/enrolments/{case.enrolment.id}/portrait.pdf?lang=ru" in page


def test_a_yes_without_a_note_is_refused_and_the_typing_kept(client, case, login_as):
    login_as("social_pedagogue")
    response = client.post(f"/minors/{case.minor.id}/family/new",
                           data=_form(violence_or_neglect_signs="yes",
                                      household="Әкесі мен өгей шешесі"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="violence_or_neglect_note-error"' in page
    assert "Әкесі мен өгей шешесі" in page
    assert _db.session.scalar(select(FamilyAnalysis.id)) is None


def test_an_edit_from_a_stale_form_is_refused(app, client, case, world, login_as):
    analysis = family.record_family_analysis(world.users["psychologist"], case.minor,
                                             _data(), date.today())
    _db.session.commit()
    login_as("psychologist")
    form_page = client.get(f"/family/{analysis.id}/edit").get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in form_page
    assert client.post(f"/family/{analysis.id}/edit",
                       data=_form(version="1", conflict="frequent")).status_code == 302
    stale = client.post(f"/family/{analysis.id}/edit", data=_form(version="1"))
    assert stale.status_code == 200
    with app.test_request_context():
        assert _stale_message() in stale.get_data(as_text=True)
    _db.session.expire_all()
    assert _db.session.get(FamilyAnalysis, analysis.id).conflict == "frequent"


def test_the_deputy_head_reads_but_does_not_record(client, case, login_as):
    login_as("school_admin")
    assert client.get(f"/minors/{case.minor.id}/family/new").status_code == 403
    page = client.get(f"/minors/{case.minor.id}").get_data(as_text=True)
    assert 'id="family-panel"' in page
    assert "/family/new" not in page


@pytest.mark.parametrize("role", ["police_inspector", "district_coordinator"])
def test_the_case_page_has_no_family_section_for_outsiders(client, full_case, login_as, role):
    login_as(role)
    response = client.get(f"/minors/{full_case.minor.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="family-panel"' not in page
    assert "portrait" not in page
    with current_app.test_request_context(), force_locale("kk"):
        sentence = gettext("The family environment was analysed.")
    assert sentence not in page


# --- the portrait -------------------------------------------------------------------------


def test_the_portrait_assembles_the_latest_of_everything(app, full_case):
    with app.test_request_context(), force_locale("ru"):
        p = portrait.assemble(full_case.enrolment, date.today())
    assert p.full_name.startswith("Әбенов")
    assert [(line.construct, line.level) for line in p.levels] == [
        ("anxiety", "moderate"), ("aggression", "low"), ("suicide_risk", "low")]
    anxiety, aggression, suicide = p.levels
    assert (anxiety.instrument, anxiety.key_verified) == ("t_gad7 (ru)", True)
    assert aggression.key_verified is False
    assert (suicide.instrument, suicide.key_verified) == ("Өз сауалнамасы", None)
    assert (anxiety.construct_label, anxiety.level_label) == ("тревожность", "средний")
    assert p.family.violence_or_neglect_note == "Көгерген іздер"
    assert p.conclusion == KAZAKH_TEXT
    assert p.groups and p.responsible == "social_pedagogue social_pedagogue"


def test_the_portrait_page_shows_levels_not_answers(client, full_case, login_as):
    login_as("social_pedagogue")
    response = client.get(f"/enrolments/{full_case.enrolment.id}/portrait")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert KAZAKH_TEXT in page and "Көгерген іздер" in page
    assert page.count('class="level-') == 3
    assert SECRET_NOTE not in page and "answer-value" not in page
    assert "/portrait/conclusion" in page  # the responsible specialist writes it


def test_the_portrait_costs_the_same_queries_whatever_the_assessments(app, full_case, world):
    def count() -> int:
        enrolment = _db.session.get(Enrolment, full_case.enrolment.id)
        enrolment.stage  # noqa: B018  (loaded before counting)
        with counted_queries() as statements, app.test_request_context():
            portrait.assemble(enrolment, date.today())
        return len(statements)

    before = count()
    for days in range(10):
        _assessment(full_case, world.users["psychologist"], "aggression", "high",
                    date.today() - timedelta(days=days + 50))
    _db.session.commit()
    assert count() == before <= 5


def test_conclusion_is_written_by_the_responsible_specialist_and_psychologists(
        app, client, case, world, login_as, make_user):
    url = f"/enrolments/{case.enrolment.id}/portrait/conclusion"
    login_as("social_pedagogue")  # the responsible specialist of this case
    assert client.post(url, data={"strengths": "Домбыра", "conclusion": "Қорытынды"}
                       ).status_code == 302
    login_as("psychologist")
    form = client.get(url).get_data(as_text=True)
    assert "Домбыра" in form
    assert client.post(url, data={"version": "1", "strengths": "Домбыра, футбол",
                                  "conclusion": "Қорытынды"}).status_code == 302
    stale = client.post(url, data={"version": "1", "conclusion": "ескі"})
    with app.test_request_context():
        assert _stale_message() in stale.get_data(as_text=True)
    _db.session.expire_all()
    record = _db.session.scalar(select(PortraitConclusion))
    assert (record.strengths, record.version) == ("Домбыра, футбол", 2)
    other_pedagogue = make_user(Role.SOCIAL_PEDAGOGUE, world.orgs["school1"])
    client.post("/logout")
    client.post("/login", data={"login": other_pedagogue.login,
                                "password": "correct-horse-42"})
    assert client.get(url).status_code == 403
    login_as("school_admin")
    assert client.get(url).status_code == 403


def test_an_empty_first_conclusion_is_refused(client, case, login_as):
    login_as("psychologist")
    response = client.post(f"/enrolments/{case.enrolment.id}/portrait/conclusion", data={})
    assert response.status_code == 200
    assert _db.session.scalar(select(PortraitConclusion.id)) is None


# --- the PDF ------------------------------------------------------------------------------


def test_the_pdf_is_a_pdf_in_kazakh_with_every_letter_and_the_font_embedded(
        app, client, full_case, login_as):
    login_as("psychologist")
    response = client.get(f"/enrolments/{full_case.enrolment.id}/portrait.pdf?lang=kk")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(b"%PDF-")
    inflated = _pdf_chunks(response.data)
    # Every font in the file is the static DejaVu of the @font-face: no fallback glyphs.
    fonts = set(re.findall(rb"/BaseFont\s*/[A-Z]{6}\+([\w-]+)", inflated))
    assert fonts == {b"Juvenile-Sans", b"Juvenile-Sans-Bold"}, fonts
    assert b"/FontFile2" in inflated
    assert "DejaVu Sans".encode("utf-16-be") in inflated
    text = _document_text(app, full_case.enrolment, "kk")
    for letter in KAZAKH_LETTERS + KAZAKH_LETTERS.upper():
        assert letter in text, letter
    assert "Туған күні" in text  # "Birth date" from the Kazakh catalogue
    assert KAZAKH_TEXT in text
    assert SECRET_NOTE not in text and "answer-value" not in text


def test_the_pdf_follows_the_language_asked_not_the_interface(app, client, full_case,
                                                              login_as):
    login_as("psychologist")  # the interface is Kazakh
    response = client.get(f"/enrolments/{full_case.enrolment.id}/portrait.pdf?lang=ru")
    assert response.status_code == 200
    assert 'filename="portrait-' in response.headers["Content-Disposition"]
    text = _document_text(app, full_case.enrolment, "ru")
    assert "Дата рождения" in text and "Туған күні" not in text
    # The forced language does not leak into the next page the user opens.
    page = client.get(f"/enrolments/{full_case.enrolment.id}/portrait").get_data(as_text=True)
    assert "Туған күні" in page


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler's pdftotext is absent")
def test_the_served_pdf_text_is_extractable(client, full_case, login_as, tmp_path):
    login_as("social_pedagogue")
    data = client.get(f"/enrolments/{full_case.enrolment.id}/portrait.pdf?lang=kk").data
    (tmp_path / "p.pdf").write_bytes(data)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(tmp_path / "p.pdf"), "-"],
                          capture_output=True, check=True, text=True).stdout
    assert "Туған күні" in text and "Әсем ғылым қалың өмір ұлы үміт һәм іні" in text
    assert SECRET_NOTE not in text


def test_the_fetcher_refuses_anything_but_static_files(app, monkeypatch, caplog):
    connections = []

    def no_network(*args, **kwargs):
        connections.append(args)
        raise AssertionError("the PDF renderer opened a network connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    template = ('{% extends "pdf/base.html" %}{% block content %}'
                '<img src="http://example.com/x.png"><img src="file:///etc/hostname">'
                '<img src="fonts/../../pdf.py"><p>Әә Ғғ</p>{% endblock %}')
    with app.test_request_context(), force_locale("kk"):
        html = render_template_string(template, document_language="kk",
                                      css_string=pdf.css_string, organisation="Мектеп",
                                      issued_on=date.today())
    with caplog.at_level("WARNING", logger="juvenile.pdf"):
        data = pdf.html_to_pdf(html)
    assert data.startswith(b"%PDF-")
    assert connections == []
    refused = " ".join(r.getMessage() for r in caplog.records if r.name == "juvenile.pdf")
    assert "http://example.com/x.png" in refused
    assert "/etc/hostname" in refused
    assert "pdf.py" in refused
    assert "DejaVuSans.ttf" not in refused


def test_static_file_resolves_only_inside_the_static_folder():
    font = pdf.static_file(pdf.BASE_URL + "fonts/DejaVuSans.ttf")
    assert font.name == "DejaVuSans.ttf"
    for url in ("https://example.com/a.css", "data:text/css,body{}", "file:///etc/passwd",
                pdf.BASE_URL + "../pdf.py", pdf.BASE_URL + "fonts/missing.ttf",
                "file://attacker.example/share/x.ttf"):
        with pytest.raises(pdf.ResourceRefused):
            pdf.static_file(url)


def test_css_string_cannot_break_out_of_the_style_element():
    assert str(pdf.css_string('a"b</style>\\')) == '"a\\"b\\3C /style\\3E \\\\"'


# --- confidentiality ----------------------------------------------------------------------


def _portrait_urls(case, analysis_id: int) -> list[str]:
    e = case.enrolment.id
    return [f"/enrolments/{e}/portrait", f"/enrolments/{e}/portrait.pdf?lang=kk",
            f"/enrolments/{e}/portrait.pdf?lang=ru", f"/enrolments/{e}/portrait/conclusion",
            f"/minors/{case.minor.id}/family/new", f"/family/{analysis_id}/edit"]


@pytest.mark.parametrize("role", ["police_inspector", "district_coordinator",
                                  "commission_member", "partner", "methodologist", "admin"])
def test_roles_outside_the_school_never_reach_the_portrait(client, full_case, login_as, role):
    analysis_id = _db.session.scalar(select(FamilyAnalysis.id))
    login_as(role)
    for url in _portrait_urls(full_case, analysis_id):
        response = client.get(url)
        assert response.status_code == 403, (url, response.status_code)
        assert not response.data.startswith(b"%PDF")


@pytest.mark.parametrize("role", [Role.PSYCHOLOGIST, Role.SOCIAL_PEDAGOGUE, Role.SCHOOL_ADMIN])
def test_staff_of_another_school_get_404(client, full_case, world, make_user, role):
    other = make_user(role, world.orgs["school2"])
    analysis_id = _db.session.scalar(select(FamilyAnalysis.id))
    client.post("/login", data={"login": other.login, "password": "correct-horse-42"})
    for url in _portrait_urls(full_case, analysis_id):
        response = client.get(url)
        assert response.status_code == 404, (url, response.status_code)
        assert KAZAKH_TEXT not in response.get_data(as_text=True)


def test_after_a_hand_over_the_old_school_loses_the_portrait(client, full_case, world,
                                                            login_as):
    minor, enrolment = full_case.minor, full_case.enrolment
    for record in (minor, enrolment):
        record.organisation_id = world.orgs["school2"].id
    _db.session.commit()
    login_as("psychologist")
    assert client.get(f"/enrolments/{enrolment.id}/portrait.pdf").status_code == 404
