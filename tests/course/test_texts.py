"""Sentences kept as data are translated when shown; percentages and French typography, once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from course import texts
from course.catalogues import typeset_french
from course.deadlines.rules import assess_lateness
from course.syllabus.schema import LatePenalty

NB = "\u00a0"


@pytest.mark.parametrize(
    ("language", "value", "places", "shown"),
    [
        ("en", Decimal("66.914"), 2, "66.91%"),
        ("fr", Decimal("66.914"), 2, f"66,91{NB}%"),
        ("fr", Decimal("5.00"), None, f"5,00{NB}%"),
        ("en", Decimal("5.50"), -2, "5.5%"),
        ("fr", Decimal("92.705"), -2, f"92,71{NB}%"),
    ],
)
def test_a_percentage_is_written_the_reader_s_way(
    language: str, value: Decimal, places: int | None, shown: str
) -> None:
    with translation.override(language):
        assert texts.format_percent(value, places) == shown
        tpl = "{{ v|percent }}" if places is None else "{{ v|percent:" + str(places) + " }}"
        assert Template(tpl).render(Context({"v": value})) == shown


def test_a_stored_lateness_note_reads_in_the_reader_s_language() -> None:
    policy = LatePenalty(kind="flat", percent=Decimal(5))
    due = dt.datetime(2021, 3, 15, 9, 30, tzinfo=dt.UTC)
    note = assess_lateness(due + dt.timedelta(days=1, hours=2), due, policy).note
    stored = texts.from_json(texts.to_json(note))  # as the gradebook keeps it, in JSON
    with translation.override("en"):
        assert str(stored) == "2 days late: 5% penalty"
    with translation.override("fr"):
        assert str(stored) == f"2 jours de retard{NB}: pénalité de 5{NB}%"


def test_a_plain_string_is_kept_as_written() -> None:
    assert texts.from_json(texts.to_json("Medical note")) == "Medical note"


@given(
    n=st.integers(min_value=0, max_value=10**6),
    p=st.decimals(min_value=0, max_value=100, places=2, allow_nan=False),
    label=st.text(max_size=20),
    day=st.dates(),
)
def test_a_text_survives_its_json(n: int, p: Decimal, label: str, day: dt.date) -> None:
    inner = texts.Text("what-if")
    text = texts.Text(
        "%(n)d %(p)s %(l)s %(d)s %(i)s", n=n, p=texts.Percent(p), l=label, d=day, i=inner
    )
    assert texts.from_json(texts.to_json(text)) == text


def test_a_list_is_shown_one_item_a_line_in_the_reader_s_language() -> None:
    """The staff digest's rows: each a Text or a plain string, kept through JSON."""
    rows: list[texts.Param] = [texts.Text("Lecture"), "plain words", texts.Text("what-if")]
    text = texts.from_json(texts.to_json(texts.Text("%(code)s:\n%(rows)s", code="X", rows=rows)))
    with translation.override("fr"):
        assert str(text) == "X:\nCours magistral\nplain words\nhypothèse"


def test_a_lazy_label_becomes_a_text_of_its_msgid() -> None:
    from django.utils.translation import gettext_lazy

    with translation.override("fr"):
        kept = texts.as_text(gettext_lazy("Lecture"))
    assert kept == texts.Text("Lecture") and texts.as_text("Overview") == "Overview"
    with translation.override("fr"):
        assert str(kept) == "Cours magistral"


@pytest.mark.parametrize(
    ("written", "typeset"),
    [
        ("Note jusqu'ici: 66,91%", f"Note jusqu’ici{NB}: 66,91{NB}%"),
        ("l'université d'%(name)s, d'{{ n }}", "l’université d’%(name)s, d’{{ n }}"),
        ("<a href='/x'>lien</a>", "<a href='/x'>lien</a>"),
        ("à ce jour : 92,71 %", f"à ce jour{NB}: 92,71{NB}%"),
        ("pénalité de %(p)s%%", f"pénalité de %(p)s{NB}%%"),
        ("Vraiment ? Oui ; « non » !", f"Vraiment{NB}? Oui{NB}; «{NB}non{NB}»{NB}!"),
        ("Ouvrir : https://x.org/a?b=1 à 9:30", f"Ouvrir{NB}: https://x.org/a?b=1 à 9:30"),
        ("a&nbsp;b", "a&nbsp;b"),
        ('p. ex. {"a": {"min": 1}} ; écrivez', f'p. ex. {{"a": {{"min": 1}}}}{NB}; écrivez'),
    ],
)
def test_french_typography_is_one_rule(written: str, typeset: str) -> None:
    assert typeset_french(written) == typeset
    assert typeset_french(typeset) == typeset
