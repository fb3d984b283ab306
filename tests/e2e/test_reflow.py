"""At a phone's width (320 pixels) tables become cards and charts take their narrow layout."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import reflow_problems, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 320, "height": 640}
PARTNERS = "/programmes/norfolk-connect-2004/partners/"
DASHBOARD = "/programmes/norfolk-connect-2004/dashboard/"


def test_the_reflow_check_finds_a_page_too_wide_and_text_too_small(page, demo):
    """Guard against a check that silently passes everything."""
    sign_in(page, "facilitator")
    page.set_viewport_size(PHONE)
    page.goto("/programmes/")
    assert reflow_problems(page) == []
    # Built through the DOM: the Content-Security-Policy refuses inline style attributes.
    page.evaluate(
        """() => {
            const wide = document.createElement('div');
            wide.id = 'wide';
            wide.style.width = '700px';
            wide.textContent = 'wide';
            document.querySelector('main').append(wide);
            document.querySelector('main').insertAdjacentHTML('beforeend',
                '<svg viewBox="0 0 800 100" width="100%"><text x="0" y="50" font-size="14">'
                + 'tiny</text></svg>');
        }"""
    )
    problems = reflow_problems(page)
    assert any(problem.endswith("wide at 320") for problem in problems), problems
    assert any(problem.startswith("sticks out: div#wide") for problem in problems), problems
    assert any(problem.startswith("small text: text") for problem in problems), problems


def cells(page, selector: str) -> list[dict]:
    return page.eval_on_selector_all(
        selector,
        """cells => cells.map(cell => ({
            label: getComputedStyle(cell, '::before').content,
            display: getComputedStyle(cell).display,
            top: cell.getBoundingClientRect().top,
            text: cell.innerText.trim(),
        }))""",
    )


def test_a_wide_table_is_a_card_per_row_on_a_phone_and_a_table_on_a_desktop(page, demo):
    sign_in(page, "chief-executive")
    page.set_viewport_size(PHONE)
    page.goto(PARTNERS)
    table = page.locator("#partner-positions")
    assert table.evaluate("t => getComputedStyle(t).display") == "block"
    assert table.locator("thead").evaluate("h => h.getBoundingClientRect().height") <= 1
    header, *row = cells(page, "#partner-positions tbody tr:first-child > *")
    # The partner first, as the card's title; then each figure under the other, labelled.
    assert header["text"] == "Norfolk County Council"
    assert [cell["label"] for cell in row] == [
        '"Share of the minimum"', '"Share of the maximum"', '"Immediate tranche"', '"Cap"',
        '"Pledged"', '"Received"', '"Outstanding"']  # fmt: skip
    tops = [header["top"]] + [cell["top"] for cell in row]
    assert tops == sorted(tops) and len(set(tops)) == len(tops)
    total = cells(page, "#partner-positions tfoot tr > *")
    assert total[0]["text"] == "Total" and total[4]["label"] == '"Cap"'

    page.set_viewport_size(DESKTOP)
    assert table.evaluate("t => getComputedStyle(t).display") == "table"
    header, *row = cells(page, "#partner-positions tbody tr:first-child > *")
    assert {cell["label"] for cell in row} == {"none"}
    assert len({header["top"], *(cell["top"] for cell in row)}) == 1


def test_a_card_is_still_a_table_to_a_screen_reader(page, demo):
    """Chromium keeps a stacked table's table semantics: rows, column headers and cells."""
    sign_in(page, "chief-executive")
    page.set_viewport_size(PHONE)
    page.goto(PARTNERS)
    session = page.context.new_cdp_session(page)
    nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    roles = [node["role"]["value"] for node in nodes if not node.get("ignored")]
    assert "table" in roles
    assert roles.count("columnheader") >= 8 and roles.count("rowheader") >= 8
    assert roles.count("cell") >= 7 * 8


def test_a_sortable_tables_headers_stay_as_links_to_sort_by_on_a_phone(page, demo):
    sign_in(page, "facilitator")
    page.set_viewport_size(PHONE)
    page.goto("/programmes/norfolk-connect-2004/projects/")
    link = page.locator("table thead").get_by_role("link", name="Existing resource")
    assert link.is_visible()
    link.click()
    assert "sort=existing_resource" in page.url or "existing_resource" in page.url


def test_a_chart_takes_its_narrow_layout_on_a_phone_and_its_wide_one_on_a_desktop(page, demo):
    sign_in(page, "facilitator")
    wide = page.locator("svg#chart-partner-shares")
    narrow = page.locator("svg#chart-partner-shares-narrow")
    page.set_viewport_size(DESKTOP)
    page.goto(DASHBOARD)
    assert wide.is_visible() and not narrow.is_visible()
    page.set_viewport_size(PHONE)
    assert narrow.is_visible() and not wide.is_visible()
    assert reflow_problems(page) == []  # among them: no chart text below 12 pixels
    # The narrow chart's text: 14 units drawn at least 12 pixels high.
    size = narrow.evaluate("svg => 14 * svg.getScreenCTM().a")
    assert size >= 12


def test_a_negative_amount_keeps_its_minus_sign_however_narrow_its_column(page, demo):
    sign_in(page, "facilitator")
    page.goto(
        "/programmes/norfolk-connect-2004/scenarios/"
        "?authentication-gateway.2=not_proceeding&method=equal&step=1000"
    )
    changes = page.locator("#scenario-programme td:has-text('-£')")
    assert changes.count() >= 1
    for change in changes.all():
        # Squeezed to its narrowest, the column may not break "-£20,000" after its sign.
        lines = change.evaluate(
            "cell => { cell.style.width = '1px'; const range = document.createRange();"
            " range.selectNodeContents(cell);"
            " return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size; }"
        )
        assert lines == 1, change.inner_text()


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_numbered_paragraphs_first_line_is_level_with_its_number(page, demo, size):
    sign_in(page, "chief-executive")
    page.set_viewport_size(size)
    page.goto("/programmes/norfolk-connect-2004/report/")
    gaps = page.eval_on_selector_all(
        ".app-numbered",
        """paragraphs => paragraphs.map(p => Math.abs(
            p.querySelector('.app-numbered__number').getBoundingClientRect().top
            - p.querySelector('.app-numbered__text > *').getBoundingClientRect().top))""",
    )
    assert len(gaps) > 10
    assert max(gaps) < 3, gaps
