"""Figure placeholders in the report's text, and the text as sanitised HTML."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from projects.money.figures import compute_figures
from projects.money.placeholders import (
    PLACEHOLDERS,
    fill,
    placeholder_problems,
    placeholder_values,
)
from projects.report_text import validate_placeholders
from reports.report.markdown import render, sanitise
from tests.reports.seed import seed_document


@pytest.fixture(scope="module")
def values():
    document = seed_document()
    return placeholder_values(document, compute_figures(document))


SEED_VALUES = {
    "programme_name": "Norfolk Connect medium term workload",
    "partnership_name": "Norfolk Connect Partnership",
    "strategy": "Norfolk Ambition",
    "programme_starts": "July 2004",
    "programme_ends": "December 2005",
    "financial_years": "2004/05 and 2005/06",
    "financial_years_span": "2004-2006",
    "financial_years_count": "two",
    "projects": "10",
    "projects_supporting_strategy": "7",
    "partners": "8",
    "partners_in_words": "eight",
    "existing_total": "£175,000",
    "existing_stated": "£165,000",
    "extra_min": "£75,000",
    "extra_max": "£175,000",
    "extra_stated": "£175,000",
    "share_min": "£9,375",
    "share_max": "£21,875",
    "immediate_per_partner": "£10,000",
    "cap_per_partner": "£30,000",
    "rounding_step": "£10,000",
    "pledged": "£0",
    "received": "£0",
    "gap_min": "£75,000",
    "gap_max": "£175,000",
    "outcomes_required": "10",
    "outcomes_good": "11",
    "outcomes_excellent": "5",
    "tbc_phases": "1",
    "contribution_recommendation": "a contribution of up to £30,000 each over the two "
    "financial years 2004-2006 with £10,000 each to be made available immediately",
}


def test_every_documented_placeholder_has_the_seeds_value(values):
    assert values == SEED_VALUES
    assert set(PLACEHOLDERS) == set(SEED_VALUES)
    assert all(p.meaning for p in PLACEHOLDERS.values())


def test_fill_puts_the_figures_in_and_keeps_doubled_braces_as_braces(values):
    text = "Up to {cap_per_partner} each; {{braces}} stay; {immediate_per_partner} now."
    assert fill(text, values) == "Up to £30,000 each; {braces} stay; £10,000 now."


def test_an_unknown_placeholder_is_named_with_a_suggestion():
    assert placeholder_problems("Up to {cap_per_partnr} each") == [
        "{cap_per_partnr} is not a placeholder the report knows. Did you mean "
        "{cap_per_partner}? Use one from the list of placeholders, or write {{ and }} for braces."
    ]


def test_each_unknown_placeholder_is_named_once():
    problems = placeholder_problems("{nope} and {nope} and {zzz}")
    assert len(problems) == 2
    assert problems[0].startswith("{nope}") and problems[1].startswith("{zzz}")


@pytest.mark.parametrize("text", ["a { b", "a } b", "{", "css p {{ x }"])
def test_a_lone_brace_is_refused(text):
    with pytest.raises(ValidationError) as caught:
        validate_placeholders(text)
    assert "lone" in caught.value.messages[0]


@pytest.mark.parametrize("text", ["", "plain", "{{ and }}", "{cap_per_partner}", "{ partners }"])
def test_good_text_passes(text):
    validate_placeholders(text)


def test_an_unchecked_unknown_placeholder_shows_as_typed_never_blank(values):
    assert fill("x {unknown} y", values) == "x {unknown} y"
    assert "{unknown}" in render("x {unknown} y", values)


# Markdown, sanitised


def test_markdown_becomes_the_few_allowed_tags(values):
    html = render("**Bold** and *em*\n\n- one\n- two\n\n[IEG](https://example.org)", values)
    assert "<strong>Bold</strong>" in html and "<em>em</em>" in html
    assert "<ul>" in html and "<li>one</li>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer">IEG</a>' in html


def test_the_seeds_word_bullets_become_a_list(values):
    assert "<li>Achieve</li>" in render("To:\n\n· Achieve\n· Deliver", values)


@pytest.mark.parametrize(
    "unsafe",
    [
        '<img src="file:///etc/passwd">',
        '<a rel="attachment" href="file:///etc/passwd">x</a>',
        "<script>alert(1)</script>",
        "<style>p {{ background: url(http://127.0.0.1:9/x) }}</style>",
        '<p style="background: url(http://127.0.0.1:9/x)">x</p>',
        '<link rel="attachment" href="file:///etc/passwd">',
        '<object data="file:///etc/passwd"></object>',
        '<svg><image href="file:///etc/passwd"/></svg>',
        "[x](javascript:alert(1)) [y](file:///etc/passwd)",
    ],
)
def test_dangerous_markup_is_removed(values, unsafe):
    html = render(unsafe, values)
    for word in ("<img", "<script", "<style", "style=", "url(", "attachment", "<link", "<object",
                 "<svg", "<image", "javascript:", "file:", "alert(1)</"):  # fmt: skip
        assert word not in html, html


def test_placeholder_values_are_escaped(values):
    html = render("{programme_name}", {**values, "programme_name": "<img src=x> & co"})
    assert html == "<p>&lt;img src=x&gt; &amp; co</p>"


def test_a_placeholder_name_cannot_smuggle_markup(values):
    html = render('{<img src="file:///etc/passwd">}', values)
    assert "<img" not in html and "passwd" not in html


def test_sanitise_keeps_links_to_the_web_only():
    assert sanitise('<a href="http://a.example">a</a>') == (
        '<a href="http://a.example" rel="noopener noreferrer">a</a>'
    )
    assert "href" not in sanitise('<a href="data:text/html,x">a</a>')
