"""Put the translations of .po fragments into the catalogues: `manage.py messages_fill FILE...`.

A fragment is a plain .po file of `msgid`/`msgstr` entries (with `msgid_plural`/`msgstr[n]`,
`msgctxt` as needed), e.g. the French of the strings a branch adds. Run it after makemessages
(so that every msgid of the code has its entry in its own catalogue): each untranslated or fuzzy
entry takes the fragment's translation; a translation the catalogue already has is kept unless
--replace is given. Fragment entries that no catalogue uses are listed, and nothing else changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from course import catalogues

from .messages_check import catalogue_files


class Command(BaseCommand):
    help = "Fill the catalogues' translations from .po fragments (after makemessages)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "fragments", nargs="+", help=".po files with translations, or folders of them"
        )
        parser.add_argument("-l", "--locale", default="fr")
        parser.add_argument(
            "--replace", action="store_true", help="Also replace translations already present."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        pool: dict[catalogues.Key, polib.POEntry] = {}
        names = []
        for given in options["fragments"]:
            path = Path(given)
            names += sorted(str(p) for p in path.glob("*.po")) if path.is_dir() else [given]
        for name in names:
            try:
                fragment = polib.pofile(name)
            except (OSError, ValueError) as exc:
                raise CommandError(f"{name}: not a .po file ({exc})") from exc
            for entry in fragment:
                if catalogues.is_translated(entry) and "fuzzy" not in entry.flags:
                    pool[catalogues.key_of(entry)] = entry
        used: set[catalogues.Key] = set()
        root = Path(settings.BASE_DIR)
        for name, path in catalogue_files(root, options["locale"]).items():
            po = polib.pofile(str(path))
            mine = {catalogues.key_of(e) for e in po if not e.obsolete}
            used |= mine & set(pool)
            for entry in po:
                theirs = pool.get(catalogues.key_of(entry))
                if (
                    theirs is not None
                    and not options["replace"]
                    and catalogues.is_translated(entry)
                    and (entry.msgstr, entry.msgstr_plural) != (theirs.msgstr, theirs.msgstr_plural)
                ):
                    self.stdout.write(
                        f"{name}: kept {entry.msgstr!r} for {entry.msgid!r} "
                        f"(the fragment says {theirs.msgstr!r}; --replace takes it)"
                    )
            if options["replace"]:
                for entry in po:
                    if catalogues.key_of(entry) in pool:
                        entry.msgstr = ""
                        entry.msgstr_plural = dict.fromkeys(entry.msgstr_plural, "")
            filled = catalogues.carry_over(po, pool)
            if options["locale"] == "fr":
                catalogues.typeset(po)
            if filled:
                po.save(str(path))
                self.stdout.write(f"{name}: {filled} translations filled")
        for key in sorted(set(pool) - used):
            self.stdout.write(f"not used by any catalogue: {key[1]!r}")
