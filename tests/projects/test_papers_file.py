"""Every paper of a programme, with its decisions, in the programme file: read, checked, stored
and written back, so that an export loads back to the same papers and a backup restores them."""

from __future__ import annotations

import copy
import json
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from projects.models import BoardDecision, Meeting, PaperTemplate, Programme, ReportText
from projects.money.vocabulary import Resolution
from projects.programme_file import ProgrammeFileError, dumps_programme, parse_programme
from projects.selectors import programme_document
from projects.services import programme_as_imported, programme_import, programme_state
from projects.services.import_plan import ProgrammeLoadError
from projects.services.loading import programme_load
from reports.models import IssuedReport
from reports.report.selectors import board_report, report_fingerprint
from reports.services import paper_create, report_issue
from reports.workbook.diffing import ADDED, CHANGED, REMOVED, preview_import
from tests.after_the_meeting import after_the_meeting

pytestmark = pytest.mark.django_db

DEMO = "norfolk-connect-2004"
JUNE = date(2004, 6, 18)
OCTOBER = date(2004, 10, 14)
JUNE_MEETING = "chief-executives-2004-06"
OCTOBER_MEETING = "chief-executives-2004-10"


def with_papers() -> dict[str, Any]:
    """Return the format 2 file with two papers: June's workload paper with the meeting's
    decisions on it, and the autumn review being prepared for October."""
    content = after_the_meeting()
    june = content.pop("report")
    content["papers"] = [
        {
            "slug": "medium-term-workload-2004-06",
            "kind": "workload",
            "for_meeting": JUNE_MEETING,
            "text": june,
            "decisions": [
                {
                    "number": 1,
                    "recommendation": "Agree the projects in the programme.",
                    "resolution": "agreed",
                    "note": "",
                },
                {
                    "number": 2,
                    "recommendation": "Agree an immediate tranche of £10,000 from each council.",
                    "resolution": "amended",
                    "note": "Subject to each council's own decision.",
                },
            ],
        },
        {
            "slug": "autumn-review-2004-10",
            "kind": "autumn_review",
            "for_meeting": OCTOBER_MEETING,
            "text": {**june, "title": "Autumn review", "summary": "The caps after review."},
            "decisions": [],
        },
    ]
    return content


def load(content: dict[str, Any], user=None) -> Programme:
    return programme_load(document=parse_programme(json.dumps(content)), user=user)


def exported(programme: Programme) -> str:
    return dumps_programme(programme_document(programme=programme, include_papers=True))


def problems_of(content) -> list[str]:
    with pytest.raises(ProgrammeFileError) as caught:
        parse_programme(json.dumps(content))
    return [f"{problem.path}: {problem.message}" for problem in caught.value.problems]


def a_user():
    return get_user_model().objects.get_or_create(username="facilitator-of-papers")[0]


def issue(programme: Programme, paper: ReportText, day: date, user) -> IssuedReport:
    report = board_report(programme=programme, paper=paper, on=day, issued=True)
    return report_issue(
        programme=programme,
        paper=paper,
        meeting_date=day,
        expected_fingerprint=report_fingerprint(report),
        user=user,
    )


# The file


def test_a_file_with_every_paper_reads_and_writes_back_exactly():
    content = with_papers()
    document = parse_programme(json.dumps(content))
    assert [paper.slug for paper in document.papers] == [
        "medium-term-workload-2004-06",
        "autumn-review-2004-10",
    ]
    june, autumn = document.papers
    assert june.decisions[1].resolution == Resolution.AMENDED
    assert autumn.kind == PaperTemplate.AUTUMN_REVIEW
    # The paper being prepared is the newest: the board report's words are its words.
    assert document.report == autumn.text
    assert json.loads(dumps_programme(document)) == content


def test_papers_alone_make_a_format_2_file_even_without_a_meeting():
    content = with_papers()
    for key in ("meetings", "agreements", "calls", "refunds", "spend", "forecasts"):
        del content[key]
    for paper in content["papers"]:
        paper["for_meeting"] = None
    dumped = json.loads(dumps_programme(parse_programme(json.dumps(content))))
    assert dumped["format"] == "partnership-programme/2"
    assert "report" not in dumped
    assert dumped["papers"] == content["papers"]


def edit(change):
    content = with_papers()
    change(content)
    return content


def set_in(content, path, value):
    target = content
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


BAD = {
    "an unknown meeting": (
        lambda c: set_in(c, ["papers", 1, "for_meeting"], "chief-executives-2004-11"),
        "papers[1].for_meeting: unknown meeting 'chief-executives-2004-11' "
        "(did you mean 'chief-executives-2004-10'?)",
    ),
    "a slug given twice": (
        lambda c: set_in(c, ["papers", 1, "slug"], "medium-term-workload-2004-06"),
        "papers[1].slug: duplicate slug 'medium-term-workload-2004-06' (also papers[0].slug)",
    ),
    "a reserved slug": (
        lambda c: set_in(c, ["papers", 0, "slug"], "new"),
        "papers[0].slug: 'new' is a reserved word: the pages use it",
    ),
    "a bad slug": (
        lambda c: set_in(c, ["papers", 0, "slug"], "Autumn Review"),
        'papers[0].slug: must be a slug such as "norfolk-connect": lower-case letters and '
        "digits, words joined by single hyphens",
    ),
    "an unknown kind": (
        lambda c: set_in(c, ["papers", 0, "kind"], "minutes"),
        "papers[0].kind: must be one of: workload, autumn_review, progress (not 'minutes')",
    ),
    "a decision number given twice": (
        lambda c: set_in(c, ["papers", 0, "decisions", 1, "number"], 1),
        "papers[0].decisions[1].number: duplicate decision number 1 "
        "(also papers[0].decisions[0].number)",
    ),
    "a decision number of 0": (
        lambda c: set_in(c, ["papers", 0, "decisions", 0, "number"], 0),
        "papers[0].decisions[0].number: must be 1 or more",
    ),
    "a bad resolution": (
        lambda c: set_in(c, ["papers", 0, "decisions", 0, "resolution"], "noted"),
        "papers[0].decisions[0].resolution: must be one of: agreed, amended, deferred, "
        "rejected (not 'noted')",
    ),
    "a resolution left out": (
        lambda c: c["papers"][0]["decisions"][0].pop("resolution"),
        "papers[0].decisions[0].resolution: required",
    ),
    "an empty recommendation": (
        lambda c: set_in(c, ["papers", 0, "decisions", 0, "recommendation"], "  "),
        "papers[0].decisions[0].recommendation: must not be empty",
    ),
    "an unknown key of a decision": (
        lambda c: set_in(c, ["papers", 0, "decisions", 0, "text"], "Agree"),
        "papers[0].decisions[0]: unknown key 'text'",
    ),
    "a paper without its words": (
        lambda c: c["papers"][1].pop("text"),
        "papers[1].text: required",
    ),
    "a bad word of a paper": (
        lambda c: set_in(c, ["papers", 1, "text", "title"], 5),
        "papers[1].text.title: must be a string, not 5",
    ),
    "both the report and the papers": (
        lambda c: set_in(c, ["report"], c["papers"][1]["text"]),
        'report: must be left out when the file has "papers": give the papers under "papers" only',
    ),
    "no paper at all": (
        lambda c: set_in(c, ["papers"], []),
        "papers: must list at least one paper (leave it out to keep the programme's papers)",
    ),
}


@pytest.mark.parametrize("name", BAD)
def test_each_bad_paper_is_refused_at_its_place_and_nothing_is_written(name, tmp_path):
    programme = load(with_papers())
    before = exported(programme)
    change, expected = BAD[name]
    content = edit(change)
    assert expected in problems_of(content)
    path = tmp_path / "programme.json"
    path.write_text(json.dumps(content))
    with pytest.raises(CommandError, match="nothing was changed") as refused:
        call_command("load_programme", str(path), stdout=StringIO())
    assert expected in str(refused.value)
    assert exported(programme) == before


def test_a_format_1_file_may_not_hold_the_papers():
    content = with_papers()
    for key in ("meetings", "agreements", "calls", "refunds", "spend", "forecasts"):
        del content[key]
    content["papers"][0]["for_meeting"] = content["papers"][1]["for_meeting"] = None
    content["format"] = "partnership-programme/1"
    assert 'papers: is a key of the format "partnership-programme/2", not of this file\'s' in (
        problems_of(content)
    )


# Loading


def test_every_paper_is_stored_with_its_meeting_and_decisions_and_read_back_as_loaded():
    content = with_papers()
    programme = load(content)
    june, autumn = ReportText.objects.filter(programme=programme).order_by("pk")
    assert (june.slug, june.template, june.for_meeting.slug) == (
        "medium-term-workload-2004-06",
        PaperTemplate.WORKLOAD,
        JUNE_MEETING,
    )
    assert (autumn.template, autumn.for_meeting.date) == (
        PaperTemplate.AUTUMN_REVIEW,
        date(2004, 10, 15),
    )
    assert list(june.decisions.values_list("number", "resolution", "note")) == [
        (1, "agreed", ""),
        (2, "amended", "Subject to each council's own decision."),
    ]
    assert not autumn.decisions.exists()
    assert BoardDecision.history.count() == 2  # each in the history
    assert json.loads(exported(programme)) == content


def test_loading_the_same_file_again_writes_no_paper():
    programme = load(with_papers())
    papers = list(ReportText.objects.values_list("pk", "version", "for_meeting__slug"))
    decisions = list(BoardDecision.objects.values_list("pk", flat=True))
    history = (ReportText.history.count(), BoardDecision.history.count())
    load(with_papers())
    assert list(ReportText.objects.values_list("pk", "version", "for_meeting__slug")) == papers
    assert list(BoardDecision.objects.values_list("pk", flat=True)) == decisions
    assert (ReportText.history.count(), BoardDecision.history.count()) == history
    assert json.loads(exported(programme)) == with_papers()


def change_papers(content):
    june, autumn = content["papers"]
    autumn["text"]["summary"] = "The caps after review, lowered."
    autumn["for_meeting"] = JUNE_MEETING
    june["decisions"][1]["resolution"] = "rejected"
    content["papers"].append(
        {
            "slug": "progress-2005-01",
            "kind": "progress",
            "for_meeting": None,
            "text": {"title": "Progress report", "summary": "Work so far."},
            "decisions": [
                {"number": 1, "recommendation": "Note the report.", "resolution": "agreed"}
            ],
        }
    )


def test_a_load_changes_the_papers_in_place_adds_new_ones_and_replaces_decisions_whole():
    user = a_user()
    programme = load(with_papers())
    june, autumn = ReportText.objects.filter(programme=programme).order_by("pk")
    old_decisions = set(june.decisions.values_list("pk", flat=True))
    load(edit(change_papers), user=user)
    papers = list(ReportText.objects.filter(programme=programme).order_by("pk"))
    assert [paper.pk for paper in papers[:2]] == [june.pk, autumn.pk]  # kept where they are
    assert [paper.slug for paper in papers] == [
        "medium-term-workload-2004-06",
        "autumn-review-2004-10",
        "progress-2005-01",
    ]
    june_now, autumn_now, progress = papers
    assert (june_now.version, autumn_now.version, progress.version) == (1, 2, 1)
    assert autumn_now.summary == "The caps after review, lowered."
    assert autumn_now.for_meeting.slug == JUNE_MEETING
    record = autumn_now.history.latest("history_id")
    assert (record.history_user, record.summary, record.version) == (
        user,
        "The caps after review, lowered.",
        2,
    )
    # June's decisions are replaced whole, each removal and addition in the history.
    assert not old_decisions & set(june_now.decisions.values_list("pk", flat=True))
    assert list(june_now.decisions.values_list("number", "resolution")) == [
        (1, "agreed"),
        (2, "rejected"),
    ]
    removed = BoardDecision.history.filter(history_type="-")
    assert {record.id for record in removed} == old_decisions
    assert {record.history_user for record in removed} == {user}
    assert progress.decisions.get().text == "Note the report."
    assert progress.template == PaperTemplate.PROGRESS
    # The newest paper is the one being prepared.
    assert programme_document(programme=programme, include_report=True).report.title == (
        "Progress report"
    )
    assert exported(programme) == dumps_programme(parse_programme(json.dumps(edit(change_papers))))


def test_a_paper_left_out_is_removed_with_its_decisions_if_it_was_never_issued():
    programme = load(with_papers())
    autumn = ReportText.objects.get(slug="autumn-review-2004-10")
    content = with_papers()
    content["papers"].pop(0)
    load(content)
    assert list(ReportText.objects.filter(programme=programme)) == [autumn]
    assert not BoardDecision.objects.exists()
    assert ReportText.history.filter(history_type="-").get().slug == "medium-term-workload-2004-06"


def test_a_file_leaving_out_an_issued_paper_is_refused_and_writes_nothing():
    user = a_user()
    programme = load(with_papers())
    june = ReportText.objects.get(slug="medium-term-workload-2004-06")
    issue(programme, june, JUNE, user)
    before = exported(programme)
    content = with_papers()
    content["papers"].pop(0)
    content["papers"][0]["text"]["summary"] = "Changed"
    with pytest.raises(ProgrammeLoadError) as caught:
        load(content)
    (problem,) = caught.value.problems
    assert problem.path == "papers"
    assert problem.message == (
        "the paper 'medium-term-workload-2004-06' (“Norfolk Connect Medium Term Workload”) is "
        "left out, but it was issued to a meeting and an issued paper is kept as the board was "
        "given it: include it"
    )
    assert exported(programme) == before


def test_a_paper_for_a_meeting_the_file_no_longer_has_is_refused_by_the_plan_too():
    document = parse_programme(json.dumps(with_papers()))
    from dataclasses import replace

    papers = (replace(document.papers[0], for_meeting="no-such-meeting"), document.papers[1])
    with pytest.raises(ProgrammeLoadError) as caught:
        programme_load(document=replace(document, papers=papers))
    assert [str(problem) for problem in caught.value.problems] == [
        "papers[0].for_meeting: unknown meeting 'no-such-meeting'"
    ]


def test_a_placeholder_the_report_does_not_know_is_refused_at_its_paper():
    content = with_papers()
    content["papers"][0]["text"]["summary"] = "Up to {capp}."
    with pytest.raises(ProgrammeLoadError) as caught:
        load(content)
    assert caught.value.problems[0].path == "papers[0].text.summary"
    assert not Programme.objects.exists()


def test_the_report_alone_still_writes_the_paper_being_prepared_and_keeps_the_rest():
    programme = load(with_papers())
    content = with_papers()
    report = content.pop("papers")[1]["text"]
    content["report"] = {**report, "summary": "Only the report"}
    load(content)
    june, autumn = ReportText.objects.filter(programme=programme).order_by("pk")
    assert autumn.summary == "Only the report"
    assert june.decisions.count() == 2
    assert autumn.for_meeting.slug == OCTOBER_MEETING


# The demo: its file stays as it was, and a programme with papers goes round


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.select_related("partnership").get(slug=DEMO)


def test_the_demo_with_its_one_paper_is_written_as_before_papers(demo):
    text = exported(demo)
    content = json.loads(text)
    # The demo's two risks make it a /2 file; its one paper is still its report.
    assert content["format"] == "partnership-programme/2"
    assert "papers" not in content
    assert content["report"]["title"] == "Norfolk Connect Medium Term Workload"
    assert text == dumps_programme(programme_document(programme=demo, include_report=True))


def test_one_paper_the_report_alone_cannot_say_is_written_under_papers(demo):
    # Renamed since it was made, its slug is no longer the one its title gives.
    ReportText.objects.filter(programme=demo).update(title="The June paper")
    content = json.loads(exported(demo))
    assert "report" not in content
    assert [paper["slug"] for paper in content["papers"]] == [
        "norfolk-connect-medium-term-workload"
    ]


def papers_of(programme: Programme) -> list[tuple]:
    return [
        (
            paper.slug,
            paper.template,
            paper.for_meeting.slug if paper.for_meeting else None,
            paper.title,
            paper.summary,
            list(paper.decisions.values_list("number", "text", "resolution", "note")),
        )
        for paper in ReportText.objects.filter(programme=programme)
        .select_related("for_meeting")
        .order_by("pk")
    ]


def with_two_papers(demo: Programme):
    """The demo's June paper issued to its meeting, with two decisions, and the autumn review
    for October with one."""
    user = a_user()
    june_meeting = Meeting.objects.create(
        programme=demo, slug="chief-executives-2004-06", body="Norfolk Chief Executives", date=JUNE
    )
    october = Meeting.objects.create(
        programme=demo,
        slug="chief-executives-2004-10",
        body="Norfolk Chief Executives",
        date=OCTOBER,
    )
    june = ReportText.objects.get(programme=demo)
    june.for_meeting = june_meeting
    june.save()
    issue(demo, june, JUNE, user)
    BoardDecision.objects.create(paper=june, number=1, text="Agree.", resolution="agreed")
    BoardDecision.objects.create(
        paper=june, number=2, text="Pay.", resolution="amended", note="After consent."
    )
    autumn = paper_create(
        programme=demo, template=PaperTemplate.AUTUMN_REVIEW, meeting=october, user=user
    )
    BoardDecision.objects.create(
        paper=autumn, number=1, text="Lower the caps.", resolution="deferred"
    )
    return june, autumn


def test_a_programme_with_two_papers_loads_back_to_the_same_papers_under_another_slug(demo):
    with_two_papers(demo)
    text = exported(demo)
    content = json.loads(text)
    assert content["format"] == "partnership-programme/2"
    assert [(paper["slug"], paper["for_meeting"]) for paper in content["papers"]] == [
        ("norfolk-connect-medium-term-workload", "chief-executives-2004-06"),
        ("autumn-review-paper-2004-10", "chief-executives-2004-10"),
    ]
    content["programme"]["slug"] = "norfolk-connect-2004-again"
    again = load(content)
    assert papers_of(again) == papers_of(demo)
    assert exported(again) == text.replace(
        f'"slug": "{DEMO}"', '"slug": "norfolk-connect-2004-again"'
    )
    # Loaded over itself, the programme keeps its papers, issued one included, as they are.
    pks = list(ReportText.objects.filter(programme=demo).values_list("pk", "version"))
    load(json.loads(text))
    assert list(ReportText.objects.filter(programme=demo).values_list("pk", "version")) == pks
    assert exported(demo) == text


# The import: its preview, its check and its cost


def test_the_preview_lists_the_papers_and_decisions_added_changed_and_removed():
    programme = load(with_papers())
    current = programme_as_imported(programme=programme)
    content = edit(change_papers)
    content["papers"][0]["decisions"].pop(0)
    preview = preview_import(current, parse_programme(json.dumps(content)))
    rows = {
        (row.section, row.row, row.action): row.changes
        for section in preview.sections
        for row in section.rows
        if section.name in ("Papers", "Decisions")
    }
    assert set(rows) == {
        ("Papers", "Autumn review (autumn-review-2004-10)", CHANGED),
        ("Papers", "Progress report (progress-2005-01)", ADDED),
        (
            "Decisions",
            "Norfolk Connect Medium Term Workload (medium-term-workload-2004-06): recommendation 1",
            REMOVED,
        ),
        (
            "Decisions",
            "Norfolk Connect Medium Term Workload (medium-term-workload-2004-06): recommendation 2",
            CHANGED,
        ),
        ("Decisions", "Progress report (progress-2005-01): recommendation 1", ADDED),
    }
    changed = {
        change.field: (change.old, change.new)
        for change in rows[("Papers", "Autumn review (autumn-review-2004-10)", CHANGED)]
    }
    assert changed == {
        "For the meeting": (
            "Norfolk Chief Executives, 15 October 2004",
            "Norfolk Chief Executives, 18 June 2004",
        ),
        "Summary": ("The caps after review.", "The caps after review, lowered."),
    }
    # The newest paper's words are listed with it, not again as the board report's.
    assert not next(section for section in preview.sections if section.name == "Board report").rows
    assert not preview_import(current, parse_programme(json.dumps(with_papers()))).has_changes


def test_the_preview_compares_a_first_file_with_papers_with_the_one_paper_of_before(demo):
    current = programme_as_imported(programme=demo)
    assert current.papers == ()
    content = json.loads(exported(demo))
    report = content.pop("report")
    content["papers"] = [
        {"slug": "norfolk-connect-medium-term-workload", "kind": "workload", "for_meeting": None,
         "text": report, "decisions": []},
        {"slug": "progress-2005-01", "kind": "progress", "for_meeting": None,
         "text": {"title": "Progress"}, "decisions": []},
    ]  # fmt: skip
    content["format"] = "partnership-programme/2"
    preview = preview_import(current, parse_programme(json.dumps(content)))
    papers = next(section for section in preview.sections if section.name == "Papers")
    assert [(row.row, row.action) for row in papers.rows] == [
        ("Progress (progress-2005-01)", ADDED)
    ]


def test_an_import_writes_the_papers_and_refuses_a_file_leaving_out_an_issued_one(demo):
    user = a_user()
    june, _ = with_two_papers(demo)
    current = programme_as_imported(programme=demo)
    content = json.loads(dumps_programme(current))
    content["papers"][1]["text"]["summary"] = "Imported"
    imported = programme_import(
        programme=demo,
        document=parse_programme(json.dumps(content)),
        expected_state=programme_state(current),
        user=user,
    )
    assert ReportText.objects.get(slug="autumn-review-paper-2004-10").summary == "Imported"
    content["papers"].pop(0)
    current = programme_as_imported(programme=imported)
    with pytest.raises(ProgrammeLoadError, match="'norfolk-connect-medium-term-workload'"):
        programme_import(
            programme=imported,
            document=parse_programme(json.dumps(content)),
            expected_state=programme_state(current),
            user=user,
        )
    assert ReportText.objects.filter(pk=june.pk).exists()


def many_papers(count: int) -> dict[str, Any]:
    content = with_papers()
    first = content["papers"][0]
    content["papers"] = [
        {
            **copy.deepcopy(first),
            "slug": f"paper-{number}",
            "for_meeting": (JUNE_MEETING, OCTOBER_MEETING, None)[number % 3],
        }
        for number in range(count)
    ]
    return content


def rewritten(content: dict[str, Any]) -> dict[str, Any]:
    """Every paper's words and decisions changed, and a new paper in place of the last."""
    content = copy.deepcopy(content)
    for paper in content["papers"]:
        paper["text"]["summary"] += " Again."
        paper["decisions"][0]["note"] = "Changed."
    content["papers"][-1]["slug"] = "a-new-paper"
    return content


@pytest.mark.parametrize("count", [3, 30])
def test_an_import_of_many_papers_takes_the_same_queries_whatever_their_number(
    count, django_assert_num_queries
):
    programme = load(many_papers(count))
    current = programme_as_imported(programme=programme)
    document = parse_programme(json.dumps(rewritten(many_papers(count))))
    # The papers take 17 of them: their meetings, the papers and their decisions read; the
    # decisions replaced, the papers changed and added, each with its history; and 5 to
    # remove the one paper left out, as the papers page removes one. The file's milestones,
    # status updates and risks take 6 more: each kind read, and replaced whole.
    with django_assert_num_queries(70):
        programme_import(
            programme=programme,
            document=document,
            expected_state=programme_state(current),
            user=None,
        )
    assert json.loads(exported(programme))["papers"] == rewritten(many_papers(count))["papers"]
