"""`make bench`: build programmes of two sizes, serve them with gunicorn, and measure the pages.

Then, in-process: the board report's PDF, Excel at 10,000 funding lines, and the API (the demo's
figures read, 1,000 spend lines written with a token: benchmarks.api).

For each page it prints the throughput as a ratio of a trivial view's on the same server (so the
figure means the same on a faster or slower machine), the median time the application spent
on it (from the Server-Timing header), and the number of database queries at both sizes.
It writes every figure, with the machine described, to docs/performance.md (BENCH_DOC to
write elsewhere). It is a benchmark, not a test: it asserts nothing and CI does not run it.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"small": (10, 8), "large": (1000, 100)}
# Spend lines written in bulk over the projects' first phases, with a forecast on each.
SPEND_LINES = {"small": 500, "large": 50_000}
LOAD_SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
CONNECTIONS = 4
TIMED_REQUESTS = 30
PAGES = {
    "dashboard": "/programmes/{slug}/dashboard/",
    "scenarios": "/programmes/{slug}/scenarios/",
    "projects table": "/programmes/{slug}/projects/",
    "partners": "/programmes/{slug}/partners/",
    "project page": "/programmes/{slug}/projects/project-0/",
    "project spend": "/programmes/{slug}/projects/project-0/spend/",
    "programme spend": "/programmes/{slug}/spend/",
}
TRIVIAL = "/health/"
# BENCH_PAGES="dashboard,project page" times only those pages; BENCH_PAGES_ONLY=1 leaves out the
# PDF and workbook timings and does not rewrite docs/performance.md.
if os.environ.get("BENCH_PAGES"):
    PAGES = {name: PAGES[name] for name in os.environ["BENCH_PAGES"].split(",")}
PAGES_ONLY = os.environ.get("BENCH_PAGES_ONLY") == "1"


def set_up_django(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "norfolk_connect.settings.local"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build_programmes() -> str:
    """Load a small and a large programme and return a signed-in session key."""
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from benchmarks.builders import add_spend, large_document
    from projects.models import Membership, Partnership, Role
    from projects.services import programme_load

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench", password="bench-only-password")
    for size, (projects, partners) in SIZES.items():
        started = time.perf_counter()
        document = large_document(projects=projects, partners=partners, slug=f"bench-{size}")
        programme = programme_load(document=document)
        add_spend(programme, SPEND_LINES[size])
        partnership = Partnership.objects.get(slug=f"bench-{size}-partnership")
        Membership.objects.create(user=user, partnership=partnership, role=Role.CHIEF_EXECUTIVE)
        print(
            f"  built {size}: {projects} projects x {partners} partners, "
            f"{SPEND_LINES[size]:,} spend lines "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def query_counts(session_key: str) -> dict[tuple[str, str], int]:
    """Count each page's queries in-process with the test client, at both sizes."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench"))
    counts = {}
    for page, path in PAGES.items():
        for size in SIZES:
            with CaptureQueriesContext(connection) as context:
                response = client.get(path.format(slug=f"bench-{size}"))
            counts[page, size] = len(context) if response.status_code == 200 else -1
    return counts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "norfolk_connect.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            status, _, _ = request(port, TRIVIAL, "")
            if status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def request(port: int, path: str, session_key: str, connection=None):
    """Make one GET; return (status, Server-Timing milliseconds, connection)."""
    connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers={"Cookie": f"sessionid={session_key}"})
    response = connection.getresponse()
    response.read()
    timing = response.getheader("Server-Timing", "")
    match = re.search(r"dur=([\d.]+)", timing)
    return response.status, float(match.group(1)) if match else float("nan"), connection


def throughput(port: int, path: str, session_key: str) -> float:
    """Return requests per second over LOAD_SECONDS: wrk when installed, else Python threads."""
    if shutil.which("wrk"):
        output = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{CONNECTIONS}",
                f"-d{LOAD_SECONDS:.0f}s",
                "-H",
                f"Cookie: sessionid={session_key}",
                f"http://127.0.0.1:{port}{path}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        if "Non-2xx" in output:
            raise SystemExit(f"{path} answered errors under load:\n{output}")
        return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    done = [0] * CONNECTIONS
    stop = time.monotonic() + LOAD_SECONDS

    def worker(index: int) -> None:
        connection = None
        while time.monotonic() < stop:
            status, _, connection = request(port, path, session_key, connection)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
            done[index] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / LOAD_SECONDS


def median_server_ms(port: int, path: str, session_key: str) -> float:
    return server_ms(port, path, session_key)[0]


def server_ms(port: int, path: str, session_key: str) -> tuple[float, float]:
    """Return the median and the 95th percentile of the application's time on the page."""
    connection = None
    timings = []
    for _ in range(TIMED_REQUESTS):
        status, timing, connection = request(port, path, session_key, connection)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
        timings.append(timing)
    return statistics.median(timings), statistics.quantiles(timings, n=20)[-1]


def in_process_benchmarks() -> dict[str, dict]:
    """Run the benchmarks that time work inside the application rather than over HTTP."""
    from benchmarks.api import bench_api
    from benchmarks.excel import bench_excel
    from benchmarks.report_pdf import bench_report

    results = {}
    print("  timing the board report's PDF ...", flush=True)
    results["Board report PDF"] = bench_report()
    print("  timing Excel export and import at 10,000 funding lines ...", flush=True)
    results["Excel at 10,000 funding lines"] = bench_excel(10_000)
    print("  timing the API: the demo's figures, and 1,000 spend lines written ...", flush=True)
    results["API"] = bench_api()
    return results


def print_pages(trivial: float, trivial_ms: float, pages: dict) -> None:
    """Print each page's figures as soon as they are measured."""
    print()
    print(f"Trivial view {TRIVIAL}: {trivial:.0f} requests/s, median {trivial_ms:.1f} ms")
    print(
        f"{'page':<16}{'size':<7}{'req/s':>8}{'ratio':>8}{'median ms':>11}{'p95 ms':>9}"
        f"{'queries':>9}"
    )
    for (page, size), row in pages.items():
        print(
            f"{page:<16}{size:<7}{row['requests_per_second']:>8.1f}"
            f"{row['ratio_to_trivial']:>8.3f}{row['median_server_ms']:>11.1f}"
            f"{row['p95_server_ms']:>9.1f}{row['queries']:>9}"
        )
    sys.stdout.flush()


def main() -> None:
    from benchmarks.performance_doc import machine_facts, performance_markdown

    # WeasyPrint says how it subsets fonts on every PDF; the figures are what matter here.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    set_up_django(workdir / "bench.sqlite3")
    facts = machine_facts()
    print(f"Benchmark on {facts['Cores']} cores, {facts['Processor']}", flush=True)
    session_key = build_programmes()
    counts = query_counts(session_key)
    port = free_port()
    server = start_server(port)
    pages = {}
    try:
        request(port, TRIVIAL, session_key)
        trivial = throughput(port, TRIVIAL, session_key)
        trivial_ms = median_server_ms(port, TRIVIAL, session_key)
        for page, template in PAGES.items():
            if counts[page, "small"] < 0:
                print(f"  {page}: not available, skipped", flush=True)
                continue
            for size in SIZES:
                path = template.format(slug=f"bench-{size}")
                rate = throughput(port, path, session_key)
                median, p95 = server_ms(port, path, session_key)
                pages[page, size] = {
                    "requests_per_second": rate,
                    "ratio_to_trivial": rate / trivial,
                    "median_server_ms": median,
                    "p95_server_ms": p95,
                    "queries": counts[page, size],
                }
    finally:
        server.terminate()
        server.wait(timeout=10)
    print_pages(trivial, trivial_ms, pages)
    if PAGES_ONLY:
        # Only the pages: the PDF and workbook timings, and docs/performance.md, are left as
        # they are.
        shutil.rmtree(workdir, ignore_errors=True)
        out = os.environ.get("BENCH_JSON")
        if out:
            rows = {f"{page} ({size})": row for (page, size), row in pages.items()}
            Path(out).write_text(json.dumps(rows, indent=2, default=str))
        return
    extras = in_process_benchmarks()
    shutil.rmtree(workdir, ignore_errors=True)

    queries = {page: (counts[page, "small"], counts[page, "large"]) for page in PAGES}
    report = extras["Board report PDF"]
    queries["board report PDF (demo / 200 projects)"] = (
        report["demo_queries"],
        report["large_queries"],
    )
    # The API's requests are timed at one size each: their queries are in the API's own table,
    # not in this one of two sizes (the tests in tests/api pin them at two).
    results = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": facts,
        "server": "gunicorn, 2 sync workers, on loopback; SQLite; DEBUG off",
        "load_generator": "wrk" if shutil.which("wrk") else "Python threads (wrk not installed)",
        "load_seconds": LOAD_SECONDS,
        "connections": CONNECTIONS,
        "timed_requests": TIMED_REQUESTS,
        "trivial_path": TRIVIAL,
        "trivial": {"requests_per_second": trivial, "median_server_ms": trivial_ms},
        "sizes": SIZES,
        "spend_lines": SPEND_LINES,
        "pages": pages,
        "queries": queries,
        "report": report,
        "excel": extras["Excel at 10,000 funding lines"],
        "api": extras["API"],
    }

    for name, figures in extras.items():
        print(f"\n{name}:")
        for key, value in figures.items():
            print(f"  {key:<34} {value}")

    document = Path(os.environ.get("BENCH_DOC", ROOT / "docs" / "performance.md"))
    document.write_text(performance_markdown(results))
    print(f"\nWrote {document}")
    out = os.environ.get("BENCH_JSON")
    if out:
        results["pages"] = {f"{page} ({size})": row for (page, size), row in pages.items()}
        Path(out).write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
