"""Amounts as people type them: read exactly, and a minus sign is never dropped, wherever it is."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from projects.fields import MoneyField, parse_amount

MINUS_SIGNS = ["-", "\u2212", "\u2013", "\u2014", "\u2010", "\ufe63", "\uff0d"]
SPACES = ["", " ", "  ", "\t", "\u00a0"]
PENNY = Decimal("0.01")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("£15,000", "15000.00"),
        ("15000", "15000.00"),
        ("15,000.50", "15000.50"),
        ("  £ 7,000 ", "7000.00"),
        ("£0.5", "0.50"),
        ("0", "0.00"),
        ("999,999,999,999.99", "999999999999.99"),
    ],
)
def test_amounts_are_read_exactly(typed, expected):
    assert parse_amount(typed) == Decimal(expected)


@pytest.mark.parametrize(
    "typed",
    [
        "£-5",
        "-£5",
        "£5-",
        "- £5",
        "£ -5",
        "(5)",
        "£(5)",
        "(£5)",
        "5-",
        "\u2212£5",
        "£\u20135",
        "-0",
        "£\u22121,000",
    ],
)
def test_every_placement_of_a_minus_sign_is_refused_as_negative(typed):
    with pytest.raises(ValidationError) as error:
        parse_amount(typed)
    assert error.value.code == "negative"
    assert error.value.messages == ["Enter an amount that is not negative."]


@pytest.mark.parametrize(
    "typed",
    [
        "+5",
        "£+5",
        "5+",
        "$5",
        "€5",
        "5£",
        "GBP 5",
        "5p",
        "1 5",
        "15 000",
        "1,00",
        "£",
        "",
        "--",
        "££5",
        "5.",
        ".5",
        "1e3",
        "\uff15",
        "\u0665",
        "5,000.5.0",
        "£-",
        "(x)",
    ],
)
def test_what_is_not_an_amount_in_pounds_is_refused(typed):
    with pytest.raises(ValidationError) as error:
        parse_amount(typed)
    assert error.value.code == "invalid"


def test_more_than_two_decimal_places_is_explained():
    with pytest.raises(ValidationError, match="pounds and pence"):
        parse_amount("15,000.505")


def test_an_amount_of_a_trillion_or_more_is_refused():
    with pytest.raises(ValidationError) as error:
        parse_amount("1,000,000,000,000")
    assert error.value.code == "too_large"


amounts = st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2)


@st.composite
def typed_amounts(draw) -> tuple[str, Decimal]:
    """Return an amount written as a person might write it, and its value."""
    amount = draw(amounts)
    whole, pence = f"{amount:.2f}".split(".")
    number = f"{int(whole):,}" if draw(st.booleans()) else whole
    if draw(st.booleans()) or pence != "00":
        number += "." + (pence if draw(st.booleans()) else pence.rstrip("0") or "0")
    pound = draw(st.sampled_from(["", "£"]))
    typed = draw(st.sampled_from(SPACES)) + pound
    typed += draw(st.sampled_from(SPACES)) if pound else ""
    typed += number + draw(st.sampled_from(SPACES))
    return typed, amount


@given(typed_amounts())
def test_an_amount_written_any_usual_way_is_read_exactly(written):
    typed, amount = written
    assert parse_amount(typed) == amount
    assert parse_amount(typed).as_tuple().exponent == -2


@given(typed_amounts(), st.sampled_from([*MINUS_SIGNS, "(", ")"]), st.data())
def test_a_minus_sign_anywhere_in_an_amount_is_never_dropped(written, sign, data):
    typed, _ = written
    where = data.draw(st.integers(min_value=0, max_value=len(typed)))
    signed = typed[:where] + sign + typed[where:]
    with pytest.raises(ValidationError) as error:
        parse_amount(signed)
    assert error.value.code in {"negative", "invalid"}


TOKENS = st.sampled_from(
    [
        *MINUS_SIGNS,
        "+",
        "(",
        ")",
        "£",
        "$",
        "€",
        "GBP",
        " ",
        "\u00a0",
        "\t",
        ",",
        ".",
        "0",
        "5",
        "12",
        "000",
        "1,000",
        "e",
        "\u0663",
        "\uff15",
    ]
)


@given(st.lists(TOKENS, max_size=10).map("".join))
def test_signs_spaces_and_currency_symbols_in_any_order_are_read_exactly_or_refused(typed):
    try:
        amount = parse_amount(typed)
    except ValidationError as error:
        assert error.messages and error.messages[0].startswith("Enter an amount")
        return
    assert amount >= 0
    assert amount == amount.quantize(PENNY)
    # A kept amount carries no sign or foreign symbol, and its digits are exactly what was typed.
    assert not any(mark in typed for mark in [*MINUS_SIGNS, "+", "(", ")", "$", "€", "GBP"])
    digits = typed.replace("£", "").replace(",", "").strip()
    assert amount == Decimal(digits)


def test_the_money_field_refuses_a_sign_after_the_pound_sign():
    with pytest.raises(ValidationError, match="Amount must be £0 or more"):
        MoneyField().clean("£-5")


def test_the_money_field_names_itself_in_its_messages():
    field = MoneyField(label="Extra cost")
    for typed, message in [
        ("", "Enter the extra cost"),
        ("lots", "Extra cost must be an amount in pounds, like £15,000 or 15000.50"),
        ("-5", "Extra cost must be £0 or more"),
        ("5.001", "Extra cost must be in pounds and pence, like 15,000.50"),
        ("1" * 13, "Extra cost must be less than £1,000,000,000,000"),
    ]:
        with pytest.raises(ValidationError) as error:
            field.clean(typed)
        assert error.value.messages == [message]
