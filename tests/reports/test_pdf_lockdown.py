"""WeasyPrint is locked down: a report's text can make it fetch nothing and embed nothing.

A tiny HTTP server on 127.0.0.1 records every request it gets and answers /redirect with a
redirect to file:///etc/passwd. Report text that points at it, or at the server's own files,
must leave it untouched and leave nothing in the PDF: no attachment, no image.
"""

from __future__ import annotations

import base64
import io
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader

from projects.models import Programme, ReportText
from reports.report import pdf as pdf_module
from reports.report.pdf import BASE_URL, LockedDownFetcher, ResourceRefused, render_pdf

DEMO = "norfolk-connect-2004"
PASSWD = "/etc/passwd"
# A 1x1 transparent PNG: a real image, to prove the checks below would see one.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


class SpyServer:
    """An HTTP server on 127.0.0.1 that records requests; /redirect points at /etc/passwd."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        spy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # the name http.server calls
                spy.requests.append(self.path)
                if self.path.startswith("/redirect"):
                    self.send_response(302)
                    self.send_header("Location", f"file://{PASSWD}")
                    self.end_headers()
                    return
                body = PNG if self.path.endswith(".png") else b"p { color: red }"
                self.send_response(200)
                self.send_header("Content-Type", "image/png" if body is PNG else "text/css")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def spy():
    server = SpyServer()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_the_spy_server_does_record_requests(spy):
    """A control: were anything fetched, the server would have seen it."""
    import urllib.request

    urllib.request.urlopen(spy.url("/control.png"), timeout=5).read()
    assert spy.requests == ["/control.png"]


# Looking inside a PDF


def embedded_files(reader: PdfReader) -> list:
    names = reader.trailer["/Root"].get("/Names")
    files = names.get_object().get("/EmbeddedFiles") if names else None
    return [files] if files else []


def file_annotations(reader: PdfReader) -> list:
    found = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/FileAttachment":
                found.append(annotation)
    return found


def images(reader: PdfReader) -> list:
    """Return every image XObject, looking inside form XObjects too."""
    found, seen = [], set()

    def walk(resources):
        resources = resources.get_object() if resources is not None else {}
        xobjects = resources.get("/XObject")
        for reference in xobjects.get_object().values() if xobjects is not None else ():
            target = reference.get_object()
            key = id(target)
            if key in seen:
                continue
            seen.add(key)
            if target.get("/Subtype") == "/Image":
                found.append(target)
            elif target.get("/Subtype") == "/Form":
                walk(target.get("/Resources"))

    for page in reader.pages:
        walk(page.get("/Resources"))
    return found


def nothing_embedded(pdf: bytes) -> PdfReader:
    reader = PdfReader(io.BytesIO(pdf))
    assert embedded_files(reader) == []
    assert file_annotations(reader) == []
    assert images(reader) == []
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "root:x:0:0" not in text and "root:x:0:0" not in pdf.decode("latin-1")
    return reader


# End to end: the facilitator's text, saved through the editor, then the PDF


def attack_text(spy: SpyServer) -> str:
    return "\n\n".join(
        [
            "Our plans.",
            f'<img src="file://{PASSWD}">',
            f'<a rel="attachment" href="file://{PASSWD}">the password file</a>',
            f'<p style="background: url({spy.url("/style-attribute.png")})">Styled.</p>',
            f"<style>p {{{{ background: url({spy.url('/style-element.png')}) }}}}</style>",
            f'<img src="{spy.url("/redirect.png")}">',
            f'<link rel="attachment" href="{spy.url("/redirect")}">',
            f"![picture]({spy.url('/markdown.png')}) [a link]({spy.url('/redirect')})",
        ]
    )


@pytest.mark.django_db
def test_report_text_makes_weasyprint_fetch_and_embed_nothing(client, monkeypatch, spy):
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())
    programme = Programme.objects.get(slug=DEMO)
    text = ReportText.objects.get(programme=programme)
    client.force_login(get_user_model().objects.get(username="facilitator"))
    data = {
        field: getattr(text, field)
        for field in ("meeting", "item_number", "title", "report_by", "summary", "background",
                      "project_list", "risks_and_benefits", "alternative_options",
                      "recommendations", "contact_officers")
    }  # fmt: skip
    data.update(background=attack_text(spy), summary=attack_text(spy), version=text.version)
    saved = client.post(reverse("report:report_text", args=[DEMO]), data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert "file:///etc/passwd" in ReportText.objects.get(programme=programme).background

    asked: list[str] = []
    real_fetch = LockedDownFetcher.fetch

    def recording_fetch(self, url, headers=None):
        asked.append(url)
        return real_fetch(self, url, headers)

    monkeypatch.setattr(LockedDownFetcher, "fetch", recording_fetch)
    response = client.get(reverse("report:report_pdf", args=[DEMO]))
    assert response.status_code == 200

    assert spy.requests == []  # nothing reached the network
    assert not any(url.startswith("file:") for url in asked)  # nor the server's files
    assert asked == []  # the sanitiser left WeasyPrint nothing to fetch at all
    reader = nothing_embedded(response.content)
    assert "Our plans." in " ".join(page.extract_text() for page in reader.pages)

    # On the page too: links stay links (a link fetches nothing); pictures and files are gone.
    page = client.get(reverse("report:report", args=[DEMO])).content.decode()
    assert "<img" not in page and "<style>p" not in page and "file:///etc" not in page
    assert spy.url("/markdown.png") not in page and spy.url("/style-") not in page
    assert spy.requests == []


# The fetcher alone, had the sanitiser missed something


def raw_attack_html(spy: SpyServer) -> str:
    return f"""<!DOCTYPE html><html lang="en-GB"><head><title>Attack</title>
<link rel="stylesheet" href="{spy.url("/sheet.css")}">
<link rel="attachment" href="file://{PASSWD}">
<link rel="attachment" href="{spy.url("/redirect")}">
<style>
  @import url({spy.url("/import.css")});
  @font-face {{ font-family: Spy; src: url({spy.url("/font.ttf")}); }}
  body {{ background: url({spy.url("/background.png")}); }}
  p {{ background-image: url(file://{PASSWD}); }}
</style></head><body>
<p>Text.</p>
<img src="file://{PASSWD}" alt="">
<img src="{spy.url("/redirect.png")}" alt="">
<img src="{spy.url("/plain.png")}" alt="">
<a rel="attachment" href="file://{PASSWD}">attachment</a>
<a rel="attachment" href="{spy.url("/redirect")}">attachment 2</a>
<object data="file://{PASSWD}"></object>
<embed src="{spy.url("/embed.png")}">
<iframe src="file://{PASSWD}"></iframe>
<svg width="10" height="10"><image href="{spy.url("/svg.png")}" width="10" height="10"/></svg>
<img src="/static/../../../../etc/passwd" alt="">
<img src="/static/%2e%2e/%2e%2e/etc/passwd" alt="">
</body></html>"""


def test_the_fetcher_refuses_every_url_that_is_not_data_or_static(spy):
    fetcher = LockedDownFetcher()
    pdf = render_pdf(raw_attack_html(spy), fetcher=fetcher)

    assert spy.requests == []
    assert any(url.startswith("file:") for url in fetcher.requested)  # asked, and refused
    assert any(url.startswith(spy.url("/")) for url in fetcher.requested)
    nothing_embedded(pdf)


@pytest.mark.parametrize(
    "url",
    [
        f"file://{PASSWD}",
        "FILE:///etc/passwd",
        "http://127.0.0.1:9/anything",
        "https://example.org/static/js/app.mjs",
        "http://app.invalid/static/js/app.mjs",  # the right host, the wrong scheme
        "https://app.invalid/media/x.png",
        "https://app.invalid/static/",
        "https://app.invalid/static/../manage.py",
        "https://app.invalid/static/%2e%2e/manage.py",
        "https://app.invalid/static/%2Fetc%2Fpasswd",
        "https://app.invalid/static/js/%00app.mjs",
        "https://app.invalid/static/js/missing.mjs",
        "ftp://127.0.0.1/x",
        "data:text/plain;base64",  # no comma: not a data: URL at all
    ],
)
def test_the_fetcher_refuses(url):
    with pytest.raises(ResourceRefused):
        LockedDownFetcher().fetch(url)


def test_the_fetcher_never_follows_a_redirect(spy):
    with pytest.raises(ResourceRefused):
        LockedDownFetcher().fetch(spy.url("/redirect"))
    assert spy.requests == []


def test_the_fetcher_answers_data_urls():
    response = LockedDownFetcher().fetch("data:text/plain;base64,aGVsbG8=")
    assert response.read() == b"hello"
    assert response.content_type == "text/plain"


def test_the_fetcher_serves_the_apps_own_static_files():
    response = LockedDownFetcher().fetch(f"{BASE_URL}static/js/app.mjs")
    assert (
        response.read() == (pdf_module.settings.BASE_DIR / "static" / "js" / "app.mjs").read_bytes()
    )


def test_a_static_image_and_a_data_image_are_embedded(tmp_path):
    """A control for the checks above: what is allowed does end up in the PDF."""
    (tmp_path / "dot.png").write_bytes(PNG)
    encoded = base64.b64encode(PNG).decode()
    html = (
        '<html lang="en-GB"><head><title>t</title></head><body>'
        '<img src="/static/dot.png" alt="a dot">'
        f'<img src="data:image/png;base64,{encoded}" alt="another dot"></body></html>'
    )
    with override_settings(STATICFILES_DIRS=[tmp_path]):
        reader = PdfReader(io.BytesIO(render_pdf(html)))
    assert len(images(reader)) >= 1


def test_a_symbolic_link_out_of_the_static_directories_is_refused(tmp_path):
    (tmp_path / "passwd.png").symlink_to(PASSWD)
    if not os.path.exists(PASSWD):
        pytest.skip("no /etc/passwd to point at")
    with override_settings(STATICFILES_DIRS=[tmp_path]), pytest.raises(ResourceRefused):
        LockedDownFetcher().fetch(f"{BASE_URL}static/passwd.png")
