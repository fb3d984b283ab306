"""The recommendations of a paper, one by one, as a meeting decides on them.

A paper's section "Recommendations" is Markdown: usually a lead-in ("Chief Executives are
recommended to agree:") and a list, an item a recommendation. Without a list, each paragraph
but a lead-in ending with a colon is one. The recommendation about the partners' contributions
is the one whose agreement records each council's immediate tranche and cap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A list item's marker at the start of a line: Markdown's, or a bullet typed as in Word.
_ITEM = re.compile(r"^[ \t]{0,3}(?:[-*+·•▪‣]|\d{1,9}[.)])[ \t]+(?P<words>.*)$")
_BLANK = re.compile(r"^[ \t]*$")
# Placeholders whose figures are the contributions the recommendation asks the partners for.
CONTRIBUTION_PLACEHOLDERS = (
    "{contribution_recommendation}",
    "{immediate_per_partner}",
    "{cap_per_partner}",
)


@dataclass(frozen=True)
class RecommendationItem:
    """One recommendation as written (placeholders and all), numbered from 1 in the paper."""

    number: int
    source: str
    contributions: bool


def recommendation_items(source: str) -> list[RecommendationItem]:
    """Return the recommendations of a paper's Recommendations section, in order."""
    items = _list_items(source) or _paragraphs(source)
    return [
        RecommendationItem(number=index, source=words, contributions=_about_contributions(words))
        for index, words in enumerate(items, start=1)
    ]


def _list_items(source: str) -> list[str]:
    items: list[str] = []
    current: list[str] | None = None
    for line in source.splitlines():
        match = _ITEM.match(line)
        if match:
            current = [match.group("words").strip()]
            items.append("")
        elif _BLANK.match(line):
            current = None
            continue
        elif current is not None and line[:1] in (" ", "\t"):
            current.append(line.strip())  # a continuation line of the item above
        else:
            current = None
            continue
        items[-1] = " ".join(part for part in current if part)
    return [item for item in items if item]


def _paragraphs(source: str) -> list[str]:
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n[ \t]*\n", source) if p.strip()]
    return [p for p in paragraphs if not p.endswith(":")]


def _about_contributions(words: str) -> bool:
    return any(mark in words for mark in CONTRIBUTION_PLACEHOLDERS) or "contribution" in (
        words.lower()
    )
