"""Bring stored values to the programme file's rules, so that every programme backs up and restores.

Slugs become lower-case ASCII words joined by single hyphens, with a numeric suffix where two
would clash in their uniqueness scope; financial years take ASCII digits; names of only spaces
take a name that says something; an outcome code of only spaces becomes "not known"; the NUL
character leaves every text. The rules are frozen here as they were when written: a migration
must not change when the code it ships with changes.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import migrations

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_MAX_LENGTH = 50
_NOT_SLUG = re.compile(r"[^a-z0-9]+")

# Every text the programme file holds, by model.
TEXTS = {
    ("projects", "Partnership"): ["name", "strategy"],
    ("projects", "Programme"): ["name"],
    ("projects", "Project"): ["name", "description", "outputs", "external_project"],
    ("projects", "Phase"): ["name", "note", "decision_note"],
    ("projects", "FundingLine"): ["source", "note"],
    ("projects", "OutcomeClaim"): ["code"],
    ("contributions", "Partner"): ["name"],
    ("contributions", "Contribution"): ["note"],
}


def normalise_slug(value: str, fallback: str) -> str:
    """Return the nearest slug: lower case, each run of other characters one hyphen, never empty."""
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    slug = _NOT_SLUG.sub("-", text).strip("-")[:SLUG_MAX_LENGTH].strip("-")
    return slug or fallback


def unique_slug(slug: str, taken: set[str]) -> str:
    """Return the slug, or the slug with the first free numeric suffix."""
    if slug not in taken:
        return slug
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = slug[: SLUG_MAX_LENGTH - len(suffix)].strip("-") + suffix
        if candidate not in taken:
            return candidate
        number += 1


def fix_slugs(rows, fallback: str) -> list:
    """Give each row of one uniqueness scope a good slug; return the rows that changed.

    Good slugs keep their place; a bad one takes its normalised form, suffixed if that is taken.
    """
    rows = sorted(rows, key=lambda row: row.pk)
    bad = [row for row in rows if not SLUG.fullmatch(row.slug)]
    taken = {row.slug for row in rows if row not in bad}
    for row in bad:
        row.slug = unique_slug(normalise_slug(row.slug, fallback), taken)
        taken.add(row.slug)
    return bad


def normalise_year(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


def fix_values(apps, schema_editor) -> None:
    """Bring every stored slug, financial year, name and text to the programme file's rules."""
    Partnership = apps.get_model("projects", "Partnership")
    Programme = apps.get_model("projects", "Programme")
    Project = apps.get_model("projects", "Project")
    Phase = apps.get_model("projects", "Phase")
    FundingLine = apps.get_model("projects", "FundingLine")
    OutcomeClaim = apps.get_model("projects", "OutcomeClaim")
    Partner = apps.get_model("contributions", "Partner")
    Contribution = apps.get_model("contributions", "Contribution")

    # Slugs, each within the scope its uniqueness has. Bulk updates: a slug moved aside never
    # meets the unique index half way, since no good slug is ever taken by a fixed one.
    for row in fix_slugs(Partnership.objects.all(), "partnership"):
        Partnership.objects.filter(pk=row.pk).update(slug=row.slug)
    for row in fix_slugs(Programme.objects.all(), "programme"):
        Programme.objects.filter(pk=row.pk).update(slug=row.slug)
    projects_by_programme: dict[int, list] = {}
    for project in Project.objects.all():
        projects_by_programme.setdefault(project.programme_id, []).append(project)
    for rows in projects_by_programme.values():
        for row in fix_slugs(rows, "project"):
            Project.objects.filter(pk=row.pk).update(slug=row.slug)
    partners_by_partnership: dict[int, list] = {}
    for partner in Partner.objects.all():
        partners_by_partnership.setdefault(partner.partnership_id, []).append(partner)
    for rows in partners_by_partnership.values():
        for row in fix_slugs(rows, "partner"):
            Partner.objects.filter(pk=row.pk).update(slug=row.slug)

    # Financial years in ASCII digits, each once.
    for programme in Programme.objects.all():
        years: list = []
        for year in programme.financial_years or []:
            year = normalise_year(year) if isinstance(year, str) else year
            if year not in years:
                years.append(year)
        if years != programme.financial_years:
            Programme.objects.filter(pk=programme.pk).update(financial_years=years)
    for contribution in Contribution.objects.all():
        year = normalise_year(contribution.financial_year)
        if year == contribution.financial_year:
            continue
        clash = Contribution.objects.filter(
            programme_id=contribution.programme_id,
            partner_id=contribution.partner_id,
            tranche=contribution.tranche,
            financial_year=year,
        ).exists()
        # Two contributions that differ only in how the year's digits were typed cannot both
        # keep it; that one is left for a person to merge, rather than one of them dropped.
        if not clash:
            Contribution.objects.filter(pk=contribution.pk).update(financial_year=year)

    # Texts: no NUL anywhere, then names of only spaces made to say something.
    # PostgreSQL never stores a NUL, and refuses one even in a query.
    nul_possible = schema_editor.connection.vendor != "postgresql"
    for (app, name), fields in TEXTS.items():
        model = apps.get_model(app, name)
        for field in fields if nul_possible else ():
            for row in model.objects.filter(**{f"{field}__contains": "\x00"}):
                value = getattr(row, field).replace("\x00", "")
                model.objects.filter(pk=row.pk).update(**{field: value})
    for model in (Partnership, Programme, Project, Partner):
        for row in model.objects.filter(name__regex=r"^\s+$"):
            model.objects.filter(pk=row.pk).update(name=row.slug)
    for row in Phase.objects.filter(name__regex=r"^\s+$"):
        Phase.objects.filter(pk=row.pk).update(name=f"Phase {row.number}")
    for row in FundingLine.objects.filter(source__regex=r"^\s+$"):
        FundingLine.objects.filter(pk=row.pk).update(source="Source not recorded")
    OutcomeClaim.objects.filter(code__regex=r"^\s+$").update(code="")


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0002_slugs_and_years_by_the_file_rules"),
        ("contributions", "0004_slugs_and_years_by_the_file_rules"),
    ]

    operations = [migrations.RunPython(fix_values, migrations.RunPython.noop)]
