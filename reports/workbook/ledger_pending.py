"""A ledger upload kept between its steps (map the columns, preview, apply), never in the form.

The file's bytes are kept server-side, as the workbook import keeps its checked programmes
(``pending``): in the private folder for imports awaiting confirmation, named by a random
token that only the facilitator's session knows, one per programme per session. Each step reads
the file again from there, so no row of it travels in a hidden field.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
from dataclasses import dataclass

from .pending import _forget_old, configured_directory, pending_directory

SESSION_KEY = "ledger_imports"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
SUFFIX = ".ledger"


@dataclass(frozen=True)
class PendingLedger:
    """An uploaded ledger awaiting its import: the file, its name, and the preview's digest."""

    token: str
    name: str
    content: bytes
    mapping: dict[str, str]
    fingerprint: str  # of the plan last previewed; empty before a preview


def ledger_keep(session, *, programme: str, content: bytes, name: str) -> str:
    """Keep the uploaded file for the programme's import, replacing any kept before."""
    directory = pending_directory()
    _forget_old(directory)
    token = secrets.token_urlsafe(24)
    descriptor, temporary = tempfile.mkstemp(dir=directory, suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        os.replace(temporary, directory / f"{token}{SUFFIX}")
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    ledger_discard(session, programme=programme)
    entries = dict(session.get(SESSION_KEY, {}))
    entries[programme] = {"token": token, "name": name[:200], "mapping": {}, "fingerprint": ""}
    session[SESSION_KEY] = entries
    return token


def ledger_get(session, *, programme: str) -> PendingLedger | None:
    """Return the file kept for the programme's import in this session, if still kept."""
    entry = session.get(SESSION_KEY, {}).get(programme)
    if not entry or not _TOKEN.fullmatch(entry.get("token", "")):
        return None
    try:
        content = (pending_directory() / f"{entry['token']}{SUFFIX}").read_bytes()
    except OSError:
        return None
    return PendingLedger(
        token=entry["token"],
        name=entry["name"],
        content=content,
        mapping=dict(entry.get("mapping", {})),
        fingerprint=entry.get("fingerprint", ""),
    )


def ledger_note(session, *, programme: str, mapping: dict[str, str], fingerprint: str) -> None:
    """Record the mapping chosen and the digest of the plan previewed with it."""
    entries = dict(session.get(SESSION_KEY, {}))
    if programme in entries:
        entries[programme] = {**entries[programme], "mapping": mapping, "fingerprint": fingerprint}
        session[SESSION_KEY] = entries


def ledger_discard(session, *, programme: str) -> None:
    """Forget the programme's kept file and remove it."""
    entries = dict(session.get(SESSION_KEY, {}))
    entry = entries.pop(programme, None)
    if entry is None:
        return
    session[SESSION_KEY] = entries
    token = entry.get("token", "")
    if _TOKEN.fullmatch(token):
        with contextlib.suppress(OSError):
            (configured_directory() / f"{token}{SUFFIX}").unlink()
