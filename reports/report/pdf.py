"""HTML to an A4, tagged PDF with WeasyPrint, which may fetch nothing but what it is given.

The report's HTML holds text its facilitator typed, so WeasyPrint is locked down: its URL
fetcher answers only ``data:`` URLs and the application's own static files, resolved by
``django.contrib.staticfiles`` to a file inside a static directory. It never opens a network
connection or a ``file://`` URL, so it cannot follow a redirect, reach an internal service, or
read or attach a file from the server. Anything else is refused, and WeasyPrint leaves it out.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit
from urllib.request import DataHandler, Request

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .content import BoardReport
from .statements import PartnerStatement

logger = logging.getLogger(__name__)

# Relative URLs in the document resolve against this origin, which no resolver answers
# (".invalid" is reserved): only its static path is served, from the disk, by the fetcher.
BASE_URL = "https://app.invalid/"
_ORIGIN = urlsplit(BASE_URL)
PDF_VARIANT = "pdf/ua-1"
MAX_STATIC_BYTES = 5 * 1024 * 1024


class ResourceRefused(ValueError):
    """The locked-down fetcher does not fetch this URL; WeasyPrint leaves the resource out."""


def static_roots() -> tuple[Path, ...]:
    """Return the directories static files may come from: STATICFILES_DIRS and apps' static."""
    roots = []
    for entry in settings.STATICFILES_DIRS:
        roots.append(entry[1] if isinstance(entry, tuple | list) else entry)
    for config in apps.get_app_configs():
        roots.append(Path(config.path) / "static")
    return tuple(Path(root).resolve() for root in roots if Path(root).is_dir())


def static_path() -> str:
    """Return the URL path static files are served under, such as /static/."""
    path = urlsplit(settings.STATIC_URL).path
    return "/" + path.strip("/") + "/"


class LockedDownFetcher(URLFetcher):
    """Fetch ``data:`` URLs and the application's static files; refuse everything else.

    ``requested`` records every URL WeasyPrint asked for, refused or not.
    """

    def __init__(self) -> None:
        # No network handler is ever used: fetch() below never calls the opener.
        super().__init__(allowed_protocols=("data", "https"), allow_redirects=False, timeout=1)
        self.requested: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        self.requested.append(url)
        if url[:5].lower() == "data:":
            return self._data(url)
        parts = urlsplit(url)
        if (
            parts.scheme == _ORIGIN.scheme
            and parts.netloc == _ORIGIN.netloc
            and parts.path.startswith(static_path())
        ):
            return self._static(url, parts.path[len(static_path()) :])
        logger.warning("Refused to fetch %.200s for a PDF", url)
        raise ResourceRefused(f"Not fetched: {url[:200]}")

    def _data(self, url: str) -> URLFetcherResponse:
        try:
            response = DataHandler().data_open(Request(url))
        except (ValueError, OSError) as error:
            raise ResourceRefused(f"Not a valid data: URL ({error})") from error
        body = response.read()
        return URLFetcherResponse(
            url, body, {"Content-Type": response.headers.get("Content-Type", "text/plain")}
        )

    def _static(self, url: str, relative: str) -> URLFetcherResponse:
        name = unquote(relative)
        parts = PurePosixPath(name).parts
        if not name or "\x00" in name or name.startswith("/") or ".." in parts:
            raise ResourceRefused(f"Not a static file: {url[:200]}")
        try:
            found = finders.find(name)
        except SuspiciousFileOperation as error:
            raise ResourceRefused(f"Not a static file: {url[:200]}") from error
        if not found:
            raise ResourceRefused(f"No such static file: {url[:200]}")
        path = Path(found).resolve()
        # A symbolic link inside a static directory must not lead out of them all.
        if not any(path.is_relative_to(root) for root in static_roots()) or not path.is_file():
            raise ResourceRefused(f"Not a static file: {url[:200]}")
        if path.stat().st_size > MAX_STATIC_BYTES:
            raise ResourceRefused(f"Too large to embed: {url[:200]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def layout_pdf(html: str, *, fetcher: LockedDownFetcher | None = None) -> Document:
    """Return the HTML laid out into pages, ready to write as a PDF: the longest step."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher or LockedDownFetcher())
    return document.render(pdf_variant=PDF_VARIANT)


def write_pdf(document: Document) -> bytes:
    """Return the laid-out pages as a tagged PDF/UA-1 document."""
    return document.write_pdf(pdf_variant=PDF_VARIANT)


def render_pdf(html: str, *, fetcher: LockedDownFetcher | None = None) -> bytes:
    """Return the HTML as a tagged PDF/UA-1 document; its title and language come from it."""
    return write_pdf(layout_pdf(html, fetcher=fetcher))


def report_html(report: BoardReport) -> str:
    """Return the board report as the finished HTML the PDF is made from."""
    return render_to_string("pdf/report.html", {"report": report})


def report_pdf(report: BoardReport, *, fetcher: LockedDownFetcher | None = None) -> bytes:
    """Return the board report as an A4 PDF."""
    return render_pdf(report_html(report), fetcher=fetcher)


def statement_pdf(statement: PartnerStatement) -> bytes:
    """Return a partner's statement as an A4 PDF."""
    return render_pdf(render_to_string("pdf/statement.html", {"statement": statement}))
