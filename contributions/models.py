"""Partner councils and the contributions they pledge and pay to a programme."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from projects import rules
from projects.models import MONEY, NAME, NOT_NEGATIVE, TEXT, SlugField
from projects.money.vocabulary import ContributionStatus, Tranche
from projects.validators import validate_financial_year


class Partner(models.Model):
    """A member body of a partnership."""

    partnership = models.ForeignKey(
        "projects.Partnership", on_delete=models.CASCADE, related_name="partners"
    )
    slug = SlugField()
    name = models.CharField(max_length=rules.NAME_MAX_LENGTH, validators=NAME)
    contributes = models.BooleanField(
        default=True, help_text="Whether it shares the programme's extra cost."
    )
    population = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(rules.POPULATION_MAX)],
        help_text="Used when costs are apportioned by population.",
    )
    weight = models.DecimalField(
        "agreed weight",
        max_digits=rules.WEIGHT_MAX_WHOLE_DIGITS + rules.WEIGHT_DECIMAL_PLACES,
        decimal_places=rules.WEIGHT_DECIMAL_PLACES,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Used when costs are apportioned by agreed weights (a percentage, say).",
    )
    ieg_grant = models.DecimalField(
        "IEG grant",
        **MONEY,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text="Its Implementing Electronic Government grant, which the contribution is paid "
        "out of. Optional: when given, its statement shows the contribution as a share of it.",
    )
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "slug"],
                name="partner_slug_unique_in_partnership",
                violation_error_message="A partner with this slug is already in the partnership.",
            ),
            models.CheckConstraint(
                condition=Q(weight__isnull=True) | Q(weight__gte=0),
                name="partner_weight_not_negative",
                violation_error_message="The agreed weight must not be negative.",
            ),
            models.CheckConstraint(
                condition=Q(ieg_grant__isnull=True) | Q(ieg_grant__gte=0),
                name="partner_ieg_grant_not_negative",
                violation_error_message="The IEG grant must not be negative.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Contribution(models.Model):
    """Money a partner pledges to a programme for one financial year and tranche."""

    programme = models.ForeignKey(
        "projects.Programme", on_delete=models.CASCADE, related_name="contributions"
    )
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="contributions")
    financial_year = models.CharField(max_length=7, validators=[validate_financial_year])
    tranche = models.CharField(max_length=20, choices=Tranche.choices)
    amount = models.DecimalField(**MONEY, validators=NOT_NEGATIVE)
    status = models.CharField(
        max_length=20, choices=ContributionStatus.choices, default=ContributionStatus.PLEDGED
    )
    pledged_on = models.DateField(null=True, blank=True)
    invoiced_on = models.DateField(null=True, blank=True)
    received_on = models.DateField(null=True, blank=True)
    returned_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True, validators=TEXT)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "financial_year", "partner__position", "tranche"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "partner", "financial_year", "tranche"],
                name="contribution_one_per_partner_year_tranche",
                violation_error_message="The partner already has a contribution for this "
                "financial year and tranche.",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="contribution_amount_not_negative",
                violation_error_message="The amount must not be negative.",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.partner} {self.financial_year} {self.get_tranche_display()}: £{self.amount:,}"
        )
