"""Writes of an imported programme: checked without writing, applied whole or not at all.

An import is previewed against the programme as it was when the file was checked; the state of
the programme then is kept as a fingerprint, and the import is refused if the programme has
changed since, so that nobody applies a preview that no longer says what will happen.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.db.models import F, Max

from projects.models import Partner

from ..history import Author
from ..models import Partnership, Programme, Project
from ..money.document import ProgrammeDocument
from ..programme_file import Problem, dumps_programme
from ..selectors import programme_document
from .import_plan import ProgrammeLoadError, programme_import_plan
from .loading import programme_import_write


class ImportConflictError(Exception):
    """The programme changed after the file was checked; nothing was written."""

    def __init__(self) -> None:
        super().__init__(
            "The programme was changed by someone else after your file was checked, so the "
            "preview no longer says what the import would do. Nothing has been imported: "
            "check the preview again against the programme as it is now."
        )


def programme_as_imported(*, programme: Programme) -> ProgrammeDocument:
    """Return the programme as an import compares with and replaces it: with its papers."""
    return programme_document(programme=programme, include_papers=True)


def programme_state(document: ProgrammeDocument) -> str:
    """Return a fingerprint of everything the programme holds, to tell whether it changed."""
    return hashlib.sha256(dumps_programme(document).encode("utf-8")).hexdigest()


def import_target_problems(*, programme: Programme, document: ProgrammeDocument) -> list[Problem]:
    """Say why the document cannot be imported into this programme, if it is another one."""
    problems: list[Problem] = []
    if document.partnership.slug != programme.partnership.slug:
        problems.append(
            Problem(
                "partnership.slug",
                f"the file is of the partnership '{document.partnership.slug}', "
                f"not '{programme.partnership.slug}'",
            )
        )
    if document.programme.slug != programme.slug:
        problems.append(
            Problem(
                "programme.slug",
                f"the file holds the programme '{document.programme.slug}', not '{programme.slug}'",
            )
        )
    return problems


def programme_import_check(*, programme: Programme, document: ProgrammeDocument) -> list[Problem]:
    """Work out what the import would write, writing nothing; return what would stop it.

    The plan runs every check the import runs before it writes: each row it would add or change
    is validated by its model, a key given twice or a reference to no partner is refused, and a
    partner left out is refused while another programme or a user still refers to it. With the
    programme file's own checks these are every refusal the database could make, so the check
    needs no rehearsal of the writes.
    """
    problems = import_target_problems(programme=programme, document=document)
    if problems:
        return problems
    # A copy: the plan sets the document's values on the rows it reads.
    fresh = Programme.objects.select_related("partnership").get(pk=programme.pk)
    try:
        programme_import_plan(programme=fresh, document=document)
    except ProgrammeLoadError as error:
        return list(error.problems)
    return []


@transaction.atomic
def programme_import(
    *, programme: Programme, document: ProgrammeDocument, expected_state: str, user: Author
) -> Programme:
    """Make the programme what the document says, if it is as it was when it was checked.

    The programme is updated in place: a project, phase, funding line, outcome claim or
    contribution the document keeps is changed where it is, so that its history goes on, and
    only the rows that differ are written. Raises ImportConflictError if the programme changed
    since ``expected_state`` was taken, and ProgrammeLoadError if the document cannot be
    loaded; either way nothing is written.
    """
    problems = import_target_problems(programme=programme, document=document)
    if problems:
        raise ProgrammeLoadError(problems)
    # Locked first, so that no other save slips in between the check and the load.
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    locked.partnership = Partnership.objects.get(pk=locked.partnership_id)
    if programme_state(programme_as_imported(programme=locked)) != expected_state:
        raise ImportConflictError
    latest = Project.objects.filter(programme=locked).aggregate(latest=Max("version"))["latest"]
    # Past any version an open form may hold, so that a save from before the import is refused
    # rather than quietly undoing it; the projects the import writes are recorded at it.
    version = (latest or 0) + 1
    plan = programme_import_plan(programme=locked, document=document, project_version=version)
    loaded = programme_import_write(plan=plan, user=user)
    Project.objects.filter(programme=loaded).update(version=version)
    Partner.objects.filter(partnership=loaded.partnership).update(version=F("version") + 1)
    Programme.objects.filter(pk=loaded.pk).update(version=F("version") + 1)
    loaded.refresh_from_db(fields=["version"])
    return loaded
