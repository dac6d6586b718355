"""The translation catalogues: where each msgid lives and what makes a catalogue complete.

Every app keeps its own catalogue (`<app>/locale/<lang>/LC_MESSAGES/django.po`), the
project-level `locale/` holds the strings of the templates that belong to no app (base.html,
the error pages, the sign-in pages) and of `config/`. `manage.py makemessages` (the command of
this app) extracts them the Django way, with two house rules on top:

- a template under `templates/<app label>/` or `templates/admin/<app label>/` belongs to that
  app's catalogue, not to the project-level one;
- a msgid used by several catalogues lives only in the first of them (project-level first, then
  the apps in INSTALLED_APPS order, ground floor first): Django merges the catalogues at run time,
  so one translation serves every page, and it is written once.

A translation follows its msgid when it moves from one catalogue to another (`carry_over`).
`problems` is what the test and `manage.py messages_check` report: a msgid with no translation,
a fuzzy guess, a catalogue out of date with the code, a msgid in two catalogues, a header left
as the template's, a compiled `.mo` that is not its `.po`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import polib
from django.apps import apps

Key = tuple[str, str, str]  # (msgctxt, msgid, msgid_plural)

DOMAIN = "django"
PLURAL_FORMS = {"fr": "nplurals=2; plural=(n > 1);"}
# Never walked for msgids: tools, tests and what the app serves or builds.
IGNORED = [".venv", "venv", "var", "tests", "bench", "node_modules", "staticfiles", "static"]


NBSP = "\u00a0"
_SPACES = " \u00a0\u202f"
# French typography: a no-break space before : ; ! ? and the percent sign, inside « », and the
# typographic apostrophe in an elision (l’université, jusqu’ici, d’%(item)s).
_BEFORE_PUNCT = re.compile(r"(?<=[^\s\u00a0\u202f(«])[ ]?([:;!?])(?=\s|$|<|»|\))")
_ENTITY = re.compile(r"(&[a-zA-Z]+|&#\d+)$")
_BEFORE_PERCENT = re.compile(r"(\d|%\(\w+\)[sd]|\}\}|%[sd])[ ]?(%%|%)(?![(a-z])")
_OPEN_QUOTE = re.compile(r"«[ ]?(?=\S)")
_CLOSE_QUOTE = re.compile(r"(?<=\S)[ ]?»")
_ELISION = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_]|%\(|\{)")


def typeset_french(text: str) -> str:
    """`text` with the no-break spaces and apostrophes French typography asks for (the one
    place of the rule)."""

    def punct(m: re.Match[str]) -> str:
        if m.group(1) == ";" and _ENTITY.search(text[: m.start()]):
            return m.group(0)  # the end of an HTML entity (&nbsp;)
        if text[: m.start()].endswith('"'):
            # Code quoted in the sentence (a JSON key): French prose quotes with « ».
            return m.group(0)
        return NBSP + m.group(1)

    text = _BEFORE_PUNCT.sub(punct, text)
    text = _BEFORE_PERCENT.sub(lambda m: m.group(1) + NBSP + m.group(2), text)
    text = _OPEN_QUOTE.sub("«" + NBSP, text)
    text = _ELISION.sub("’", text)
    return _CLOSE_QUOTE.sub(NBSP + "»", text)


def typeset(po: polib.POFile) -> int:
    """Apply French typography to every translation of `po`; how many changed."""
    changed = 0
    for entry in po:
        if entry.msgid_plural:
            new = {k: typeset_french(v) for k, v in entry.msgstr_plural.items()}
            if new != entry.msgstr_plural:
                entry.msgstr_plural = new
                changed += 1
        elif entry.msgstr and typeset_french(entry.msgstr) != entry.msgstr:
            entry.msgstr = typeset_french(entry.msgstr)
            changed += 1
    return changed


def key_of(entry: polib.POEntry | polib.MOEntry) -> Key:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def po_path(locale_dir: Path, language: str) -> Path:
    return locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def app_locale_dirs(root: Path, base_dir: Path) -> dict[str, Path]:
    """App label -> the app's locale directory under `root` (a copy of the tree or the tree)."""
    found = {}
    for config in apps.get_app_configs():
        try:
            rel = Path(config.path).resolve().relative_to(base_dir.resolve())
        except ValueError:
            continue  # an installed library, not the project's own code
        if set(rel.parts) & {*IGNORED, "site-packages"}:
            continue  # a library installed inside the tree (.venv)
        locale = root / rel / "locale"
        if locale.is_dir():
            found[config.label] = locale
    return found


def catalogue_order(project_dirs: Iterable[Path], app_dirs: Mapping[str, Path]) -> list[Path]:
    """The floors' order: project-level first, then the apps as INSTALLED_APPS lists them."""
    return [Path(p).resolve() for p in project_dirs] + [p.resolve() for p in app_dirs.values()]


def template_owner(rel_path: Path, app_dirs: Mapping[str, Path]) -> Path | None:
    """The app catalogue of a template (`templates/quizzes/...`, `templates/admin/quizzes/...`)."""
    parts = rel_path.parts
    if len(parts) < 3 or parts[0] != "templates":
        return None
    label = parts[2] if parts[1] == "admin" and len(parts) > 3 else parts[1]
    return app_dirs.get(label)


def dedupe(pots: list[polib.POFile]) -> int:
    """Remove from each template catalogue the msgids an earlier one holds; how many went."""
    seen: set[Key] = set()
    removed = 0
    for pot in pots:
        for entry in list(pot):
            key = key_of(entry)
            if key in seen:
                pot.remove(entry)
                removed += 1
            else:
                seen.add(key)
    return removed


def translations_of(catalogues: Iterable[polib.POFile]) -> dict[Key, polib.POEntry]:
    """Every translated, non-fuzzy entry (obsolete ones too): what can move with its msgid."""
    pool: dict[Key, polib.POEntry] = {}
    for po in catalogues:
        for entry in po:
            if "fuzzy" in entry.flags or not is_translated(entry):
                continue
            pool.setdefault(key_of(entry), entry)
    return pool


def is_translated(entry: polib.POEntry) -> bool:
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def carry_over(po: polib.POFile, pool: Mapping[Key, polib.POEntry]) -> int:
    """Fill the untranslated or fuzzy entries of `po` from `pool`; how many were filled."""
    filled = 0
    for entry in po:
        if entry.obsolete or (is_translated(entry) and "fuzzy" not in entry.flags):
            continue
        source = pool.get(key_of(entry))
        if source is None:
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = dict(source.msgstr_plural)
        else:
            entry.msgstr = source.msgstr
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        filled += 1
    return filled


def set_header(po: polib.POFile, *, project: str, language: str) -> None:
    po.header = "Translations of Coursekit. Run `make messages` after changing a string."
    po.metadata["Project-Id-Version"] = project
    po.metadata["Language"] = language
    po.metadata["Language-Team"] = language
    po.metadata.pop("Last-Translator", None)
    po.metadata.pop("PO-Revision-Date", None)
    po.metadata.pop("Report-Msgid-Bugs-To", None)
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.metadata["Content-Transfer-Encoding"] = "8bit"
    if language in PLURAL_FORMS:
        po.metadata["Plural-Forms"] = PLURAL_FORMS[language]


def problems(
    committed: Mapping[str, polib.POFile],
    extracted: Mapping[str, polib.POFile],
    compiled: Mapping[str, polib.MOFile | None],
    language: str,
) -> list[str]:
    """What keeps the catalogues (name -> file) from being complete and current, one line each.

    `committed` are the catalogues in the repository, `extracted` the same after makemessages
    ran over the code, `compiled` the committed `.mo` beside each `.po`.
    """
    out: list[str] = []
    owner: dict[Key, str] = {}
    for name in sorted(set(committed) | set(extracted)):
        po = committed.get(name)
        fresh = extracted.get(name)
        if po is None:
            out.append(f"{name}: no catalogue committed (run `make messages`)")
            continue
        live = [e for e in po if not e.obsolete]
        for entry in live:
            other = owner.setdefault(key_of(entry), name)
            if other != name:
                out.append(f"{name}: {entry.msgid!r} is also in {other}")
            if "fuzzy" in entry.flags:
                out.append(f"{name}: {entry.msgid!r} is fuzzy (check the guess, remove the flag)")
            elif not is_translated(entry):
                out.append(f"{name}: {entry.msgid!r} has no translation")
            elif language == "fr" and any(
                typeset_french(t) != t
                for t in (entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr])
            ):
                out.append(f"{name}: {entry.msgid!r}: French typography (run `make messages`)")
        if any(e.obsolete for e in po):
            out.append(f"{name}: obsolete entries (run `make messages`)")
        meta = po.metadata
        if meta.get("Language") != language:
            out.append(f"{name}: header Language is {meta.get('Language')!r}, not {language!r}")
        if language in PLURAL_FORMS and meta.get("Plural-Forms") != PLURAL_FORMS[language]:
            out.append(f"{name}: header Plural-Forms is not {PLURAL_FORMS[language]!r}")
        if meta.get("Project-Id-Version", "PACKAGE VERSION") == "PACKAGE VERSION":
            out.append(f"{name}: header Project-Id-Version is the template's")
        if fresh is not None:
            have = {key_of(e) for e in live}
            want = {key_of(e) for e in fresh if not e.obsolete}
            for key in sorted(want - have):
                out.append(f"{name}: {key[1]!r} is used by the code and missing here")
            for key in sorted(have - want):
                out.append(f"{name}: {key[1]!r} is no longer used (run `make messages`)")
        mo = compiled.get(name)
        if mo is None:
            out.append(f"{name}: no compiled .mo (run `make messages`)")
        elif _mo_entries(mo) != _po_entries(po):
            out.append(f"{name}: the .mo is not compiled from this .po (run `make messages`)")
    return out


def _po_entries(po: polib.POFile) -> set[tuple[Key, str]]:
    return {
        (key_of(e), repr(sorted(e.msgstr_plural.items())) if e.msgid_plural else e.msgstr)
        for e in po.translated_entries()
    }


def _mo_entries(mo: polib.MOFile) -> set[tuple[Key, str]]:
    return {
        (key_of(e), repr(sorted(e.msgstr_plural.items())) if e.msgid_plural else e.msgstr)
        for e in mo
        if e.msgid
    }
