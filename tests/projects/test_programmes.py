"""Programme pages: landing, overview, settings with version checks, and starting a programme."""

import re
from decimal import Decimal
from html import unescape
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from projects.models import Contribution, Membership, Phase, Programme, Project, Role
from projects.rules import PROGRAMME_RESERVED_SLUGS, is_slug
from tests.contributions.factories import ContributionFactory, PartnerFactory
from tests.dates import as_typed, date_parts
from tests.projects.factories import MembershipFactory, ProgrammeFactory, UserFactory
from tests.tranches import post_confirmed

pytestmark = pytest.mark.django_db

SLUG = "norfolk-connect-2004"


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.get(slug=SLUG)


def login(client, username):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))
    return client


def settings_data(programme, **changes):
    data = {
        "name": programme.name,
        "starts": "2004-07-01",
        "ends": "2005-12-31",
        "financial_years": "2004/05, 2005/06",
        "apportionment": "equal",
        "rounding_step": "£10,000",
        "stated_existing_total": "165,000",
        "stated_extra_total": "175000.00",
        "version": programme.version,
    }
    data.update(changes)
    return as_typed(data)


LANDINGS = {
    "chief-executive": reverse("reports:dashboard", args=[SLUG]),
    "partner-officer": reverse("reports:partner", args=[SLUG, "broadland"]),
    "facilitator": reverse("projects:programme_home", args=[SLUG]),
    "admin": reverse("projects:programme_home", args=[SLUG]),
}


@pytest.mark.parametrize("username", LANDINGS)
def test_home_takes_a_member_of_one_programme_straight_to_their_roles_page(client, demo, username):
    """A chief executive lands on the dashboard, a partner officer on their council's page,
    and those who keep the programme on its home, which leads with what needs doing."""
    response = login(client, username).get("/")
    assert response.status_code == 302
    assert response.url == LANDINGS[username]
    assert client.get(response.url).status_code == 200


def test_programme_home_shows_the_money_and_the_mismatch_to_facilitators(client, demo):
    response = login(client, "facilitator").get(reverse("projects:programme_home", args=[SLUG]))
    text = response.content.decode()
    assert "£175,000" in text and "£75,000" in text and "up to £30,000" in text
    assert "Stated £165,000, but the lines add up to £175,000: £10,000 apart" in text
    assert reverse("projects:programme_settings", args=[SLUG]) in text


def test_chief_executive_sees_no_settings_link_and_gets_403_on_settings(client, demo):
    login(client, "chief-executive")
    response = client.get(reverse("projects:programme_home", args=[SLUG]))
    assert reverse("projects:programme_settings", args=[SLUG]) not in response.content.decode()
    url = reverse("projects:programme_settings", args=[SLUG])
    assert client.get(url).status_code == 403
    assert client.post(url, settings_data(demo, name="Hijacked")).status_code == 403
    assert Programme.objects.get().name == demo.name


def test_another_partnerships_programme_answers_404(client, demo):
    other = ProgrammeFactory()
    login(client, "facilitator")
    for name in ["programme_home", "programme_settings", "project_list"]:
        assert client.get(reverse(f"projects:{name}", args=[other.slug])).status_code == 404
    assert client.get(reverse("projects:programme_home", args=["no-such-thing"])).status_code == 404


def test_facilitator_changes_the_rounding_step_and_the_cap_follows(client, demo):
    login(client, "facilitator")
    url = reverse("projects:programme_settings", args=[SLUG])
    response = post_confirmed(client, url, settings_data(demo, rounding_step="1,000"))
    assert response.status_code == 302
    demo.refresh_from_db()
    assert demo.rounding_step == Decimal("1000.00")
    assert demo.version == 2
    assert demo.history.first().history_user.username == "facilitator"
    home = client.get(reverse("projects:programme_home", args=[SLUG])).content.decode()
    assert "up to £22,000" in home


def test_stale_settings_are_refused_with_what_changed(client, demo):
    login(client, "facilitator")
    url = reverse("projects:programme_settings", args=[SLUG])
    stale = settings_data(demo, name="Mine")
    assert post_confirmed(client, url, settings_data(demo, rounding_step="5000")).status_code == 302
    response = client.post(url, stale)
    assert response.status_code == 409
    text = response.content.decode()
    assert "Someone else changed this" in text
    assert "£10,000" in text and "£5,000" in text
    demo.refresh_from_db()
    assert demo.name != "Mine" and demo.rounding_step == Decimal("5000.00")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("rounding_step", "-10", "Rounding step must be more than £0, or leave it empty"),
        ("rounding_step", "0", "Rounding step must be more than £0, or leave it empty"),
        ("stated_existing_total", "lots", "Stated existing resource total must be an amount"),
        ("stated_extra_total", "1,000,000,000,000,000", "Stated extra cost total must be less"),
        ("financial_years", "2004/06", "not one"),
        ("financial_years", "", "Enter at least one financial year"),
        ("ends", "2003-01-01", "Programme end date must be the same as or after its start date"),
        ("ends", ("31", "4", "2005"), "Programme end date must be a real date"),
        ("name", "x" * 201, "Programme name must be 200 characters or less"),
        ("version", "abc", "This form was changed in a way it cannot be read"),
    ],
)
def test_bad_settings_get_a_clear_error_and_change_nothing(client, demo, field, value, message):
    login(client, "facilitator")
    url = reverse("projects:programme_settings", args=[SLUG])
    response = client.post(url, settings_data(demo, **{field: value}))
    assert response.status_code == 200
    text = response.content.decode()
    assert message in text
    assert "There is a problem" in text
    assert "<title>Error:" in text
    assert Programme.objects.get().version == 1


def test_dropping_a_year_with_contributions_is_refused(client, demo):
    ContributionFactory(
        programme=demo, partner=demo.partnership.partners.first(), financial_year="2005/06"
    )
    login(client, "facilitator")
    url = reverse("projects:programme_settings", args=[SLUG])
    response = client.post(url, settings_data(demo, financial_years="2004/05"))
    assert response.status_code == 200
    assert "Contributions are recorded for 2005/06" in response.content.decode()
    demo.refresh_from_db()
    assert demo.financial_years == ["2004/05", "2005/06"] and demo.version == 1


def test_facilitator_starts_an_empty_programme(client, demo):
    login(client, "facilitator")
    response = client.post(
        reverse("projects:programme_create"),
        {
            "partnership": demo.partnership.pk,
            "name": "Norfolk Connect 2006",
            "slug": "norfolk-connect-2006",
            "financial_years": "2006/07",
            "apportionment": "equal",
        },
    )
    assert response.status_code == 302
    new = Programme.objects.get(slug="norfolk-connect-2006")
    assert new.partnership == demo.partnership and new.projects.count() == 0


def test_facilitator_copies_a_programme_for_the_next_period(client, demo):
    Phase.objects.filter(project__slug="authentication-gateway", number=2).update(
        decision="approved"
    )
    ContributionFactory(programme=demo, partner=demo.partnership.partners.first())
    login(client, "facilitator")
    response = client.post(
        reverse("projects:programme_create"),
        {
            "partnership": demo.partnership.pk,
            "name": "Norfolk Connect 2006",
            "slug": "norfolk-connect-2006",
            "copy_from": demo.pk,
            "financial_years": "2006/07, 2007/08",
            "apportionment": "equal",
            "rounding_step": "1000",
        },
    )
    assert response.status_code == 302
    new = Programme.objects.get(slug="norfolk-connect-2006")
    assert new.projects.count() == 10
    assert not Phase.objects.filter(project__programme=new, decision="approved").exists()
    assert not Contribution.objects.filter(programme=new).exists()
    assert Project.objects.filter(programme=demo).count() == 10  # the source is untouched


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Norfolk Connect 2006", "norfolk-connect-2006"),
        ("Norfolk Connect 2004", "norfolk-connect-2004-2"),  # taken: numbered on
        ("New", "new-2"),  # a word the pages use
        ("Café & Co_op: Phase II!", "cafe-co-op-phase-ii"),
        ("££££", "programme"),
        ("A" * 49 + " b", "a" * 49),
    ],
)
def test_a_new_programme_gets_its_slug_from_its_name(client, demo, name, slug):
    login(client, "facilitator")
    response = client.post(
        reverse("projects:programme_create"),
        {
            "partnership": demo.partnership.pk,
            "name": name,
            "slug": "ignored-slug",  # a slug is no longer asked for, nor taken from the form
            "financial_years": "2006/07",
            "apportionment": "equal",
        },
    )
    assert response.status_code == 302
    created = Programme.objects.get(name=name)
    assert created.slug == slug
    assert is_slug(created.slug) and created.slug not in PROGRAMME_RESERVED_SLUGS
    assert response["Location"].endswith(f"/programmes/{slug}/")


def test_only_editors_start_programmes_and_only_in_their_partnership(client, demo):
    login(client, "chief-executive")
    assert client.get(reverse("projects:programme_create")).status_code == 403
    outsider = MembershipFactory(role=Role.FACILITATOR)
    client.force_login(outsider.user)
    response = client.post(
        reverse("projects:programme_create"),
        {
            "partnership": demo.partnership.pk,  # not theirs
            "name": "x",
            "slug": "sneaky",
            "financial_years": "2006/07",
            "apportionment": "equal",
            "copy_from": demo.pk,
        },
    )
    assert response.status_code == 200
    assert not Programme.objects.filter(slug="sneaky").exists()


@pytest.mark.parametrize("username", LANDINGS)
def test_a_member_of_several_programmes_chooses_one_then_lands_on_their_roles_page(
    client, demo, username
):
    second = ProgrammeFactory(partnership=demo.partnership, slug="second", name="Second")
    login(client, username)
    assert client.get("/").url == reverse("projects:programme_list")
    html = client.get(reverse("projects:programme_list")).content.decode()
    # Each programme's link goes to the same role's page within that programme.
    for slug in (SLUG, second.slug):
        url = LANDINGS[username].replace(SLUG, slug)
        assert f'href="{url}"' in html
        assert client.get(url).status_code == 200


def test_a_partner_officer_of_two_partnerships_lands_on_each_ones_council(client, demo):
    """The membership of each programme's partnership names the council to land on."""
    officer = Membership.objects.get(user__username="partner-officer")
    other = ProgrammeFactory(slug="elsewhere")
    council = PartnerFactory(partnership=other.partnership, slug="elsewhere-council")
    MembershipFactory(
        user=officer.user, partnership=other.partnership, role=Role.PARTNER_OFFICER,
        partner=council,
    )  # fmt: skip
    html = login(client, "partner-officer").get(reverse("projects:programme_list")).content
    assert reverse("reports:partner", args=[SLUG, "broadland"]).encode() in html
    assert reverse("reports:partner", args=["elsewhere", "elsewhere-council"]).encode() in html
    not_theirs = reverse("reports:partner", args=["elsewhere", "broadland"])
    assert client.get(not_theirs).status_code == 404


def test_user_without_membership_sees_no_programme(client, demo):
    client.force_login(UserFactory())
    assert client.get(reverse("projects:programme_home", args=[SLUG])).status_code == 404
    assert Membership.objects.filter(partnership=demo.partnership).count() == 4


@pytest.mark.parametrize("method", ["weights", "population"])
def test_a_method_the_partners_lack_figures_for_is_refused(client, demo, method):
    login(client, "facilitator")
    url = reverse("projects:programme_settings", args=[SLUG])
    response = client.post(url, settings_data(demo, apportionment=method))
    assert response.status_code == 200
    assert "Every contributing partner needs" in response.content.decode()
    demo.refresh_from_db()
    assert demo.apportionment == "equal" and demo.version == 1


def test_population_method_is_accepted_once_partners_have_populations(client, demo):
    for number, partner in enumerate(demo.partnership.partners.all(), start=1):
        partner.population = 100_000 * number
        partner.save()
    login(client, "facilitator")
    url = reverse("projects:programme_settings", args=[SLUG])
    assert (
        post_confirmed(client, url, settings_data(demo, apportionment="population")).status_code
        == 302
    )
    home = client.get(reverse("projects:programme_home", args=[SLUG]))
    assert home.status_code == 200


def test_overview_explains_figures_it_cannot_work_out(client, demo):
    # Only the admin site could leave a programme like this; the overview must still answer.
    Programme.objects.filter(pk=demo.pk).update(apportionment="population")
    login(client, "facilitator")
    response = client.get(reverse("projects:programme_home", args=[SLUG]))
    assert response.status_code == 200
    assert "cannot be worked out" in response.content.decode()


def test_the_error_summary_repeats_each_fields_message_and_links_to_it(client):
    membership = MembershipFactory(role=Role.FACILITATOR)
    client.force_login(membership.user)
    response = client.post(
        reverse("projects:programme_create"),
        {
            "partnership": membership.partnership.pk,
            "name": "",
            "financial_years": "",
            "apportionment": "equal",
            **date_parts("starts", ("1", "", "2006")),
        },
    )
    html = unescape(response.content.decode())
    assert response.status_code == 200
    summary = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', html)
    assert summary == [
        ("id_name", "Enter the programme's name"),
        ("id_starts-month", "Programme start date must include a month"),
        ("id_financial_years", "Enter at least one financial year, like 2004/05"),
    ]
    for anchor, message in summary:
        assert f"</span> {message}</p>" in html  # beside its field too
        assert f'id="{anchor}"' in html
    assert "None:" not in html and "Slug" not in html
