"""Imports checked and previewed, kept until the facilitator confirms them (or a day passes).

The checked programme is kept server-side as a programme file, named by a random token that
only the facilitator's session knows, with the programme's state when it was checked. Nothing
but files is needed, so it works on a bare SQLite installation; ``IMPORT_PENDING_DIR`` puts the
files somewhere shared when several servers answer requests.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from projects.data import ProgrammeDocument
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


def pending_directory() -> Path:
    """Return the directory the pending imports are kept in, made private to this server."""
    default = Path(tempfile.gettempdir()) / "partnership-programme-imports"
    directory = Path(getattr(settings, "IMPORT_PENDING_DIR", default))
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
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
    descriptor, temporary = tempfile.mkstemp(dir=directory, suffix=".tmp")
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(dumps_programme(document))
    os.replace(temporary, path)
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
        _remove(pending_directory(), token)


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
