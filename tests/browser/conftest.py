"""Browser harness: a real Chromium (Playwright, sync API) against a live server.

* ``chromium_executable`` finds Debian's Chromium, installing it with apt-get once per
  session when it is missing and we may (root + apt-get); otherwise the browser tests are
  skipped with the exact reason. ``playwright install`` is never used.
* ``app`` is overridden here: the app under test runs with CSRF protection ON. The parent
  conftest's ``db``, ``make_user`` and ``world`` chain onto it, so the world is written to
  the very database the live server reads, before the browser sends its first request.
* ``live_server`` serves that app from a werkzeug server in a daemon thread.
* ``page`` is a page in a fresh browser context (no cookies) per test.
* On a failed test a screenshot (and the page's HTML) goes to test-artifacts/.
* ``texts`` gives the Kazakh and Russian texts of a message from the app's own catalogues.
"""

import asyncio
import gettext as stdlib_gettext
import logging
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as babel_gettext
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM_PATHS = ("/usr/bin/chromium",)
APT_TIMEOUT_SECONDS = 15 * 60
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
#: Playwright's own wait for a locator or a navigation (ms); the app answers locally.
DEFAULT_TIMEOUT_MS = 10_000

_server_log = logging.getLogger("tests.browser.live_server")


# --- Chromium ------------------------------------------------------------------------


def _find_chromium() -> str | None:
    for path in CHROMIUM_PATHS:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return shutil.which("chromium")


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _apt_install_chromium() -> str:
    """Install Debian's chromium; returns why it could not be installed ("" on success)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "not running as root, so apt-get cannot install it"
    apt_get = shutil.which("apt-get")
    if apt_get is None:
        return "apt-get is not available on this machine"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    deadline = time.monotonic() + APT_TIMEOUT_SECONDS
    for command in ([apt_get, "update"],
                    [apt_get, "install", "-y", "--no-install-recommends", "chromium"]):
        remaining = deadline - time.monotonic()
        try:
            result = subprocess.run(command, capture_output=True, text=True, env=env,
                                    timeout=max(remaining, 1), check=False)
        except subprocess.TimeoutExpired:
            return (f"`{' '.join(command)}` did not finish within the "
                    f"{APT_TIMEOUT_SECONDS // 60}-minute limit")
        if result.returncode != 0:
            return (f"`{' '.join(command)}` failed with exit code {result.returncode}:\n"
                    f"{_tail(result.stdout + result.stderr)}")
    return ""


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Debian's Chromium, installed once per session when missing; a skip when impossible.

    A skip raised here is cached by pytest: the installation is attempted only once.
    """
    found = _find_chromium()
    if found:
        return found
    why = _apt_install_chromium()
    found = _find_chromium()
    if found:
        return found
    pytest.skip("browser tests skipped: Chromium is not installed (no /usr/bin/chromium, "
                f"no `chromium` on PATH) and could not be installed: "
                f"{why or 'apt-get reported success but no chromium executable appeared'}")


# --- Playwright ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        pytest.skip(f"browser tests skipped: the playwright package is missing ({error}); "
                    "install the test extras: pip install -e '.[test]'")
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass  # no loop running in this thread: the sync API may start its own
    else:
        pytest.fail("an asyncio event loop is running in the test thread; Playwright's "
                    "sync API cannot be used there (is an asyncio pytest plugin active?)")
    manager = sync_playwright().start()
    yield manager
    manager.stop()


@pytest.fixture(scope="session")
def browser(chromium_executable, playwright_instance) -> Iterator:
    browser = playwright_instance.chromium.launch(
        executable_path=chromium_executable, headless=True, args=LAUNCH_ARGS)
    yield browser
    browser.close()


# --- the application and its live server ---------------------------------------------


@pytest.fixture
def app(app_factory):
    """The app the browser talks to: CSRF protection on, as in production."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app


class _LoggingRequestHandler(WSGIRequestHandler):
    """Request lines go to logging (pytest shows them with a failure), not to stderr."""

    def log_request(self, code="-", size="-") -> None:
        _server_log.info("%s %s -> %s", self.command, self.path, code)

    def log(self, type: str, message: str, *args) -> None:
        level = logging.ERROR if type == "error" else logging.INFO
        _server_log.log(level, message.rstrip(), *args)


@dataclass
class LiveServer:
    url: str
    app: Flask


@pytest.fixture
def live_server(app, world) -> Iterator[LiveServer]:
    """Serve ``app`` on 127.0.0.1 (a free port) once the world is in its database."""
    server = make_server("127.0.0.1", 0, app, threaded=True,
                         request_handler=_LoggingRequestHandler)
    host, port = server.server_address[:2]
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://{host}:{port}", app=app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def page(browser, live_server) -> Iterator:
    """A page in a fresh browser context (its own cookies), relative URLs on the server."""
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


# --- texts from the app's catalogues -------------------------------------------------

#: kk/ru difference checks not made because a catalogue is not compiled (for the summary).
_UNCHECKED_DIFFERENCES: list[str] = []


def _missing_catalogues(app: Flask) -> list[str]:
    babel = app.extensions["babel"]
    return [locale for locale in app.config["LANGUAGES"]
            if not any(stdlib_gettext.find(babel.default_domain, directory, [locale])
                       for directory in babel.translation_directories)]


@dataclass
class Texts:
    """Messages as the app renders them in each language (its catalogues, its gettext)."""

    app: Flask
    missing: list[str] = field(default_factory=list)

    def in_locale(self, locale: str, message: str, **variables) -> str:
        with self.app.app_context(), force_locale(locale):
            return babel_gettext(message, **variables)

    def kk(self, message: str, **variables) -> str:
        return self.in_locale("kk", message, **variables)

    def ru(self, message: str, **variables) -> str:
        return self.in_locale("ru", message, **variables)

    def both(self, message: str, **variables) -> tuple[str, str]:
        """(Kazakh, Russian); asserts they differ once both catalogues are compiled."""
        kk, ru = self.kk(message, **variables), self.ru(message, **variables)
        if self.missing:
            _UNCHECKED_DIFFERENCES.append(message)
        else:
            assert kk != ru, f"{message!r} reads the same in Kazakh and Russian: {kk!r}"
        return kk, ru


@pytest.fixture
def texts(app) -> Texts:
    return Texts(app=app, missing=_missing_catalogues(app))


def pytest_terminal_summary(terminalreporter):
    if _UNCHECKED_DIFFERENCES:
        distinct = sorted(set(_UNCHECKED_DIFFERENCES))
        terminalreporter.write_sep("-", "browser tests: kk/ru catalogues not compiled")
        terminalreporter.write_line(
            f"{len(_UNCHECKED_DIFFERENCES)} 'Kazakh differs from Russian' checks were not "
            f"made ({len(distinct)} messages): no compiled messages.mo for kk and ru in "
            "juvenile/translations. Texts were compared against the untranslated msgids.")


# --- artifacts of a failure ----------------------------------------------------------


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed and "page" in getattr(item, "funcargs", {}):
        page = item.funcargs["page"]
        directory = item.config.rootpath / "test-artifacts"
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid).strip("_")
        try:
            directory.mkdir(exist_ok=True)
            page.screenshot(path=str(directory / f"{stem}.png"), full_page=True)
            (directory / f"{stem}.html").write_text(page.content(), encoding="utf-8")
            note = (f"screenshot: {directory / stem}.png\n"
                    f"html: {directory / stem}.html\nurl: {page.url}")
        except Exception as error:  # the test's own failure matters more than this one
            note = f"could not save the screenshot: {error!r}"
        report.sections.append(("browser artifacts", note))
    return report
