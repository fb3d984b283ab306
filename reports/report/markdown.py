"""A report's text, plain or Markdown, as sanitised HTML with its placeholders filled.

The facilitator's text is untrusted: Markdown lets raw HTML through, so the result is cleaned
with nh3 down to a few text tags (no images, no styles, no scripts, no attributes but a link's
address), and every placeholder's value is escaped. Placeholders are swapped for opaque tokens
before Markdown runs, so nothing in a value (or in a placeholder's name) can become markup.

Markdown's work grows faster than the text for some of it, and deep nesting is more than a
browser or the PDF's layout can take, so text past the bounds of ``projects.report_text`` is
never given to Markdown: it shows as plain text, or, if too long, as a note to shorten it.
Whatever Markdown makes is cut to ``MAX_NESTING`` levels of tags, and each block is converted
once per process for the same words and figures, however often a page asks for it. A report
gives its Markdown a ``Budget`` of time as well, in case some text costs more than measured.
"""

from __future__ import annotations

import html
import logging
import re
import secrets
import textwrap
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

import markdown as markdown_library
import nh3
from django.utils.safestring import SafeString, mark_safe

from projects.money.document import REPORT_TEXT_MAX_LENGTH
from projects.money.placeholders import fill, parts
from projects.report_text import MAX_NESTING, report_text_problems, too_long_problem

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "a", "blockquote", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# The seed's bullets ("· Achieve ...") are typed as they were in Word; Markdown wants "- ".
# Spaces and tabs only: "\s*" would run on over every blank line below, at each line's start.
_WORD_BULLET = re.compile(r"^([ \t]*)[·•▪‣][ \t]*", re.MULTILINE)
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d{1,3}[.)])\s")
_BLANK_LINES = re.compile(r"\n[ \t]*\n")
# A tag as nh3 writes it: lower-case, attributes double-quoted, any "<" in text escaped.
_CLEAN_TAG = re.compile(r'<(/?)([a-z][a-z0-9]*)((?:\s+[a-z-]+(?:="[^"]*")?)*)\s*/?>')
_VOID_TAGS = frozenset({"br"})
_BLOCK_TAGS = frozenset({"p", "ul", "ol", "li", "blockquote"})
# All of a report's Markdown together may take this long; text after it shows as plain text.
# The bounds keep a section to about 0.2 s, so this is a backstop for what they do not foresee.
MARKDOWN_SECONDS = 2.0

logger = logging.getLogger(__name__)
# One converter a thread, reset for each block: making one costs more than converting a line.
_converters = threading.local()
TOO_LONG = (
    f"This section is too long to show; edit it to {REPORT_TEXT_MAX_LENGTH:,} characters or fewer."
)


class Budget:
    """The time left for a report's Markdown; once it is spent, the rest shows as plain text."""

    def __init__(self, seconds: float | None = None) -> None:
        self.ends = time.monotonic() + (MARKDOWN_SECONDS if seconds is None else seconds)
        self.warned = False

    def spent(self) -> bool:
        """Return whether the time is up, saying so in the log the first time."""
        if time.monotonic() < self.ends:
            return False
        if not self.warned:
            logger.warning("A report's text took too long to convert: the rest is plain text")
            self.warned = True
        return True


@dataclass(frozen=True)
class NumberedParagraph:
    """One numbered paragraph of a section, "1.1", as sanitised HTML."""

    number: str
    html: SafeString


def sanitise(unsafe_html: str) -> str:
    """Return HTML cut down to the report's few text tags; everything else is text or gone."""
    return nh3.clean(
        unsafe_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def cap_depth(cleaned_html: str, max_depth: int = MAX_NESTING) -> str:
    """Return sanitised HTML without the tags nested deeper than ``max_depth``; text is kept."""
    pieces = []
    kept: list[bool] = []  # for each open tag, whether it was kept
    depth = position = 0
    for tag in _CLEAN_TAG.finditer(cleaned_html):
        pieces.append(cleaned_html[position : tag.start()])
        position = tag.end()
        closing, name = tag.group(1), tag.group(2)
        if name in _VOID_TAGS:
            keep = True
        elif not closing:
            keep = depth < max_depth
            kept.append(keep)
            depth += keep
        else:
            keep = kept.pop() if kept else False
            depth -= keep
        if keep:
            pieces.append(tag.group(0))
        elif name in _BLOCK_TAGS:
            pieces.append(" ")  # so that the words of dropped paragraphs do not run together
    pieces.append(cleaned_html[position:])
    return "".join(pieces)


def plain(text: str, values: dict[str, str]) -> SafeString:
    """Return text as escaped plain paragraphs with its placeholders filled; no Markdown."""
    paragraphs = _BLANK_LINES.split(fill(text, values).replace("\r\n", "\n").strip())
    return mark_safe(
        "".join(
            f"<p>{html.escape(paragraph).replace(chr(10), '<br>')}</p>"
            for paragraph in paragraphs
            if paragraph.strip()
        )
    )


@lru_cache(maxsize=256)
def _converted(text: str, values: tuple[tuple[str, str], ...]) -> str:
    # Cached: a page, its PDF and an issue all render the same words with the same figures.
    known = dict(values)
    prefix = f"ph{secrets.token_hex(8)}x"
    escaped: list[str] = []
    pieces = []
    for kind, value in parts(_WORD_BULLET.sub(r"\1- ", text), strict=False):
        if kind == "text":
            pieces.append(value)
        elif value not in known:
            # Text is checked when saved: an unchecked unknown one shows as typed, never blank.
            pieces.append("{" + value + "}")
        else:
            pieces.append(f"{prefix}{len(escaped)}x")
            escaped.append(html.escape(known[value]))
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = markdown_library.Markdown(output_format="html")
    converted = converter.reset().convert("".join(pieces))
    cleaned = cap_depth(sanitise(converted))
    # One pass over the HTML for all the values, however many placeholders there are.
    return re.sub(f"{prefix}([0-9]+)x", lambda token: escaped[int(token.group(1))], cleaned)


def render(text: str, values: dict[str, str], *, budget: Budget | None = None) -> SafeString:
    """Return Markdown text as sanitised HTML with its placeholders filled and escaped."""
    if not text.strip():
        return mark_safe("")
    if too_long_problem(text):
        return mark_safe(f"<p>{TOO_LONG}</p>")
    if report_text_problems(text) or (budget is not None and budget.spent()):
        # Stored before the bounds, or by other means: shown as typed rather than converted.
        return plain(text, values)
    # Safe: nh3 cleaned the markup, and every value put back in was escaped.
    return mark_safe(_converted(text, tuple(sorted(values.items()))))


def numbered_blocks(text: str) -> list[str]:
    """Split a section's text into its numbered paragraphs, each as Markdown.

    Paragraphs separated by a blank line are numbered in turn. A list belongs to the paragraph
    before it, and so does a paragraph indented by two spaces or more (a continuation, such as
    the unnumbered paragraph after the seed's list in 1.1).
    """
    text = _WORD_BULLET.sub(r"\1- ", text.replace("\r\n", "\n").replace("\r", "\n"))
    numbered: list[list[str]] = []
    for block in _BLANK_LINES.split(text.strip("\n")):
        if not block.strip():
            continue
        first = block.split("\n", 1)[0]
        is_list = bool(_LIST_ITEM.match(first))
        continues = first.startswith("  ") and not is_list
        if numbered and (is_list or continues):
            numbered[-1].append(textwrap.dedent(block) if continues else block)
        else:
            numbered.append([textwrap.dedent(block)])
    return ["\n\n".join(blocks) for blocks in numbered]


def render_numbered(
    text: str, values: dict[str, str], *, section: int, budget: Budget | None = None
) -> list[NumberedParagraph]:
    """Return a section's text as numbered paragraphs (1.1, 1.2, ...) of sanitised HTML."""
    if too_long_problem(text):
        return [NumberedParagraph(number=f"{section}.1", html=mark_safe(f"<p>{TOO_LONG}</p>"))]
    # The bounds hold for the section as a whole: a costly section is plain text throughout.
    costly = bool(report_text_problems(text))
    return [
        NumberedParagraph(
            number=f"{section}.{index}",
            html=plain(block, values) if costly else render(block, values, budget=budget),
        )
        for index, block in enumerate(numbered_blocks(text), start=1)
    ]
