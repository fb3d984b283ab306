"""The Django admin is for superusers only: a partnership's administrator sees nothing in it.

A partnership's administrator is made staff and given every model permission there is, the
most anyone could grant by mistake; still no page of the admin (index, any changelist, any
change, add, delete or history page, the autocomplete that fills foreign keys) shows them
anything of another partnership, or of their own, and nothing they post there is saved.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from projects.models import Membership, Programme, ReportText, Role
from reports.models import IssuedReport, RenderState, ReportRender, sha256_hex
from tests.contributions.factories import ContributionFactory
from tests.projects.factories import MembershipFactory, PhaseFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-password-for-tests"


def partnership_rows(name: str) -> dict:
    """Make a partnership with one row of every kind the admin lists; return its rows."""
    project = PhaseFactory(
        project__programme__slug=f"{name}-2004",
        project__programme__name=f"{name.title()} Programme",
        project__programme__partnership__slug=name,
        project__programme__partnership__name=f"{name.title()} Partnership",
        project__name=f"{name.title()} Broadband",
        project__slug=f"{name}-broadband",
    ).project
    programme = project.programme
    contribution = ContributionFactory(
        programme=programme,
        partner__partnership=programme.partnership,
        partner__name=f"{name.title()} District Council",
    )
    member = MembershipFactory(
        partnership=programme.partnership,
        role=Role.FACILITATOR,
        user__username=f"{name}-facilitator",
    )
    pdf, figures = b"%PDF-1.7", "{}"
    text = ReportText.objects.create(
        programme=programme, slug="board-paper", title=f"{name.title()} Board Paper"
    )
    issued = IssuedReport.objects.create(
        programme=programme,
        paper=text,
        issued_by=member.user,
        meeting_date=date(2004, 6, 24),
        title=f"{name.title()} Medium Term Workload",
        pdf=pdf,
        pdf_sha256=sha256_hex(pdf),
        figures=figures,
        figures_sha256=sha256_hex(figures.encode()),
    )
    render = ReportRender.objects.create(
        programme=programme,
        fingerprint="0" * 64,
        state=RenderState.READY,
        report_date=date(2004, 6, 24),
    )
    return {
        "partnership": programme.partnership,
        "programme": programme,
        "project": project,
        "partner": contribution.partner,
        "contribution": contribution,
        "issuedreport": issued,
        "reportrender": render,
        "reporttext": text,
        "membership": member,
        "user": member.user,
    }


@pytest.fixture
def partnerships():
    return partnership_rows("anglia"), partnership_rows("borders")


@pytest.fixture
def council_admin(partnerships):
    """Partnership A's administrator: staff, with every model permission."""
    a, _ = partnerships
    user = UserFactory(username="council-admin", is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    user.user_permissions.set(Permission.objects.all())
    Membership.objects.create(user=user, partnership=a["partnership"], role=Role.ADMIN)
    return get_user_model().objects.get(pk=user.pk)


def admin_urls(obj=None, model=None) -> list[str]:
    """Return the admin's pages for a model: its list, add page, and the object's pages."""
    model = model or type(obj)
    info = model._meta.app_label, model._meta.model_name
    urls = [
        reverse("admin:{}_{}_changelist".format(*info)),
        reverse("admin:{}_{}_add".format(*info)),
    ]
    if obj is not None:
        urls += [
            reverse(f"admin:{info[0]}_{info[1]}_{page}", args=[obj.pk])
            for page in ("change", "delete", "history")
        ]
    return urls


def every_admin_page(partnerships) -> list[str]:
    rows = {key: value for side in partnerships for key, value in side.items()}
    by_model = {type(value): value for value in rows.values()}
    urls = [reverse("admin:index"), reverse("admin:app_list", args=["projects"])]
    for model in admin.site._registry:
        urls += admin_urls(by_model.get(model), model)
    # The objects of both partnerships, each by its own address.
    for side in partnerships:
        for obj in side.values():
            if type(obj) in admin.site._registry:
                urls += admin_urls(obj)
    urls.append(
        reverse("admin:autocomplete")
        + "?app_label=projects&model_name=membership&field_name=user&term="
    )
    return sorted(set(urls))


def assert_sent_to_sign_in(response, url):
    assert response.status_code == 302, (url, response.status_code)
    assert response.url.startswith(reverse("admin:login")), (url, response.url)


def test_every_admin_page_sends_a_partnership_administrator_to_sign_in(
    client, partnerships, council_admin
):
    client.force_login(council_admin)
    urls = every_admin_page(partnerships)
    assert len(urls) > 60
    for url in urls:
        assert_sent_to_sign_in(client.get(url), url)


def test_a_partnership_administrator_sees_no_partnerships_rows(client, partnerships, council_admin):
    """Not B's rows, nor A's: followed to the end, every page is the admin's sign-in page."""
    client.force_login(council_admin)
    names = [str(obj) for side in partnerships for obj in side.values()]
    for url in every_admin_page(partnerships):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert "not authorized to access this page" in text, url
        for name in names:
            assert name not in text, (url, name)


def test_nothing_a_partnership_administrator_posts_to_the_admin_is_saved(
    client, partnerships, council_admin
):
    _, b = partnerships
    client.force_login(council_admin)
    programme = b["programme"]
    change = reverse("admin:projects_programme_change", args=[programme.pk])
    response = client.post(
        change,
        {"name": "Taken over", "slug": programme.slug, "partnership": programme.partnership_id},
    )
    assert_sent_to_sign_in(response, change)
    delete = reverse("admin:contributions_contribution_delete", args=[b["contribution"].pk])
    assert_sent_to_sign_in(client.post(delete, {"post": "yes"}), delete)
    add = reverse("admin:projects_membership_add")
    response = client.post(
        add,
        {"user": council_admin.pk, "partnership": programme.partnership_id, "role": Role.ADMIN},
    )
    assert_sent_to_sign_in(response, add)
    assert Programme.objects.get(pk=programme.pk).name == programme.name
    assert type(b["contribution"]).objects.filter(pk=b["contribution"].pk).exists()
    assert not Membership.objects.filter(
        user=council_admin, partnership=programme.partnership
    ).exists()


def test_a_partnership_administrator_cannot_sign_in_to_the_admin(client, council_admin):
    response = client.post(
        reverse("admin:login"), {"username": "council-admin", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "for a superuser account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_superuser_still_sees_every_partnership(client, partnerships):
    superuser = UserFactory(username="operator", is_staff=True, is_superuser=True)
    superuser.set_password(PASSWORD)
    superuser.save()
    response = client.post(reverse("admin:login"), {"username": "operator", "password": PASSWORD})
    assert response.status_code == 302
    page = client.get(reverse("admin:projects_programme_changelist"))
    assert page.status_code == 200
    for side in partnerships:
        assert str(side["programme"]) in page.content.decode()
    for url in every_admin_page(partnerships):
        if "autocomplete" in url:
            continue
        assert client.get(url).status_code in {200, 403}, url  # 403: read-only admins' add


def test_an_inactive_superuser_is_refused(client):
    superuser = UserFactory(is_staff=True, is_superuser=True, is_active=False)
    client.force_login(superuser)
    assert_sent_to_sign_in(client.get(reverse("admin:index")), "index")
