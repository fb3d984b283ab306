from decimal import Decimal

import factory

from projects.models import Contribution, Partner
from projects.money.vocabulary import ContributionStatus, Tranche
from tests.projects.factories import PartnershipFactory, ProgrammeFactory


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    partnership = factory.SubFactory(PartnershipFactory)
    slug = factory.Sequence(lambda n: f"council-{n:04d}")
    name = factory.Sequence(lambda n: f"Council {n}")
    contributes = True
    position = factory.Sequence(lambda n: n)


class ContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contribution

    programme = factory.SubFactory(ProgrammeFactory)
    partner = factory.SubFactory(
        PartnerFactory, partnership=factory.SelfAttribute("..programme.partnership")
    )
    financial_year = "2004/05"
    tranche = Tranche.IMMEDIATE
    amount = Decimal("10000.00")
    status = ContributionStatus.PLEDGED
