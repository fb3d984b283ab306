"""HTML to an A4, tagged PDF with WeasyPrint, which may fetch nothing but what it is given.

The report's HTML holds text its facilitator typed, so WeasyPrint is locked down: its URL
fetcher answers only ``data:`` URLs and the application's own static files, resolved by
``django.contrib.staticfiles`` to a file inside a static directory. It never opens a network
connection or a ``file://`` URL, so it cannot follow a redirect, reach an internal service, or
read or attach a file from the server. Anything else is refused, and WeasyPrint leaves it out.

Making the PDF is bounded in time: ``render_pdf_within`` lays it out in a forked child process
that is killed when its budget runs out, so that neither a request nor the worker waits on a
document for ever, and a failure (too long, nested too deeply, the child crashing) comes back
as ``PdfFailedError`` with a message for the member.
"""

from __future__ import annotations

import gc
import json
import logging
import mimetypes
import os
import select
import signal
import struct
import time
from collections.abc import Callable
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


def report_pdf(report: BoardReport, *, seconds: float | None = None) -> bytes:
    """Return the board report as an A4 PDF, within the request's time budget by default."""
    return render_pdf_within(report_html(report), seconds=seconds or settings.PDF_REQUEST_SECONDS)


def statement_html(statement: PartnerStatement) -> str:
    """Return a partner's statement as the finished HTML the PDF is made from."""
    return render_to_string("pdf/statement.html", {"statement": statement})


def statement_pdf(statement: PartnerStatement, *, seconds: float | None = None) -> bytes:
    """Return a partner's statement as an A4 PDF, within the request's time budget by default."""
    return render_pdf_within(
        statement_html(statement), seconds=seconds or settings.PDF_REQUEST_SECONDS
    )


# The time budget. WeasyPrint cannot be interrupted from outside once it is laying out (a
# thread cannot be stopped, and an alarm's exception can land inside its C libraries), so the
# HTML is made into a PDF in a forked child that the parent kills when the budget runs out.
# The child inherits the loaded fonts and templates and only turns HTML into bytes: it never
# touches the database, and leaves with os._exit so nothing of the parent's (connections,
# atexit handlers, test runners) runs twice. Forking costs about 11 ms against the second or
# more that any PDF takes, and the child lays out as fast as the parent would (the collector
# is frozen in it, so it copies none of the parent's pages): the seed's report PDF is made in
# 0.97 of WeasyPrint's own time (docs/deployment.md). A process pool would save those
# milliseconds but keep idle WeasyPrint processes beside every gunicorn worker. In a threaded
# server a lock another thread held at the fork could stall the child: the budget stops it
# then, like any other slow render.

TOO_LONG = (
    "The PDF took too long to make (more than {seconds} seconds), so it was stopped. "
    "Try again, or ask for it to be prepared in the background; if it fails again, "
    "tell the administrator."
)
TOO_DEEP = (
    "The PDF could not be made: some of its text is nested too deeply to lay out, such as "
    "lists or quotations inside one another many times over. Simplify that text, then try again."
)
STOPPED = (
    "The PDF could not be made: the process laying it out stopped unexpectedly ({how}). "
    "Try again; if it fails again, tell the administrator."
)
_LAID_OUT, _PDF, _ERROR = b"L", b"P", b"E"
_HEADER = struct.Struct("!cQ")  # a message's kind, then the length of what follows


class PdfFailedError(Exception):
    """The PDF could not be made within its bounds; the message says why, for the member.

    ``kind`` names what went wrong ("timeout", "nesting", "stopped", or the exception's class
    in the child), ``detail`` the child's own error message, if any.
    """

    WORDED = ("timeout", "nesting", "stopped")  # the message says all; no class to name

    def __init__(self, message: str, *, kind: str, detail: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.detail = detail

    @property
    def worded(self) -> bool:
        """Return whether the message is worded for the member, not the child's own error."""
        return self.kind in self.WORDED


_warmed = False


def _warm_up() -> None:
    """Lay out a tiny document once per process, so that each child inherits loaded fonts."""
    global _warmed
    if not _warmed:
        _warmed = True
        try:
            layout_pdf('<html lang="en-GB"><title>.</title><p>.</p></html>')
        except Exception:  # only a head start: the child loads the fonts itself if need be
            logger.warning("Could not load the PDF fonts ahead of a render", exc_info=True)


def _send(fd: int, kind: bytes, payload: bytes = b"") -> None:
    view = memoryview(_HEADER.pack(kind, len(payload)) + payload)
    while view:
        view = view[os.write(fd, view) :]


def _child(fd: int, html: str) -> None:
    """Make the PDF and send it, or the error, down the pipe; never return."""
    # The collector would otherwise walk, and so copy, every page inherited from the parent.
    gc.freeze()
    try:
        pages = layout_pdf(html)
        _send(fd, _LAID_OUT)
        _send(fd, _PDF, write_pdf(pages))
    except RecursionError:
        _send(fd, _ERROR, json.dumps({"kind": "nesting", "detail": ""}).encode())
    except BaseException as error:  # any failure goes back to the parent, whatever it is
        detail = (str(error).strip().splitlines() or [""])[0][:300]
        _send(fd, _ERROR, json.dumps({"kind": type(error).__name__, "detail": detail}).encode())
    finally:
        os._exit(0)


def render_pdf_within(
    html: str, *, seconds: float, on_laid_out: Callable[[], None] | None = None
) -> bytes:
    """Return the HTML as a PDF made in a child process, or raise PdfFailedError.

    The child is killed once ``seconds`` have passed. ``on_laid_out`` is called (in this
    process) when the pages are laid out and the PDF is being written.
    """
    _warm_up()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child, which leaves through os._exit
        os.close(read_end)
        _child(write_end, html)
    os.close(write_end)
    deadline = time.monotonic() + seconds
    buffer = bytearray()
    poll = select.poll()  # not select(), which fails on a descriptor numbered over 1023
    poll.register(read_end, select.POLLIN)
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not poll.poll(max(1, round(left * 1000))):
                os.kill(pid, signal.SIGKILL)
                raise PdfFailedError(TOO_LONG.format(seconds=f"{seconds:g}"), kind="timeout")
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                break
            buffer += chunk
            while len(buffer) >= _HEADER.size:
                kind, length = _HEADER.unpack_from(buffer)
                if len(buffer) < _HEADER.size + length:
                    break
                payload = bytes(buffer[_HEADER.size : _HEADER.size + length])
                del buffer[: _HEADER.size + length]
                if kind == _LAID_OUT and on_laid_out is not None:
                    on_laid_out()
                elif kind == _PDF:
                    return payload
                elif kind == _ERROR:
                    raise _child_error(json.loads(payload))
        raise PdfFailedError(STOPPED.format(how=_how_it_ended(pid)), kind="stopped")
    finally:
        os.close(read_end)
        _reap(pid)


def _child_error(error: dict) -> PdfFailedError:
    if error["kind"] == "nesting":
        return PdfFailedError(TOO_DEEP, kind="nesting")
    detail = f"{error['kind']}: {error['detail']}" if error["detail"] else error["kind"]
    return PdfFailedError(
        f"The PDF could not be made ({detail}). Try again; if it fails again, tell the "
        "administrator.",
        kind=error["kind"],
        detail=error["detail"],
    )


def _how_it_ended(pid: int) -> str:
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:  # reaped by someone else's SIGCHLD handler: its end is unknown
        return "its exit was not seen"
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


def _reap(pid: int) -> None:
    """Wait for the child, so that none is left behind as a zombie; kill it if need be."""
    try:
        if os.waitpid(pid, os.WNOHANG) == (0, 0):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    except ChildProcessError:  # already reaped
        pass
