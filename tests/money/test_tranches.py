"""How a change moves the partners' immediate tranches and caps, in words."""

from __future__ import annotations

import re
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from projects.money.shares import PartnerPosition
from projects.money.tranches import tranche_changes

ZERO = Decimal("0.00")
NAMES = {"broadland": "Broadland", "norwich": "Norwich", "breckland": "Breckland"}


def position(slug: str, immediate: str, cap: str) -> PartnerPosition:
    return PartnerPosition(
        partner=slug,
        share_min=ZERO,
        share_max=ZERO,
        immediate=Decimal(immediate),
        cap=Decimal(cap),
        pledged=ZERO,
        received=ZERO,
        outstanding=ZERO,
    )


def positions(**figures: tuple[str, str]) -> list[PartnerPosition]:
    return [position(slug, *pair) for slug, pair in figures.items()]


def test_a_change_that_moves_nothing_says_nothing():
    same = positions(broadland=("10000", "30000"), norwich=("10000", "30000"))
    change = tranche_changes(same, same, NAMES)
    assert not change
    assert change.sentences() == []


def test_every_council_raised_alike_is_one_sentence_with_the_total():
    before = [position(f"c{n}", "10000", "30000") for n in range(8)]
    after = [position(f"c{n}", "20000", "30000") for n in range(8)]
    change = tranche_changes(before, after, {})
    assert change.sentences() == [
        "This raises every council's immediate tranche from £10,000 to £20,000, £80,000 in all."
    ]
    assert change.sentences(past=True) == [
        "This raised every council's immediate tranche from £10,000 to £20,000, £80,000 in all."
    ]


def test_every_council_lowered_alike_says_lowers():
    before = positions(broadland=("10000", "40000"), norwich=("10000", "40000"))
    after = positions(broadland=("10000", "30000"), norwich=("10000", "30000"))
    assert tranche_changes(before, after, NAMES).sentences() == [
        "This lowers every council's cap from £40,000 to £30,000, £20,000 in all."
    ]


def test_one_councils_move_is_named():
    before = positions(broadland=("10000", "30000"), norwich=("10000", "30000"))
    after = positions(broadland=("10000", "40000"), norwich=("10000", "30000"))
    assert tranche_changes(before, after, NAMES).sentences() == [
        "This raises Broadland's cap from £30,000 to £40,000."
    ]


def test_mixed_moves_are_listed_with_the_net_total_to_the_penny():
    before = positions(
        broadland=("10000", "30000"), breckland=("10000", "30000"), norwich=("10000", "30000")
    )
    after = positions(
        broadland=("10000.01", "30000"), breckland=("10000", "30000"), norwich=("9000", "30000")
    )
    assert tranche_changes(before, after, NAMES).sentences() == [
        "This changes 2 councils' immediate tranches, £999.99 less in all: raises Broadland's "
        "from £10,000 to £10,000.01; and lowers Norwich's from £10,000 to £9,000."
    ]


def test_some_councils_raised_differently_list_at_most_three_and_count_the_rest():
    before = [position(f"c{n}", "10000", "30000") for n in range(6)]
    after = [position(f"c{n}", str(11000 + n * 1000), "30000") for n in range(5)]
    after.append(position("c5", "10000", "30000"))
    names = {f"c{n}": f"Council {n}" for n in range(6)}
    (sentence,) = tranche_changes(before, after, names).sentences()
    assert sentence == (
        "This raises 5 councils' immediate tranches, £15,000 in all: Council 0's from £10,000 "
        "to £11,000; Council 1's from £10,000 to £12,000; Council 2's from £10,000 to £13,000; "
        "and 2 more."
    )


def test_a_partner_joining_or_leaving_is_given_or_loses_its_figures():
    before = positions(broadland=("10000", "30000"), norwich=("10000", "30000"))
    after = positions(norwich=("20000", "30000"), breckland=("20000", "30000"))
    sentences = tranche_changes(before, after, NAMES).sentences()
    assert sentences[0] == (
        "This changes 3 councils' immediate tranches, £20,000 more in all: gives Breckland an "
        "immediate tranche of £20,000; takes away Broadland's of £10,000; and raises Norwich's "
        "from £10,000 to £20,000."
    )


def test_the_key_differs_when_the_effect_does():
    before = positions(broadland=("10000", "30000"))
    one = tranche_changes(before, positions(broadland=("20000", "30000")), NAMES)
    other = tranche_changes(before, positions(broadland=("30000", "30000")), NAMES)
    same = tranche_changes(before, positions(broadland=("20000", "30000")), NAMES)
    assert one.key == same.key != other.key


AMOUNT = st.decimals(min_value=0, max_value=10_000_000, places=2)


def pounds(text: str) -> Decimal:
    return Decimal(text.replace("£", "").replace(",", ""))


@given(
    st.dictionaries(
        st.sampled_from([f"c{n}" for n in range(10)]),
        st.tuples(AMOUNT, AMOUNT, AMOUNT, AMOUNT),
        min_size=1,
    )
)
def test_the_sentences_total_is_the_sum_of_the_partners_differences(figures):
    before = [position(slug, str(a), str(b)) for slug, (a, b, _, _) in figures.items()]
    after = [position(slug, str(c), str(d)) for slug, (_, _, c, d) in figures.items()]
    change = tranche_changes(before, after, {})
    for figure, attribute in ((0, "immediate"), (1, "cap")):
        differences = sum(
            (
                getattr(new, attribute) - getattr(old, attribute)
                for old, new in zip(before, after, strict=True)
            ),
            ZERO,
        )
        moved = [f for f in change.figures if f.figure == ("immediate tranche", "cap")[figure]]
        if not moved:
            assert differences == 0
            continue
        (figure_change,) = moved
        assert figure_change.total == differences
        sentence = figure_change.sentence(past=False)
        in_all = re.search(r"(£[\d,]+(?:\.\d\d)?)( more| less)? in all", sentence)
        if in_all is None:  # one partner's move: from and to say it
            old, new = re.findall(r"£[\d,]+(?:\.\d\d)?", sentence)
            assert pounds(new) - pounds(old) == differences
        else:
            sign = -1 if in_all.group(2) == " less" else 1
            if in_all.group(2) is None and "lowers" in sentence:
                sign = -1
            assert sign * pounds(in_all.group(1)) == differences


def test_a_partner_joining_with_nothing_to_pay_moves_nothing():
    assert not tranche_changes([], positions(broadland=("0", "0")), NAMES)
