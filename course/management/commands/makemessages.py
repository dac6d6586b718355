"""Django's makemessages, with the house's catalogue rules (see course/catalogues.py).

`manage.py makemessages -l fr` from the project's root: app templates go to their app's
catalogue, a msgid lives in one catalogue only, a translation moves with its msgid, headers are
the project's, French typography applied. Then translate what is empty and run `manage.py compilemessages` (or `make
messages`, which does all of it and checks the result).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.commands import makemessages

from course import catalogues


class Command(makemessages.Command):
    # A counted sentence kept as data (course.texts.ngettext_noop) is a plural entry.
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=ngettext_noop:1,2"]

    def handle(self, *args: Any, **options: Any) -> None:
        options["ignore_patterns"] = [*options.get("ignore_patterns", []), *catalogues.IGNORED]
        self._root = Path(os.getcwd())
        self._app_dirs = catalogues.app_locale_dirs(self._root, Path(settings.BASE_DIR))
        languages = options.get("locale") or []
        # What every catalogue knows before the merge, obsolete entries included.
        self._pools = {
            lang: catalogues.translations_of(self._catalogues(lang)) for lang in languages
        }
        super().handle(*args, **options)
        if options.get("domain", "django") != catalogues.DOMAIN:
            return
        for lang in languages:
            for path in self._catalogue_paths(lang):
                po = polib.pofile(str(path))
                filled = catalogues.carry_over(po, self._pools[lang])
                if lang == "fr":
                    catalogues.typeset(po)
                project = (
                    "coursekit"
                    if path.is_relative_to(self._project_dir())
                    else (f"coursekit {path.relative_to(self._root).parts[0]}")
                )
                catalogues.set_header(po, project=project, language=lang)
                po.save(str(path))
                if filled and self.verbosity > 0:
                    self.stdout.write(f"{path}: {filled} translations carried over")

    def _project_dir(self) -> Path:
        return Path(settings.LOCALE_PATHS[0]).resolve()

    def _catalogue_paths(self, language: str) -> list[Path]:
        dirs = [Path(p) for p in settings.LOCALE_PATHS] + list(self._app_dirs.values())
        return [p for d in dirs if (p := catalogues.po_path(d, language)).exists()]

    def _catalogues(self, language: str) -> list[polib.POFile]:
        return [polib.pofile(str(p)) for p in self._catalogue_paths(language)]

    def find_files(self, root: str) -> list[Any]:
        files: list[Any] = super().find_files(root)  # TranslatableFile: dirpath, file, locale_dir
        routed = []
        for f in files:
            rel = Path(os.path.abspath(f.dirpath)).relative_to(self._root) / f.file
            owner = catalogues.template_owner(rel, self._app_dirs)
            if owner is not None:
                f = self.translatable_file_class(f.dirpath, f.file, str(owner))
            routed.append(f)
        for owner in self._app_dirs.values():
            if str(owner) not in self.locale_paths:
                self.locale_paths.insert(0, str(owner))
        return sorted(routed)

    def build_potfiles(self) -> list[str]:
        # LOCALE_PATHS and the walk may name the same directory twice.
        potfiles = list(dict.fromkeys(str(Path(p).resolve()) for p in super().build_potfiles()))
        order = catalogues.catalogue_order(settings.LOCALE_PATHS, self._app_dirs)
        rank = {d: i for i, d in enumerate(order)}
        potfiles.sort(key=lambda p: rank.get(Path(p).parent.resolve(), len(rank)))
        pots = [polib.pofile(p) for p in potfiles]
        if catalogues.dedupe(pots):
            for pot, path in zip(pots, potfiles, strict=True):
                pot.save(path)
        return potfiles
