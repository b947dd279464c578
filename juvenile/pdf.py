"""The one PDF renderer: a Jinja template to HTML, then WeasyPrint.

WeasyPrint fetches nothing but the application's own static files (the fonts under
juvenile/static/fonts/): any other address — http(s), another file on the disk, a
data: URL — is refused and logged, and the document renders without it (Indico's
receipts/util.py does the same). Templates get plain values, never ORM objects, and are
rendered in the document's language, not the reader's interface language.
"""

import logging
import mimetypes
from collections.abc import Callable
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from flask import Response, current_app, render_template, request
from flask_babel import force_locale, get_locale
from markupsafe import Markup

STATIC_ROOT = (Path(__file__).resolve().parent / "static").resolve()
#: Relative URLs in PDF templates (``url(fonts/DejaVuSans.ttf)``) resolve against this.
BASE_URL = STATIC_ROOT.as_uri() + "/"

logger = logging.getLogger(__name__)


class ResourceRefused(ValueError):
    """A PDF template asked for something that is not one of the app's static files."""


def static_file(url: str) -> Path:
    """The static file ``url`` names, or ResourceRefused for anything else."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise ResourceRefused(f"refused to fetch {url!r}: not one of the app's static files")
    path = Path(url2pathname(parts.path)).resolve()
    if not path.is_relative_to(STATIC_ROOT) or not path.is_file():
        raise ResourceRefused(f"refused to fetch {url!r}: not one of the app's static files")
    return path


def _mime_type(path: Path) -> str:
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _refuse(url: str, error: ResourceRefused):
    logger.warning("PDF: %s", error)
    raise error


@cache
def _fetcher_class():
    """WeasyPrint 68 and later take a URLFetcher subclass (the function fetchers of
    earlier versions are gone in 70); before 68, a function returning a dict."""
    from weasyprint import urls

    if not hasattr(urls, "URLFetcher"):
        return None

    class StaticFilesFetcher(urls.URLFetcher):
        def fetch(self, url, headers=None):
            try:
                path = static_file(url)
            except ResourceRefused as error:
                _refuse(url, error)
            return urls.URLFetcherResponse(path.as_uri(), path.read_bytes(),
                                           {"Content-Type": _mime_type(path)})

    return StaticFilesFetcher


def _legacy_fetcher(url: str) -> dict:
    try:
        path = static_file(url)
    except ResourceRefused as error:
        _refuse(url, error)
    return {"string": path.read_bytes(), "mime_type": _mime_type(path),
            "redirected_url": path.as_uri()}


def url_fetcher():
    """The fetcher every PDF is rendered with: the app's static files, nothing else."""
    fetcher_class = _fetcher_class()
    return fetcher_class() if fetcher_class is not None else _legacy_fetcher


def html_document(html: str):
    """The WeasyPrint document of ``html`` (laid out, not yet written): tests read it."""
    from weasyprint import HTML

    return HTML(string=html, base_url=BASE_URL, url_fetcher=url_fetcher()).render()


def html_to_pdf(html: str) -> bytes:
    return html_document(html).write_pdf()


def render_html(template_name: str, language: str, build_context: Callable[[], dict]) -> str:
    """The template as HTML in ``language``; ``build_context`` runs in that language too,
    so the labels it makes (levels, target groups, choices) match the document."""
    with force_locale(language):
        return render_template(template_name, document_language=language,
                               css_string=css_string, **build_context())


def render_pdf(template_name: str, language: str, build_context: Callable[[], dict]) -> bytes:
    """Render a PDF template in ``language`` to PDF bytes."""
    return html_to_pdf(render_html(template_name, language, build_context))


def pdf_response(data: bytes, filename: str) -> Response:
    """Shown in the browser, never kept in a shared cache: the documents are confidential."""
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def css_string(value) -> Markup:
    """A value as a quoted CSS string, for page-margin content in a <style> element."""
    text = str(value)
    for char, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\A "), ("<", "\\3C "),
                          (">", "\\3E ")):
        text = text.replace(char, escaped)
    return Markup(f'"{text}"')


def document_language() -> str:
    """The language a printable document is made in: ``?lang=kk|ru``, else the reader's."""
    chosen = request.args.get("lang")
    return chosen if chosen in current_app.config["LANGUAGES"] else str(get_locale())
