"""Check an uploaded file before anything parses it: its size, its kind, and zip bombs.

A workbook (.xlsx) is a zip archive of XML files. Before openpyxl opens one, the archive's own
directory is read to refuse archives that would unpack to far more than they weigh; the XML in
it is then parsed by openpyxl through defusedxml, which refuses entity expansion.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.conf import settings

from projects.programme_file import Problem, ProgrammeFileError
from projects.programme_file.problems import FILE_PATH

MEGABYTE = 1024 * 1024
# Defaults, each overridable by a setting of the same name.
IMPORT_MAX_UPLOAD_BYTES = 10 * MEGABYTE
# A programme of 10,000 funding lines exports to 4.6 MB of XML, 100,000 to 47 MB: the largest
# the row limit admits. The time to read a workbook grows with what it unpacks to.
IMPORT_MAX_UNPACKED_BYTES = 50 * MEGABYTE
# Sheet XML compresses well (a plain export packs about 10 to 1); a bomb packs thousands to 1.
IMPORT_MAX_COMPRESSION_RATIO = 200
IMPORT_MAX_ARCHIVE_MEMBERS = 1000
# Rows read per sheet, empty ones too: ten times the largest programme the bench builds.
IMPORT_MAX_ROWS = 100_000
# Rows read in all the sheets together: without it, every sheet could come near its own limit
# (800,000 empty rows in 8 sheets took 5.4 s to read); twice a sheet's is ample for any programme.
IMPORT_MAX_ROWS_IN_ALL = 200_000
# Reading stops after this long, well before the server gives up on the request (120 s): a
# programme of 10,000 funding lines reads in under 3 s, and the most the other limits let
# through (nearly 100,000 empty rows in every sheet) in about 10 s on the machine measured.
IMPORT_MAX_SECONDS = 20
# Members smaller than this cannot hurt, however well they compress.
_RATIO_FLOOR_BYTES = MEGABYTE

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003, and encrypted workbooks
ZIP_SIGNATURE = b"PK\x03\x04"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")  # a stream of an encrypted workbook
OPENDOCUMENT_MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument"

XLSX = "xlsx"
JSON = "json"


@dataclass(frozen=True)
class Limits:
    """How much an uploaded file may weigh, and unpack to."""

    upload_bytes: int
    unpacked_bytes: int
    compression_ratio: int
    archive_members: int
    rows: int  # read per sheet, empty rows included
    seconds: float  # to read the workbook's rows
    rows_in_all: int = IMPORT_MAX_ROWS_IN_ALL  # read in all the sheets together

    @classmethod
    def from_settings(cls) -> Limits:
        """Return the limits in force: the settings' where given, else the defaults."""
        return cls(
            upload_bytes=getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", IMPORT_MAX_UPLOAD_BYTES),
            unpacked_bytes=getattr(
                settings, "IMPORT_MAX_UNPACKED_BYTES", IMPORT_MAX_UNPACKED_BYTES
            ),
            compression_ratio=getattr(
                settings, "IMPORT_MAX_COMPRESSION_RATIO", IMPORT_MAX_COMPRESSION_RATIO
            ),
            archive_members=getattr(
                settings, "IMPORT_MAX_ARCHIVE_MEMBERS", IMPORT_MAX_ARCHIVE_MEMBERS
            ),
            rows=getattr(settings, "IMPORT_MAX_ROWS", IMPORT_MAX_ROWS),
            rows_in_all=getattr(settings, "IMPORT_MAX_ROWS_IN_ALL", IMPORT_MAX_ROWS_IN_ALL),
            seconds=getattr(settings, "IMPORT_MAX_SECONDS", IMPORT_MAX_SECONDS),
        )


def refuse(message: str) -> ProgrammeFileError:
    """Return the error for a problem with the file as a whole."""
    return ProgrammeFileError([Problem(FILE_PATH, message)])


def describe_size(size: int) -> str:
    """Say how big a file is, in the unit a person would use."""
    if size >= MEGABYTE:
        return f"{size / MEGABYTE:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def check_upload_size(size: int, limits: Limits | None = None) -> None:
    """Refuse a file larger than the upload limit."""
    limits = limits or Limits.from_settings()
    if size > limits.upload_bytes:
        raise refuse(
            f"The file is {describe_size(size)}; the largest file accepted is "
            f"{describe_size(limits.upload_bytes)}."
        )


def upload_kind(content: bytes, name: str = "") -> str:
    """Return whether the content is a workbook or a programme file, or refuse it with a reason."""
    if not content:
        raise refuse("The file is empty.")
    if content.startswith(OLE_SIGNATURE):
        if ENCRYPTED_PACKAGE in content:
            raise refuse(
                "The workbook is protected with a password, so it cannot be read. Open it in "
                "Excel, remove the password (File, Info, Protect Workbook, Encrypt with "
                "Password), save it and upload it again."
            )
        raise refuse(
            "The file is an old-style Excel 97-2003 workbook (.xls). Open it in Excel or "
            "LibreOffice and save it as an Excel Workbook (.xlsx), then upload that."
        )
    if content.startswith(ZIP_SIGNATURE):
        return XLSX
    stripped = content.lstrip(b"\xef\xbb\xbf \t\r\n")
    # Any JSON document is read as one, so that the parser can say what is wrong with it (a
    # list instead of an object, brackets nested too deeply, text that is not Unicode).
    if stripped.startswith((b"{", b"[", b'"')):
        return JSON
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    what = {
        "csv": "a CSV file",
        "xls": "an old-style Excel file",
        "ods": "an OpenDocument spreadsheet",
        "pdf": "a PDF",
        "docx": "a Word document",
    }.get(suffix, "neither an Excel workbook nor a programme file")
    raise refuse(
        f"The file is {what}. Upload an Excel workbook (.xlsx) in the layout of the "
        "programme's download, or a programme file (.json)."
    )


def check_archive(content: bytes, limits: Limits | None = None) -> None:
    """Refuse a zip archive that is broken, is no workbook, or would unpack to too much."""
    limits = limits or Limits.from_settings()
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            first = content[30 : 30 + len(OPENDOCUMENT_MIMETYPE)]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as error:
        raise refuse(
            "The file is not a readable Excel workbook: it looks like a damaged or "
            f"incomplete zip archive ({error}). Save it again as an Excel Workbook (.xlsx)."
        ) from error
    if len(members) > limits.archive_members:
        raise refuse(
            f"The workbook holds {len(members)} parts; a programme's workbook has a few dozen "
            f"at most (the limit is {limits.archive_members})."
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.unpacked_bytes:
        raise refuse(
            f"The workbook would unpack to {describe_size(unpacked)}, more than the "
            f"{describe_size(limits.unpacked_bytes)} allowed; it cannot be a programme's "
            "workbook."
        )
    for member in members:
        if member.file_size < _RATIO_FLOOR_BYTES:
            continue
        if member.file_size > member.compress_size * limits.compression_ratio:
            raise refuse(
                f"The workbook's part {member.filename!r} is compressed more than "
                f"{limits.compression_ratio} to 1, as only a file built to exhaust the server "
                "is; it was not opened."
            )
    if first == OPENDOCUMENT_MIMETYPE or {"content.xml", "mimetype"} <= names:
        raise refuse(
            "The file is an OpenDocument spreadsheet (.ods). Save it as an Excel Workbook "
            "(.xlsx) and upload that."
        )
    if "[Content_Types].xml" not in names or not any(
        name.startswith("xl/") and name.endswith("workbook.xml") for name in names
    ):
        raise refuse(
            "The file is a zip archive but not an Excel workbook. Upload the programme's "
            "workbook (.xlsx) or a programme file (.json)."
        )
