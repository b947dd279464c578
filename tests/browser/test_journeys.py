"""First journeys through a real browser: signing in and out, the interface language,
who sees the audit trail, and an account from its creation to its first own password.

Expected texts come from the app's catalogues (``texts``), so the tests follow the
translations; ``texts.both`` also checks that Kazakh and Russian differ.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from juvenile.i18n import LANGUAGE_NAMES
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

LOGIN_URL = re.compile(r"/login(\?.*)?$")


def expect_language(page: Page, code: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", code)
    expect(page.get_by_role("button", name=LANGUAGE_NAMES[code], exact=True)) \
        .to_have_attribute("aria-current", "true")


def sign_in(page: Page, t, login: str, password: str = PASSWORD) -> None:
    """Fill the login form; ``t`` gives the texts of the language the page is in."""
    page.get_by_label(t("Login"), exact=True).fill(login)
    page.get_by_label(t("Password"), exact=True).fill(password)
    page.get_by_role("button", name=t("Sign in"), exact=True).click()


def sign_out(page: Page, t) -> None:
    page.get_by_role("button", name=t("Sign out"), exact=True).click()
    expect(page).to_have_url(LOGIN_URL)


def nav_link(page: Page, t, label: str):
    nav = page.get_by_role("navigation", name=t("Main navigation"), exact=True)
    return nav.get_by_role("link", name=t(label), exact=True)


def test_psychologist_signs_in_switches_to_russian_and_signs_out(page, live_server, texts, world):
    school = world.orgs["school1"]
    sign_in_kk, sign_in_ru = texts.both("Sign in")
    home_kk, home_ru = texts.both("Home")
    _change_kk, change_ru = texts.both("Change password")

    # Anonymous: / sends to the login page, which is in Kazakh.
    page.goto("/")
    expect(page).to_have_url(LOGIN_URL)
    expect_language(page, "kk")
    expect(page.get_by_role("heading", level=1)).to_have_text(sign_in_kk)
    expect(page.get_by_role("status")).to_have_text(
        texts.both("Please sign in to open this page.")[0])

    sign_in(page, texts.kk, "psychologist")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(school.name_kk)
    expect_language(page, "kk")
    expect(nav_link(page, texts.kk, "Home")).to_have_text(home_kk)

    # The header switch: this page, then the next one, in Russian.
    page.get_by_role("button", name=LANGUAGE_NAMES["ru"], exact=True).click()
    expect_language(page, "ru")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(school.name_ru)
    expect(nav_link(page, texts.ru, "Home")).to_have_text(home_ru)

    page.get_by_role("link", name=change_ru, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(change_ru)
    expect_language(page, "ru")

    # Remembered for the user, not only for this browser: sign out, forget the cookies
    # (a fresh browser opens in Kazakh), sign in again: Russian.
    sign_out(page, texts.ru)
    expect_language(page, "ru")
    expect(page.get_by_role("status")).to_have_text(texts.both("You have signed out.")[1])
    page.context.clear_cookies()
    page.goto("/login")
    expect_language(page, "kk")
    sign_in(page, texts.kk, "psychologist")
    expect(page).to_have_url(f"{live_server.url}/")
    expect_language(page, "ru")
    expect(page.get_by_role("heading", level=1)).to_have_text(school.name_ru)

    sign_out(page, texts.ru)
    expect(page.get_by_role("heading", level=1)).to_have_text(sign_in_ru)
    expect(page.get_by_label(texts.ru("Login"), exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=texts.ru("Sign out"))).to_have_count(0)


def test_wrong_password_shows_the_error_beside_the_form_and_keeps_the_login(page, texts):
    error_kk, _error_ru = texts.both("Wrong login or password.")
    page.goto("/login")
    sign_in(page, texts.kk, "psychologist", "not-the-password")

    form = page.locator("form", has=page.locator("#password"))
    alert = form.locator("xpath=preceding-sibling::*[@role='alert'][1]")
    expect(alert).to_have_text(error_kk)
    expect(page).to_have_url(LOGIN_URL)
    expect_language(page, "kk")
    expect(page.get_by_label(texts.kk("Login"), exact=True)).to_have_value("psychologist")
    expect(page.get_by_label(texts.kk("Password"), exact=True)).to_have_value("")


def test_audit_trail_in_the_navigation_for_the_coordinator_only(page, live_server, texts, world):
    district = world.districts["D1"]
    texts.both("Audit trail")
    page.goto("/login")
    sign_in(page, texts.kk, "district_coordinator")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(world.orgs["edu1"].name_kk)
    expect(page.get_by_text(texts.kk("District: %(name)s", name=district.name_kk),
                            exact=True)).to_be_visible()
    audit = nav_link(page, texts.kk, "Audit trail")
    expect(audit).to_be_visible()
    audit.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(texts.kk("Audit trail"))

    sign_out(page, texts.kk)
    sign_in(page, texts.kk, "psychologist")
    expect(page.get_by_role("heading", level=1)).to_have_text(world.orgs["school1"].name_kk)
    expect(nav_link(page, texts.kk, "Home")).to_be_visible()
    expect(nav_link(page, texts.kk, "Audit trail")).to_have_count(0)


def test_admin_creates_an_account_whose_user_sets_their_own_password(
        page, live_server, texts, world):
    school = world.orgs["school1"]
    new_login, new_name, own_password = "new.psychologist", "Айгерім Сапарова", "my-own-pass-2024"
    kk = texts.kk
    texts.both("New account")

    page.goto("/login")
    sign_in(page, kk, "admin")
    expect(page).to_have_url(f"{live_server.url}/")
    nav_link(page, kk, "Accounts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(kk("Accounts"))
    page.get_by_role("link", name=kk("New account"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(kk("New account"))

    page.get_by_label(kk("Full name"), exact=True).fill(new_name)
    page.get_by_label(kk("Login"), exact=True).fill(new_login)
    page.get_by_label(kk("Role"), exact=True).select_option(label=kk("School psychologist"))
    page.get_by_label(kk("Organisation"), exact=True).select_option(
        label=f"{school.name_kk} — {world.districts['D1'].name_kk}")
    page.get_by_role("button", name=kk("Save"), exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(kk("Account created"))
    one_time = page.locator("#one-time-password")
    expect(one_time).to_have_text(re.compile(r"^[A-Za-z0-9]{12}$"))
    one_time_password = one_time.inner_text()
    sign_out(page, kk)

    # The new user: forced to the change-password page until they choose a password.
    sign_in(page, kk, new_login, one_time_password)
    expect(page).to_have_url(re.compile(r"/password$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(kk("Change password"))
    expect(page.get_by_text(kk("Your password was set by an administrator. "
                               "Choose your own password to continue."))).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/password$"))

    page.get_by_label(kk("Current password"), exact=True).fill(one_time_password)
    page.get_by_label(kk("New password"), exact=True).fill(own_password)
    page.get_by_label(kk("Repeat the new password"), exact=True).fill(own_password)
    page.get_by_role("button", name=kk("Save the new password"), exact=True).click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("status")).to_have_text(kk("Your password has been changed."))
    expect(page.get_by_role("heading", level=1)).to_have_text(school.name_kk)
    expect(page.get_by_text(new_name, exact=True)).to_be_visible()

    # The password chosen is the one that now opens the account.
    sign_out(page, kk)
    sign_in(page, kk, new_login, own_password)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(school.name_kk)
