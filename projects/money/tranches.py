"""How a change moves each partner's recommended immediate tranche and cap, in words.

Pure: the positions before and after a change, and the partners' names, give the moves and the
sentences a facilitator reads before saving ("This raises ...") and after ("This raised ...").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .formatting import money
from .shares import PartnerPosition

ZERO = Decimal("0.00")
# The figures a change may move, as PartnerPosition names them and as a sentence does.
FIGURES = (("immediate", "immediate tranche"), ("cap", "cap"))
# A change moving more partners than this lists the first few and counts the rest.
MOST_LISTED = 3
MEMBER = "council"  # what the partnership's partners are called in its papers


@dataclass(frozen=True)
class TrancheMove:
    """One partner's figure moved by a change; None where the partner does not contribute."""

    partner: str  # the partner's slug
    name: str
    figure: str  # "immediate tranche" or "cap"
    before: Decimal | None
    after: Decimal | None

    @property
    def difference(self) -> Decimal:
        """Return how much more the partner's figure is after the change (less when negative)."""
        return (self.after or ZERO) - (self.before or ZERO)

    def clause(self, *, past: bool, own: bool = True, verb: bool = True) -> str:
        """Say the move: "raises Broadland's cap from £30,000 to £40,000".

        Without ``own`` the figure is left for the sentence to have named ("Broadland's from
        ..."); without ``verb`` so is the direction, which the sentence has said for all.
        """
        whose = f"{self.name}'s {self.figure}" if own else f"{self.name}'s"
        if self.before is None:
            article = "an" if self.figure[0] in "aeiou" else "a"
            given = "gave" if past else "gives"
            return f"{given} {self.name} {article} {self.figure} of {money(self.after)}"
        if self.after is None:
            return f"{'took' if past else 'takes'} away {whose} of {money(self.before)}"
        said = f"{_verb(self.difference, past=past)} " if verb else ""
        return f"{said}{whose} from {money(self.before)} to {money(self.after)}"


def _verb(difference: Decimal, *, past: bool) -> str:
    if difference > 0:
        return "raised" if past else "raises"
    if difference < 0:
        return "lowered" if past else "lowers"
    return "changed" if past else "changes"


@dataclass(frozen=True)
class FigureChange:
    """Every partner's move of one figure (the immediate tranche, or the cap)."""

    figure: str
    moves: tuple[TrancheMove, ...]
    every: bool  # every contributing partner's figure moved from the same amount to the same

    @property
    def total(self) -> Decimal:
        """Return the sum of the partners' differences: what the change adds in all."""
        return sum((move.difference for move in self.moves), ZERO)

    def sentence(self, *, past: bool) -> str:
        """Say the moves in one sentence, with the total in all."""
        first = self.moves[0]
        if self.every:
            return (
                f"This {_verb(first.difference, past=past)} every {MEMBER}'s {self.figure} "
                f"from {money(first.before)} to {money(first.after)}, "
                f"{money(abs(self.total))} in all."
            )
        if len(self.moves) == 1:
            return f"This {first.clause(past=past)}."
        directions = {move.difference > 0 for move in self.moves}
        uniform = len(directions) == 1
        if uniform:
            verb = _verb(first.difference, past=past)
            in_all = f"{money(abs(self.total))} in all"
        else:
            verb = _verb(Decimal(0), past=past)
            more = "more" if self.total >= 0 else "less"
            in_all = f"{money(abs(self.total))} {more} in all"
        listed = [
            move.clause(past=past, own=False, verb=not uniform) for move in self.moves[:MOST_LISTED]
        ]
        rest = len(self.moves) - MOST_LISTED
        if rest > 0:
            listed.append(f"and {rest} more")
        elif len(listed) > 1:
            listed[-1] = f"and {listed[-1]}"
        return (
            f"This {verb} {len(self.moves)} {MEMBER}s' {self.figure}s, {in_all}: "
            f"{'; '.join(listed)}."
        )


@dataclass(frozen=True)
class TrancheChange:
    """How a change moves the partners' immediate tranches and caps; false when it moves none."""

    figures: tuple[FigureChange, ...]

    def __bool__(self) -> bool:
        return bool(self.figures)

    def sentences(self, *, past: bool = False) -> list[str]:
        """Say each figure's moves, before saving ("raises") or after ("raised")."""
        return [figure.sentence(past=past) for figure in self.figures]

    @property
    def key(self) -> str:
        """Return the moves as text: a confirmation holds only for the very same moves."""
        return "|".join(
            f"{move.partner}:{move.figure}:{move.before}:{move.after}"
            for figure in self.figures
            for move in figure.moves
        )


def tranche_changes(
    before: Sequence[PartnerPosition],
    after: Sequence[PartnerPosition],
    names: Mapping[str, str],
) -> TrancheChange:
    """Return how each partner's immediate tranche and cap moved from before to after.

    ``names`` gives each partner's name by slug (a partner missing from it is named by slug).
    """
    old = {position.partner: position for position in before}
    new = {position.partner: position for position in after}
    slugs = sorted(old.keys() | new.keys())
    figures = []
    for attribute, figure in FIGURES:
        moves = []
        for slug in slugs:
            was = getattr(old[slug], attribute) if slug in old else None
            now = getattr(new[slug], attribute) if slug in new else None
            # A partner joining or leaving with nothing to pay moves nothing.
            if (was or ZERO) != (now or ZERO):
                moves.append(TrancheMove(slug, names.get(slug, slug), figure, was, now))
        if not moves:
            continue
        every = (
            len(moves) > 1
            and len(moves) == len(slugs)
            and len({(move.before, move.after) for move in moves}) == 1
            and moves[0].before is not None
            and moves[0].after is not None
        )
        figures.append(FigureChange(figure=figure, moves=tuple(moves), every=every))
    return TrancheChange(figures=tuple(figures))
