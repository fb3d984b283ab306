"""Rename stored programmes and projects whose slug is a word the pages use (new, rows).

Such a programme or project could not be opened (programmes/new/ is the form for a new one),
and the programme file now refuses the slug. Each takes the first free numeric suffix in its
uniqueness scope: all programmes, or its own programme's projects. Frozen here as written.
"""


import projects.models
import projects.validators
from django.db import migrations


PROGRAMME_RESERVED = {"new"}
PROJECT_RESERVED = {"new", "rows"}


def _free(slug: str, taken: set[str]) -> str:
    number = 2
    while f"{slug}-{number}" in taken:
        number += 1
    return f"{slug}-{number}"


def rename_reserved(apps, schema_editor) -> None:
    """Give each programme and project with a reserved slug the first free suffixed one."""
    Programme = apps.get_model("projects", "Programme")
    Project = apps.get_model("projects", "Project")
    taken = set(Programme.objects.values_list("slug", flat=True))
    for programme in Programme.objects.filter(slug__in=PROGRAMME_RESERVED):
        programme.slug = _free(programme.slug, taken)
        taken.add(programme.slug)
        programme.save(update_fields=["slug"])
    for project in Project.objects.filter(slug__in=PROJECT_RESERVED).order_by("pk"):
        siblings = set(
            Project.objects.filter(programme_id=project.programme_id).values_list("slug", flat=True)
        )
        project.slug = _free(project.slug, siblings)
        project.save(update_fields=["slug"])


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0003_values_by_the_file_rules"),
    ]

    operations = [
        migrations.RunPython(rename_reserved, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="historicalprogramme",
            name="slug",
            field=projects.models.SlugField(
                validators=[projects.validators.validate_programme_slug]
            ),
        ),
        migrations.AlterField(
            model_name="historicalproject",
            name="slug",
            field=projects.models.SlugField(validators=[projects.validators.validate_project_slug]),
        ),
        migrations.AlterField(
            model_name="programme",
            name="slug",
            field=projects.models.SlugField(
                unique=True, validators=[projects.validators.validate_programme_slug]
            ),
        ),
        migrations.AlterField(
            model_name="project",
            name="slug",
            field=projects.models.SlugField(validators=[projects.validators.validate_project_slug]),
        ),
    ]
