"""Time the workbook's export and import, and measure their peak memory, on a large programme.

``bench_excel(funding_lines=10_000)`` builds a programme of that many funding lines in the
current database, exports it, imports the workbook back (read, check, preview, then apply) and
returns the figures; the programme is removed again afterwards. An import writes only the rows
that differ, so the workbook imported back unchanged is its quickest case: the figures also
give the check and the apply of a programme file in which every funding line's amount differs,
the slowest case short of replacing every project. Run it on its own with
``python -m benchmarks.excel [FUNDING_LINES]`` (it prints the figures as JSON).
"""

from __future__ import annotations

import io
import json
import os
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from benchmarks.builders import BENCH_SLUG, bench_document

MEGABYTE = 1024 * 1024


def _timed(step: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = step()
    return result, time.perf_counter() - started


def _peak(step: Callable[[], Any]) -> float:
    """Return the most memory Python held at once while running the step, in megabytes."""
    tracemalloc.start()
    try:
        step()
        return tracemalloc.get_traced_memory()[1] / MEGABYTE
    finally:
        tracemalloc.stop()


def bench_excel(funding_lines: int = 10_000) -> dict:
    """Build a programme of that many funding lines; time its export and import and their memory.

    Times are wall-clock seconds, each step run once without tracing memory; peaks are
    tracemalloc's, each step run again while tracing (Python's own allocations, which is where
    openpyxl's rows and the programme's data live). The programme is removed at the end.
    """
    from django.db import transaction
    from django.test import override_settings

    from projects.models import Partnership, Programme
    from projects.money.figures import compute_figures
    from projects.selectors import programme_document
    from projects.services import (
        programme_as_imported,
        programme_import,
        programme_import_check,
        programme_load,
        programme_state,
    )
    from reports.workbook.diffing import preview_import
    from reports.workbook.export import write_programme_workbook
    from reports.workbook.importing import read_upload

    document = bench_document(funding_lines)
    programme, load_seconds = _timed(lambda: programme_load(document=document))
    programme = Programme.objects.select_related("partnership").get(pk=programme.pk)

    def export() -> bytes:
        current = programme_document(programme=programme)
        stream = io.BytesIO()
        write_programme_workbook(document=current, figures=compute_figures(current), stream=stream)
        return stream.getvalue()

    def check() -> tuple[Any, str]:
        current = programme_as_imported(programme=programme)
        imported = read_upload(content, name="bench.xlsx", current=current)
        problems = programme_import_check(programme=programme, document=imported)
        assert not problems, problems
        assert not preview_import(current, imported).has_changes
        return imported, programme_state(current)

    def apply() -> None:
        imported, state = check_result
        programme_import(programme=programme, document=imported, expected_state=state, user=None)

    def every_line_changed() -> tuple[float, float]:
        current = programme_as_imported(programme=programme)
        changed = replace(
            current,
            projects=tuple(
                replace(
                    project,
                    funding=tuple(
                        replace(line, amount=line.amount + 1) for line in project.funding
                    ),
                )
                for project in current.projects
            ),
        )
        problems, seconds = _timed(
            lambda: programme_import_check(programme=programme, document=changed)
        )
        assert not problems, problems
        state = programme_state(current)
        _, apply_seconds = _timed(
            lambda: programme_import(
                programme=programme, document=changed, expected_state=state, user=None
            )
        )
        return seconds, apply_seconds

    try:
        content, export_seconds = _timed(export)
        check_result, check_seconds = _timed(check)
        _, apply_seconds = _timed(apply)
        rss_mb = _peak_rss_mb()  # before tracing, whose own bookkeeping takes memory
        export_peak = _peak(export)
        check_peak = _peak(check)
        check_result = check()
        apply_peak = _peak(apply)
        changed_check_seconds, changed_apply_seconds = every_line_changed()
    finally:
        # A bench leaves no trace, not even in the history.
        with transaction.atomic(), override_settings(SIMPLE_HISTORY_ENABLED=False):
            Programme.objects.filter(slug=BENCH_SLUG).delete()
            Partnership.objects.filter(slug=f"{BENCH_SLUG}-partnership").delete()
    return {
        "funding_lines": funding_lines,
        "projects": len(document.projects),
        "workbook_bytes": len(content),
        "load_seconds": round(load_seconds, 2),
        "export_seconds": round(export_seconds, 2),
        "export_peak_mb": round(export_peak, 1),
        "import_check_seconds": round(check_seconds, 2),
        "import_check_peak_mb": round(check_peak, 1),
        "import_apply_seconds": round(apply_seconds, 2),
        "import_apply_peak_mb": round(apply_peak, 1),
        "import_seconds": round(check_seconds + apply_seconds, 2),
        "every_line_changed_check_seconds": round(changed_check_seconds, 2),
        "every_line_changed_apply_seconds": round(changed_apply_seconds, 2),
        # The whole process's most resident memory so far: Django, the test run if any, all steps.
        "process_peak_rss_mb": round(rss_mb, 1),
    }


def _peak_rss_mb() -> float:
    """Return the most memory the process has held in RAM so far, in megabytes."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Kilobytes on Linux, bytes on macOS.
    return rss / MEGABYTE if sys.platform == "darwin" else rss / 1024


def main(argv: list[str]) -> None:
    """Set Django up, run the bench with the number of funding lines given, print JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "norfolk_connect.settings.local")
    import django

    django.setup()
    lines = int(argv[1]) if len(argv) > 1 else 10_000
    print(json.dumps(bench_excel(lines), indent=2))


if __name__ == "__main__":
    main(sys.argv)
