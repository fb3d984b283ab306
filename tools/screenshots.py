"""`make screenshots`: every page, in every role, at a desktop's width and a phone's.

It builds the demo programme in a temporary SQLite database, serves it on a free port, signs in
as each demo user and saves a full-page PNG of every page the browser tests check (the
permissions matrix's pages, downloads left out) at 1366 x 768 and 320 x 640, into
screenshots/<width>/<user>/<page>.png. For each page it prints what stops it reflowing: a page
wider than the window (WCAG 1.4.10 asks for none at 320 pixels), the elements that stick out,
and text drawn smaller than 12 pixels. It exits 1 if any page has such a problem, so it can be
run as a check; it is not part of `make test`, which checks the same in the browser tests.

    .venv/bin/python -m tools.screenshots [--out DIR] [--user NAME ...] [--page TEXT ...]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.test.testcases import LiveServerThread
    from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parent.parent
USERS = ["facilitator", "chief-executive", "partner-officer", "admin"]
WIDTHS = {1366: 768, 320: 640}


def set_up_django(database: Path, password: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "norfolk_connect.settings.test"
    os.environ["DJANGO_DEMO_PASSWORD"] = password
    # Playwright's sync API runs an event loop in this thread; the ORM calls around it are safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    # A 403 for a role that may not see a page is expected here, not worth a traceback.
    logging.getLogger("django.request").setLevel(logging.ERROR)


def serve() -> LiveServerThread:
    """Start Django's live server (the browser tests' one, static files included) on a free port."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--user", action="append", choices=USERS, help="only this user")
    parser.add_argument("--page", action="append", help="only pages whose name contains this")
    parser.add_argument(
        "--after-the-meeting",
        action="store_true",
        help="the demo after its June and October 2004 meetings: agreements, calls, payments",
    )
    options = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="screenshots-") as directory:
        from tests.e2e.conftest import PASSWORD, chromium_path

        set_up_django(Path(directory) / "db.sqlite3", PASSWORD)
        from django.core.management import call_command

        from tests.e2e.pages import pages_to_scan

        call_command("migrate", verbosity=0)
        with open(os.devnull, "w") as devnull:
            call_command("load_demo", stdout=devnull)
        pages = {
            name: url
            for name, url in pages_to_scan().items()
            if not options.page or any(text in name for text in options.page)
        }
        if options.after_the_meeting:
            # Loaded over the pages' own records: a page of a call or payment that the load
            # replaced shows as not found, the rest show the demo after its meetings.
            import json

            from projects.programme_file import parse_programme
            from projects.services.loading import programme_load
            from tests.after_the_meeting import after_the_meeting

            programme_load(document=parse_programme(json.dumps(after_the_meeting())))
        server = serve()
        try:
            return shoot(server, pages, options.user or USERS, options.out, chromium_path())
        finally:
            server.terminate()


def picture(page: Page, path: Path) -> None:
    """Save the whole page; Chromium draws at most 16,384 pixels down, so a longer one is cut."""
    height = page.evaluate("document.documentElement.scrollHeight")
    width = (page.viewport_size or {"width": 1366})["width"]
    page.screenshot(
        path=path,
        full_page=True,
        clip={"x": 0, "y": 0, "width": width, "height": min(height, 16_000)},
    )


def shoot(
    server: LiveServerThread,
    pages: dict[str, str],
    users: list[str],
    out: Path,
    chromium: str | None,
) -> int:
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM_FLAGS, reflow_problems, sign_in

    if chromium is None:
        print("No Chromium on this machine: install Debian's 'chromium' package.", file=sys.stderr)
        return 2
    failures = 0
    base_url = f"http://{server.host}:{server.port}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        for user in users:
            context = browser.new_context(base_url=base_url, locale="en-GB")
            page = context.new_page()
            sign_in(page, user)
            for width, height in WIDTHS.items():
                page.set_viewport_size({"width": width, "height": height})
                folder = out / str(width) / user
                folder.mkdir(parents=True, exist_ok=True)
                for name, url in pages.items():
                    response = page.goto(url)
                    status = response.status if response else 0
                    if status != 200:
                        print(f"{width:>5} {user:<16} {name:<36} {status} (not shown)")
                        continue
                    picture(page, folder / f"{name.replace(':', '-')}.png")
                    problems = reflow_problems(page)
                    failures += bool(problems)
                    print(f"{width:>5} {user:<16} {name:<36} {'; '.join(problems) or 'fits'}")
            context.close()
        browser.close()
    print(f"Screenshots in {out}; {failures} page(s) with a problem.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
