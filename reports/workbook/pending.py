"""Imports checked and previewed, kept until the facilitator confirms them (or a day passes).

The checked programme is kept server-side as a programme file, named by a random token that
only the facilitator's session knows, with the programme's state when it was checked. Nothing
but files is needed, so it works on a bare SQLite installation; ``IMPORT_PENDING_DIR`` puts the
files somewhere shared when several servers answer requests.

The files hold a whole programme, so the directory must be private to the application's user:
it is created so, and one that others can reach into is refused rather than used.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from projects.money.document import ProgrammeDocument
from projects.programme_file import ProgrammeFileError, dumps_programme, parse_programme

SESSION_KEY = "programme_imports"
KEEP_SECONDS = 24 * 60 * 60
MAX_PER_SESSION = 5
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


@dataclass(frozen=True)
class PendingImport:
    """A checked file waiting for confirmation: what it holds and what it was checked against."""

    token: str
    programme: str  # the slug of the programme it is to be imported into
    state: str  # the programme's state when the preview was made
    name: str  # the uploaded file's name, to show
    summary: str  # what the preview said the import changes
    document: ProgrammeDocument


class PendingDirectoryError(ImproperlyConfigured):
    """The directory for pending imports is not private to the application's user."""


def configured_directory() -> Path:
    """Return the directory the settings name for pending imports."""
    return Path(settings.IMPORT_PENDING_DIR)


def directory_problem(directory: Path) -> str | None:
    """Say why the directory may not hold pending imports, or return None if it may."""
    setting = f"The folder for imports awaiting confirmation (IMPORT_PENDING_DIR, {directory})"
    try:
        link = directory.lstat()
        status = directory.stat()
    except FileNotFoundError:
        parent = next((path for path in directory.parents if path.exists()), None)
        if parent is None or not os.access(parent, os.W_OK | os.X_OK):
            return (
                f"{setting} does not exist and cannot be created. Create it, private to the "
                "application's user (chmod 700)."
            )
        return None
    except OSError as error:
        return f"{setting} cannot be read ({error.strerror})."
    user = os.geteuid()
    # A link someone else owns could be pointed elsewhere later, whatever it points to now.
    if link.st_uid not in (user, 0) or status.st_uid != user:
        return f"{setting} belongs to another user. Use a folder the application's user owns."
    if not stat.S_ISDIR(status.st_mode):
        return f"{setting} is not a folder."
    if stat.S_IMODE(status.st_mode) & 0o077:
        return (
            f"{setting} can be reached by other users (its mode is "
            f"{stat.S_IMODE(status.st_mode):o}). Make it private: chmod 700 {directory}"
        )
    return None


def pending_directory() -> Path:
    """Return the directory the pending imports are kept in, created private if it is not there."""
    directory = configured_directory()
    # Made private from the start, so that no other user can open it before it is checked; a
    # directory that cannot be made is explained by the check below.
    with contextlib.suppress(OSError):
        directory.mkdir(mode=0o700, parents=True)
    problem = directory_problem(directory)
    if problem is not None:
        raise PendingDirectoryError(problem)
    return directory


def pending_save(
    session,
    *,
    programme: str,
    document: ProgrammeDocument,
    state: str,
    name: str,
    summary: str,
) -> str:
    """Keep a checked programme for confirmation; return the token that names it."""
    directory = pending_directory()
    _forget_old(directory)
    token = secrets.token_urlsafe(24)
    path = directory / f"{token}.json"
    # Encoded before any file is made, so that content that cannot be written leaves none.
    content = dumps_programme(document).encode("utf-8")
    descriptor, temporary = tempfile.mkstemp(dir=directory, suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    entries = dict(session.get(SESSION_KEY, {}))
    entries[token] = {
        "programme": programme,
        "state": state,
        "name": name[:200],
        "summary": summary,
    }
    # A session keeps its latest few; the older ones' files go with them.
    for old in list(entries)[:-MAX_PER_SESSION]:
        _remove(directory, old)
        del entries[old]
    session[SESSION_KEY] = entries
    return token


def pending_get(session, *, programme: str, token: str) -> PendingImport | None:
    """Return the session's pending import with this token for the programme, if still kept."""
    entry = session.get(SESSION_KEY, {}).get(token)
    if not _TOKEN.fullmatch(token or "") or entry is None or entry["programme"] != programme:
        return None
    try:
        raw = (pending_directory() / f"{token}.json").read_bytes()
        document = parse_programme(raw)
    except (OSError, ProgrammeFileError):
        return None
    return PendingImport(
        token=token,
        programme=programme,
        state=entry["state"],
        name=entry["name"],
        summary=entry.get("summary", ""),
        document=document,
    )


def pending_restate(session, *, token: str, state: str, summary: str) -> None:
    """Record that the pending import has been previewed again, against the programme's state."""
    entries = dict(session.get(SESSION_KEY, {}))
    if token in entries:
        entries[token] = {**entries[token], "state": state, "summary": summary}
        session[SESSION_KEY] = entries


def pending_discard(session, *, token: str) -> None:
    """Forget a pending import and remove its file."""
    entries = dict(session.get(SESSION_KEY, {}))
    if entries.pop(token, None) is not None:
        session[SESSION_KEY] = entries
    if _TOKEN.fullmatch(token or ""):
        # Not checked first: removing a file is safe in any folder, and a discard may follow an
        # import already applied, which a folder found open since must not make look undone.
        with contextlib.suppress(OSError):
            _remove(configured_directory(), token)


def _remove(directory: Path, token: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        (directory / f"{token}.json").unlink()


def _forget_old(directory: Path) -> None:
    """Remove the files of imports nobody confirmed within a day."""
    limit = time.time() - KEEP_SECONDS
    for path in directory.iterdir():
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mtime < limit:
                path.unlink()
