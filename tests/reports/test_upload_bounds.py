"""Uploads bounded by the work they make, the folder imports wait in, and the partnership's name."""

from __future__ import annotations

import html
import io
import json
import os
import re
import stat
import time
import zipfile
from dataclasses import replace
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from benchmarks.builders import bench_document
from projects.models import Partnership, Programme
from projects.money.figures import compute_figures
from projects.programme_file import ProgrammeFileError, dump_programme, parse_programme
from projects.services import programme_as_imported
from reports.checks import check_pending_directory
from reports.workbook import importing
from reports.workbook.export import write_programme_workbook
from reports.workbook.importing import read_upload
from reports.workbook.pending import PendingDirectoryError, pending_directory, pending_save
from reports.workbook.safety import IMPORT_MAX_UNPACKED_BYTES, MEGABYTE
from tests.reports.workbooks import DEMO, snapshot, workbook_of

pytestmark = pytest.mark.django_db

IMPORT_URL = f"/programmes/{DEMO}/import/"
CONFIRM_URL = f"/programmes/{DEMO}/import/confirm/"
# A loose backstop only, in CPU seconds of the test's process so that a busy machine does not
# fail it: the bounds themselves are counted rows, sizes and a setting.
BACKSTOP_SECONDS = 5

TOO_MANY_DIGITS = "The file is not a programme file: a number has too many digits"
NESTED_TOO_DEEPLY = "The file is not a programme file: its brackets are nested too deeply"
NOT_UNICODE = "The file is not a programme file: it contains text that is not valid Unicode"


@pytest.fixture
def demo(monkeypatch) -> Programme:
    monkeypatch.setenv("DJANGO_DEMO_PASSWORD", "demo-password-123")
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.select_related("partnership").get(slug=DEMO)


@pytest.fixture(autouse=True)
def pending(settings, tmp_path) -> Path:
    settings.IMPORT_PENDING_DIR = tmp_path / "pending"
    return tmp_path / "pending"


def login(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def text(response) -> str:
    return html.unescape(response.content.decode())


def everything() -> dict:
    """Everything an import could touch, the partnership too."""
    return {**snapshot(), "Partnership": sorted(map(repr, Partnership.objects.values_list()))}


def files_in(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir()) if directory.exists() else []


def read(content: bytes, programme: Programme, name: str = "programme.xlsx"):
    return read_upload(content, name=name, current=programme_as_imported(programme=programme))


def refusal(content: bytes, programme: Programme, name: str = "programme.xlsx") -> list[str]:
    with pytest.raises(ProgrammeFileError) as caught:
        read(content, programme, name)
    return [str(problem) for problem in caught.value.problems]


def with_rows(content: bytes, member: str, rows: str) -> bytes:
    """Return the workbook with XML rows added at the end of one sheet, as a zip file rewritten."""
    source = zipfile.ZipFile(io.BytesIO(content))
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == member:
                data = data.replace(b"</sheetData>", rows.encode() + b"</sheetData>")
            target.writestr(info.filename, data)
    return stream.getvalue()


def projects_rows(content: bytes) -> tuple[int, int]:
    """Return how many rows the Projects sheet (the first) has in its XML, and the last's number."""
    xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    numbers = [int(number) for number in re.findall(rb'<row r="(\d+)"', xml)]
    return len(re.findall(rb"<row[ >]", xml)), max(numbers)


def blank_rows(first: int, count: int) -> str:
    """Return rows of empty cells, numbered from ``first``."""
    return "".join(f'<row r="{n}"><c r="A{n}"/></row>' for n in range(first, first + count))


# Workbooks: rows counted, empty ones too


def test_every_row_read_counts_towards_the_limit_empty_ones_too(demo, settings):
    content = workbook_of(demo)
    rows, last = projects_rows(content)
    settings.IMPORT_MAX_ROWS = rows + 1000
    at_limit = with_rows(content, "xl/worksheets/sheet1.xml", blank_rows(last + 1, 1000))
    assert read(at_limit, demo).projects != ()  # exactly at the limit: read
    over = with_rows(content, "xl/worksheets/sheet1.xml", blank_rows(last + 1, 1001))
    assert refusal(over, demo) == [
        f"Projects: has more than {rows + 1000:,} rows; no programme is that large"
    ]


def test_a_workbook_of_empty_rows_is_refused_once_the_rows_are_counted(client, demo, settings):
    settings.IMPORT_MAX_ROWS = 20_000
    content = with_rows(workbook_of(demo), "xl/worksheets/sheet1.xml", blank_rows(100, 30_000))
    before = everything()
    started = time.process_time()
    response = login(client, "facilitator").post(
        IMPORT_URL, {"file": SimpleUploadedFile("programme.xlsx", content)}
    )
    assert response.status_code == 200
    assert "has more than 20,000 rows; no programme is that large" in text(response)
    assert "Nothing has been changed" in text(response)
    assert time.process_time() - started < BACKSTOP_SECONDS
    assert everything() == before
    assert files_in(settings.IMPORT_PENDING_DIR) == []


def test_a_formula_cell_does_not_make_the_workbook_be_read_again(demo, monkeypatch):
    content = workbook_of(demo)
    _, last = projects_rows(content)
    # An uncalculated formula far below the data, after many empty rows.
    formula = f'<row r="{last + 5001}"><c r="A{last + 5001}"><f>1+1</f><v></v></c></row>'
    content = with_rows(content, "xl/worksheets/sheet1.xml", blank_rows(last + 1, 5000) + formula)
    opened = []
    load_workbook = importing.load_workbook
    monkeypatch.setattr(
        importing,
        "load_workbook",
        lambda *args, **kwargs: opened.append(kwargs) or load_workbook(*args, **kwargs),
    )
    problems = refusal(content, demo)
    assert len(opened) == 1
    assert any(
        f"cell A{last + 5001} holds a formula that has not been calculated" in problem
        for problem in problems
    )


def test_a_formula_cell_counts_once_towards_the_rows(demo, settings):
    content = workbook_of(demo)
    rows, last = projects_rows(content)
    settings.IMPORT_MAX_ROWS = rows + 10
    formula = f'<row r="{last + 11}"><c r="Z{last + 11}"><f>1+1</f><v>2</v></c></row>'
    over = with_rows(content, "xl/worksheets/sheet1.xml", blank_rows(last + 1, 10) + formula)
    assert refusal(over, demo) == [
        f"Projects: has more than {rows + 10:,} rows; no programme is that large"
    ]


def test_a_row_of_more_cells_than_a_spreadsheet_has_columns_is_refused(demo):
    content = workbook_of(demo)
    _, last = projects_rows(content)
    # Cells without references compress too well: give each a value, as a real file would.
    cells = "".join(f"<c><v>{n}</v></c>" for n in range(importing.MAX_CELLS_PER_ROW + 1))
    wide = with_rows(content, "xl/worksheets/sheet1.xml", f'<row r="{last + 1}">{cells}</row>')
    assert refusal(wide, demo) == [
        f"Projects: row {last + 1} has more than 16,384 cells, more than a spreadsheet has columns"
    ]


class _Clock:
    """A clock that moves a second on each reading, so that a deadline passes predictably."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        self.now += 1
        return self.now


def test_reading_a_workbook_stops_at_the_deadline(client, demo, settings, monkeypatch):
    settings.IMPORT_MAX_SECONDS = 5
    clock = _Clock()
    monkeypatch.setattr(importing, "time", clock)
    before = everything()
    response = login(client, "facilitator").post(
        IMPORT_URL, {"file": SimpleUploadedFile("programme.xlsx", workbook_of(demo))}
    )
    assert response.status_code == 200
    assert "Reading the workbook took longer than the 5 seconds allowed, so it was stopped" in text(
        response
    )
    assert clock.now == 7  # the start, then five rows within the time and the sixth past it
    assert everything() == before
    assert files_in(settings.IMPORT_PENDING_DIR) == []


def test_a_tiny_deadline_stops_the_reading_on_the_real_clock(client, demo, settings):
    # Opening the workbook alone takes longer than this, so the first row read is past it.
    settings.IMPORT_MAX_SECONDS = 1e-9
    before = everything()
    response = login(client, "facilitator").post(
        IMPORT_URL, {"file": SimpleUploadedFile("programme.xlsx", workbook_of(demo))}
    )
    assert response.status_code == 200
    assert "Reading the workbook took longer than the 1e-09 seconds allowed" in text(response)
    assert everything() == before
    assert files_in(settings.IMPORT_PENDING_DIR) == []


def test_the_deadline_is_a_setting_with_a_default_well_inside_the_servers_timeout(settings):
    from reports.workbook.safety import IMPORT_MAX_SECONDS, Limits

    assert IMPORT_MAX_SECONDS <= 30
    settings.IMPORT_MAX_SECONDS = 0.5
    assert Limits.from_settings().seconds == 0.5


# Workbooks: what they unpack to


def test_a_workbook_unpacking_to_more_than_the_cap_is_refused_before_it_is_opened(
    client, demo, settings, monkeypatch
):
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        # Parts too small for the compression ratio to be checked, but many of them.
        for part in range(60):
            archive.writestr(f"xl/worksheets/sheet{part + 1}.xml", b" " * (9 * MEGABYTE // 10))
    content = stream.getvalue()
    settings.IMPORT_MAX_UPLOAD_BYTES = len(content) + 1
    monkeypatch.setattr(importing, "load_workbook", pytest.fail)
    before = everything()
    response = login(client, "facilitator").post(
        IMPORT_URL, {"file": SimpleUploadedFile("programme.xlsx", content)}
    )
    assert response.status_code == 200
    assert "The workbook would unpack to 54.0 MB, more than the 50.0 MB allowed" in text(response)
    assert everything() == before
    assert files_in(settings.IMPORT_PENDING_DIR) == []


def test_a_programme_of_10000_funding_lines_unpacks_to_a_tenth_of_the_cap():
    document = bench_document(10_000)
    stream = io.BytesIO()
    write_programme_workbook(document=document, figures=compute_figures(document), stream=stream)
    archive = zipfile.ZipFile(io.BytesIO(stream.getvalue()))
    unpacked = sum(member.file_size for member in archive.infolist())
    assert unpacked * 10 < IMPORT_MAX_UNPACKED_BYTES == 50 * MEGABYTE


# Programme files that no programme file could be


def _surrogate_file(programme: Programme) -> bytes:
    """Return the programme's file with half a surrogate pair in a project's name."""
    content = dump_programme(programme_as_imported(programme=programme))
    content["projects"][0]["name"] = "Portal \ud800"
    return json.dumps(content).encode()  # ASCII, the surrogate written as an escape


REPROS = {
    TOO_MANY_DIGITS: lambda programme: b'{"format": ' + b"9" * 5000 + b"}",
    NESTED_TOO_DEEPLY: lambda programme: b'{"format": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    NOT_UNICODE: _surrogate_file,
}


@pytest.mark.parametrize("message", list(REPROS))
def test_a_programme_file_no_programme_could_be_is_refused_by_the_parser(message):
    raw = REPROS[message](None) if message != NOT_UNICODE else b'{"format": "\\ud800"}'
    started = time.process_time()
    with pytest.raises(ProgrammeFileError) as caught:
        parse_programme(raw)
    assert [str(problem) for problem in caught.value.problems] == [f"(file): {message}"]
    assert time.process_time() - started < BACKSTOP_SECONDS


def test_a_surrogate_pair_written_as_two_escapes_is_one_character():
    with pytest.raises(ProgrammeFileError) as caught:
        parse_programme(b'{"format": "\\ud83d\\ude00"}')
    assert "not valid Unicode" not in str(caught.value)
    assert "\U0001f600" in str(caught.value)


@pytest.mark.parametrize("message", list(REPROS))
def test_an_upload_no_programme_file_could_be_is_refused_clearly(client, demo, settings, message):
    content = REPROS[message](demo)
    before = everything()
    response = login(client, "facilitator").post(
        IMPORT_URL, {"file": SimpleUploadedFile("programme.json", content)}
    )
    assert response.status_code == 200
    assert message in text(response)
    assert "Nothing has been changed" in text(response)
    assert everything() == before
    assert files_in(settings.IMPORT_PENDING_DIR) == []


@pytest.mark.parametrize("message", list(REPROS))
@pytest.mark.parametrize("command", ["import_xlsx", "load_programme"])
def test_the_commands_refuse_a_file_no_programme_file_could_be(demo, tmp_path, message, command):
    path = tmp_path / "programme.json"
    path.write_bytes(REPROS[message](demo))
    arguments = [DEMO, str(path)] if command == "import_xlsx" else [str(path)]
    before = everything()
    with pytest.raises(CommandError) as caught:
        call_command(command, *arguments, stdout=StringIO())
    assert message in str(caught.value)
    assert "nothing was changed" in str(caught.value)
    assert everything() == before
    assert files_in(tmp_path) == ["programme.json"]


def test_a_document_that_cannot_be_written_leaves_no_file_behind(demo, settings):
    current = programme_as_imported(programme=demo)
    document = replace(current, partnership=replace(current.partnership, name="X \ud800"))
    with pytest.raises(UnicodeEncodeError):
        pending_save({}, programme=DEMO, document=document, state="", name="x", summary="")
    assert files_in(settings.IMPORT_PENDING_DIR) == []


# The folder of imports awaiting confirmation


def test_a_folder_other_users_can_open_is_refused_at_start_up_and_at_use(settings, tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o777)
    settings.IMPORT_PENDING_DIR = folder
    errors = check_pending_directory(None)
    assert [error.id for error in errors] == ["reports.E001"]
    assert "can be reached by other users (its mode is 777)" in errors[0].msg
    with pytest.raises(PendingDirectoryError, match="chmod 700"):
        pending_directory()
    with pytest.raises(PendingDirectoryError):
        pending_save({}, programme=DEMO, document=None, state="", name="x", summary="")
    assert files_in(folder) == []


def test_a_folder_readable_by_its_group_is_refused_too(settings, tmp_path):
    folder = tmp_path / "group"
    folder.mkdir(mode=0o750)
    folder.chmod(0o750)
    settings.IMPORT_PENDING_DIR = folder
    assert [error.id for error in check_pending_directory(None)] == ["reports.E001"]


def test_a_new_folder_is_made_private_whatever_the_umask(settings, tmp_path):
    folder = tmp_path / "data" / "imports"
    settings.IMPORT_PENDING_DIR = folder
    assert check_pending_directory(None) == []  # not there yet: it will be made
    previous = os.umask(0)
    try:
        assert pending_directory() == folder
    finally:
        os.umask(previous)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert check_pending_directory(None) == []


def test_the_folder_is_under_the_applications_own_data_by_default(monkeypatch):
    from norfolk_connect.settings import base

    if os.environ.get("DJANGO_IMPORT_PENDING_DIR"):
        pytest.skip("the environment names the folder")
    assert base.IMPORT_PENDING_DIR == base.BASE_DIR / "var" / "imports"
    assert "/var/" in (django_settings.BASE_DIR / ".gitignore").read_text().split()


# The partnership's name and strategy


def renamed(client, *, strategy: str = "A new strategy", amount_change: bool = True) -> bytes:
    """Return the programme file with the partnership renamed, and a funding line changed."""
    content = json.loads(client.get(f"/programmes/{DEMO}/programme.json").content)
    content["partnership"]["name"] = "Renamed partnership"
    content["partnership"]["strategy"] = strategy
    if amount_change:
        content["projects"][0]["funding"][0]["amount"] = "1.00"
    return json.dumps(content).encode()


def upload(client, content: bytes, **extra):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile("programme.json", content), **extra})


def confirm(client, response):
    token = re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)
    return client.post(CONFIRM_URL, {"token": token})


@pytest.mark.parametrize("ticked", [False, True])
def test_a_facilitator_cannot_change_the_partnerships_name_by_an_import(client, demo, ticked):
    client = login(client, "facilitator")
    name, strategy = demo.partnership.name, demo.partnership.strategy
    extra = {"change_partnership": "on"} if ticked else {}
    response = upload(client, renamed(client), **extra)
    assert response.status_code == 200
    page = text(response)
    assert "The partnership's name and strategy are not imported" in page
    assert "Renamed partnership" in page and "A new strategy" in page
    assert "Ask an administrator" in page
    assert confirm(client, response).status_code == 302
    partnership = Partnership.objects.get(pk=demo.partnership.pk)
    assert (partnership.name, partnership.strategy) == (name, strategy)
    # The rest of the file was imported.
    assert programme_as_imported(programme=demo).projects[0].funding[0].amount == 1


def test_the_form_offers_the_choice_only_to_administrators(client, demo):
    assert "change_partnership" not in login(client, "facilitator").get(IMPORT_URL).content.decode()
    assert "change_partnership" in login(client, "admin").get(IMPORT_URL).content.decode()


def test_an_administrator_who_does_not_tick_leaves_the_partnership_as_it_is(client, demo):
    client = login(client, "admin")
    name = demo.partnership.name
    response = upload(client, renamed(client, amount_change=False))
    page = text(response)
    assert "The partnership's name and strategy are not imported" in page
    assert "and tick “Also change the partnership's name and strategy to the file's”" in page
    assert "apart from the partnership's name and strategy: <strong>no changes" in page
    assert 'name="token"' not in page
    assert Partnership.objects.get(pk=demo.partnership.pk).name == name


def test_an_administrator_who_ticks_changes_the_partnerships_name_and_strategy(client, demo):
    client = login(client, "admin")
    response = upload(client, renamed(client), change_partnership="on")
    page = text(response)
    assert "are not imported" not in page
    assert "Partnership name" in page and "Renamed partnership" in page
    assert confirm(client, response).status_code == 302
    partnership = Partnership.objects.get(pk=demo.partnership.pk)
    assert (partnership.name, partnership.strategy) == ("Renamed partnership", "A new strategy")


def test_an_import_answers_clearly_when_the_folder_is_not_private(client, demo, settings):
    folder = Path(settings.IMPORT_PENDING_DIR)
    folder.mkdir()
    folder.chmod(0o777)
    client = login(client, "facilitator")
    before = everything()
    response = upload(client, renamed(client))
    assert response.status_code == 503
    assert "Sorry, imports cannot be checked at the moment" in text(response)
    assert "Nothing has been changed" in text(response)
    assert everything() == before
    assert files_in(folder) == []


@pytest.mark.parametrize("change", [False, True])
def test_the_import_command_changes_the_partnership_only_when_asked(client, demo, tmp_path, change):
    name = demo.partnership.name
    path = tmp_path / "programme.json"
    path.write_bytes(renamed(login(client, "facilitator")))
    out = StringIO()
    options = ["--change-partnership"] if change else []
    call_command("import_xlsx", DEMO, str(path), *options, stdout=out)
    partnership = Partnership.objects.get(pk=demo.partnership.pk)
    if change:
        assert partnership.name == "Renamed partnership"
        assert "Not imported" not in out.getvalue()
    else:
        assert partnership.name == name
        assert (
            f"Not imported (use --change-partnership): Partnership name: {name} -> "
            "Renamed partnership" in out.getvalue()
        )
    assert programme_as_imported(programme=demo).projects[0].funding[0].amount == 1


def test_a_partnerships_administrator_who_is_no_superuser_cannot_change_it(client, demo):
    admin = get_user_model().objects.get(username="admin")
    admin.is_superuser = False
    admin.save()
    client = login(client, "admin")
    assert "change_partnership" not in client.get(IMPORT_URL).content.decode()
    name = demo.partnership.name
    response = upload(client, renamed(client), change_partnership="on")
    assert "The partnership's name and strategy are not imported" in text(response)
    assert confirm(client, response).status_code == 302
    assert Partnership.objects.get(pk=demo.partnership.pk).name == name


def test_a_confirmation_answers_clearly_when_the_folder_was_opened_since_the_preview(
    client, demo, pending
):
    client = login(client, "facilitator")
    preview = upload(client, renamed(client))
    pending.chmod(0o777)
    before = everything()
    response = confirm(client, preview)
    assert response.status_code == 503
    assert "Sorry, imports cannot be checked at the moment" in text(response)
    assert everything() == before


def test_the_rows_of_all_the_sheets_together_are_bounded_too(demo, settings):
    content = workbook_of(demo)
    rows, last = projects_rows(content)
    settings.IMPORT_MAX_ROWS = rows + 1000  # each sheet is within its own limit
    settings.IMPORT_MAX_ROWS_IN_ALL = 1500
    content = with_rows(content, "xl/worksheets/sheet1.xml", blank_rows(last + 1, 900))
    content = with_rows(content, "xl/worksheets/sheet2.xml", blank_rows(1000, 900))
    problems = refusal(content, demo)
    assert len(problems) == 1
    assert problems[0].endswith(
        "takes the workbook past 1,500 rows in all, empty rows included; no programme is that large"
    )
    settings.IMPORT_MAX_ROWS_IN_ALL = 200_000
    assert read(content, demo).projects != ()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[" * 100_000, NESTED_TOO_DEEPLY),
        (b'"\\ud800"', NOT_UNICODE),
        (b"[1, 2]", "must be a JSON object, not a list"),
    ],
)
def test_an_upload_of_json_that_is_no_object_says_what_is_wrong(client, demo, content, message):
    before = everything()
    response = login(client, "facilitator").post(
        IMPORT_URL, {"file": SimpleUploadedFile("programme.json", content)}
    )
    assert response.status_code == 200
    assert message in text(response)
    assert "neither an Excel workbook nor a programme file" not in text(response)
    assert everything() == before
