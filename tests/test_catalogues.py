"""The translation catalogues are complete, current, compiled, and each msgid is in one of them."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

from course import catalogues
from course.management.commands.messages_check import check


def _po(*entries: polib.POEntry, language: str = "fr") -> polib.POFile:
    po = polib.POFile()
    catalogues.set_header(po, project="coursekit test", language=language)
    for e in entries:
        po.append(e)
    return po


def _mo(po: polib.POFile) -> polib.MOFile:
    mo = polib.MOFile()
    for e in po.translated_entries():
        mo.append(e)  # type: ignore[arg-type]  # polib writes a .mo from PO entries as they are
    return mo


def _e(msgid: str, msgstr: str = "", **kw: object) -> polib.POEntry:
    return polib.POEntry(msgid=msgid, msgstr=msgstr, **kw)


def test_the_repository_catalogues_have_every_msgid_of_the_code_in_french() -> None:
    """makemessages over a copy of the tree, compared with the committed .po and .mo files."""
    assert check("fr") == []


def test_a_complete_catalogue_has_no_problem() -> None:
    po = _po(_e("Grades", "Notes"))
    assert catalogues.problems({"a": po}, {"a": _po(_e("Grades"))}, {"a": _mo(po)}, "fr") == []


@pytest.mark.parametrize(
    ("entry", "said"),
    [
        (_e("Grades"), "'Grades' has no translation"),
        (_e("Grades", "Notes", flags=["fuzzy"]), "'Grades' is fuzzy"),
        (
            _e("%(n)d quiz", msgid_plural="%(n)d quizzes", msgstr_plural={0: "%(n)d quiz", 1: ""}),
            "'%(n)d quiz' has no translation",
        ),
    ],
)
def test_an_untranslated_or_fuzzy_entry_is_named(entry: polib.POEntry, said: str) -> None:
    po = _po(entry)
    found = catalogues.problems({"a": po}, {"a": _po(_e(entry.msgid))}, {"a": _mo(po)}, "fr")
    assert any(said in line for line in found), found


def test_a_msgid_of_the_code_missing_from_its_catalogue_is_named() -> None:
    po = _po(_e("Grades", "Notes"))
    fresh = _po(_e("Grades"), _e("Late by %(days)d days"))
    found = catalogues.problems({"a": po}, {"a": fresh}, {"a": _mo(po)}, "fr")
    assert found == ["a: 'Late by %(days)d days' is used by the code and missing here"]


def test_a_msgid_in_two_catalogues_is_named() -> None:
    a, b = _po(_e("Save", "Enregistrer")), _po(_e("Save", "Sauvegarder"))
    found = catalogues.problems(
        {"a": a, "b": b},
        {"a": _po(_e("Save")), "b": _po(_e("Save"))},
        {"a": _mo(a), "b": _mo(b)},
        "fr",
    )
    assert found == ["b: 'Save' is also in a"]


def test_a_stale_mo_and_a_template_header_are_named() -> None:
    po = _po(_e("Grades", "Notes"))
    po.metadata["Project-Id-Version"] = "PACKAGE VERSION"
    old = _mo(_po(_e("Grades", "Évaluations")))
    found = catalogues.problems({"a": po}, {"a": _po(_e("Grades"))}, {"a": old}, "fr")
    assert "a: the .mo is not compiled from this .po (run `make messages`)" in found
    assert "a: header Project-Id-Version is the template's" in found


def test_a_msgid_stays_in_the_first_catalogue_that_uses_it() -> None:
    project, course, quizzes = (
        _po(_e("Save")),
        _po(_e("Save"), _e("Course")),
        _po(_e("Course"), _e("Quiz")),
    )
    assert catalogues.dedupe([project, course, quizzes]) == 2
    assert [[e.msgid for e in p] for p in (project, course, quizzes)] == [
        ["Save"],
        ["Course"],
        ["Quiz"],
    ]


def test_a_translation_moves_with_its_msgid() -> None:
    old_home = _po(
        _e("Notifications", "Notifications"),
        _e(
            "%(n)d late",
            msgid_plural="%(n)d late",
            msgstr_plural={0: "%(n)d en retard", 1: "%(n)d en retard"},
        ),
    )
    new_home = _po(
        _e("Notifications", "lieu", flags=["fuzzy"]),
        _e("%(n)d late", msgid_plural="%(n)d late", msgstr_plural={0: "", 1: ""}),
    )
    assert catalogues.carry_over(new_home, catalogues.translations_of([old_home])) == 2
    assert new_home[0].msgstr == "Notifications"
    assert "fuzzy" not in new_home[0].flags
    assert new_home[1].msgstr_plural == {0: "%(n)d en retard", 1: "%(n)d en retard"}


@pytest.mark.parametrize(
    ("path", "owner"),
    [
        ("templates/quizzes/quiz_detail.html", "quizzes"),
        ("templates/admin/grading/gradebook.html", "grading"),
        ("templates/base.html", None),
        ("templates/registration/login.html", None),
        ("course/views.py", None),
    ],
)
def test_an_app_template_belongs_to_its_app_catalogue(path: str, owner: str | None) -> None:
    dirs = {"quizzes": Path("/q"), "grading": Path("/g")}
    found = catalogues.template_owner(Path(path), dirs)
    assert found == (dirs[owner] if owner else None)


BLOCKTRANSLATE = re.compile(r"\{% blocktranslate.*?\{% endblocktranslate %\}", re.DOTALL)
# A percent followed by ; or a quote is CSS (style="width: {{ p }}%"), not text.
HAND_TYPED = re.compile(r"(?:\}\}|%\})(?:%(?![;\"'])|:(?=[ \n<]))")


def hand_typed_typography(template: str) -> list[str]:
    """A percent sign or a label's colon typed after a value or a tag, outside a translation."""
    outside = BLOCKTRANSLATE.sub("", template)
    return [m.group(0) for m in HAND_TYPED.finditer(outside)]


def test_hand_typed_percent_signs_and_colons_are_found() -> None:
    assert hand_typed_typography('{% translate "Due" %}: {{ p }}% <b>{{ x }}:</b>') == [
        "%}:",
        "}}%",
        "}}:",
    ]
    assert (
        hand_typed_typography(
            '{% translate "Due" %}{% colon %} {{ p|percent:2 }} {% blocktranslate %}{{ a }}: {{ b }}%'
            '{% endblocktranslate %} 9:30 <i style="width: {{ p }}%"></i>'
        )
        == []
    )


def test_templates_leave_percent_signs_and_colons_to_the_reader_s_typography() -> None:
    """`|percent` and `{% colon %}` write them in the reader's language ("66,91 %", "Échéance :")."""
    root = Path(__file__).resolve().parent.parent / "templates"
    found = {
        str(path.relative_to(root)): marks
        for path in sorted(root.rglob("*.html"))
        if (marks := hand_typed_typography(path.read_text(encoding="utf-8")))
    }
    assert found == {}
