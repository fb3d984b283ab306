"""Backup and restore: programme files with a manifest, and the pg_dump route on PostgreSQL."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.test.utils import override_settings

from projects.management.commands.backup_programmes import MANIFEST, figures_data, sha256_hex
from projects.models import (
    BoardDecision,
    Contribution,
    FundingLine,
    Meeting,
    Membership,
    OutcomeClaim,
    Partner,
    Partnership,
    Phase,
    Programme,
    Project,
    ReportText,
)
from projects.money.vocabulary import (
    Borne,
    ContributionStatus,
    Decision,
    PaperTemplate,
    Resolution,
    Tranche,
)
from projects.programme_file import dumps_programme
from projects.selectors import programme_document, programme_figures
from projects.services import phase_decide
from reports.models import IssuedReport
from reports.report.selectors import board_report, report_fingerprint
from reports.services import paper_create, report_issue
from tests.contributions.factories import ContributionFactory
from tests.projects.factories import (
    FundingLineFactory,
    OutcomeClaimFactory,
    PhaseFactory,
    ProgrammeFactory,
    ProjectFactory,
)

DEMO = "norfolk-connect-2004"
SECOND = "norfolk-connect-2006"
MODELS = [
    Partnership,
    Programme,
    Project,
    Phase,
    FundingLine,
    OutcomeClaim,
    Partner,
    Contribution,
    ReportText,
    Meeting,
    BoardDecision,
]


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def exported() -> dict[str, str]:
    """Every programme's file, as export_programme writes it."""
    return {
        programme.slug: dumps_programme(
            programme_document(programme=programme, include_papers=True)
        )
        for programme in Programme.objects.order_by("slug")
    }


def all_figures() -> dict[str, dict]:
    return {
        programme.slug: figures_data(programme_figures(programme=programme))
        for programme in Programme.objects.order_by("slug")
    }


def snapshot() -> dict[str, list[str]]:
    """Every row a restore could touch, to prove a refused one changed nothing."""
    return {model.__name__: sorted(map(repr, model.objects.values_list())) for model in MODELS}


def wipe() -> None:
    """Lose every programme and its partnership, as a database rebuilt from nothing would."""
    # The issues keep their papers, and so their programme, until gone.
    IssuedReport.objects.all().delete()
    Contribution.objects.all().delete()
    Programme.objects.all().delete()
    Membership.objects.all().delete()
    Partner.objects.all().delete()
    Partnership.objects.all().delete()
    assert not any(model.objects.exists() for model in MODELS)


def papers_of(programme_slug: str) -> list[tuple]:
    """Every paper of a programme, with its kind, meeting, words and decisions."""
    return [
        (
            paper.slug,
            paper.template,
            paper.for_meeting and (paper.for_meeting.slug, paper.for_meeting.date),
            paper.title,
            paper.summary,
            list(paper.decisions.values_list("number", "text", "resolution", "note")),
        )
        for paper in ReportText.objects.filter(programme__slug=programme_slug)
        .select_related("for_meeting")
        .order_by("pk")
    ]


def add_papers(demo: Programme) -> None:
    """The demo's June paper for its meeting, with what the meeting resolved, and the autumn
    review being prepared for October's."""
    june_meeting, october = (
        Meeting.objects.create(
            programme=demo, slug=f"chief-executives-{day:%Y-%m}", body="Chief Executives", date=day
        )
        for day in (date(2004, 6, 18), date(2004, 10, 14))
    )
    june = ReportText.objects.get(programme=demo)
    june.for_meeting = june_meeting
    june.save()
    BoardDecision.objects.create(
        paper=june, number=1, text="Agree the programme.", resolution=Resolution.AGREED
    )
    BoardDecision.objects.create(
        paper=june,
        number=2,
        text="Agree the contributions.",
        resolution=Resolution.AMENDED,
        note="Each council to confirm",
    )
    autumn = paper_create(
        programme=demo, template=PaperTemplate.AUTUMN_REVIEW, meeting=october, user=None
    )
    BoardDecision.objects.create(
        paper=autumn, number=1, text="Lower the caps.", resolution=Resolution.DEFERRED
    )


def build_programmes() -> None:
    """The demo, with contributions and two papers with decisions, and a second programme with
    money and a decision."""
    run("load_demo")
    demo = Programme.objects.get(slug=DEMO)
    add_papers(demo)
    partners = {partner.slug: partner for partner in demo.partnership.partners.all()}
    ContributionFactory(
        programme=demo,
        partner=partners["broadland"],
        amount=Decimal("10000.00"),
        status=ContributionStatus.RECEIVED,
        pledged_on=date(2004, 7, 1),
        received_on=date(2004, 8, 2),
        note="Paid from the IEG grant",
    )
    ContributionFactory(
        programme=demo,
        partner=partners["norwich"],
        amount=Decimal("10000.50"),
        status=ContributionStatus.PLEDGED,
    )
    second = ProgrammeFactory(
        partnership=demo.partnership,
        slug=SECOND,
        name="Norfolk Connect 2006",
        starts=date(2006, 4, 1),
        ends=date(2007, 3, 31),
        financial_years=["2006/07"],
        rounding_step=Decimal("5000.00"),
    )
    portal = ProjectFactory(programme=second, slug="portal-2", name="Portal 2", position=0)
    PhaseFactory(project=portal, number=1, extra_cost=Decimal("12000.00"))
    gated = PhaseFactory(
        project=portal, number=2, extra_cost=Decimal("40000.00"), gated=True, name="Build"
    )
    PhaseFactory(
        project=portal, number=3, extra_cost=None, gated=True, borne=Borne.INDIVIDUAL, name="Link"
    )
    FundingLineFactory(project=portal, amount=Decimal("8000.25"), source="ODPM grant")
    OutcomeClaimFactory(project=portal)
    crm = ProjectFactory(programme=second, slug="crm-2", name="CRM 2", position=1)
    PhaseFactory(project=crm, number=1, extra_cost=Decimal("3333.33"))
    portal.refresh_from_db()
    phase_decide(
        phase=gated,
        decision=Decision.APPROVED,
        decided_on=date(2006, 9, 27),
        note="Board minute 12",
        expected_version=portal.version,
        user=None,
    )
    for slug, status in [("breckland", ContributionStatus.INVOICED), ("norwich", "received")]:
        ContributionFactory(
            programme=second,
            partner=partners[slug],
            financial_year="2006/07",
            tranche=Tranche.IMMEDIATE,
            amount=Decimal("5000.00"),
            status=status,
        )
    assert Phase.objects.get(pk=gated.pk).decision == Decision.APPROVED


@pytest.fixture
def programmes(db, monkeypatch):
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    build_programmes()
    return exported(), all_figures()


@pytest.fixture
def backup(programmes, tmp_path) -> Path:
    directory = tmp_path / "backup"
    run("backup_programmes", str(directory))
    return directory


def test_the_backup_holds_every_programme_file_and_a_manifest(programmes, backup):
    files, figures = programmes
    manifest = json.loads((backup / MANIFEST).read_text())
    assert manifest["format"] == "norfolk-connect-backup/1"
    assert manifest["created_at"][:4].isdigit()
    assert [entry["slug"] for entry in manifest["programmes"]] == [DEMO, SECOND]
    for entry in manifest["programmes"]:
        content = (backup / entry["file"]).read_bytes()
        assert entry["file"] == f"{entry['slug']}.json"
        assert content.decode() == files[entry["slug"]]
        assert entry["sha256"] == sha256_hex(content)
        assert entry["figures"] == figures[entry["slug"]]
        assert entry["partnership"] == "norfolk-connect"
    assert manifest["programmes"][1]["figures"]["received"] == "5000.00"
    assert {path.stat().st_mode & 0o777 for path in backup.iterdir()} == {0o600}  # as documented
    assert sorted(path.name for path in backup.iterdir()) == [
        MANIFEST,
        f"{DEMO}.json",
        f"{SECOND}.json",
    ]  # no temporary files left behind


def test_a_restore_after_losing_everything_gives_the_same_figures_and_files(programmes, backup):
    files, figures = programmes
    papers = papers_of(DEMO)
    wipe()
    output = run("restore_programmes", str(backup))
    assert "Restored 2 programmes" in output
    assert all_figures() == figures
    assert exported() == files
    phase = Phase.objects.get(project__slug="portal-2", number=2)
    assert (phase.decision, phase.decided_on) == (Decision.APPROVED, date(2006, 9, 27))
    assert papers_of(DEMO) == papers


def test_a_restore_brings_back_every_paper_with_its_meeting_and_decisions(programmes, backup):
    content = json.loads((backup / f"{DEMO}.json").read_text())
    assert "report" not in content
    assert [(paper["slug"], len(paper["decisions"])) for paper in content["papers"]] == [
        ("norfolk-connect-medium-term-workload", 2),
        ("autumn-review-paper-2004-10", 1),
    ]
    papers = papers_of(DEMO)
    wipe()
    run("restore_programmes", str(backup))
    assert papers_of(DEMO) == papers
    assert papers[0][2] == ("chief-executives-2004-06", date(2004, 6, 18))
    assert papers[1][5] == [(1, "Lower the caps.", "deferred", "")]


def test_a_restore_replaces_a_programme_that_is_still_here(programmes, backup):
    files, figures = programmes
    demo = Programme.objects.get(slug=DEMO)
    Project.objects.filter(programme=demo, slug="portal").delete()
    Phase.objects.filter(project__programme=demo).update(extra_cost=Decimal("1.00"))
    ContributionFactory(programme=demo, partner=Partner.objects.get(slug="breckland"))
    Contribution.objects.filter(programme__slug=SECOND).delete()
    papers = papers_of(DEMO)
    # Papers changed since the backup: words, a decision and a paper never issued added.
    ReportText.objects.filter(programme=demo, template="autumn_review").update(summary="Later")
    BoardDecision.objects.filter(number=2).update(resolution=Resolution.REJECTED)
    paper_create(programme=demo, template=PaperTemplate.PROGRESS, meeting=None, user=None)
    assert all_figures() != figures
    run("restore_programmes", str(backup))
    assert all_figures() == figures
    assert exported() == files
    assert papers_of(DEMO) == papers
    assert Programme.objects.get(slug=DEMO).pk == demo.pk  # replaced in place


def test_a_restore_leaving_out_a_paper_issued_since_the_backup_is_refused(programmes, backup):
    demo = Programme.objects.get(slug=DEMO)
    progress = paper_create(
        programme=demo, template=PaperTemplate.PROGRESS, meeting=None, user=None
    )
    day = date(2005, 1, 20)
    report = board_report(programme=demo, paper=progress, on=day, issued=True)
    report_issue(
        programme=demo,
        paper=progress,
        meeting_date=day,
        expected_fingerprint=report_fingerprint(report),
        user=get_user_model().objects.create_user("issuer"),
    )
    before = snapshot()
    with pytest.raises(CommandError) as refused:
        run("restore_programmes", str(backup))
    assert (
        f"{DEMO}.json: papers: the paper '{progress.slug}' (“{progress.title}”) is left out, "
        "but it was issued to a meeting"
    ) in str(refused.value)
    assert snapshot() == before


def test_a_tampered_file_is_refused_and_nothing_changes(programmes, backup):
    Contribution.objects.filter(programme__slug=SECOND).delete()  # a restore would bring back
    path = backup / f"{SECOND}.json"
    path.write_text(path.read_text().replace('"5000.00"', '"500000.00"'))
    before = snapshot()
    with pytest.raises(CommandError) as refused:
        run("restore_programmes", str(backup))
    assert f"{SECOND}.json: its SHA-256 is not the one in the manifest" in str(refused.value)
    assert "nothing was changed" in str(refused.value)
    assert snapshot() == before


def test_figures_that_differ_after_loading_undo_every_programme(programmes, backup):
    """A file changed with its hash updated loads, but its figures give it away: all rolls back."""
    Contribution.objects.all().delete()
    path = backup / f"{SECOND}.json"
    path.write_text(path.read_text().replace('"5000.00"', '"6000.00"'))
    manifest = json.loads((backup / MANIFEST).read_text())
    manifest["programmes"][1]["sha256"] = sha256_hex(path.read_bytes())
    (backup / MANIFEST).write_text(json.dumps(manifest))
    before = snapshot()
    with pytest.raises(CommandError) as refused:
        run("restore_programmes", str(backup))
    message = str(refused.value)
    assert f"{SECOND}.json: pledged: '10000.00' in the manifest, '12000.00' restored" in message
    assert "nothing was changed" in message
    assert snapshot() == before  # the demo, loaded first, is rolled back too


def test_only_restores_the_programme_named(programmes, backup):
    _, figures = programmes
    Contribution.objects.all().delete()
    changed = all_figures()
    run("restore_programmes", str(backup), "--only", SECOND)
    assert all_figures() == {DEMO: changed[DEMO], SECOND: figures[SECOND]}
    with pytest.raises(CommandError, match="The backup holds no programme 'nowhere'"):
        run("restore_programmes", str(backup), "--only", "nowhere")


def test_a_programme_that_cannot_load_refuses_the_whole_restore(programmes, backup):
    # Another partnership now holds the second programme's slug: the load must refuse it.
    Programme.objects.filter(slug=SECOND).delete()
    ProgrammeFactory(slug=SECOND)
    before = snapshot()
    with pytest.raises(CommandError) as refused:
        run("restore_programmes", str(backup))
    assert f"{SECOND}.json: programme.slug: '{SECOND}' already belongs" in str(refused.value)
    assert snapshot() == before


def test_a_directory_without_a_manifest_is_not_a_backup(db, tmp_path):
    with pytest.raises(CommandError, match=r"holds no manifest\.json"):
        run("restore_programmes", str(tmp_path))
    (tmp_path / MANIFEST).write_text("{not json")
    with pytest.raises(CommandError, match="is not JSON"):
        run("restore_programmes", str(tmp_path))
    (tmp_path / MANIFEST).write_text('{"format": "something/else", "programmes": []}')
    with pytest.raises(CommandError, match=r"is not a norfolk-connect-backup/1 manifest"):
        run("restore_programmes", str(tmp_path))


def test_a_manifest_cannot_name_a_file_outside_the_backup(programmes, backup):
    manifest = json.loads((backup / MANIFEST).read_text())
    manifest["programmes"][0]["file"] = "../elsewhere.json"
    (backup / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="names a file outside the backup"):
        run("restore_programmes", str(backup))


def test_an_unwritable_directory_is_a_clear_error(programmes, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(CommandError, match=r"a-file/backup: cannot create it \(Not a directory\)"):
        run("backup_programmes", str(blocker / "backup"))
    with pytest.raises(CommandError, match="it is not a directory"):
        run("backup_programmes", str(blocker))


def test_a_failed_write_leaves_no_manifest_and_no_temporary_file(programmes, tmp_path, monkeypatch):
    calls = []

    def failing_replace(source, target):
        calls.append(target)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return os.rename(source, target)

    monkeypatch.setattr(
        "projects.management.commands.backup_programmes.os.replace", failing_replace
    )
    with pytest.raises(CommandError, match=r"No space left on device.*manifest was not written"):
        run("backup_programmes", str(tmp_path))
    assert sorted(path.name for path in tmp_path.iterdir()) == [f"{DEMO}.json"]


# The pg_dump route: the whole database, users and history included, into a fresh database.

RESTORED = "restored"


class RestoredRouter:
    """Send every read and write to the restored database."""

    def db_for_read(self, model, **hints):
        return RESTORED

    def db_for_write(self, model, **hints):
        return RESTORED


def postgres_arguments(name: str) -> tuple[list[str], dict[str, str]]:
    """Return libpq's command-line options for a database of the test server, and its env."""
    settings = connection.settings_dict
    options = ["--host", settings["HOST"] or "localhost", "--port", str(settings["PORT"] or 5432)]
    options += ["--username", settings["USER"]] if settings["USER"] else []
    env = {**os.environ, "PGPASSWORD": settings["PASSWORD"] or ""}
    return [*options, "--dbname", name], env


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the pg_dump route needs PostgreSQL: set DATABASE_URL=postgres://... to run it",
)
@pytest.mark.skipif(
    not (shutil.which("pg_dump") and shutil.which("pg_restore")),
    reason="pg_dump and pg_restore are not installed",
)
def test_pg_dump_and_pg_restore_give_the_same_figures(monkeypatch, tmp_path):
    import psycopg

    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    build_programmes()  # committed: pg_dump sees only what is committed
    files, figures = exported(), all_figures()
    users = get_user_model().objects.count()
    histories = Phase.history.count()
    dump = tmp_path / "norfolk-connect.dump"
    source, env = postgres_arguments(connection.settings_dict["NAME"])
    subprocess.run(
        ["pg_dump", "--format=custom", "--file", str(dump), *source],
        check=True,
        env=env,
        capture_output=True,
    )
    name = f"test_restore_{secrets.token_hex(6)}"
    settings = connection.settings_dict
    admin = psycopg.connect(
        host=settings["HOST"] or "localhost",
        port=settings["PORT"] or 5432,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        target, env = postgres_arguments(name)
        subprocess.run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", *target, str(dump)],
            check=True,
            env=env,
            capture_output=True,
        )
        # Made here rather than in settings, so Django's test isolation lets the test use it.
        connections[RESTORED] = type(connections["default"])(
            {**connection.settings_dict, "NAME": name}, alias=RESTORED
        )
        try:
            with override_settings(DATABASE_ROUTERS=[RestoredRouter()]):
                assert Programme.objects.db == RESTORED
                assert all_figures() == figures
                assert exported() == files
                assert get_user_model().objects.count() == users
                assert Phase.history.count() == histories
        finally:
            connections[RESTORED].close()
            del connections[RESTORED]
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_the_records_after_the_meeting_are_backed_up_and_restored_exactly(
    db, tmp_path, monkeypatch
):
    import json as json_module

    from projects.models import Invoice, Payment, Spend
    from projects.programme_file import parse_programme
    from projects.services.loading import programme_load
    from tests.after_the_meeting import after_the_meeting

    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    run("load_demo")
    programme_load(document=parse_programme(json_module.dumps(after_the_meeting())))
    files, figures = exported(), all_figures()
    assert figures[DEMO]["agreement"]["cap_total"] == "160000.00"
    run("backup_programmes", str(tmp_path / "backup"))
    # The money records lost with everything else; spend first, as it keeps its phase.
    Spend.objects.all().delete()
    Invoice.objects.all().delete()
    wipe()
    run("restore_programmes", str(tmp_path / "backup"))
    assert exported() == files
    assert all_figures() == figures
    assert Payment.objects.count() == 9
