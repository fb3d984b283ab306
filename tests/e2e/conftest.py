"""Browser tests: Playwright driving the system's Chromium (Debian's package) on a live server."""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "demo-password-123"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = (
            "BROWSER TESTS SKIPPED: no Chromium on this machine. "
            "Install Debian's 'chromium' package (.ci/run does) to run them."
        )
        warnings.warn(message, stacklevel=1)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def demo(transactional_db, monkeypatch):
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", PASSWORD)
    with open(os.devnull, "w") as devnull:
        call_command("load_demo", stdout=devnull)


def sign_in(page, username: str) -> None:
    """Sign in through the form, as a person would."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def axe_violations(page) -> list[dict]:
    """Run axe-core's WCAG 2.2 A and AA rules on the page and return the violations."""
    # Evaluated through the DevTools protocol rather than added as an inline <script>, which the
    # Content-Security-Policy (rightly) refuses.
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
    ]


# What stops a page reflowing: its width beyond the viewport's (so that a person must scroll
# sideways), the outermost elements that stick out of it (inside a scrolling box, such as a wide
# table's, nothing counts: that box scrolls on its own), and text smaller than 12 pixels as
# drawn, which an SVG chart squeezed into a phone's width shrinks to.
REFLOW = r"""() => {
  const width = document.documentElement.clientWidth;
  const visible = (box) => box.width > 0 && box.height > 0;
  const clipped = (element) => {
    const top = [document.body, document.documentElement];
    for (let parent = element.parentElement; !top.includes(parent); parent = parent.parentElement) {
      if (getComputedStyle(parent).overflowX !== 'visible') return true;
    }
    return false;
  };
  const sticksOut = (element) => {
    const box = element.getBoundingClientRect();
    return visible(box) && (box.right > width + 0.5 || box.left < -0.5);
  };
  const describe = (element) => {
    const box = element.getBoundingClientRect();
    const name = element.tagName.toLowerCase() + (element.id ? '#' + element.id : '')
      + [...element.classList].map((c) => '.' + c).join('');
    const text = (element.innerText || element.textContent || '')
      .replace(/\s+/g, ' ').trim().slice(0, 40);
    return `${name} [${Math.round(box.left)}..${Math.round(box.right)}] ${text}`;
  };
  const wide = [...document.body.querySelectorAll('*')].filter(
    (element) => sticksOut(element) && !clipped(element)
      && !(element.parentElement && sticksOut(element.parentElement)));
  const small = [];
  for (const element of document.body.querySelectorAll('*')) {
    const own = [...element.childNodes].some(
      (node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
    if (!own || !visible(element.getBoundingClientRect())) continue;
    if (element.closest('.govuk-visually-hidden')) continue;
    let size = parseFloat(getComputedStyle(element).fontSize);
    if (element instanceof SVGElement && element.getScreenCTM()) {
      const matrix = element.getScreenCTM();
      size *= Math.hypot(matrix.a, matrix.b);
    }
    if (size < 11.95) small.push(`${describe(element)} (${size.toFixed(1)}px)`);
  }
  return {
    width,
    scrollWidth: document.documentElement.scrollWidth,
    wide: wide.slice(0, 5).map(describe),
    small: small.slice(0, 5),
  };
}"""


def reflow_problems(page) -> list[str]:
    """Say what stops the page reflowing at its width: sideways scrolling, tiny text."""
    found = page.evaluate(REFLOW)
    problems = []
    if found["scrollWidth"] > found["width"]:
        problems.append(f"{found['scrollWidth']} px wide at {found['width']}")
    problems += [f"sticks out: {element}" for element in found["wide"]]
    problems += [f"small text: {element}" for element in found["small"]]
    return problems
