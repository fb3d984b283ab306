"""A programme's data: partnerships and their partners, programmes, projects, phases, funding,
outcome claims, contributions and the board report's words.

Every app builds on these; the partners' and contributions' pages live in ``contributions`` and
the report's in ``reports``, whose labels the partner, contribution and report text keep.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from . import rules
from .money.document import REFERENCE_MAX_LENGTH, REPORT_LINE_MAX_LENGTH
from .money.vocabulary import (
    Apportionment,
    Borne,
    ContributionStatus,
    Decision,
    FundingKind,
    FundingStatus,
    Grade,
    PaperTemplate,
    ProjectStatus,
    Rag,
    RefundKind,
    Resolution,
    RiskStatus,
    Tranche,
)
from .report_text import validate_placeholders, validate_report_text
from .validators import (
    SlugFormField,
    validate_financial_year,
    validate_financial_years,
    validate_no_nul,
    validate_not_blank,
    validate_programme_slug,
    validate_project_slug,
    validate_single_line,
    validate_slug,
    validate_telephone,
)

MONEY = {
    "max_digits": rules.AMOUNT_MAX_WHOLE_DIGITS + rules.AMOUNT_DECIMAL_PLACES,
    "decimal_places": rules.AMOUNT_DECIMAL_PLACES,
}
NOT_NEGATIVE = [MinValueValidator(Decimal("0"))]
# Every name and text the programme file holds: no NUL, and a name says something.
TEXT = [validate_no_nul]
NAME = [validate_not_blank, validate_no_nul]
# A named person: one line, since it goes into an email's To header and a paper's contact line.
PERSON = [validate_not_blank, validate_no_nul, validate_single_line]


def person_name(label: str, help_text: str) -> models.CharField:
    return models.CharField(
        label, max_length=rules.NAME_MAX_LENGTH, blank=True, validators=PERSON, help_text=help_text
    )


def person_email(label: str, help_text: str) -> models.EmailField:
    return models.EmailField(
        label, max_length=rules.EMAIL_MAX_LENGTH, blank=True, help_text=help_text
    )


class SlugField(models.SlugField):
    """A slug by the programme file's rule: lower-case ASCII words joined by single hyphens.

    Django's own slug also takes upper case and underscores, which the file refuses.
    """

    default_validators = [validate_slug]

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("max_length", rules.SLUG_MAX_LENGTH)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        # The model SlugField would build Django's form SlugField, with Django's looser rule.
        return super(models.SlugField, self).formfield(
            **{"form_class": SlugFormField, "allow_unicode": False, **kwargs}
        )


class Role(models.TextChoices):
    FACILITATOR = "facilitator", "Facilitator"
    CHIEF_EXECUTIVE = "chief_executive", "Chief executive"
    PARTNER_OFFICER = "partner_officer", "Partner officer"
    ADMIN = "admin", "Administrator"


class Partnership(models.Model):
    slug = SlugField(unique=True)
    name = models.CharField(max_length=rules.NAME_MAX_LENGTH, validators=NAME)
    strategy = models.CharField(
        "strategy",
        max_length=rules.NAME_MAX_LENGTH,
        blank=True,
        validators=TEXT,
        help_text="The partnership's strategic aims that a project may support, "
        "e.g. Norfolk Ambition.",
    )
    # The contact officer a paper names (usually the partnership facilitator).
    contact_name = person_name(
        "contact officer", "Named in papers as the person to ask about them."
    )
    contact_email = person_email("contact officer's email", "")
    contact_telephone = models.CharField(
        "contact officer's telephone",
        max_length=rules.TELEPHONE_MAX_LENGTH,
        blank=True,
        validators=[validate_telephone],
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in a partnership; partner officers also belong to one partner council."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    partner = models.ForeignKey(
        "contributions.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        help_text="The council a partner officer works for.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "partnership"], name="membership_one_role_per_partnership"
            ),
            models.CheckConstraint(
                condition=Q(role=Role.PARTNER_OFFICER, partner__isnull=False)
                | ~Q(role=Role.PARTNER_OFFICER),
                name="membership_partner_officer_has_partner",
                violation_error_message="A partner officer must belong to a partner council.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()} of {self.partnership}"

    def clean(self) -> None:
        if (
            self.partner_id
            and self.partnership_id
            and (self.partner.partnership_id != self.partnership_id)
        ):
            raise ValidationError({"partner": "The partner must belong to the same partnership."})


class ProgrammeQuerySet(models.QuerySet["Programme"]):
    def for_user(self, user) -> ProgrammeQuerySet:
        """Keep the programmes of the partnerships the user is a member of."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(partnership__memberships__user=user).distinct()


class Programme(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="programmes"
    )
    slug = SlugField(unique=True, validators=[validate_programme_slug])
    name = models.CharField(max_length=rules.NAME_MAX_LENGTH, validators=NAME)
    starts = models.DateField(null=True, blank=True)
    ends = models.DateField(null=True, blank=True)
    financial_years = models.JSONField(
        default=list,
        validators=[validate_financial_years],
        help_text="The UK local government years it spans, e.g. 2004/05.",
    )
    apportionment = models.CharField(
        "apportionment method",
        max_length=20,
        choices=Apportionment.choices,
        default=Apportionment.EQUAL,
    )
    rounding_step = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Each partner's recommended tranche and cap are rounded up to this step. "
        "Leave empty for no rounding.",
    )
    stated_existing_total = models.DecimalField(
        "stated existing resource total",
        **MONEY,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text="As typed on the paper, to be checked against the computed total.",
    )
    stated_extra_total = models.DecimalField(
        "stated extra cost total",
        **MONEY,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text="As typed on the paper, to be checked against the computed maximum.",
    )

    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ProgrammeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership__name", "-starts", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rounding_step__isnull=True) | Q(rounding_step__gt=0),
                name="programme_rounding_step_positive",
                violation_error_message="The rounding step must be more than zero.",
            ),
            models.CheckConstraint(
                condition=Q(stated_existing_total__isnull=True) | Q(stated_existing_total__gte=0),
                name="programme_stated_existing_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(stated_extra_total__isnull=True) | Q(stated_extra_total__gte=0),
                name="programme_stated_extra_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(starts__isnull=True) | Q(ends__isnull=True) | Q(starts__lte=F("ends")),
                name="programme_starts_before_ends",
                violation_error_message="The programme must start before it ends.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="projects")
    slug = SlugField(validators=[validate_project_slug])
    name = models.CharField(max_length=rules.NAME_MAX_LENGTH, validators=NAME)
    description = models.TextField(blank=True, validators=TEXT)
    outputs = models.TextField(blank=True, validators=TEXT)
    external_project = models.CharField(
        "national or external project",
        max_length=rules.NAME_MAX_LENGTH,
        blank=True,
        validators=TEXT,
        help_text="The national or external project it belongs to, e.g. LoG-IN INTERREG project.",
    )
    supports_strategy = models.BooleanField(
        "supports the strategy",
        default=False,
        help_text="Whether the project supports the partnership's strategy.",
    )
    lead_partner = models.ForeignKey(
        "contributions.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_projects",
    )
    lead_name = person_name("project lead", "The officer who leads the project's work.")
    lead_email = person_email("project lead's email", "")
    status = models.CharField(
        max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED
    )
    position = models.PositiveIntegerField(
        default=0, help_text="Order in the board report's table."
    )

    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Goes up with every save of the project or its rows, so that a save made "
        "from an older copy is refused rather than overwriting someone else's change.",
    )

    objects = models.Manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "slug"],
                name="project_slug_unique_in_programme",
                violation_error_message="A project with this slug is already in the programme.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # The programme file names the lead partner among the partnership's partners only.
        partner = self.lead_partner
        if (
            partner is not None
            and self.programme_id is not None
            and partner.partnership_id != self.programme.partnership_id
        ):
            raise ValidationError(
                {"lead_partner": "Select a lead partner of the partnership from the list"}
            )


class Phase(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField(
        validators=[
            MinValueValidator(rules.PHASE_NUMBER_MIN),
            MaxValueValidator(rules.PHASE_NUMBER_MAX),
        ]
    )
    name = models.CharField(max_length=rules.NAME_MAX_LENGTH, validators=NAME)
    extra_cost = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
        help_text="New money needed from the partners. Leave empty when it is to be confirmed.",
    )
    gated = models.BooleanField(
        "gated by a business case",
        default=False,
        help_text="Its money is drawn down only if the business case is approved.",
    )
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.PENDING)
    borne = models.CharField(
        "cost borne",
        max_length=20,
        choices=Borne.choices,
        default=Borne.SHARED,
        help_text="Individually borne costs are split equally, whatever the apportionment.",
    )
    note = models.TextField(blank=True, validators=TEXT)
    decided_on = models.DateField("decided on", null=True, blank=True)
    decision_note = models.TextField(blank=True, validators=TEXT)

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "number"],
                name="phase_number_unique_in_project",
                violation_error_message="The project already has a phase with this number.",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="phase_number_positive"),
            models.CheckConstraint(
                condition=Q(extra_cost__isnull=True) | Q(extra_cost__gte=0),
                name="phase_extra_cost_not_negative",
                violation_error_message="The extra cost must not be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} phase {self.number}: {self.name}"


class FundingLine(models.Model):
    """Existing resource: money for a project that is already found, locally or externally."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="funding_lines")
    source = models.CharField(max_length=rules.NAME_MAX_LENGTH, validators=NAME)
    kind = models.CharField(max_length=20, choices=FundingKind.choices, default=FundingKind.LOCAL)
    amount = models.DecimalField(**MONEY, validators=NOT_NEGATIVE)
    status = models.CharField(
        max_length=20, choices=FundingStatus.choices, default=FundingStatus.SECURED
    )
    note = models.TextField(blank=True, validators=TEXT)
    position = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="funding_amount_not_negative",
                violation_error_message="The amount must not be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}: £{self.amount:,}"


class OutcomeClaim(models.Model):
    """A priority outcome the project claims to achieve, by grade; the ODPM code is optional."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="outcome_claims")
    grade = models.CharField(max_length=20, choices=Grade.choices)
    code = models.CharField(
        "ODPM outcome code",
        max_length=rules.CODE_MAX_LENGTH,
        blank=True,
        validators=NAME,
        help_text="Leave empty when not known.",
    )
    position = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.get_grade_display()} {self.code}".strip()


# The partners' money and the board report's words. They are declared here, with the rest of a
# programme's data, so that every app reads a whole programme from the layer beneath it; their
# tables, migrations and admin pages stay those of the contributions and reports apps, whose
# labels they keep.


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
    lead_officer_name = person_name(
        "lead officer", "The council's officer for the partnership's work."
    )
    lead_officer_email = person_email("lead officer's email", "")
    finance_contact_name = person_name(
        "finance contact", "The council's finance officer, to whom invoices are sent."
    )
    finance_contact_email = person_email("finance contact's email", "")
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        app_label = "contributions"
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
        app_label = "contributions"
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


REPORT_LINE = {
    "max_length": REPORT_LINE_MAX_LENGTH,
    "blank": True,
    "validators": [validate_placeholders],
}
REPORT_TEXT = {
    "blank": True,
    # Its length and nesting are bounded so that Markdown and the PDF's layout stay quick.
    "validators": [validate_placeholders, validate_report_text],
}


class ReportText(models.Model):
    """A paper: a board report's words, with figure placeholders, for a meeting.

    A programme has a paper for each meeting it goes to (the medium term workload paper, the
    autumn review, progress reports); the newest is the one being prepared, "the board report".
    """

    programme = models.ForeignKey(
        "projects.Programme", on_delete=models.CASCADE, related_name="papers"
    )
    slug = SlugField()
    template = models.CharField(
        "kind of paper",
        max_length=20,
        choices=PaperTemplate.choices,
        default=PaperTemplate.WORKLOAD,
    )
    for_meeting = models.ForeignKey(
        "projects.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="papers",
        verbose_name="for the meeting",
    )
    meeting = models.CharField(
        "meeting",
        **REPORT_LINE,
        help_text="The meeting it goes to, such as Norfolk Chief Executives.",
    )
    item_number = models.CharField(
        "item number",
        **REPORT_LINE,
        help_text="The item's number on the meeting's agenda, if known.",
    )
    title = models.CharField(
        "title", **REPORT_LINE, help_text="Such as Norfolk Connect Medium Term Workload."
    )
    report_by = models.CharField(
        "report by", **REPORT_LINE, help_text="Who the report is by, with their role and council."
    )
    summary = models.TextField(
        "summary", **REPORT_TEXT, help_text="What the report recommends, in a sentence or two."
    )
    background = models.TextField("1. Background/Introduction", **REPORT_TEXT)
    project_list = models.TextField(
        "2. Project list", **REPORT_TEXT, help_text="The table of projects follows the report."
    )
    risks_and_benefits = models.TextField("3. Risks and Benefits", **REPORT_TEXT)
    alternative_options = models.TextField("4. Alternative Options", **REPORT_TEXT)
    recommendations = models.TextField(
        "5. Recommendations",
        **REPORT_TEXT,
        help_text="{contribution_recommendation} gives the recommended contribution in full.",
    )
    contact_officers = models.TextField("6. Contact Officers", **REPORT_TEXT)
    include_charts = models.BooleanField(
        "include the charts appendix",
        default=False,
        help_text="Adds pages of charts after the summary of projects: each project's cost, "
        "each partner's share and the outcome claims, each with its figures in a table. "
        "Leave it unticked for the paper alone.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        app_label = "reports"
        verbose_name = "paper"
        ordering = ["programme", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "slug"],
                name="paper_slug_unique_in_programme",
                violation_error_message="The programme already has a paper with this slug.",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"Paper of {self.programme}"


class BoardDecision(models.Model):
    """What a meeting resolved on one recommendation of its paper, with a note.

    The recommendation's words are kept as the board read them, so that a later edit of the
    paper leaves the record of the decision as it was made.
    """

    # Removed with its paper: only a paper never issued is removed, and never while issued.
    paper = models.ForeignKey(
        "reports.ReportText", on_delete=models.CASCADE, related_name="decisions"
    )
    number = models.PositiveSmallIntegerField("number")
    text = models.TextField("recommendation", validators=TEXT)
    resolution = models.CharField("decision", max_length=20, choices=Resolution.choices)
    note = models.TextField("note", blank=True, validators=TEXT)

    history = HistoricalRecords()

    class Meta:
        app_label = "reports"
        ordering = ["paper", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["paper", "number"],
                name="recommendation_once_per_paper",
                violation_error_message="The paper already has a decision on this recommendation.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.get_resolution_display()}"


# After the meeting: meetings and what they agreed, calls of invoices and their payments, refunds
# and credits, spend and forecasts. The money rules they keep are in money/ledger.py; the writes
# that check them are the services'.

POSITIVE = [MinValueValidator(Decimal("0.01"))]


class Meeting(models.Model):
    """A dated meeting of a body, such as the Norfolk Chief Executives in June 2004."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="meetings")
    slug = SlugField()
    body = models.CharField(max_length=rules.NAME_MAX_LENGTH, validators=NAME)
    date = models.DateField()
    note = models.TextField(blank=True, validators=TEXT)

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "slug"],
                name="meeting_slug_unique_in_programme",
                violation_error_message="The programme already has a meeting with this slug.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body}, {self.date:%-d %B %Y}"


class Agreement(models.Model):
    """The contributions a meeting agreed: each partner's immediate tranche and cap."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="agreement")

    history = HistoricalRecords()

    class Meta:
        app_label = "contributions"
        ordering = ["meeting__date", "pk"]

    def __str__(self) -> str:
        return f"Agreement of {self.meeting}"


class PartnerAgreement(models.Model):
    """One partner's part of an agreement, and the council's own consent to it."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="partners")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="agreements")
    immediate = models.DecimalField("agreed immediate tranche", **MONEY, validators=NOT_NEGATIVE)
    cap = models.DecimalField("agreed cap", **MONEY, validators=NOT_NEGATIVE)
    consent_date = models.DateField("consent date", null=True, blank=True)
    consent_reference = models.CharField(
        "consent reference",
        max_length=rules.NAME_MAX_LENGTH,
        blank=True,
        validators=TEXT,
        help_text="The council's own decision, such as Cabinet 5 July 2004.",
    )

    history = HistoricalRecords()

    class Meta:
        app_label = "contributions"
        ordering = ["agreement", "partner__position", "partner__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "partner"],
                name="partner_agreement_one_per_partner",
                violation_error_message="The agreement already has this partner.",
            ),
            models.CheckConstraint(
                condition=Q(immediate__gte=0) & Q(immediate__lte=F("cap")),
                name="partner_agreement_immediate_within_cap",
                violation_error_message="The immediate tranche must not be more than the cap.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner}: £{self.immediate:,} now, up to £{self.cap:,}"


class Call(models.Model):
    """A request for one tranche from every contributing partner: an invoice each."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="calls")
    slug = SlugField()
    tranche = models.CharField(max_length=20, choices=Tranche.choices)
    financial_year = models.CharField(max_length=7, validators=[validate_financial_year])
    issued = models.DateField("date of issue")
    due = models.DateField("due date")

    history = HistoricalRecords()

    class Meta:
        app_label = "contributions"
        ordering = ["programme", "issued", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "slug"],
                name="call_slug_unique_in_programme",
                violation_error_message="The programme already has a call with this slug.",
            ),
            models.CheckConstraint(
                condition=Q(due__gte=F("issued")),
                name="call_due_not_before_issue",
                violation_error_message="The due date must be the same as or after the date "
                "of issue.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_tranche_display()} tranche, {self.financial_year}"


class Invoice(models.Model):
    """One partner's part of a call, numbered uniquely in the partnership."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="invoices")
    # The call's partnership, kept here so that the database holds numbers unique in it.
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="invoices")
    number = models.CharField(max_length=REFERENCE_MAX_LENGTH, validators=NAME)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="invoices")
    amount = models.DecimalField(**MONEY, validators=POSITIVE)

    history = HistoricalRecords()

    class Meta:
        app_label = "contributions"
        ordering = ["call", "partner__position", "partner__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "number"],
                name="invoice_number_unique_in_partnership",
                violation_error_message="The partnership already has an invoice with this number.",
            ),
            models.UniqueConstraint(
                fields=["call", "partner"],
                name="invoice_one_per_partner_in_call",
                violation_error_message="The call already has an invoice for this partner.",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="invoice_amount_positive",
                violation_error_message="The amount must be more than £0.",
            ),
        ]

    def __str__(self) -> str:
        return f"Invoice {self.number}"


class Payment(models.Model):
    """Money received against an invoice; an invoice may be paid in several payments."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="payments")
    date = models.DateField()
    amount = models.DecimalField(**MONEY, validators=POSITIVE)
    reference = models.CharField(max_length=REFERENCE_MAX_LENGTH, blank=True, validators=TEXT)

    history = HistoricalRecords()

    class Meta:
        app_label = "contributions"
        ordering = ["invoice", "date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="payment_amount_positive",
                violation_error_message="The amount must be more than £0.",
            ),
        ]

    def __str__(self) -> str:
        return f"£{self.amount:,} on {self.date:%-d %B %Y}"


class Refund(models.Model):
    """Money given back to a partner (a refund) or set against its next invoice (a credit)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="refunds")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="refunds")
    date = models.DateField()
    amount = models.DecimalField(**MONEY, validators=POSITIVE)
    kind = models.CharField(max_length=20, choices=RefundKind.choices, default=RefundKind.REFUND)
    reason = models.CharField(max_length=rules.NAME_MAX_LENGTH, blank=True, validators=TEXT)

    history = HistoricalRecords()

    class Meta:
        app_label = "contributions"
        ordering = ["programme", "date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="refund_amount_positive",
                violation_error_message="The amount must be more than £0.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of £{self.amount:,} to {self.partner}"


class Spend(models.Model):
    """Money paid out of the pot for a committed phase."""

    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="spend")
    date = models.DateField()
    amount = models.DecimalField(**MONEY, validators=POSITIVE)
    supplier = models.CharField(max_length=rules.NAME_MAX_LENGTH, blank=True, validators=TEXT)
    reference = models.CharField(max_length=REFERENCE_MAX_LENGTH, blank=True, validators=TEXT)
    description = models.TextField(blank=True, validators=TEXT)

    history = HistoricalRecords()

    class Meta:
        ordering = ["phase", "date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="spend_amount_positive",
                violation_error_message="The amount must be more than £0.",
            ),
        ]

    def __str__(self) -> str:
        return f"£{self.amount:,} on {self.phase}"


class Forecast(models.Model):
    """The expected spend on a phase in a financial year, beyond what is spent."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="forecasts")
    financial_year = models.CharField(max_length=7, validators=[validate_financial_year])
    amount = models.DecimalField(**MONEY, validators=NOT_NEGATIVE)

    history = HistoricalRecords()

    class Meta:
        ordering = ["phase", "financial_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["phase", "financial_year"],
                name="forecast_one_per_phase_year",
                violation_error_message="The phase already has a forecast for this year.",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="forecast_amount_not_negative",
                violation_error_message="The amount must not be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.financial_year}: £{self.amount:,} on {self.phase}"


# Delivery: milestones, each project's status over time, the risk register and the columns of a
# council's ledger export (docs/design.md, section 9.8).

SCORE_MIN, SCORE_MAX = rules.SCORE_MIN, rules.SCORE_MAX
SCORE = [MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]


class Milestone(models.Model):
    """A dated point of a project, or of one of its phases: planned, expected and reached."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    phase = models.ForeignKey(
        Phase, on_delete=models.CASCADE, null=True, blank=True, related_name="milestones"
    )
    name = models.CharField(max_length=rules.NAME_MAX_LENGTH, validators=NAME)
    baseline = models.DateField("baseline date")
    forecast = models.DateField("forecast date", null=True, blank=True)
    actual = models.DateField("actual date", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "baseline", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.phase_id is not None
            and self.project_id is not None
            and self.phase.project_id != self.project_id
        ):
            raise ValidationError({"phase": "Select a phase of this project from the list"})


class StatusUpdate(models.Model):
    """A project's red, amber or green status as set on a day, with the reason for it.

    A project's status is its latest update; the earlier ones are how it moved.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="status_updates")
    status = models.CharField(max_length=10, choices=Rag.choices)
    date = models.DateField("date set")
    reason = models.TextField(validators=NAME)

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "date", "pk"]

    def __str__(self) -> str:
        return f"{Rag(self.status).label} on {self.date:%-d %B %Y}"


class Risk(models.Model):
    """A risk to the programme, or to one of its projects, scored 1 to 5 on two counts."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="risks")
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="risks"
    )
    reference = models.CharField(
        max_length=rules.RISK_REFERENCE_MAX_LENGTH,
        validators=NAME,
        help_text="How the register names it, such as 3.1 or R4.",
    )
    description = models.TextField(validators=NAME)
    likelihood = models.PositiveSmallIntegerField(validators=SCORE)
    impact = models.PositiveSmallIntegerField(validators=SCORE)
    owner = models.CharField(max_length=rules.NAME_MAX_LENGTH, blank=True, validators=TEXT)
    mitigation = models.TextField(blank=True, validators=TEXT)
    status = models.CharField(max_length=10, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    next_review = models.DateField("next review date", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "reference", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "reference"],
                name="risk_reference_unique_in_programme",
                violation_error_message="The programme already has a risk with this reference.",
            ),
            models.CheckConstraint(
                condition=Q(likelihood__gte=SCORE_MIN, likelihood__lte=SCORE_MAX),
                name="risk_likelihood_1_to_5",
                violation_error_message="The likelihood must be from 1 to 5.",
            ),
            models.CheckConstraint(
                condition=Q(impact__gte=SCORE_MIN, impact__lte=SCORE_MAX),
                name="risk_impact_1_to_5",
                violation_error_message="The impact must be from 1 to 5.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.description[:60]}"

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    def clean(self) -> None:
        if (
            self.project_id is not None
            and self.programme_id is not None
            and self.project.programme_id != self.programme_id
        ):
            raise ValidationError({"project": "Select a project of this programme from the list"})


class LedgerMapping(models.Model):
    """Which columns of a council's ledger export hold each field of a spend line.

    The facilitator maps them once; the next import of the same ledger reads them again.
    """

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="ledger_mapping"
    )
    # A spend line's field ("date", "amount", ...) to the heading of the column holding it.
    columns = models.JSONField(default=dict)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Ledger columns of {self.programme}"
