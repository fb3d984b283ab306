"""Writes of partners and contributions, each in one transaction, refusing stale copies."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from norfolk_connect.model_messages import full_clean_for_people
from projects.history import Author, changes_since_version, claim_version, record_author
from projects.models import Contribution, Partner, Partnership, Programme
from projects.money.document import CONTRIBUTION, PARTNER
from projects.money.shares import basis_of, lacking_basis, zero_basis
from projects.money.vocabulary import Apportionment, Tranche
from projects.rules import STATUS_NEEDS_DATE
from projects.validators import slug_from_name

from .selectors import partner_uses

# URL segments under /partners/ that a partner's slug must not take.
RESERVED_PARTNER_SLUGS = frozenset({"new"})
# The fields a person edits, as declared: a partner's slug is given when it is added.
PARTNER_FIELDS = tuple(spec.attribute for spec in PARTNER.shown if spec.edited)
CONTRIBUTION_FIELDS = CONTRIBUTION.edited_keys


class PartnerInUseError(Exception):
    """The partner cannot be removed while other records use it; nothing was written."""

    def __init__(self, *, partner: Partner, reasons: list[str]) -> None:
        self.partner = partner
        self.reasons = reasons
        super().__init__(f"{partner.name} cannot be removed: {'; '.join(reasons)}.")


class DuplicateContributionError(ValidationError):
    """The partner already has a contribution for that year and tranche; nothing was written."""

    def __init__(self, existing: Contribution) -> None:
        self.existing = existing
        super().__init__(
            {
                "tranche": f"{existing.partner.name} already has "
                f"{tranche_phrase(existing.tranche)} for {existing.financial_year}: "
                "edit that one instead."
            }
        )


def tranche_phrase(tranche: str) -> str:
    """Name a contribution by its tranche as a sentence would: "an immediate contribution"."""
    if tranche == Tranche.IMMEDIATE:
        return "an immediate contribution"
    return "a contribution subject to review"


def contribution_label(contribution: Contribution) -> str:
    """Name a contribution for messages: Broadland District Council's immediate 2004/05 one."""
    tranche = "immediate" if contribution.tranche == Tranche.IMMEDIATE else "subject to review"
    return (
        f"{contribution.partner.name}'s contribution for {contribution.financial_year} ({tranche})"
    )


# Partners


def check_partner_basis(partner: Partner, *, before: Partner | None) -> None:
    """Refuse a partner that would leave a programme of its partnership unable to share costs.

    ``before`` is the partner as it was (None for a new one): a programme that could not share
    its costs before this change does not stop the change, as long as it does not make it worse.
    """
    programmes = Programme.objects.filter(partnership_id=partner.partnership_id).exclude(
        apportionment=Apportionment.EQUAL
    )
    errors: dict[str, list[str]] = {}
    others: list[Partner] | None = None
    for programme in programmes.order_by("name"):
        method = Apportionment(programme.apportionment)
        basis = basis_of(method)
        if basis is None:  # equal shares, excluded above: they need nothing of a partner
            continue
        field, name = basis
        article = "an" if name[0] in "aeiou" else "a"
        if lacking_basis(method, [partner]):
            errors.setdefault(field, []).append(
                f"{programme.name} shares its costs by {method.label.lower()}, so a "
                f"contributing partner needs {article} {name}."
            )
            continue
        if others is None:
            others = list(
                Partner.objects.filter(partnership_id=partner.partnership_id).exclude(pk=partner.pk)
            )
        was_zero = zero_basis(method, others if before is None else [*others, before])
        if zero_basis(method, [*others, partner]) and not was_zero:
            errors.setdefault(field, []).append(
                f"{programme.name} shares its costs by {method.label.lower()}, so at least one "
                f"contributing partner needs {article} {name} of more than zero."
            )
    if errors:
        raise ValidationError(errors)


def check_still_contributing(partner: Partner, *, contributes: bool) -> None:
    """Refuse to stop a partner contributing while it has contributions recorded."""
    # Contributions come only from contributing partners, in the programme file as here.
    if partner.contributes and not contributes and (count := partner.contributions.count()):
        raise ValidationError(
            {
                "contributes": f"{partner.name} has {count} contribution"
                f"{'s' if count != 1 else ''} recorded; remove "
                f"{'them' if count != 1 else 'it'} before marking it as not contributing."
            }
        )


@transaction.atomic
def partner_create(*, partnership: Partnership, data: dict, user: Author) -> Partner:
    """Add a partner to the partnership, after its existing partners.

    Without a slug in the data, one is made from the partner's name, unique in the partnership.
    """
    slug = data.get("slug") or slug_from_name(
        data.get("name") or "",
        taken=lambda slug: partnership.partners.filter(slug=slug).exists(),
        reserved=RESERVED_PARTNER_SLUGS,
        fallback="partner",
    )
    if slug in RESERVED_PARTNER_SLUGS:
        raise ValidationError({"slug": f"“{slug}” is a word the pages use; choose another slug"})
    if Partner.objects.filter(partnership=partnership, slug=slug).exists():
        raise ValidationError(
            {"slug": "A partner with this slug is already in the partnership; choose another slug"}
        )
    last = partnership.partners.order_by("-position").values_list("position", flat=True).first()
    partner = Partner(
        partnership=partnership,
        slug=slug,
        position=0 if last is None else last + 1,
        **{field: data[field] for field in PARTNER_FIELDS if field in data},
    )
    full_clean_for_people(partner)
    check_partner_basis(partner, before=None)
    record_author(partner, user)
    partner.save()
    return partner


@transaction.atomic
def partner_update(*, partner: Partner, data: dict, expected_version: int, user: Author) -> Partner:
    """Change a partner's name, contribution and apportionment basis; its slug stays."""
    claim_version(
        partner,
        expected_version,
        what=partner.name,
        changes=lambda: changes_since_version(partner, expected_version, row=partner.name),
    )
    before = Partner(
        contributes=partner.contributes, population=partner.population, weight=partner.weight
    )
    check_still_contributing(partner, contributes=data.get("contributes", partner.contributes))
    for field in PARTNER_FIELDS:
        if field in data:
            setattr(partner, field, data[field])
    full_clean_for_people(partner, exclude=["partnership", "slug"])
    check_partner_basis(partner, before=before)
    record_author(partner, user)
    partner.save()
    return partner


@transaction.atomic
def partner_delete(*, partner: Partner, expected_version: int, user: Author) -> None:
    """Remove a partner that nothing uses any more."""
    claim_version(
        partner,
        expected_version,
        what=partner.name,
        changes=lambda: changes_since_version(partner, expected_version, row=partner.name),
    )
    reasons = partner_uses(partner)
    if reasons:
        raise PartnerInUseError(partner=partner, reasons=reasons)
    record_author(partner, user)
    try:
        with transaction.atomic():
            partner.delete()
    except ProtectedError as error:  # something came to use it since the check above
        reasons = partner_uses(partner) or ["other records use it"]
        raise PartnerInUseError(partner=partner, reasons=reasons) from error


# Contributions


def check_contribution(
    contribution: Contribution, *, programme: Programme, before: Contribution | None
) -> None:
    """Refuse a contribution that breaks the programme's rules, naming the field at fault."""
    errors: dict[str, str] = {}
    partner = contribution.partner
    if partner.partnership_id != programme.partnership_id:
        errors["partner"] = "Select a partner of the partnership"
    elif not partner.contributes and (before is None or before.partner_id != partner.pk):
        errors["partner"] = (
            f"{partner.name} does not contribute to the programme; select a contributing "
            "partner, or mark it as contributing first"
        )
    year_kept = before is not None and before.financial_year == contribution.financial_year
    if contribution.financial_year not in programme.financial_years and not year_kept:
        years = ", ".join(programme.financial_years)
        errors["financial_year"] = f"Select one of the programme's financial years: {years}"
    if contribution.amount is None:
        errors["amount"] = "Enter the amount"
    elif contribution.amount <= 0:
        errors["amount"] = "Amount must be more than £0"
    if needed := STATUS_NEEDS_DATE.get(contribution.status):
        date_field, words = needed
        if not getattr(contribution, date_field):
            errors[date_field] = words
    if errors:
        raise ValidationError(errors)
    clash = (
        Contribution.objects.select_related("partner")
        .filter(
            programme=programme,
            partner=partner,
            financial_year=contribution.financial_year,
            tranche=contribution.tranche,
        )
        .exclude(pk=contribution.pk)
        .first()
    )
    if clash is not None:
        raise DuplicateContributionError(clash)


def _save_contribution(contribution: Contribution, *, user: Author) -> None:
    """Save the contribution; a clash that slipped in meanwhile is still a duplicate, not a 500."""
    record_author(contribution, user)
    try:
        with transaction.atomic():
            contribution.save()
    except IntegrityError:
        clash = (
            Contribution.objects.select_related("partner")
            .filter(
                programme=contribution.programme,
                partner=contribution.partner,
                financial_year=contribution.financial_year,
                tranche=contribution.tranche,
            )
            .exclude(pk=contribution.pk)
            .first()
        )
        if clash is None:
            raise
        raise DuplicateContributionError(clash) from None


@transaction.atomic
def contribution_create(*, programme: Programme, data: dict, user: Author) -> Contribution:
    """Record a partner's contribution to the programme for a financial year and tranche."""
    values = {field: data[field] for field in CONTRIBUTION_FIELDS if field in data}
    contribution = Contribution(programme=programme, **values)
    check_contribution(contribution, programme=programme, before=None)
    full_clean_for_people(contribution)
    _save_contribution(contribution, user=user)
    return contribution


@transaction.atomic
def contribution_update(
    *, contribution: Contribution, data: dict, expected_version: int, user: Author
) -> Contribution:
    """Change a contribution, refusing a save made from an older version of it."""
    claim_version(
        contribution,
        expected_version,
        what=contribution_label(contribution),
        changes=lambda: changes_since_version(
            contribution, expected_version, row=contribution_label(contribution)
        ),
    )
    before = Contribution(
        pk=contribution.pk,
        partner_id=contribution.partner_id,
        financial_year=contribution.financial_year,
    )
    for field in CONTRIBUTION_FIELDS:
        if field in data:
            setattr(contribution, field, data[field])
    programme = contribution.programme
    check_contribution(contribution, programme=programme, before=before)
    full_clean_for_people(contribution, exclude=["programme"])
    _save_contribution(contribution, user=user)
    return contribution


@transaction.atomic
def contribution_delete(*, contribution: Contribution, expected_version: int, user: Author) -> None:
    """Remove a contribution, refusing if it changed since it was shown."""
    claim_version(
        contribution,
        expected_version,
        what=contribution_label(contribution),
        changes=lambda: changes_since_version(
            contribution, expected_version, row=contribution_label(contribution)
        ),
    )
    record_author(contribution, user)
    contribution.delete()
