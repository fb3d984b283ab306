"""A report's text, plain or Markdown, as sanitised HTML with its placeholders filled.

The facilitator's text is untrusted: Markdown lets raw HTML through, so the result is cleaned
with nh3 down to a few text tags (no images, no styles, no scripts, no attributes but a link's
address), and every placeholder's value is escaped. Placeholders are swapped for opaque tokens
before Markdown runs, so nothing in a value (or in a placeholder's name) can become markup.
"""

from __future__ import annotations

import html
import re
import secrets
import textwrap
from dataclasses import dataclass

import markdown as markdown_library
import nh3
from django.utils.safestring import SafeString, mark_safe

from .placeholders import parts

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "a", "blockquote", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# The seed's bullets ("· Achieve ...") are typed as they were in Word; Markdown wants "- ".
_WORD_BULLET = re.compile(r"^(\s*)[·•▪‣]\s*", re.MULTILINE)
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d{1,3}[.)])\s")
_BLANK_LINES = re.compile(r"\n[ \t]*\n")


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


def render(text: str, values: dict[str, str]) -> SafeString:
    """Return Markdown text as sanitised HTML with its placeholders filled and escaped."""
    if not text.strip():
        return mark_safe("")
    prefix = f"ph{secrets.token_hex(8)}x"
    tokens: dict[str, str] = {}
    pieces = []
    for kind, value in parts(_WORD_BULLET.sub(r"\1- ", text), strict=False):
        if kind == "text":
            pieces.append(value)
        elif value not in values:
            # Text is checked when saved: an unchecked unknown one shows as typed, never blank.
            pieces.append("{" + value + "}")
        else:
            token = f"{prefix}{len(tokens)}x"
            tokens[token] = html.escape(values[value])
            pieces.append(token)
    converted = markdown_library.markdown("".join(pieces), output_format="html")
    cleaned = sanitise(converted)
    for token, value in tokens.items():
        cleaned = cleaned.replace(token, value)
    # Safe: nh3 cleaned the markup above, and every value put back in was escaped.
    return mark_safe(cleaned)


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


def render_numbered(text: str, values: dict[str, str], *, section: int) -> list[NumberedParagraph]:
    """Return a section's text as numbered paragraphs (1.1, 1.2, ...) of sanitised HTML."""
    return [
        NumberedParagraph(number=f"{section}.{index}", html=render(block, values))
        for index, block in enumerate(numbered_blocks(text), start=1)
    ]
