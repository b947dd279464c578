"""The interface catalogues: Kazakh (the default) and Russian.

The strings are extracted from the sources at test time, with the mapping in babel.cfg,
so a label added to a template or a form without a translation fails here instead of
showing up in English on a Kazakh or Russian page. The compiled .mo files are what the
application actually loads, so they must not lag behind the .po files.

To refresh the catalogues after adding strings: scripts/update_catalogues.sh, translate
the new entries, then pip install -e . (which compiles them).
"""

import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "juvenile" / "translations"
LOCALES = ("kk", "ru")
#: The same keywords as scripts/update_catalogues.sh passes to pybabel extract.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}

#: A %-conversion (named or positional, with flags, width, precision) or a stray "%".
#: Templates format every translated string (Jinja's newstyle gettext), so a stray "%"
#: in a translation breaks the page even when the msgid has no placeholder.
PLACEHOLDER = re.compile(
    r"%(?:\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]|%"
)


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def load_catalogue(locale: str):
    path = po_path(locale)
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing: run scripts/update_catalogues.sh"
    with path.open("rb") as po_file:
        return read_po(po_file, locale=locale, abort_invalid=True)


@pytest.fixture(scope="module")
def source_messages() -> dict[tuple[str | None, str], str]:
    """Every msgid the sources pass to gettext: (context, msgid) -> first "file:line"."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, "babel.cfg")
    found: dict[tuple[str | None, str], str] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        ids = message if isinstance(message, tuple) else (message,)
        if not ids or not ids[0]:
            continue
        found.setdefault((context, ids[0]), f"{filename}:{lineno}")
    assert found, "no interface strings extracted: is babel.cfg's mapping still right?"
    return found


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


def describe(context: str | None, msgid: str) -> str:
    return f"{context}|{msgid!r}" if context else repr(msgid)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_interface_string_is_translated(locale, source_messages):
    """A string missing, empty or fuzzy here is shown in English (fuzzy ones are not
    compiled) to a user of this language."""
    catalogue = load_catalogue(locale)
    problems = []
    if catalogue.fuzzy:
        problems.append("  the catalogue header is marked fuzzy")
    for (context, msgid), where in sorted(source_messages.items(), key=lambda kv: kv[0][1]):
        entry = catalogue.get(msgid, context=context)
        if entry is None:
            reason = "missing"
        elif entry.fuzzy:
            reason = "fuzzy"
        else:
            forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
            if entry.pluralizable and len(forms) != catalogue.num_plurals:
                reason = f"{len(forms)} plural forms, the language needs {catalogue.num_plurals}"
            elif not all(form.strip() for form in forms):
                reason = "empty"
            else:
                continue
        problems.append(f"  {describe(context, msgid)} ({where}): {reason}")
    assert not problems, (
        f"{len(problems)} interface string(s) untranslated in {po_path(locale).relative_to(ROOT)}"
        " (run scripts/update_catalogues.sh, translate, then pip install -e .):\n"
        + "\n".join(problems)
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_their_placeholders(locale):
    """A lost or renamed placeholder drops the number or name from the message, or makes
    the page fail with a server error when the string is formatted."""
    catalogue = load_catalogue(locale)
    problems = []
    for entry in catalogue:
        if not entry.id or not entry.string or entry.fuzzy:
            continue  # fuzzy entries are not compiled; the test above reports them
        if entry.pluralizable:
            singular, plural = entry.id
            allowed = placeholders(singular) | placeholders(plural)
            forms = list(entry.string)
            # Every form may only use the msgids' placeholders; the last ("other") form
            # is used for most numbers and must carry all of the plural's.
            bad = [f for f in forms if f and set(placeholders(f)) - set(allowed)]
            if forms[-1] and placeholders(forms[-1]) != placeholders(plural):
                bad.append(forms[-1])
            label, expected = singular, allowed
        else:
            expected = placeholders(entry.id)
            bad = [entry.string] if placeholders(entry.string) != expected else []
            label = entry.id
        for text in bad:
            problems.append(
                f"  {describe(entry.context, label)}: expected {sorted(expected.elements())},"
                f" found {sorted(placeholders(text).elements())} in {text!r}"
            )
    assert not problems, (
        f"placeholders differ from the msgid in {po_path(locale).relative_to(ROOT)}:\n"
        + "\n".join(problems)
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalogue_is_current(locale):
    """The application reads the .mo: a missing or stale one shows English or old text."""
    po = po_path(locale)
    mo = po.with_suffix(".mo")
    assert mo.is_file(), (
        f"{mo.relative_to(ROOT)} is missing: reinstall with pip install -e . to compile it"
    )
    stale = mo.stat().st_mtime_ns < po.stat().st_mtime_ns
    assert not stale, (
        f"{mo.relative_to(ROOT)} is older than {po.relative_to(ROOT)}: "
        "reinstall with pip install -e . to recompile it"
    )


def test_sign_in_page_is_kazakh_by_default_and_russian_on_request(client):
    """What a user sees first: the sign-in page in Kazakh, in Russian once chosen."""
    page = client.get("/login").get_data(as_text=True)
    assert "<h1>Кіру</h1>" in page
    assert "Құпиясөз" in page
    assert "Sign in" not in page

    # The choice the language switch stores (set directly: this checks the catalogue,
    # not the switch).
    with client.session_transaction() as session:
        session["lang"] = "ru"
    page = client.get("/login").get_data(as_text=True)
    assert "<h1>Войти</h1>" in page
    assert "Пароль" in page
    assert "Sign in" not in page
