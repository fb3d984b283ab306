"""The board report's share of `make bench`: how long its PDF takes, and how many queries.

``bench_report()`` expects Django set up on a migrated database (as ``benchmarks.run`` leaves
it). It loads the demo programme and a 200-project one, then times producing the PDF the way
the ``report.pdf`` view does (reading the data, building the report, rendering the template and
WeasyPrint with the locked-down fetcher) against WeasyPrint alone rendering the same finished
HTML, and counts the queries of the PDF request at both sizes.
"""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable

from benchmarks.builders import large_document

RUNS = 5
AIM_RATIO = 1.3
AIM_LARGE_SECONDS = 20.0
LARGE_PROJECTS = 200
LARGE_PARTNERS = 8
DEMO_SLUG = "norfolk-connect-2004"
LARGE_SLUG = "bench-report-200"
USERNAME = "bench-report"


def _seconds(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _programmes():
    """Load the demo and the 200-project programme where absent; return both."""
    from django.conf import settings

    from projects.models import Programme, Risk
    from projects.programme_file import parse_programme
    from projects.services import programme_load

    if not Programme.objects.filter(slug=DEMO_SLUG).exists():
        fixture = settings.BASE_DIR / "fixtures" / "norfolk-connect-2004.json"
        programme_load(document=parse_programme(fixture.read_bytes()))
    if not Programme.objects.filter(slug=LARGE_SLUG).exists():
        large = programme_load(
            document=large_document(
                projects=LARGE_PROJECTS, partners=LARGE_PARTNERS, slug=LARGE_SLUG
            )
        )
        # A risk, as the demo has its two: the same kinds of record to read, so that the
        # queries compare like with like.
        Risk.objects.create(
            programme=large, reference="R1", description="A risk", likelihood=2, impact=3
        )
    return tuple(
        Programme.objects.select_related("partnership").get(slug=slug)
        for slug in (DEMO_SLUG, LARGE_SLUG)
    )


def _client(programmes):
    """Return a test client signed in as a chief executive of both programmes."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from projects.models import Membership, Role

    user, _ = get_user_model().objects.get_or_create(username=USERNAME)
    for programme in programmes:
        Membership.objects.get_or_create(
            user=user, partnership=programme.partnership, defaults={"role": Role.CHIEF_EXECUTIVE}
        )
    client = Client()
    client.force_login(user)
    return client


def _pdf_request(client, slug: str) -> tuple[float, int, bytes]:
    """GET the report's PDF; return the seconds it took, its queries and the PDF."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(f"/programmes/{slug}/report.pdf")
        seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"/programmes/{slug}/report.pdf answered {response.status_code}")
    return seconds, len(queries), response.content


def _pages(pdf: bytes) -> int:
    from pypdf import PdfReader  # a test dependency, installed for `make bench`

    return len(PdfReader(io.BytesIO(pdf)).pages)


def bench_report() -> dict:
    """Time the demo report's PDF against WeasyPrint alone, and a 200-project report's PDF."""
    from django.test import override_settings
    from weasyprint import HTML

    from reports.report.pdf import PDF_VARIANT, report_html, report_pdf
    from reports.report.selectors import board_report

    demo, large = _programmes()
    client = _client((demo, large))

    # The first render loads the fonts: once per process, so kept out of the timings.
    _pdf_request(client, DEMO_SLUG)

    html = report_html(board_report(programme=demo))

    def produce() -> bytes:
        return report_pdf(board_report(programme=demo))

    def weasyprint_alone() -> bytes:
        return HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)

    # Interleaved, so that a slow moment of the machine hits both alike.
    produced, alone = [], []
    for _ in range(RUNS):
        produced.append(_seconds(produce))
        alone.append(_seconds(weasyprint_alone))
    demo_seconds, alone_seconds = statistics.median(produced), statistics.median(alone)
    # What the application adds to WeasyPrint: reading the data, the content and the template.
    html_seconds = statistics.median(
        _seconds(lambda: report_html(board_report(programme=demo))) for _ in range(RUNS)
    )

    demo_request_seconds, demo_queries, demo_pdf = _pdf_request(client, DEMO_SLUG)
    # A report this large is made by the background worker, with the same code: timed here
    # in the request, as if it were under the threshold.
    with override_settings(REPORT_BACKGROUND_PROJECTS=LARGE_PROJECTS, PDF_BACKGROUND_WORK=10**9):
        large_runs = [_pdf_request(client, LARGE_SLUG) for _ in range(3)]
    large_seconds = statistics.median(run[0] for run in large_runs)
    _, large_queries, large_pdf = large_runs[-1]
    return {
        "demo_pdf_seconds": round(demo_seconds, 3),
        "weasyprint_alone_seconds": round(alone_seconds, 3),
        "ratio_to_weasyprint_alone": round(demo_seconds / alone_seconds, 3),
        "ratio_aim": AIM_RATIO,
        "demo_html_seconds": round(html_seconds, 3),
        "demo_request_seconds": round(demo_request_seconds, 3),
        "demo_pages": _pages(demo_pdf),
        "demo_queries": demo_queries,
        "large_projects": LARGE_PROJECTS,
        "large_pdf_seconds": round(large_seconds, 3),
        "large_seconds_aim": AIM_LARGE_SECONDS,
        "large_pages": _pages(large_pdf),
        "large_queries": large_queries,
        "queries_constant": demo_queries == large_queries,
    }
