"""Writes of whole programmes: one writer of a programme's rows, for a load and an import alike.

An import updates a programme in place to a document: ``import_plan.programme_import_plan``
works out and checks what to write, and ``programme_import_write`` writes only the rows that
differ, so that the rows it keeps go on with their history. A load (``programme_load``) is the
same import into an empty programme: a new one, or an existing one emptied first when the load
replaces it whole.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from projects.models import BoardDecision, Meeting, Partner, ReportText

from ..history import Author, record_author
from ..models import Partnership, Programme
from ..money.document import PARTNERSHIP, PROGRAMME, ProgrammeDocument
from ..programme_file.problems import Problem
from .after_the_meeting import (
    paper_meetings,
    relink_papers,
    remove_after_the_meeting,
    write_after_the_meeting,
)
from .import_plan import (
    PAPER_FIELDS,
    ImportPlan,
    PapersPlan,
    ProgrammeLoadError,
    check_programme,
    check_row,
    programme_import_plan,
)
from .recorded_writes import remove_recorded, update_recorded


@transaction.atomic
def programme_load(*, document: ProgrammeDocument, user: Author = None) -> Programme:
    """Create the document's programme, or replace it whole, together with its partners.

    Partners belong to the partnership and are shared by its programmes: the document's partners
    are created or updated; a partner of the partnership that the document leaves out is removed,
    unless another programme or a user still refers to it, which refuses the whole load.
    """
    # Its declared fields: name, strategy and the contact officer the papers name.
    declared = PARTNERSHIP.stored(document.partnership, leave_out=PARTNERSHIP.identity)
    partnership, _ = Partnership.objects.get_or_create(
        slug=document.partnership.slug, defaults=declared
    )
    for name, value in declared.items():
        setattr(partnership, name, value)
    check_row(partnership, "partnership", exclude=["slug"])
    partnership.save()

    data = document.programme
    programme = Programme.objects.select_for_update().filter(slug=data.slug).first()
    if programme is not None and programme.partnership_id != partnership.pk:
        raise ProgrammeLoadError(
            [
                Problem(
                    "programme.slug",
                    f"'{data.slug}' already belongs to the partnership "
                    f"'{programme.partnership.slug}', not '{partnership.slug}'",
                )
            ]
        )
    links: dict[int, str] | None = None  # the meeting each paper is for, by slug
    if programme is None:
        programme = Programme(partnership=partnership, slug=data.slug)
        for name, value in PROGRAMME.stored(data, leave_out=PROGRAMME.identity).items():
            setattr(programme, name, value)
        check_programme(programme, data)
        programme.save()
    else:
        # Replaced whole: emptied, then the document is imported into it.
        links = paper_meetings(programme=programme)
        remove_after_the_meeting(programme=programme, user=user, when=timezone.now())
        programme.contributions.all().delete()
        programme.projects.all().delete()
    plan = programme_import_plan(programme=programme, document=document, paper_links=links)
    return programme_import_write(plan=plan, user=user)


@transaction.atomic
def programme_import_write(*, plan: ImportPlan, user: Author) -> Programme:
    """Write a planned update: only the rows it adds, changes and removes, each in the history.

    Every record of the update has one user and one date. Rows are removed before the rows
    they belong to, and partners the document leaves out last, once nothing refers to them.
    """
    when = timezone.now()
    if plan.settings_changed:
        for instance in (plan.partnership, plan.programme):
            record_author(instance, user, when)
            instance.save()
    for partner in plan.partners_saved:
        record_author(partner, user, when)
        partner.save()
    if plan.after_the_meeting is not None and plan.paper_links is None:
        plan.paper_links = paper_meetings(programme=plan.programme)
    try:
        with transaction.atomic():
            if plan.after_the_meeting is not None:
                # Replaced whole, first out and last in: they refer to partners and phases.
                remove_after_the_meeting(programme=plan.programme, user=user, when=when)
            for rows in (
                plan.claims,
                plan.funding_lines,
                plan.phases,
                plan.projects,
                plan.contributions,
            ):
                remove_recorded(rows.model, rows.removed, user=user, when=when)
            for rows in plan.row_sets:
                update_recorded(rows.model, rows.changed, rows.fields, user=user, when=when)
            for rows in plan.row_sets:
                if rows.added:
                    bulk_create_with_history(
                        rows.added, rows.model, default_user=user, default_date=when
                    )
            if plan.after_the_meeting is not None:
                write_after_the_meeting(
                    programme=plan.programme,
                    records=plan.after_the_meeting,
                    partners=plan.partners,
                    user=user,
                    when=when,
                )
            if plan.after_the_meeting is not None or plan.meetings_removed:
                # The papers keep their meetings, written again under the same slugs.
                relink_papers(programme=plan.programme, links=plan.paper_links or {})
            if plan.papers is not None:
                _write_papers(plan.programme, plan.papers, user=user, when=when)
    except IntegrityError as error:
        raise ProgrammeLoadError([Problem("the database refused it", str(error))]) from error
    if plan.report_text is not None:
        text = plan.report_text
        if text.pk is not None:
            text.version += 1
            if plan.after_the_meeting is not None or plan.meetings_removed:
                # Its meeting was written again, and the paper pointed at it, since it was read.
                stored = ReportText.objects.filter(pk=text.pk)
                text.for_meeting_id = stored.values_list("for_meeting", flat=True).get()
        record_author(text, user, when)
        text.save()
    if plan.partners_leaving:
        Partner.objects.filter(pk__in=[partner.pk for partner in plan.partners_leaving]).delete()
    return plan.programme


def _write_papers(
    programme: Programme, papers: PapersPlan, *, user: Author, when: datetime
) -> None:
    """Write the papers an update adds, changes and removes, once the meetings are written.

    The decisions replaced go first, and the papers removed with them; a paper added or changed
    is pointed at its meeting by the meeting's slug.
    """
    remove_recorded(BoardDecision, papers.decisions_removed, user=user, when=when)
    for paper in papers.removed:
        # As the papers page removes one: with the PDFs prepared of it.
        record_author(paper, user, when)
        paper.delete()
    meetings: dict[str, int] = {}
    if any(papers.meetings.values()):
        meetings = dict(Meeting.objects.filter(programme=programme).values_list("slug", "pk"))
    for paper in (*papers.changed, *papers.added):
        slug = papers.meetings[paper.slug]
        paper.for_meeting_id = None if slug is None else meetings[slug]
    for paper in papers.changed:
        paper.version += 1
    update_recorded(ReportText, papers.changed, PAPER_FIELDS, user=user, when=when)
    if papers.added:
        bulk_create_with_history(papers.added, ReportText, default_user=user, default_date=when)
    if papers.decisions_added:
        bulk_create_with_history(
            papers.decisions_added, BoardDecision, default_user=user, default_date=when
        )
