"""`make bench` writes docs/performance.md from its figures: the document's shape."""

from benchmarks.performance_doc import machine_facts, performance_markdown


def results(**changes):
    figures = {
        "date": "2026-11-26 23:00 UTC",
        "machine": {"Processor": "Test CPU", "Cores": "2", "Memory": "24 GiB"},
        "server": "gunicorn, 2 sync workers",
        "load_generator": "wrk",
        "load_seconds": 8.0,
        "connections": 4,
        "timed_requests": 30,
        "trivial_path": "/health/",
        "trivial": {"requests_per_second": 786.4, "median_server_ms": 1.54},
        "sizes": {"small": (10, 8), "large": (1000, 100)},
        "pages": {
            ("dashboard", "small"): {
                "requests_per_second": 103.7,
                "ratio_to_trivial": 0.1318,
                "median_server_ms": 16.31,
                "p95_server_ms": 21.04,
                "queries": 10,
            },
        },
        "queries": {"dashboard": (10, 10), "partners": (12, 13)},
        "report": {
            "demo_pdf_seconds": 0.871,
            "weasyprint_alone_seconds": 0.825,
            "ratio_to_weasyprint_alone": 1.056,
            "ratio_aim": 1.3,
            "demo_html_seconds": 0.04,
            "demo_pages": 8,
            "large_projects": 200,
            "large_pdf_seconds": 2.31,
            "large_seconds_aim": 20.0,
            "large_pages": 22,
            "demo_queries": 11,
            "large_queries": 11,
        },
        "excel": {
            "funding_lines": 10_000,
            "projects": 1000,
            "workbook_bytes": 1_572_864,
            "export_seconds": 1.2,
            "export_peak_mb": 10.7,
            "import_check_seconds": 4.8,
            "import_check_peak_mb": 70.5,
            "import_apply_seconds": 3.4,
            "import_apply_peak_mb": 25.6,
            "import_seconds": 8.2,
            "every_line_changed_check_seconds": 0.54,
            "every_line_changed_apply_seconds": 1.03,
            "process_peak_rss_mb": 214.0,
        },
    }
    figures.update(changes)
    return figures


def test_the_document_describes_the_machine_and_every_figure():
    document = performance_markdown(results())

    assert "| Processor | Test CPU |" in document
    assert "| Cores | 2 |" in document
    assert "| Load generator | wrk |" in document
    assert "786 requests/s, median 1.5 ms" in document
    assert "| dashboard | small | 103.7 | 0.132 | 16.3 | 21.0 | 10 |" in document
    assert "| Ratio to WeasyPrint alone | 1.06 (aim ≤ 1.3) |" in document
    assert "| 200-project report | 2.31 s, 22 pages (aim < 20 s) |" in document
    assert "## Excel at 10,000 funding lines" in document
    assert "| Export (1.5 MB workbook) | 1.20 | 10.7 MB |" in document
    assert "| Import in all | 8.20 |  |" in document
    assert "| Import of a file changing every line: apply | 1.03 |  |" in document


def test_a_query_count_that_grows_with_the_data_is_marked():
    document = performance_markdown(results())

    assert "| dashboard | 10 | 10 | yes |" in document
    assert "| partners | 12 | 13 | **no** |" in document


def test_the_machine_is_described_from_the_system():
    facts = machine_facts()

    assert int(facts["Cores"]) >= 1
    assert facts["Python"].count(".") == 2
    assert facts["Django"].startswith("5.")


def test_the_apis_figures_are_given():
    api = {
        "figures_median_ms": 21.94,
        "figures_queries": 11,
        "spend_lines": 1000,
        "spend_body_bytes": 187_901,
        "spend_median_seconds": 0.388,
        "spend_queries": 28,
    }
    document = performance_markdown(results(api=api))

    assert "## API" in document
    assert "| `GET /api/v1/programmes/{slug}/figures` | 21.9 ms | 11 |" in document
    assert "| `POST /api/v1/programmes/{slug}/spend`, 1,000 lines (183 KB) | 388 ms | 28 |" in (
        document
    )
    assert "## API" not in performance_markdown(results())
