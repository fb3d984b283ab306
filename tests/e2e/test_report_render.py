"""A large report's PDF in a browser: asked for, made by the worker, offered without a reload."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import axe_violations, sign_in
from tests.reports.test_report_render import run_worker

pytestmark = pytest.mark.django_db(transaction=True)

REPORT = "/programmes/norfolk-connect-2004/report/"


def test_a_large_reports_pdf_is_made_in_the_background_and_offered_when_ready(page, demo, settings):
    settings.REPORT_BACKGROUND_PROJECTS = 5  # the demo's ten projects make a large report
    sign_in(page, "partner-officer")
    page.goto(REPORT)
    expect(page.locator("#pdf-in-background")).to_contain_text("prepared in the background")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Prepare the report as a PDF").click()
    expect(page).to_have_url(re.compile(r"/report/renders/[0-9a-f-]{36}/$"))
    status = page.get_by_role("status")
    expect(status).to_contain_text("Waiting for the worker to start: 0% done")
    expect(page.get_by_role("progressbar")).to_have_attribute("value", "0")
    assert axe_violations(page) == []
    # A mark on this page's window: it is still there only if the page was never reloaded.
    page.evaluate("window.notReloaded = true")

    run_worker()

    download = status.get_by_role("link", name="Download the board report as a PDF")
    expect(download).to_be_visible()  # htmx asks every two seconds
    expect(status).to_contain_text("The PDF is ready")
    assert page.evaluate("window.notReloaded") is True
    expect(page.get_by_role("progressbar")).to_have_count(0)
    assert axe_violations(page) == []
    with page.expect_download() as info:
        download.click()
    assert info.value.suggested_filename.startswith("norfolk-connect-2004-board-report-draft-")
    assert Path(info.value.path()).read_bytes().startswith(b"%PDF")
