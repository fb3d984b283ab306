"""The figure placeholders a board report's text may use, such as ``{cap_per_partner}``.

The facilitator writes the report's words with placeholders in braces; each is filled from the
programme's data whenever the report is produced, so the words never disagree with the
figures. A brace meant as a brace is written twice: ``{{`` or ``}}``. A placeholder that is not
in ``PLACEHOLDERS`` is refused when the text is saved (never printed blank), and so is a lone
brace, which is nearly always a typing slip.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from .document import ProgrammeDocument
from .figures import FIGURES, OUTCOME_FIGURES, Kind, ProgrammeFigures
from .formatting import money
from .vocabulary import Grade
from .wording import (
    NOT_KNOWN,
    amount_or_unknown,
    financial_years_span,
    financial_years_words,
    gap_words,
    listed,
    month_year,
    number_word,
)

# "{{" and "}}" are escaped braces; "{name}" a placeholder; any other brace stands alone.
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}\n]{0,60})\}|[{}]")


@dataclass(frozen=True)
class Placeholder:
    """One placeholder: its name, what it stands for, and how to work it out."""

    name: str
    meaning: str
    value: Callable[[ProgrammeDocument, ProgrammeFigures], str]

    @property
    def written(self) -> str:
        """Return the placeholder as it is typed: ``{name}``."""
        return "{" + self.name + "}"


def contribution_recommendation(document: ProgrammeDocument, figures: ProgrammeFigures) -> str:
    """Return the recommended contribution in the seed's words, its figures from the data.

    With the seed's figures: "a contribution of up to £30,000 each over the two financial years
    2004-2006 with £10,000 each to be made available immediately".
    """
    years = financial_years_words(document.programme.financial_years)
    positions = figures.per_partner
    if not positions:
        return f"a contribution from each partner over {years}, once their shares are known"
    caps = sorted({position.cap for position in positions})
    immediates = sorted({position.immediate for position in positions})
    if len(caps) == 1 and len(immediates) == 1:
        cap, immediate = caps[0], immediates[0]
        if not immediate:
            return f"a contribution of up to {money(cap)} each over {years}, none of it needed now"
        return (
            f"a contribution of up to {money(cap)} each over {years} with {money(immediate)} "
            "each to be made available immediately"
        )
    # Shares by weight or population differ: the report's table gives each partner's figures.
    return (
        "a contribution from each partner of up to its cap in the table of contributions "
        f"(from {money(caps[0])} to {money(caps[-1])}) over {years}, with its immediate "
        f"tranche (from {money(immediates[0])} to {money(immediates[-1])}) to be made "
        "available immediately"
    )


def _programme(attribute: str) -> Callable[[ProgrammeDocument, ProgrammeFigures], str]:
    return lambda document, figures: getattr(document.programme, attribute)


def _figure(key: str) -> Callable[[ProgrammeDocument, ProgrammeFigures], str]:
    """Return how a placeholder shows one of the registry's figures, as its kind says."""
    kind = {figure.key: figure.kind for figure in FIGURES}[key]
    if kind == Kind.MONEY:
        return lambda document, figures: amount_or_unknown(getattr(figures, key))
    return lambda document, figures: f"{getattr(figures, key):,}"


def _outcomes(grade: str) -> Callable[[ProgrammeDocument, ProgrammeFigures], str]:
    return lambda document, figures: f"{getattr(figures.outcomes, grade):,}"


def _stated(amount: Decimal | None) -> str:
    return "not stated" if amount is None else money(amount)


_LIST = (
    Placeholder("programme_name", "The programme's name", _programme("name")),
    Placeholder("partnership_name", "The partnership's name", lambda d, f: d.partnership.name),
    Placeholder(
        "strategy",
        "The partnership's strategy that projects support, such as Norfolk Ambition",
        lambda d, f: d.partnership.strategy or "the partnership's strategy",
    ),
    Placeholder(
        "programme_starts",
        "The month the programme starts, such as July 2004",
        lambda d, f: month_year(d.programme.starts),
    ),
    Placeholder(
        "programme_ends",
        "The month the programme ends, such as December 2005",
        lambda d, f: month_year(d.programme.ends),
    ),
    Placeholder(
        "financial_years",
        "The programme's financial years, such as 2004/05 and 2005/06",
        lambda d, f: listed(list(d.programme.financial_years)) or NOT_KNOWN,
    ),
    Placeholder(
        "financial_years_span",
        "The calendar years the financial years run over, such as 2004-2006",
        lambda d, f: financial_years_span(d.programme.financial_years),
    ),
    Placeholder(
        "financial_years_count",
        "How many financial years, in words, such as two",
        lambda d, f: number_word(len(d.programme.financial_years)),
    ),
    Placeholder("projects", "How many projects, such as 10", _figure("projects")),
    Placeholder(
        "projects_supporting_strategy",
        "How many projects support the strategy, such as 7",
        _figure("projects_supporting_strategy"),
    ),
    Placeholder("partners", "How many partners contribute, such as 8", _figure("partners")),
    Placeholder(
        "partners_in_words",
        "How many partners contribute, in words, such as eight",
        lambda d, f: number_word(f.partners),
    ),
    Placeholder(
        "existing_total",
        "The existing resource, added up from the projects' secured funding",
        _figure("existing_total"),
    ),
    Placeholder(
        "existing_stated",
        "The existing resource total as stated on the paper",
        lambda d, f: _stated(f.existing_stated),
    ),
    Placeholder(
        "extra_min",
        "The extra cost's minimum: phases needing no business case, and those approved",
        _figure("extra_min"),
    ),
    Placeholder(
        "extra_max",
        "The extra cost's maximum: the minimum plus phases awaiting a business-case decision",
        _figure("extra_max"),
    ),
    Placeholder(
        "extra_stated",
        "The extra cost total as stated on the paper",
        lambda d, f: _stated(f.extra_stated),
    ),
    Placeholder("share_min", "The largest partner's share of the minimum", _figure("share_min")),
    Placeholder("share_max", "The largest partner's share of the maximum", _figure("share_max")),
    Placeholder(
        "immediate_per_partner",
        "The immediate tranche per partner: its share of the minimum, rounded up to the step",
        _figure("immediate_per_partner"),
    ),
    Placeholder(
        "cap_per_partner",
        "The cap per partner: its share of the maximum, rounded up to the step",
        _figure("cap_per_partner"),
    ),
    Placeholder(
        "rounding_step",
        "The step the tranche and cap are rounded up to, such as £10,000",
        lambda d, f: (
            "no rounding" if d.programme.rounding_step is None else money(d.programme.rounding_step)
        ),
    ),
    Placeholder("pledged", "The money pledged by the partners so far", _figure("pledged")),
    Placeholder("received", "The money received from the partners so far", _figure("received")),
    Placeholder(
        "gap_min",
        "The money still to find for the minimum (or the headroom)",
        lambda d, f: gap_words(f.gap_min),
    ),
    Placeholder(
        "gap_max",
        "The money still to find for the maximum (or the headroom)",
        lambda d, f: gap_words(f.gap_max),
    ),
    # One a grade of the figures' outcomes, such as {outcomes_required}.
    *(
        Placeholder(
            f"outcomes_{grade.key}",
            f"How many {Grade(grade.key).label} priority outcomes",
            _outcomes(grade.key),
        )
        for grade in OUTCOME_FIGURES
    ),
    Placeholder(
        "tbc_phases", "How many phases have a cost still to be confirmed", _figure("tbc_phases")
    ),
    Placeholder(
        "contribution_recommendation",
        "The recommended contribution in full, such as “a contribution of up to £30,000 each "
        "over the two financial years 2004-2006 with £10,000 each to be made available "
        "immediately”",
        contribution_recommendation,
    ),
)

#: Every placeholder a report's text may use, by name, in the order the editor lists them.
PLACEHOLDERS: dict[str, Placeholder] = {placeholder.name: placeholder for placeholder in _LIST}


def parts(text: str, *, strict: bool = True) -> Iterator[tuple[str, str]]:
    """Split text into ("text", words) and ("placeholder", name) parts, braces unescaped.

    Raises ValueError on a lone brace, unless not ``strict``: then it is text. An unknown
    name is returned like any other, for the caller to check.
    """
    position = 0
    for match in _TOKEN.finditer(text):
        if match.start() > position:
            yield "text", text[position : match.start()]
        token = match.group(0)
        if token in ("{{", "}}"):
            yield "text", token[0]
        elif match.group(1) is not None:
            yield "placeholder", match.group(1).strip()
        elif strict:
            raise ValueError(f"a lone “{token}”: write {token}{token} for a brace")
        else:
            yield "text", token
        position = match.end()
    if position < len(text):
        yield "text", text[position:]


def placeholder_problems(text: str) -> list[str]:
    """Return what is wrong with the text's placeholders, naming each, or nothing."""
    problems: list[str] = []
    try:
        names = [value for kind, value in parts(text) if kind == "placeholder"]
    except ValueError as error:
        return [f"There is {error}."]
    for name in dict.fromkeys(names):
        if name in PLACEHOLDERS:
            continue
        close = difflib.get_close_matches(name, list(PLACEHOLDERS), n=1)
        hint = f" Did you mean {{{close[0]}}}?" if close else ""
        problems.append(
            f"{{{name}}} is not a placeholder the report knows.{hint} Use one from the list of "
            "placeholders, or write {{ and }} for braces."
        )
    return problems


def placeholder_values(document: ProgrammeDocument, figures: ProgrammeFigures) -> dict[str, str]:
    """Return the text of every placeholder for this programme and its figures."""
    return {name: one.value(document, figures) for name, one in PLACEHOLDERS.items()}


def fill(text: str, values: dict[str, str]) -> str:
    """Return plain text with its placeholders filled in.

    Text is checked when saved; should an unchecked one get here, an unknown placeholder shows
    as typed rather than blank.
    """
    return "".join(
        value if kind == "text" else values.get(value, "{" + value + "}")
        for kind, value in parts(text, strict=False)
    )
