"""The report's text is bounded in length and nesting, so no page or PDF can be kept busy by it."""

from __future__ import annotations

import json
import re
import time
from datetime import date
from html import unescape
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from projects.models import Programme, ReportText
from projects.money.document import REPORT_TEXT_FIELDS, REPORT_TEXT_MAX_LENGTH, REPORT_WORDS
from projects.programme_file import ProgrammeFileError, parse_programme
from projects.report_text import (
    MAX_NESTING,
    measure,
    report_text_problems,
    validate_report_text,
)
from reports.models import IssuedReport, ReportRender
from reports.report import markdown
from reports.report.markdown import TOO_LONG, Budget, cap_depth, render, render_numbered
from reports.report.pdf import report_pdf
from reports.report.selectors import board_report, report_fingerprint
from reports.services import (
    ReportTextOutOfBoundsError,
    report_issue,
    report_issue_prepare,
    report_text_update,
)
from tests.conftest import SEED_FILE
from tests.dates import date_parts

DEMO = "norfolk-connect-2004"
# These are guards against runaway work (a pattern that backtracks, a parser that recurses), not
# speed measurements, which live in `make bench`: each counts the CPU time of the test's own
# process, so that a busy machine does not fail them, with a wide margin on what the work takes.
# The whole request, however the text was stored: far under the workers' 120 s timeout.
REQUEST_SECONDS = 5
# Measuring or rendering one stored section: each takes under a tenth of this on a quiet machine.
TEXT_SECONDS = 2

TOO_LONG_TEXT = "a" * 39_980
BRACKETS = "[" * 19_990
NESTED = {
    "block quotes": ">" * 150 + " deep",
    "emphasis": "*" * 9_000 + "x" + "*" * 9_000,
    "tags": "<b>" * 6_000 + "x",
}
LINKS = "[](" * 6_000
SECTIONS = ("background", "project_list", "risks_and_benefits", "alternative_options")
_TAG = re.compile(r"<(/?)([a-z][a-z0-9]*)[^>]*>")


def depth(html: str) -> int:
    """Return how deeply the HTML's tags nest (``<br>`` is empty and does not count)."""
    level = deepest = 0
    for tag in _TAG.finditer(html):
        if tag.group(2) == "br":
            continue
        level += -1 if tag.group(1) else 1
        deepest = max(deepest, level)
    return deepest


def seconds(call) -> tuple[object, float]:
    """Return the call's result and the CPU seconds this process spent on it."""
    started = time.process_time()
    result = call()
    return result, time.process_time() - started


# The bounds, pure


def test_the_seeds_sections_are_well_within_the_bounds():
    report = json.loads(SEED_FILE.read_text(encoding="utf-8"))["report"]
    for key, text in ((key, report[key]) for key in REPORT_WORDS):
        assert report_text_problems(text) == [], key
        assert len(text) < REPORT_TEXT_MAX_LENGTH / 10, key


def test_a_section_over_the_length_is_refused_saying_its_length():
    assert report_text_problems(TOO_LONG_TEXT) == [
        "must be 20,000 characters or fewer; it has 39,980"
    ]
    assert report_text_problems("a" * REPORT_TEXT_MAX_LENGTH) == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (NESTED["block quotes"], "must not nest block quotes and lists more than 20 deep"),
        ("\n".join("    " * level + "- item" for level in range(30)), "block quotes and lists"),
        (NESTED["emphasis"], "must not nest * and _ marks more than 20 deep; it nests them 9,000"),
        ("*a " * 3_000 + "a* " * 3_000, "* and _ marks"),
        (NESTED["tags"], "must not nest HTML tags more than 20 deep; it nests them 6,000 deep"),
        (BRACKETS, "too many links, square brackets or HTML tags"),
        (LINKS, "too many links, square brackets or HTML tags"),
        ("a\n\n" * 6_666, "must have 200 paragraphs or fewer; it has 6,666"),
        # Tags left open, in one numbered paragraph of many: each is read on to the end.
        ("<http://a\n\n    " * 1_000, "too many links, square brackets or HTML tags"),
        ("*a*" * 6_666, "must have 2,000 * and _ marks or fewer; it has 6,667"),
    ],
)
def test_deep_or_costly_text_is_refused_saying_why(text, words):
    problems = report_text_problems(text)
    assert any(words in problem for problem in problems), problems


def test_text_as_papers_are_written_passes():
    paragraph = " ".join(["The partnership funds [the plan](https://example.org/plan) for"] * 12)
    text = "\n\n".join([paragraph, "- **One**\n    - *two*\n> quoted <b>bold</b>"] * 10)
    assert len(text) < REPORT_TEXT_MAX_LENGTH
    assert report_text_problems(text) == []


@pytest.mark.parametrize("text", [TOO_LONG_TEXT * 25, BRACKETS, LINKS, *NESTED.values()])
def test_measuring_takes_one_quick_pass(text):
    _, took = seconds(lambda: measure(text))
    assert took < TEXT_SECONDS


# Rendering: nothing deep or slow reaches the page or the PDF


@pytest.mark.parametrize(
    "text",
    [
        BRACKETS,
        "*" * 20_000,
        LINKS,
        *NESTED.values(),
        "[a](b) " * 2_857,
        "\n" * 20_000,
        " \n" * 10_000 + "· item",
        "\n\na" * 6_666,
        "*a*" * 6_666,
        "<http://a\n\n    " * 1_000,
    ],
    ids=[
        "brackets",
        "stars",
        "links",
        "quotes",
        "emphasis",
        "tags",
        "many links",
        "blank lines",
        "spaces and a bullet",
        "paragraphs",
        "emphasis throughout",
        "open tags",
    ],
)
def test_costly_stored_text_renders_quickly_and_shallow(text):
    paragraphs, took = seconds(lambda: render_numbered(text, {}, section=3))
    html = "".join(paragraph.html for paragraph in paragraphs)
    assert took < TEXT_SECONDS
    assert depth(html) <= MAX_NESTING
    assert "<b>" not in html and "<blockquote>" not in html


def test_stored_text_over_the_length_shows_a_note_to_shorten_it():
    assert TOO_LONG == ("This section is too long to show; edit it to 20,000 characters or fewer.")
    paragraphs = render_numbered(TOO_LONG_TEXT, {}, section=3)
    assert [(p.number, p.html) for p in paragraphs] == [("3.1", f"<p>{TOO_LONG}</p>")]
    assert render(TOO_LONG_TEXT, {}) == f"<p>{TOO_LONG}</p>"


def test_plain_text_is_escaped_with_its_placeholders_filled():
    text = "<b>" * 30 + " up to {cap_per_partner} & more\n\nnext"
    paragraphs = render_numbered(text, {"cap_per_partner": "£30,000 <each>"}, section=1)
    assert [p.html for p in paragraphs] == [
        "<p>" + "&lt;b&gt;" * 30 + " up to £30,000 &lt;each&gt; &amp; more</p>",
        "<p>next</p>",
    ]


def test_text_within_the_bounds_is_still_cut_to_the_nesting_limit():
    # Each kind of nesting within its own bound adds up to more than the bound.
    text = "> " * 10 + "- " * 5 + "<i>" * 19 + "***x***" + "</i>" * 19
    assert report_text_problems(text) == []
    html = render(text, {})
    assert depth(html) == MAX_NESTING
    assert "x" in html


def test_text_past_the_reports_time_shows_as_plain_text():
    assert render("**bold**", {}, budget=Budget(60)) == "<p><strong>bold</strong></p>"
    assert render("**bold** {x}", {"x": "<1>"}, budget=Budget(0)) == "<p>**bold** &lt;1&gt;</p>"


@given(
    st.recursive(
        st.text("ab", max_size=3),
        lambda inner: st.tuples(
            st.sampled_from(["p", "ul", "li", "blockquote", "em", "strong", "b", "i", "code"]),
            st.lists(inner, max_size=3),
        ),
        max_leaves=60,
    )
)
@settings(max_examples=100, deadline=None)
def test_cutting_the_depth_keeps_every_word_and_balances_the_tags(tree):
    def html_of(node, level=0):
        if isinstance(node, str):
            return node
        name, children = node
        inner = "".join(html_of(child, level + 1) for child in children)
        return f"<{name}>{inner}</{name}>"

    html = html_of(tree)
    cut = cap_depth(html, max_depth=3)
    assert depth(cut) <= 3
    assert re.sub(r"<[^>]*>|\s", "", cut) == re.sub(r"<[^>]*>", "", html)
    opened = re.findall(r"<([a-z]+)>", cut)
    assert sorted(opened) == sorted(re.findall(r"</([a-z]+)>", cut))


@given(st.text(alphabet="[]()<>*_`>-+ \n!/bai1.\\", max_size=400))
@settings(max_examples=200, deadline=None)
def test_no_text_renders_deeper_than_the_bound(text):
    html = "".join(p.html for p in render_numbered(text, {}, section=1))
    assert depth(html) <= MAX_NESTING


# Every way in refuses the same text


def test_the_model_refuses_text_past_the_bounds():
    with pytest.raises(ValidationError) as caught:
        validate_report_text(TOO_LONG_TEXT)
    assert caught.value.messages == ["The text must be 20,000 characters or fewer; it has 39,980."]
    validate_report_text("Plain words.")


def test_the_programme_file_refuses_text_past_the_bounds(seed_dict):
    seed_dict["report"]["background"] = "a" * (REPORT_TEXT_MAX_LENGTH + 1)
    seed_dict["report"]["summary"] = NESTED["tags"]
    with pytest.raises(ProgrammeFileError) as caught:
        parse_programme(json.dumps(seed_dict))
    problems = [str(problem) for problem in caught.value.problems]
    assert "report.background: must be 20,000 characters or fewer; it has 20,001" in problems
    assert (
        "report.summary: must not nest HTML tags more than 20 deep; it nests them 6,000 deep"
        in problems
    )


# The pages, with the demo programme


@pytest.fixture
def demo(monkeypatch, db):
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.select_related("partnership").get(slug=DEMO)


@pytest.fixture
def facilitator(client, demo):
    client.force_login(get_user_model().objects.get(username="facilitator"))
    return client


def text_form(programme: Programme, **changes) -> dict:
    text = ReportText.objects.get(programme=programme)
    data = {field: getattr(text, field) for field in REPORT_TEXT_FIELDS}
    return {**data, "version": text.version, **changes}


def store(programme: Programme, **texts) -> None:
    """Store text as an older version or another way in might have: past the form and model."""
    ReportText.objects.filter(programme=programme).update(**texts)


def get(client, name: str, slug: str = DEMO):
    response, took = seconds(lambda: client.get(reverse(name, args=[slug])))
    assert took < REQUEST_SECONDS, name
    return response


def post(client, data: dict):
    url = reverse("report:report_text", args=[DEMO])
    response, took = seconds(lambda: client.post(url, data))
    assert took < REQUEST_SECONDS
    return response, unescape(response.content.decode())


def test_the_editor_says_how_long_and_deep_a_section_may_be(facilitator, demo):
    html = unescape(get(facilitator, "report:report_text").content.decode())
    assert "Each section may be up to 20,000 characters and 200 paragraphs long" in html
    assert "nested up to 20 deep" in html
    assert 'id="stored-problems"' not in html  # the seed's text is well within the bounds


def test_a_section_over_the_length_is_refused_in_the_form_and_nothing_is_saved(facilitator, demo):
    before = ReportText.objects.get(programme=demo)
    response, html = post(facilitator, text_form(demo, risks_and_benefits=TOO_LONG_TEXT))
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert "Section 3 must be 20,000 characters or fewer; it has 39,980<" in html
    after = ReportText.objects.get(programme=demo)
    assert (after.version, after.risks_and_benefits) == (before.version, before.risks_and_benefits)


@pytest.mark.parametrize("name", NESTED)
def test_deeply_nested_text_is_refused_in_the_form_and_nothing_is_saved(facilitator, demo, name):
    before = ReportText.objects.get(programme=demo)
    response, html = post(facilitator, text_form(demo, summary="Fine.", background=NESTED[name]))
    assert response.status_code == 200
    assert "Section 1 must not nest" in html
    after = ReportText.objects.get(programme=demo)
    assert (after.version, after.summary, after.background) == (
        before.version,
        before.summary,
        before.background,
    )


def test_four_sections_of_brackets_are_refused_quickly(facilitator, demo):
    before = ReportText.objects.get(programme=demo).version
    response, html = post(facilitator, text_form(demo, **dict.fromkeys(SECTIONS, BRACKETS)))
    assert response.status_code == 200
    for number in (1, 2, 3, 4):
        assert f"Section {number} has too many links, square brackets or HTML tags" in html
    assert ReportText.objects.get(programme=demo).version == before


def test_the_service_refuses_text_past_the_bounds(demo):
    before = ReportText.objects.get(programme=demo)
    with pytest.raises(ValidationError) as caught:
        report_text_update(
            programme=demo,
            data={"background": TOO_LONG_TEXT},
            expected_version=before.version,
            user=get_user_model().objects.get(username="facilitator"),
        )
    assert "background" in caught.value.message_dict
    assert ReportText.objects.get(programme=demo).version == before.version


def test_stored_costly_text_leaves_every_report_page_quick_and_the_editor_usable(facilitator, demo):
    report = board_report(programme=demo)
    report_issue(
        programme=demo,
        meeting_date=date(2004, 6, 24),
        expected_fingerprint=report_fingerprint(report),
        user=get_user_model().objects.get(username="facilitator"),
    )
    store(demo, **dict.fromkeys(SECTIONS, BRACKETS), contact_officers=TOO_LONG_TEXT)

    for name in ("report:report", "report:report_changes", "report:report_issue"):
        assert get(facilitator, name).status_code == 200, name
    page = get(facilitator, "report:report").content.decode()
    assert "[[[[[[[[" in page  # shown as typed, not converted
    assert TOO_LONG in page and "a" * 100 not in page

    editor = get(facilitator, "report:report_text")
    html = unescape(editor.content.decode())
    assert editor.status_code == 200
    assert "Section 6 must be 20,000 characters or fewer; it has 39,980<" in html
    assert "Section 1 has too many links, square brackets or HTML tags" in html
    assert TOO_LONG_TEXT in html  # in its box, to be cut down

    fixed = text_form(demo, **dict.fromkeys(SECTIONS, "Fixed."), contact_officers="Colin Bland")
    response, _ = post(facilitator, fixed)
    assert response.status_code == 302
    assert ReportText.objects.get(programme=demo).contact_officers == "Colin Bland"


def test_a_report_whose_text_takes_too_long_shows_the_rest_as_plain_text(demo, monkeypatch, caplog):
    store(demo, background="**Bold** words.")
    monkeypatch.setattr(markdown, "MARKDOWN_SECONDS", 0)
    report = board_report(programme=demo)
    assert report.sections[0].paragraphs[0].html == "<p>**Bold** words.</p>"
    assert "took too long to convert" in caplog.text


def test_the_pdf_of_deeply_nested_stored_text_renders(facilitator, demo):
    _, seed_took = seconds(lambda: report_pdf(board_report(programme=demo)))
    store(
        demo,
        background=NESTED["block quotes"],
        project_list=NESTED["emphasis"],
        risks_and_benefits=NESTED["tags"],
        alternative_options="> " * 10 + "- " * 5 + "<i>" * 19 + "***x***" + "</i>" * 19,
    )
    report = board_report(programme=demo)
    for section in report.sections:
        for paragraph in section.paragraphs:
            assert depth(paragraph.html) <= MAX_NESTING, section.key

    content, took = seconds(lambda: report_pdf(report))  # no RecursionError
    assert content.startswith(b"%PDF")
    # Laying out the seed's PDF alone takes seconds on a busy machine: the backstop is on top.
    assert took < seed_took + REQUEST_SECONDS

    response = facilitator.get(reverse("report:report_pdf", args=[DEMO]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_a_report_whose_saved_text_is_past_the_bounds_is_not_issued(facilitator, demo):
    store(demo, risks_and_benefits=TOO_LONG_TEXT)
    report = board_report(programme=demo, on=date(2004, 6, 24), issued=True)
    url = reverse("report:report_issue", args=[DEMO])
    response = facilitator.post(
        url, {**date_parts("meeting_date", "2004-06-24"), "fingerprint": report_fingerprint(report)}
    )
    html = unescape(response.content.decode())
    assert response.status_code == 409
    assert "The report's text cannot be issued: 3. Risks and Benefits is too long" in html
    assert not IssuedReport.objects.filter(programme=demo).exists()
    with pytest.raises(ReportTextOutOfBoundsError):
        report_issue_prepare(
            programme=demo,
            meeting_date=date(2004, 6, 24),
            expected_fingerprint=report_fingerprint(report),
            user=get_user_model().objects.get(username="facilitator"),
        )
    assert not ReportRender.objects.filter(programme=demo).exists()
