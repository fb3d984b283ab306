"""Back up every programme as programme files, with a manifest that restore_programmes checks."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from projects.models import Programme
from projects.money.figures import ProgrammeFigures, compute_figures, figures_as_json
from projects.programme_file import dumps_programme
from projects.selectors import programme_document

MANIFEST = "manifest.json"
BACKUP_FORMAT = "norfolk-connect-backup/1"


def sha256_hex(content: bytes) -> str:
    """Return the SHA-256 of the content, in hex."""
    return hashlib.sha256(content).hexdigest()


def figures_data(figures: ProgrammeFigures) -> dict[str, Any]:
    """Return the figures as the manifest holds them: their JSON object, read back."""
    return json.loads(json.dumps(figures_as_json(figures)))


def write_atomically(path: Path, content: bytes) -> None:
    """Write the file beside its target and rename it, so no reader ever sees half of it."""
    temporary = None
    try:
        with tempfile.NamedTemporaryFile(
            "wb", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
        ) as handle:
            temporary = Path(handle.name)
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise


def file_name(slug: str) -> str:
    """Return the programme file's name in the backup, never that of the manifest."""
    name = f"{slug}.json"
    return f"{slug}.programme.json" if name == MANIFEST else name


class Command(BaseCommand):
    help = (
        "Write every programme as a programme file <slug>.json in DIR, and a manifest.json "
        "giving each file's SHA-256 and its programme's figures, for restore_programmes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="where to write the backup")

    def handle(self, *args, directory: Path, **options) -> None:
        if directory.exists() and not directory.is_dir():
            raise CommandError(f"{directory}: it is not a directory")
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(f"{directory}: cannot create it ({error.strerror})") from error
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if outermost and connection.vendor == "postgresql":
                # Every programme as of one moment: READ COMMITTED would let an edit land
                # between two reads. (SQLite reads a transaction as of its first read.)
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            files = self.programme_files()
        entries = []
        try:
            for slug, partnership, content, figures in files:
                name = file_name(slug)
                write_atomically(directory / name, content)
                entries.append(
                    {
                        "slug": slug,
                        "partnership": partnership,
                        "file": name,
                        "sha256": sha256_hex(content),
                        "bytes": len(content),
                        "figures": figures,
                    }
                )
            manifest = {
                "format": BACKUP_FORMAT,
                "created_at": timezone.now().isoformat(timespec="seconds"),
                "programmes": entries,
            }
            # Written last: a backup that stopped half way keeps the previous manifest, whose
            # hashes then refuse the files it no longer describes.
            write_atomically(
                directory / MANIFEST,
                (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode(),
            )
        except OSError as error:
            raise CommandError(
                f"{directory}: cannot write the backup there ({error.strerror}); "
                "the manifest was not written, so this backup is incomplete"
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {len(entries)} programme{'' if len(entries) == 1 else 's'} to "
                f"{directory}: {', '.join(entry['slug'] for entry in entries) or 'none'}."
            )
        )

    @staticmethod
    def programme_files() -> list[tuple[str, str, bytes, dict[str, Any]]]:
        """Return each programme's slug, partnership, programme file and figures."""
        files = []
        for programme in Programme.objects.select_related("partnership").order_by("slug"):
            document = programme_document(programme=programme, include_papers=True)
            content = dumps_programme(document).encode()
            figures = figures_data(compute_figures(document))
            files.append((programme.slug, programme.partnership.slug, content, figures))
        return files
