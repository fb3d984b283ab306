"""Writes of a programme's own settings, and starting a new programme."""

from __future__ import annotations

from dataclasses import replace

from django.core.exceptions import ValidationError
from django.db import transaction

from norfolk_connect.model_messages import full_clean_for_people
from projects.money.shares import partner_weights

from .. import rules
from ..history import Author, changes_since_version, claim_version, record_author
from ..models import Partnership, Programme
from ..money.document import PROGRAMME, PartnerData
from ..money.vocabulary import Apportionment, Decision
from ..selectors import programme_document
from ..validators import slug_from_name
from .loading import programme_load

# URL segments under /programmes/ that a programme's slug must not take.
RESERVED_SLUGS = rules.PROGRAMME_RESERVED_SLUGS
SLUG_UNAVAILABLE = "This slug cannot be used; choose another."

# The settings a person edits, as declared: all but the slug, which names the programme.
SETTINGS_FIELDS = tuple(spec.attribute for spec in PROGRAMME.shown if spec.edited)


class ProgrammeError(Exception):
    """A change to a programme was refused; the message says why, and nothing was written."""


def check_apportionment(partnership: Partnership, method: str) -> None:
    """Refuse a method that the partnership's contributing partners lack the figures for."""
    partners = [
        PartnerData(
            slug=p.slug, name=p.name, contributes=p.contributes,
            population=p.population, weight=p.weight,
        )
        for p in partnership.partners.all()
    ]  # fmt: skip
    try:
        partner_weights(Apportionment(method), partners)
    except ValueError as error:
        need = "an agreed weight" if method == Apportionment.WEIGHTS else "a population"
        raise ValidationError(
            {
                "apportionment": f"Every contributing partner needs {need} above zero for "
                f"this method ({error}). Enter them on the partners page first."
            }
        ) from error


def check_years_kept(programme: Programme, years: list[str]) -> None:
    """Refuse to drop a financial year that the programme's contributions are recorded for."""
    used_years = set(programme.contributions.values_list("financial_year", flat=True))
    dropped = sorted(used_years - set(years))
    if dropped:
        raise ValidationError(
            {
                "financial_years": "Contributions are recorded for "
                f"{', '.join(dropped)}; move or remove them before dropping the year."
            }
        )


def _with_slug(data: dict) -> dict:
    """Return the data with a slug: as given, or made from the programme's name."""
    if data.get("slug"):
        return data
    slug = slug_from_name(
        data.get("name") or "",
        taken=lambda slug: Programme.objects.filter(slug=slug).exists(),
        reserved=RESERVED_SLUGS,
        fallback="programme",
    )
    return {**data, "slug": slug}


def _check_slug(slug: str, user: Author) -> None:
    """Refuse a reserved slug or one taken, naming the taken one only to those who may see it."""
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": f"'{slug}' is reserved; choose another slug."})
    visible = Programme.objects.all() if user is None else Programme.objects.for_user(user)
    if visible.filter(slug=slug).exists():
        raise ValidationError({"slug": "A programme with this slug already exists."})
    if Programme.objects.filter(slug=slug).exists():
        # Slugs are unique across partnerships, but another partnership's programmes are not
        # this person's to know about: the message must not say that one exists.
        raise ValidationError({"slug": SLUG_UNAVAILABLE})


# The partnership's details a facilitator edits: its contact officer. Its name and strategy
# are changed by those who may change the partnership itself (the admin).
PARTNERSHIP_FIELDS = ("contact_name", "contact_email", "contact_telephone")


@transaction.atomic
def partnership_update(*, partnership: Partnership, data: dict, user: Author) -> Partnership:
    """Save the partnership's contact officer, checked as every way in checks them.

    Only the fields named in PARTNERSHIP_FIELDS are taken from ``data``.
    """
    for name in PARTNERSHIP_FIELDS:
        if name in data:
            setattr(partnership, name, data[name])
    full_clean_for_people(partnership, exclude=["slug"])
    partnership.save(update_fields=[name for name in PARTNERSHIP_FIELDS if name in data])
    return partnership


@transaction.atomic
def programme_create(*, partnership: Partnership, data: dict, user: Author) -> Programme:
    """Start an empty programme in the partnership; without a slug, one is made from its name."""
    data = _with_slug(data)
    _check_slug(data["slug"], user)
    check_apportionment(partnership, data["apportionment"])
    programme = Programme(partnership=partnership, **data)
    full_clean_for_people(programme)
    record_author(programme, user)
    programme.save()
    return programme


@transaction.atomic
def programme_copy(*, source: Programme, data: dict, user: Author) -> Programme:
    """Start a programme for the next period as a copy of another: its projects, not its money.

    Projects, phases, funding lines and outcome claims are copied; contributions are not (they
    belong to the period they were pledged for), and phase decisions start again as pending.
    Without a slug, one is made from its name.
    """
    data = _with_slug(data)
    _check_slug(data["slug"], user)
    check_apportionment(source.partnership, data["apportionment"])
    checked = Programme(partnership=source.partnership, **data)
    full_clean_for_people(checked, exclude=["partnership"])
    # The report's text is copied too: the next period's report starts from this one's words.
    document = programme_document(programme=source, include_report=True)
    document = replace(
        document,
        programme=replace(
            document.programme,
            slug=data["slug"],
            name=data["name"],
            starts=data.get("starts"),
            ends=data.get("ends"),
            financial_years=tuple(data["financial_years"]),
            apportionment=data["apportionment"],
            rounding_step=data.get("rounding_step"),
            stated_existing_total=data.get("stated_existing_total"),
            stated_extra_total=data.get("stated_extra_total"),
        ),
        projects=tuple(
            replace(
                project,
                phases=tuple(
                    replace(phase, decision=Decision.PENDING, decided_on=None, decision_note="")
                    for phase in project.phases
                ),
            )
            for project in document.projects
        ),
        contributions=(),
    )
    return programme_load(document=document, user=user)


@transaction.atomic
def programme_update(
    *, programme: Programme, data: dict, expected_version: int, user: Author
) -> Programme:
    """Change the programme's settings, refusing a save made from an older version."""
    claim_version(
        programme,
        expected_version,
        what="The programme's settings",
        changes=lambda: changes_since_version(programme, expected_version, row="Settings"),
    )
    check_years_kept(programme, data.get("financial_years", programme.financial_years))
    if "apportionment" in data:
        check_apportionment(programme.partnership, data["apportionment"])
    for field in SETTINGS_FIELDS:
        if field in data:
            setattr(programme, field, data[field])
    full_clean_for_people(programme, exclude=["partnership", "slug"])
    record_author(programme, user)
    programme.save()
    return programme
