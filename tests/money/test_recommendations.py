"""A paper's recommendations, one by one, as a meeting decides on them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from projects.money.recommendations import recommendation_items

SEED = (
    "Chief Executives are recommended to agree:\n\n"
    "- The list of medium term work to be carried out as suggested\n"
    "- To agree a contribution of up to {cap_per_partner} each over the "
    "{financial_years_count} financial years {financial_years_span} with "
    "{immediate_per_partner} each to be made available immediately, the rest subject to a "
    "review early autumn this year"
)


def test_the_seeds_two_recommendations_the_second_about_the_contributions():
    items = recommendation_items(SEED)
    assert [item.number for item in items] == [1, 2]
    assert items[0].source == "The list of medium term work to be carried out as suggested"
    assert [item.contributions for item in items] == [False, True]


def test_word_bullets_numbers_and_continuation_lines_are_items():
    source = "Agree:\n\n· One\n  carried on\n2) Two\n\nA closing remark."
    assert [item.source for item in recommendation_items(source)] == ["One carried on", "Two"]


def test_without_a_list_each_paragraph_but_a_lead_in_is_a_recommendation():
    source = (
        "The board is asked:\n\nTo note the report.\n\nTo agree the {contribution_recommendation}."
    )
    items = recommendation_items(source)
    assert [item.source for item in items] == [
        "To note the report.",
        "To agree the {contribution_recommendation}.",
    ]
    assert items[1].contributions


def test_an_empty_section_has_none():
    assert recommendation_items("") == []
    assert recommendation_items("\n\n  \n") == []


words = st.text(alphabet="abcdefgh ", min_size=1, max_size=30).filter(lambda w: w.strip())


@given(st.lists(words, min_size=1, max_size=12))
def test_every_list_item_is_one_recommendation_numbered_in_order(items):
    source = "Recommended:\n\n" + "\n".join(f"- {item}" for item in items)
    found = recommendation_items(source)
    assert [item.number for item in found] == list(range(1, len(items) + 1))
    assert [item.source for item in found] == [item.strip() for item in items]
