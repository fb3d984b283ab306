"""Money is written one way everywhere: £15,000, with pence only where present."""

from decimal import Decimal

import pytest
from django.template import engines

from projects.money.formatting import money


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("15000"), "£15,000"),
        (Decimal("15000.00"), "£15,000"),
        (Decimal("15000.5"), "£15,000.50"),
        (Decimal("0.05"), "£0.05"),
        (Decimal("-1000.50"), "-£1,000.50"),
        (Decimal("0"), "£0"),
        (Decimal("-0.00"), "£0"),
        (Decimal("999999999999.99"), "£999,999,999,999.99"),
        (Decimal("1E+3"), "£1,000"),
        (7000, "£7,000"),
    ],
)
def test_an_amount_shows_pounds_with_commas_and_pence_only_where_present(amount, shown):
    assert money(amount) == shown


def test_a_missing_amount_shows_what_the_caller_asks_for():
    assert money(None) == ""
    assert money(None, "TBC") == "TBC"


def test_the_template_filter_writes_money_as_the_function_does():
    template = engines["django"].from_string("{% load govuk %}{{ a|money }} {{ b|money:'TBC' }}")
    amount = Decimal("15000.05")
    assert template.render({"a": amount, "b": None}) == f"{money(amount)} TBC"


def test_the_template_filter_keeps_a_negative_amount_on_one_line_with_its_sign():
    # A line may break after a hyphen-minus, which would leave the sign at the end of a line.
    template = engines["django"].from_string("{% load govuk %}{{ a|money }}")
    shown = template.render({"a": Decimal("-15000.05")})
    assert shown == '<span class="app-nowrap">-£15,000.05</span>'
