from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from projects.models import (
    FundingLine,
    Membership,
    Milestone,
    OutcomeClaim,
    Partnership,
    Phase,
    Programme,
    Project,
    ReportText,
    Risk,
    Role,
    StatusUpdate,
)
from projects.money.vocabulary import (
    Borne,
    Decision,
    FundingKind,
    FundingStatus,
    Grade,
    Rag,
    RiskStatus,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user-{n}")
    password = factory.django.Password("correct horse battery")


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    slug = factory.Sequence(lambda n: f"partnership-{n}")
    name = factory.Sequence(lambda n: f"Partnership {n}")
    strategy = "Community strategy"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    partnership = factory.SubFactory(PartnershipFactory)
    role = Role.FACILITATOR


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    partnership = factory.SubFactory(PartnershipFactory)
    slug = factory.Sequence(lambda n: f"programme-{n}")
    name = factory.Sequence(lambda n: f"Programme {n}")
    financial_years = ["2004/05", "2005/06"]
    rounding_step = Decimal("1000.00")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    programme = factory.SubFactory(ProgrammeFactory)
    slug = factory.Sequence(lambda n: f"project-{n}")
    name = factory.Sequence(lambda n: f"Project {n}")
    position = factory.Sequence(lambda n: n)


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phase

    project = factory.SubFactory(ProjectFactory)
    number = 1
    name = "Delivery"
    extra_cost = Decimal("1000.00")
    gated = False
    decision = Decision.PENDING
    borne = Borne.SHARED


class FundingLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingLine

    project = factory.SubFactory(ProjectFactory)
    source = "Local budget"
    kind = FundingKind.LOCAL
    amount = Decimal("500.00")
    status = FundingStatus.SECURED


class OutcomeClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutcomeClaim

    project = factory.SubFactory(ProjectFactory)
    grade = Grade.REQUIRED


class PaperFactory(factory.django.DjangoModelFactory):
    """A paper of a programme: a board report's words, for a meeting."""

    class Meta:
        model = ReportText

    programme = factory.SubFactory(ProgrammeFactory)
    slug = factory.Sequence(lambda n: f"paper-{n}")
    title = factory.Sequence(lambda n: f"Paper {n}")


def paper_of(programme) -> ReportText:
    """Return the programme's paper being prepared (the newest), saving one if it has none."""
    paper = ReportText.objects.filter(programme=programme).order_by("-pk").first()
    return paper if paper is not None else PaperFactory(programme=programme)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Milestone {n}")
    baseline = date(2005, 3, 31)


class StatusUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusUpdate

    project = factory.SubFactory(ProjectFactory)
    status = Rag.GREEN
    date = date(2004, 9, 1)
    reason = "On track"


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Risk

    programme = factory.SubFactory(ProgrammeFactory)
    reference = factory.Sequence(lambda n: f"R{n}")
    description = factory.Sequence(lambda n: f"Risk {n}")
    likelihood = 3
    impact = 3
    status = RiskStatus.OPEN
