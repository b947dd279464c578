"""The printable living-conditions act: every field filled in is on the PDF, in the
layout of the official act, with a signature line for every participant and for the
legal representative; Kazakh or Russian as asked.

The text is read through WeasyPrint's layout of the same HTML (as tests/test_portrait.py
does); the served file is checked as a PDF whose title names the minor.
"""

import re
import zlib
from contextlib import suppress
from datetime import date, timedelta

import pytest
from flask import current_app
from flask_babel import force_locale, gettext

from juvenile import pdf
from juvenile.cases.models import LegalRepresentative
from juvenile.extensions import db as _db
from juvenile.familywork import services
from juvenile.familywork.models import Condition, HousingType, RiskFactor, Supervision

KAZAKH_LETTERS = "әғқңөұүһі"
#: The conclusions: every Kazakh-specific letter, lower and upper case.
KAZAKH_TEXT = "Әсем ғылым қалың өмір ұлы үміт һәм іні; ӘҒҚҢӨҰҮҺІ"
TODAY = date.today()

PARTICIPANTS = [
    {"name": "Серікова Айгүл", "position": "әлеуметтік педагог", "organisation": "№1 мектеп"},
    {"name": "Омаров Қанат", "position": "учаскелік инспектор",
     "organisation": "Байзақ полиция бөлімі"},
]
HOUSEHOLD = [
    {"name": "Әбенова Гүлмира", "relation": "анасы", "birth_year": 1985,
     "occupation": "сатушы"},
    {"name": "Әбенов Ерлан", "relation": "ағасы", "birth_year": 2006,
     "occupation": "колледж студенті"},
]
NOTES = {"housing_note": "Үй таза, пеш жылытады", "income_note": "Анасының жалақысы",
         "study_conditions": "Жеке үстелі бар", "rest_conditions": "Бөлек төсегі бар",
         "supervision_note": "Кешке әжесі қарайды", "risk_note": "Ағасымен жиі ұрсысады",
         "recommendations": "Тоқсан сайын қайта бару"}
RISKS = ["conflict", "low_income", "overcrowding"]


@pytest.fixture
def act(world, make_case):
    case = make_case(world.orgs["school1"], enrolled_on=TODAY - timedelta(days=20))
    _db.session.add(LegalRepresentative(minor_id=case.minor.id, relation="father",
                                        full_name="Әбенов Самат"))
    act = services.record_act(
        world.users["social_pedagogue"], case.enrolment, services.ActData(
            visited_on=TODAY - timedelta(days=3), address="Тараз, Төле би көшесі 5",
            participants=PARTICIPANTS, household=HOUSEHOLD, housing_type="house", rooms=3,
            housing_condition="adequate", material_conditions="poor",
            supervision="insufficient", risk_factors=RISKS, conclusions=KAZAKH_TEXT, **NOTES),
        TODAY)
    _db.session.commit()
    return act


def _flat(text: str) -> str:
    return " ".join(text.split())


def _texts(box):
    if getattr(box, "text", None):
        yield box.text
    for child in getattr(box, "children", None) or []:
        yield from _texts(child)


def _document(app, act, language: str) -> tuple[str, int]:
    """The text WeasyPrint lays out for the act's PDF (lines joined), and its pages."""
    from juvenile.familywork.views import PDF_TEMPLATE, _pdf_context

    with app.test_request_context():
        html = pdf.render_html(PDF_TEMPLATE, language,
                               lambda: _pdf_context(_db.session.merge(act), TODAY))
        document = pdf.html_document(html)
    text = "\n".join(t for page in document.pages for t in _texts(page._page_box))
    return _flat(text), len(document.pages)


def _in(language: str, message: str, **values) -> str:
    with current_app.test_request_context(), force_locale(language):
        return gettext(message, **values)


def pdf_title(data: bytes) -> str:
    """The document's title in the PDF's information dictionary (the outline's entries,
    which carry a /Parent, are titled too). WeasyPrint keeps it in a compressed object
    stream, as UTF-16 hex or a literal string."""
    chunks = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        with suppress(zlib.error):
            chunks.append(zlib.decompress(match.group(1)))
    for chunk in chunks:
        for found in re.finditer(rb"/Title\s*(?:<([0-9a-fA-F]+)>|\(([^)]*)\))", chunk):
            start = chunk.rfind(b"<<", 0, found.start())
            if b"/Parent" in chunk[start:chunk.find(b">>", found.end())]:
                continue
            if found.group(1):
                return bytes.fromhex(found.group(1).decode()).decode("utf-16")
            return found.group(2).decode("latin-1")
    return ""


# --- content ---------------------------------------------------------------------------------


def test_the_kazakh_act_holds_every_field_filled_in(app, act):
    text, pages = _document(app, act, "kk")
    assert pages <= 3
    typed = [act.address, KAZAKH_TEXT, *NOTES.values()]
    for person in PARTICIPANTS:
        typed += [person["name"], person["position"], person["organisation"]]
    for person in HOUSEHOLD:
        typed += [person["name"], person["relation"], str(person["birth_year"]),
                  person["occupation"]]
    for value in typed:
        assert value in text, value
    with force_locale("kk"):
        labels = [HousingType("house").label, Condition("adequate").label,
                  Condition("poor").label, Supervision("insufficient").label,
                  *[RiskFactor(code).label for code in RISKS]]
    for label in labels:
        assert label in text, label
    assert "Әбенов Нұрсұлтан" in text  # whose conditions were inspected
    for letter in KAZAKH_LETTERS + KAZAKH_LETTERS.upper():
        assert letter in text, letter
    assert "{{" not in text and "{%" not in text and "}}" not in text


def test_the_act_is_laid_out_like_the_official_form(app, act):
    text, _pages = _document(app, act, "kk")

    def at(message: str, **values) -> int:
        position = text.find(_flat(_in("kk", message, **values)))
        assert position >= 0, message
        return position

    order = [at("Act of inspection of living conditions"),
             at("The inspection was made by:"),
             at("The living conditions of the minor were inspected:"),
             at("Who lives there"), at("Housing"), at("Material conditions"),
             at("Conditions for study and rest"), at("Supervision of the minor"),
             at("Risk factors"), at("Conclusions"), at("Recommendations"),
             at("Signatures of those who made the inspection"),
             at("Familiarised with the act (legal representative)")]
    assert order == sorted(order)


def test_every_participant_and_the_representatives_have_a_signature_line(app, act):
    text, _pages = _document(app, act, "kk")
    signatures = text[text.find(_flat(_in("kk", "Signatures of those who made the "
                                                "inspection"))):]
    for person in PARTICIPANTS:
        assert person["name"] in signatures
        assert f"{person['position']}, {person['organisation']}" in signatures
    familiarised = signatures[signatures.find(
        _flat(_in("kk", "Familiarised with the act (legal representative)"))):]
    assert "Әбенова Гүлмира" in familiarised and "Әбенов Самат" in familiarised
    assert _in("kk", "father") in familiarised
    # one "signature" caption under each line: two participants, two representatives
    assert signatures.count(_in("kk", "signature")) == 4


def test_the_russian_act_reads_in_russian(app, act):
    text, _pages = _document(app, act, "ru")
    for message in ("Address", "Full name", "Material conditions", "Risk factors",
                    "Supervision of the minor", "signature", "Act of inspection of living "
                    "conditions", "Conclusions", "Recommendations", "Who lives there"):
        assert _flat(_in("ru", message)) in text, message
    assert "Адрес" in text and "подпись" in text and "Факторы риска" in text
    for message in ("Address", "Risk factors", "signature"):
        assert _in("kk", message) not in text, message
    with force_locale("ru"):
        assert RiskFactor("low_income").label in text
    assert KAZAKH_TEXT in text  # what was typed stays as typed
    assert "{{" not in text and "{%" not in text


# --- the served file -------------------------------------------------------------------------


def test_the_served_pdf_is_a_confidential_pdf_titled_with_the_minor(client, act, login_as):
    login_as("school_admin")
    response = client.get(f"/home-visits/{act.id}.pdf?lang=kk")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert f'filename="home-visit-act-{act.id}-kk.pdf"' in response.headers[
        "Content-Disposition"]
    assert response.data.startswith(b"%PDF-")
    assert "Әбенов Нұрсұлтан" in pdf_title(response.data)
    russian = client.get(f"/home-visits/{act.id}.pdf?lang=ru")
    assert _in("ru", "Act of inspection of living conditions") in pdf_title(russian.data)
