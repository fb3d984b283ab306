"""Writes of an imported programme: checked by a rehearsal, applied whole or not at all.

An import is previewed against the programme as it was when the file was checked; the state of
the programme then is kept as a fingerprint, and the import is refused if the programme has
changed since, so that nobody applies a preview that no longer says what will happen.
"""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction
from django.db.models import F, Max, QuerySet
from django.utils import timezone

from contributions.models import Contribution, Partner

from ..data import ProgrammeDocument
from ..models import FundingLine, OutcomeClaim, Phase, Programme, Project
from ..programme_file import dumps_programme
from ..selectors import programme_document
from .loading import ProgrammeLoadError, programme_load


class ImportConflictError(Exception):
    """The programme changed after the file was checked; nothing was written."""

    def __init__(self) -> None:
        super().__init__(
            "The programme was changed by someone else after your file was checked, so the "
            "preview no longer says what the import would do. Nothing has been imported: "
            "check the preview again against the programme as it is now."
        )


class _Rehearsal(Exception):
    """Raised to roll back a rehearsed load that succeeded."""


def programme_as_imported(*, programme: Programme) -> ProgrammeDocument:
    """Return the programme as an import compares with and replaces it: with its report text."""
    return programme_document(programme=programme, include_report=True)


def programme_state(document: ProgrammeDocument) -> str:
    """Return a fingerprint of everything the programme holds, to tell whether it changed."""
    return hashlib.sha256(dumps_programme(document).encode("utf-8")).hexdigest()


def import_target_problems(*, programme: Programme, document: ProgrammeDocument) -> list[str]:
    """Say why the document cannot be imported into this programme, if it is another one."""
    problems = []
    if document.partnership.slug != programme.partnership.slug:
        problems.append(
            f"partnership.slug: the file is of the partnership '{document.partnership.slug}', "
            f"not '{programme.partnership.slug}'"
        )
    if document.programme.slug != programme.slug:
        problems.append(
            f"programme.slug: the file holds the programme '{document.programme.slug}', "
            f"not '{programme.slug}'"
        )
    return problems


def programme_import_check(*, programme: Programme, document: ProgrammeDocument) -> list[str]:
    """Rehearse the import and roll it back; return what would stop it (nothing: it would work).

    The rehearsal runs every check the real load runs, including those only the database can
    make, such as a partner left out that another programme still uses.
    """
    problems = import_target_problems(programme=programme, document=document)
    if problems:
        return problems
    try:
        with transaction.atomic():
            # Rolled back: the removals need no history.
            _rows_remove(programme=programme, user=None, record=False)
            programme_load(document=document)
            raise _Rehearsal
    except _Rehearsal:
        return []
    except ProgrammeLoadError as error:
        return list(error.problems)
    except IntegrityError as error:
        return [f"the database refused it: {error}"]


@transaction.atomic
def programme_import(
    *, programme: Programme, document: ProgrammeDocument, expected_state: str, user
) -> Programme:
    """Replace the programme with the document, if it is still as it was when it was checked.

    Raises ImportConflictError if the programme changed since ``expected_state`` was taken,
    and ProgrammeLoadError if the document cannot be loaded; either way nothing is written.
    """
    problems = import_target_problems(programme=programme, document=document)
    if problems:
        raise ProgrammeLoadError(problems)
    # Locked first, so that no other save slips in between the check and the load.
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    locked.partnership = programme.partnership
    if programme_state(programme_as_imported(programme=locked)) != expected_state:
        raise ImportConflictError
    latest = Project.objects.filter(programme=locked).aggregate(latest=Max("version"))["latest"]
    _rows_remove(programme=locked, user=user)
    loaded = programme_load(document=document, user=user)
    # The load rebuilds the projects at version 1. Moving every version past any that an open
    # form may hold makes a save from before the import refused, not quietly undo the import.
    Project.objects.filter(programme=loaded).update(version=(latest or 0) + 1)
    Partner.objects.filter(partnership=loaded.partnership).update(version=F("version") + 1)
    Programme.objects.filter(pk=loaded.pk).update(version=F("version") + 1)
    loaded.refresh_from_db(fields=["version"])
    return loaded


def _rows_remove(*, programme: Programme, user, record: bool = True) -> None:
    """Delete the rows the load rebuilds, recording each removal in the history, in bulk.

    The load would delete them too, but row by row: with history kept for every row, that is a
    query per row, which for a large programme takes far longer than the whole load.
    """
    when = timezone.now()
    # Rows before the rows they belong to, so that no reference is ever left dangling.
    removals: list[QuerySet] = [
        OutcomeClaim.objects.filter(project__programme=programme),
        FundingLine.objects.filter(project__programme=programme),
        Phase.objects.filter(project__programme=programme),
        Project.objects.filter(programme=programme),
        Contribution.objects.filter(programme=programme),
    ]
    for rows in removals:
        if not record:
            rows.order_by()._raw_delete(rows.db)
            continue
        history = rows.model.history.model
        fields = [field.attname for field in history.tracked_fields]
        history.objects.bulk_create(
            (
                history(
                    history_date=when,
                    history_type="-",
                    history_user=user,
                    history_change_reason=None,
                    **{name: getattr(row, name) for name in fields},
                )
                for row in rows.order_by().iterator(chunk_size=2000)
            ),
            batch_size=500,
        )
        # One DELETE: the removals are recorded above, so no row needs its own signal.
        rows.order_by()._raw_delete(rows.db)
