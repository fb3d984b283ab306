"""How long and how deeply nested the board report's words may be, wherever they come in.

The report's text is Markdown, and Markdown's work grows faster than the text for some of it:
a paragraph of many links, or tags opened inside thousands of others, can keep a page busy for
minutes and nest the HTML too deep for the PDF to lay out. The report text form, its model and
the programme file all refuse text past these bounds, and the report shows text stored before
them as plain text. Every measure takes one pass over the text, so checking costs no more than
reading it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from .money.document import REPORT_TEXT_MAX_LENGTH
from .money.placeholders import placeholder_problems

# Deeper than any paper needs (the seed's lists are one level), shallow enough for any browser
# and for the PDF's layout, which recurses once or more for every level.
MAX_NESTING = 20
# Markdown's links, brackets and inline tags each cost time in proportion to their paragraph's
# length (a link "[a](b)" counts twice), and a tag left open as far as the next ">": the sum
# over paragraphs of (their count) x (characters), plus those reaches, is held to this.
# Measured with Markdown 3.11: at most about 0.2 s for a section, whatever it holds; ten
# paragraphs of 2,000 characters may have a dozen links each.
MAX_MARKUP_COST = 500_000
# Each paragraph is converted on its own, at a cost of its own: a paper has a few dozen.
MAX_PARAGRAPHS = 200
# Each run of * or _ costs Markdown about as much as a short paragraph; a thousand words in
# bold or italic is far more than a paper needs.
MAX_EMPHASIS_MARKS = 2_000

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# A line's block prefix: quote marks and list markers, each with the spaces before it.
# The bullets typed as in Word ("· ") count too: the report makes them Markdown's "- ".
_BLOCK_PREFIX = re.compile(r"(?:[ \t]*(?:>|(?:[-*+·•▪‣]|\d{1,9}[.)])(?=[ \t]|$)))*[ \t]*")
_BLOCK_MARKER = re.compile(r">|[-*+·•▪‣]|\d{1,9}[.)]")
_EMPHASIS_RUN = re.compile(r"[*_]+")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?>")
_COSTLY = re.compile(r"\[|\]\(|<[A-Za-z/!?]")
_TAG_START = re.compile(r"<[A-Za-z/!?]")
_VOID_TAGS = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)


@dataclass(frozen=True)
class TextMeasures:
    """What makes a text costly to render: its length, its nesting and its markup."""

    length: int
    block_depth: int  # block quotes and lists inside each other
    emphasis_depth: int  # * and _ marks opened inside each other
    tag_depth: int  # HTML tags left open inside each other
    markup_cost: int  # links, brackets and tags times their paragraphs' length, and tags' reach
    paragraphs: int  # separated by blank lines
    emphasis_marks: int  # runs of * and _


def _block_depth(line: str) -> int:
    found = _BLOCK_PREFIX.match(line)  # it matches every line, if only with ""
    prefix = found.group(0) if found else ""
    markers = len(_BLOCK_MARKER.findall(prefix))
    columns = prefix.count(" ") + 4 * prefix.count("\t")
    # Markdown nests a list a level deeper for every four spaces of indent.
    return markers + columns // 4


def _emphasis_depth(paragraph: str) -> int:
    depth = deepest = 0
    for run in _EMPHASIS_RUN.finditer(paragraph):
        before = paragraph[run.start() - 1] if run.start() else " "
        after = paragraph[run.end()] if run.end() < len(paragraph) else " "
        if not before.isspace() and depth:
            depth = max(0, depth - len(run.group(0)))
        elif not after.isspace() and (before.isspace() or run.group(0)[0] == "*"):
            depth += len(run.group(0))
            deepest = max(deepest, depth)
    return deepest


def _tag_depth(text: str) -> int:
    depth = deepest = 0
    for tag in _TAG.finditer(text):
        name = tag.group(2).lower()
        if name in _VOID_TAGS or tag.group(0).endswith("/>"):
            continue
        depth = max(0, depth - 1) if tag.group(1) else depth + 1
        deepest = max(deepest, depth)
    return deepest


def _tag_reach(text: str) -> int:
    # Markdown's HTML parser reads from each "<" that may start a tag to the next ">": one left
    # open reads on to the end. Every search starts past the last one's end: one pass in all.
    reach = 0
    closer = -1
    for opening in _TAG_START.finditer(text):
        start = opening.start()
        if closer < start:
            closer = text.find(">", start)
            closer = len(text) if closer == -1 else closer
        reach += closer - start
    return reach


def measure(text: str) -> TextMeasures:
    """Return how long, how deeply nested and how costly to render the Markdown text is."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = _PARAGRAPH_BREAK.split(text)
    return TextMeasures(
        length=len(text),
        block_depth=max((_block_depth(line) for line in text.split("\n")), default=0),
        emphasis_depth=max((_emphasis_depth(p) for p in paragraphs), default=0),
        tag_depth=_tag_depth(text),
        markup_cost=sum(len(_COSTLY.findall(p)) * len(p) for p in paragraphs) + _tag_reach(text),
        paragraphs=sum(1 for p in paragraphs if p.strip()),
        emphasis_marks=len(_EMPHASIS_RUN.findall(text)),
    )


def too_long_problem(text: str) -> str:
    """Say how far the text is over the length a section may have, or return ""."""
    if len(text) <= REPORT_TEXT_MAX_LENGTH:
        return ""
    return f"must be {REPORT_TEXT_MAX_LENGTH:,} characters or fewer; it has {len(text):,}"


def report_text_problems(text: str) -> list[str]:
    """Return what is wrong with a section's text, each said after the section's name."""
    if too_long := too_long_problem(text):
        # Measuring text of any length is still linear, but one problem is enough to fix first.
        return [too_long]
    measures = measure(text)
    nesting = (
        ("block quotes and lists", measures.block_depth),
        ("* and _ marks", measures.emphasis_depth),
        ("HTML tags", measures.tag_depth),
    )
    problems = [
        f"must not nest {what} more than {MAX_NESTING} deep; it nests them {depth:,} deep"
        for what, depth in nesting
        if depth > MAX_NESTING
    ]
    if measures.paragraphs > MAX_PARAGRAPHS:
        problems.append(
            f"must have {MAX_PARAGRAPHS} paragraphs or fewer; it has {measures.paragraphs:,}"
        )
    if measures.emphasis_marks > MAX_EMPHASIS_MARKS:
        problems.append(
            f"must have {MAX_EMPHASIS_MARKS:,} * and _ marks or fewer; "
            f"it has {measures.emphasis_marks:,}"
        )
    if measures.markup_cost > MAX_MARKUP_COST:
        problems.append(
            "has too many links, square brackets or HTML tags for the length of its "
            "paragraphs; split long paragraphs with a blank line, or use fewer of them"
        )
    return problems


def validate_report_text(value: str) -> None:
    """Refuse a section's text that is too long or too deeply nested to show."""
    problems = report_text_problems(value)
    if problems:
        raise ValidationError([f"The text {problem}." for problem in problems], code="bounds")


def validate_placeholders(text: str) -> None:
    """Refuse text with an unknown placeholder or a lone brace, naming it."""
    problems = placeholder_problems(text or "")
    if problems:
        raise ValidationError(problems, code="placeholder")
