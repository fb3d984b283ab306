"""Write `make bench`'s figures as docs/performance.md: the machine first, then every figure.

``performance_markdown(results)`` is a pure function of the dictionary ``benchmarks.run``
collects, so the document's shape is tested without running the benchmark.
"""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def machine_facts() -> dict[str, str]:
    """Describe the machine and the software the figures were measured with."""
    import sqlite3

    import django

    facts = {
        "Processor": platform.processor() or platform.machine(),
        "Cores": str(os.cpu_count()),
        "Memory": "unknown",
        "Operating system": platform.platform(terse=True),
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "SQLite": sqlite3.sqlite_version,
    }
    with contextlib.suppress(OSError, StopIteration):
        facts["Processor"] = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        facts["Memory"] = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    try:
        release = dict(
            line.split("=", 1)
            for line in Path("/etc/os-release").read_text().splitlines()
            if "=" in line
        )
        facts["Operating system"] = (
            f"{release['PRETTY_NAME'].strip(chr(34))}, Linux {platform.release()}"
        )
    except (OSError, KeyError):
        pass
    try:
        import weasyprint

        facts["WeasyPrint"] = weasyprint.__version__
    except ImportError:
        pass
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        facts["Commit"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    return facts


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def performance_markdown(results: dict) -> str:
    """Return the performance document for one benchmark run's results."""
    small, large = results["sizes"]["small"], results["sizes"]["large"]
    trivial = results["trivial"]
    lines = [
        "# Performance",
        "",
        f"Written by `make bench` on {results['date']}; run it again to replace these figures.",
        "It is a benchmark, not a test: nothing here is asserted, and CI does not run it.",
        "",
        "## The machine",
        "",
        _row("", ""),
        _row("---", "---"),
        *(_row(name, value) for name, value in results["machine"].items()),
        _row("Server", results["server"]),
        _row("Load generator", results["load_generator"]),
        "",
        "## Pages under load",
        "",
        "Each page is served by gunicorn and loaded for "
        f"{results['load_seconds']:.0f} s with {results['connections']} connections, signed in "
        "as a chief executive. Throughput is given as a ratio of a trivial view's on the same "
        "server, so the figure means the same on a faster or slower machine. The median is the "
        "time the application spent on the page (its Server-Timing header) over "
        f"{results['timed_requests']} requests one after another.",
        "",
        f"- Trivial view `{results['trivial_path']}`: "
        f"{trivial['requests_per_second']:.0f} requests/s, "
        f"median {trivial['median_server_ms']:.1f} ms.",
        f"- Small programme: {small[0]} projects by {small[1]} partners; "
        f"large: {large[0]:,} projects by {large[1]} partners."
        + (
            f" Spend lines: {spend['small']:,} and {spend['large']:,}."
            if (spend := results.get("spend_lines"))
            else ""
        ),
        "",
        _row("Page", "Size", "Requests/s", "Ratio to trivial", "Median ms", "P95 ms", "Queries"),
        _row("---", "---", "---:", "---:", "---:", "---:", "---:"),
    ]
    for name, row in results["pages"].items():
        page, size = name
        lines.append(
            _row(
                page,
                size,
                f"{row['requests_per_second']:.1f}",
                f"{row['ratio_to_trivial']:.3f}",
                f"{row['median_server_ms']:.1f}",
                f"{row['p95_server_ms']:.1f}" if "p95_server_ms" in row else "",
                row["queries"],
            )
        )
    lines += ["", "## Queries per page at two sizes", ""]
    lines += [
        "Counted in-process with Django's test client. The same count at both sizes means the "
        "page reads a constant number of queries as the programme grows (the tests pin these).",
        "",
        _row("Page", "Small", "Large", "Constant"),
        _row("---", "---:", "---:", "---"),
    ]
    for page, (small_count, large_count) in results["queries"].items():
        lines.append(
            _row(page, small_count, large_count, "yes" if small_count == large_count else "**no**")
        )
    report = results.get("report")
    if report:
        lines += [
            "",
            "## Board report PDF",
            "",
            "The demo programme's report produced as the PDF view does (reading the data, "
            "building the report, the template, WeasyPrint with the locked-down fetcher) against "
            "WeasyPrint alone rendering the same finished HTML; medians of several runs.",
            "",
            _row("Figure", "Value"),
            _row("---", "---:"),
            _row("Demo report, whole PDF", f"{report['demo_pdf_seconds']:.3f} s"),
            _row("WeasyPrint alone, same HTML", f"{report['weasyprint_alone_seconds']:.3f} s"),
            _row(
                "Ratio to WeasyPrint alone",
                f"{report['ratio_to_weasyprint_alone']:.2f} (aim ≤ {report['ratio_aim']})",
            ),
            _row("Demo report, data and HTML only", f"{report['demo_html_seconds']:.3f} s"),
            _row("Demo report pages", report["demo_pages"]),
            _row(
                f"{report['large_projects']}-project report",
                f"{report['large_pdf_seconds']:.2f} s, {report['large_pages']} pages "
                f"(aim < {report['large_seconds_aim']:.0f} s)",
            ),
            _row(
                "Queries, demo / large",
                f"{report['demo_queries']} / {report['large_queries']}",
            ),
        ]
    excel = results.get("excel")
    if excel:
        lines += [
            "",
            f"## Excel at {excel['funding_lines']:,} funding lines",
            "",
            f"A programme of {excel['projects']:,} projects and {excel['funding_lines']:,} funding "
            "lines is exported as a workbook, then the workbook is imported back: read and "
            "checked (with the preview), then applied. Peak memory is traced per step.",
            "",
            _row("Step", "Seconds", "Peak memory"),
            _row("---", "---:", "---:"),
            _row(
                f"Export ({excel['workbook_bytes'] / 1024 / 1024:.1f} MB workbook)",
                f"{excel['export_seconds']:.2f}",
                f"{excel['export_peak_mb']:.1f} MB",
            ),
            _row(
                "Import: read and check",
                f"{excel['import_check_seconds']:.2f}",
                f"{excel['import_check_peak_mb']:.1f} MB",
            ),
            _row(
                "Import: apply",
                f"{excel['import_apply_seconds']:.2f}",
                f"{excel['import_apply_peak_mb']:.1f} MB",
            ),
            _row("Import in all", f"{excel['import_seconds']:.2f}", ""),
        ]
        if "every_line_changed_apply_seconds" in excel:
            lines += [
                _row(
                    "Import of a file changing every line: check",
                    f"{excel['every_line_changed_check_seconds']:.2f}",
                    "",
                ),
                _row(
                    "Import of a file changing every line: apply",
                    f"{excel['every_line_changed_apply_seconds']:.2f}",
                    "",
                ),
            ]
        lines += [
            "",
            f"The whole benchmark process peaked at {excel['process_peak_rss_mb']:.0f} MB "
            "resident, including the large programme it built first.",
        ]
    api = results.get("api")
    if api:
        lines += [
            "",
            "## API",
            "",
            "In-process through Django's test client with a facilitator's read-and-write token "
            "(authentication, the rate limit, the endpoint and its JSON), on the demo programme "
            "(`benchmarks/api.py`).",
            "",
            _row("Request", "Median", "Queries"),
            _row("---", "---:", "---:"),
            _row(
                "`GET /api/v1/programmes/{slug}/figures`",
                f"{api['figures_median_ms']:.1f} ms",
                api["figures_queries"],
            ),
            _row(
                f"`POST /api/v1/programmes/{{slug}}/spend`, {api['spend_lines']:,} lines "
                f"({api['spend_body_bytes'] / 1024:.0f} KB)",
                f"{api['spend_median_seconds'] * 1000:.0f} ms",
                api["spend_queries"],
            ),
            "",
            "The batch's queries do not grow with its lines but for its inserts, in batches "
            "(SQLite takes fewer values in one statement than PostgreSQL's 500 rows).",
        ]
    lines += [
        "",
        "## Load and faults",
        "",
        "Throughput with two app servers sharing PostgreSQL, and what happens when one is "
        "killed or the database restarts, are in [load-and-fault-tests.md]"
        "(load-and-fault-tests.md).",
        "",
    ]
    return "\n".join(lines)
