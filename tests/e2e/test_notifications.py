"""The email preferences page and the unsubscribe page: no axe violation at 1366 or 320 pixels,
reflowing at 320, and working as a person uses them."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from norfolk_connect.notifications import rules
from norfolk_connect.notifications.mail import unsubscribe_token
from norfolk_connect.notifications.models import OptOut, Preference
from tests.e2e.conftest import axe_violations, reflow_problems, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 320, "height": 640}


def check_both_widths(page) -> list[str]:
    page.set_viewport_size(DESKTOP)
    problems = [f"at 1366: {v}" for v in axe_violations(page)]
    page.set_viewport_size(PHONE)
    problems += [f"at 320: {p}" for p in reflow_problems(page)]
    problems += [f"at 320: {v}" for v in axe_violations(page)]
    page.set_viewport_size(DESKTOP)
    return problems


def test_the_preferences_page_saves_a_choice_and_has_no_axe_violation(page, demo):
    get_user_model().objects.filter(username="facilitator").update(email="facilitator@example.org")
    sign_in(page, "facilitator")
    page.goto(reverse("account_notifications"))
    expect(page.get_by_role("heading", name="Your email notifications")).to_be_visible()
    assert check_both_widths(page) == []
    page.get_by_role("group", name="A risk is past its review date").get_by_label(
        "A weekly digest"
    ).check()
    page.get_by_role("button", name="Save your preferences").click()
    expect(page.get_by_text("Your email preferences have been saved")).to_be_visible()
    assert Preference.objects.get(kind=rules.RISK_REVIEW).delivery == rules.WEEKLY
    assert check_both_widths(page) == []


def test_the_unsubscribe_page_asks_then_unsubscribes_without_a_sign_in(page, demo):
    token = unsubscribe_token("chief@example.org", rules.PAPER_ISSUED)
    page.goto(reverse("notifications:unsubscribe", args=[token]))
    expect(page.get_by_role("heading", name="Unsubscribe")).to_be_visible()
    assert not OptOut.objects.exists()  # opening the link unsubscribes nobody
    assert check_both_widths(page) == []
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    assert OptOut.objects.filter(email="chief@example.org").exists()
    assert check_both_widths(page) == []
