"""Fail when a catalogue is incomplete or stale: `manage.py messages_check` (make lint, CI).

makemessages runs over a copy of the tree (the committed catalogues are never touched), and the
committed catalogues are compared with what it extracted (see course.catalogues.problems).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings

from course import catalogues

SKIPPED = shutil.ignore_patterns(
    *catalogues.IGNORED, ".git", "__pycache__", "*.mo", ".*_cache", "*.sqlite3"
)


def catalogue_files(root: Path, language: str) -> dict[str, Path]:
    """Name (path from the root) -> .po of every catalogue of the tree at `root`."""
    base = Path(settings.BASE_DIR)
    dirs = [root / Path(p).resolve().relative_to(base.resolve()) for p in settings.LOCALE_PATHS]
    dirs += catalogues.app_locale_dirs(root, base).values()
    out = {}
    for d in dirs:
        po = catalogues.po_path(d, language)
        if po.exists():
            out[str(po.relative_to(root))] = po
    return out


def extract(language: str) -> dict[str, polib.POFile]:
    """The catalogues as makemessages would leave them, from a copy of the tree."""
    base = Path(settings.BASE_DIR)
    with tempfile.TemporaryDirectory(prefix="coursekit-messages-") as tmp:
        copy = Path(tmp) / "tree"
        shutil.copytree(base, copy, ignore=SKIPPED)
        locale_paths = [
            copy / Path(p).resolve().relative_to(base.resolve()) for p in settings.LOCALE_PATHS
        ]
        cwd = os.getcwd()
        os.chdir(copy)
        try:
            with override_settings(LOCALE_PATHS=locale_paths):
                call_command("makemessages", locale=[language], no_obsolete=True, verbosity=0)
        finally:
            os.chdir(cwd)
        return {name: polib.pofile(str(p)) for name, p in catalogue_files(copy, language).items()}


def check(language: str = "fr") -> list[str]:
    base = Path(settings.BASE_DIR)
    files = catalogue_files(base, language)
    committed = {name: polib.pofile(str(p)) for name, p in files.items()}
    compiled = {
        name: polib.mofile(str(p.with_suffix(".mo"))) if p.with_suffix(".mo").exists() else None
        for name, p in files.items()
    }
    return catalogues.problems(committed, extract(language), compiled, language)


class Command(BaseCommand):
    help = "Check that every msgid of the code has its translation and the .mo files are current."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-l", "--locale", default="fr")

    def handle(self, *args: Any, **options: Any) -> None:
        found = check(options["locale"])
        if found:
            raise CommandError(f"{len(found)} problems in the catalogues:\n" + "\n".join(found))
        self.stdout.write("The catalogues are complete and compiled.")
