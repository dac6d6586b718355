"""A French reader finds no English on the demo's pages, as any role, admin pages included.

Every page of the URLconf that takes no argument or only the course code, and the admin's index
and lists, is rendered for each role in English and in French. A sentence of the catalogues (a
run of four words or more between placeholders) that shows in the English page must not show in
the French one. The gradebook is computed first in English, as the worker does, so notes stored
by the recompute must be translated when they are shown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation

from course import catalogues
from course.demo import load_demo
from course.models import Course
from grading import services as grading_services
from quizzes.models import Quiz

pytestmark = pytest.mark.django_db

ROLES = ("ada", "ta", "instructor", "auditor")
PLACEHOLDER = re.compile(r"%\([^)]*\)[sdif]|%[sdif]|%%|\{[a-z_]*\}|<[^>]*>")
SKIPPED_ROUTES = ("logout", "set_language", "javascript-catalog", "calendar_feed", "sso")


class _Text(HTMLParser):
    """The words a reader sees: text outside scripts and styles, and the labelling attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("title", "aria-label", "placeholder", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).replace("\u00a0", " ").split())


def sentences(entries: Iterable[polib.POEntry]) -> dict[str, str]:
    """English run of 4+ words -> its msgid, for every entry whose French differs."""
    out = {}
    for e in entries:
        french = e.msgstr or " ".join(e.msgstr_plural.values())
        for english in (e.msgid, e.msgid_plural):
            for run in PLACEHOLDER.split(english or ""):
                run = " ".join(run.split())
                if len(run.split()) >= 4 and run not in french:
                    out[run] = e.msgid
    return out


def english_left(english_page: str, french_page: str, runs: dict[str, str]) -> list[str]:
    """The catalogue sentences shown in the English page that the French page still shows."""
    return sorted(run for run in runs if run in english_page and run in french_page)


def _catalogue_sentences() -> dict[str, str]:
    base = Path(settings.BASE_DIR)
    dirs = [Path(p) for p in settings.LOCALE_PATHS]
    dirs += catalogues.app_locale_dirs(base, base).values()
    entries: list[polib.POEntry] = []
    for d in dirs:
        path = catalogues.po_path(d, "fr")
        if path.exists():
            entries += [e for e in polib.pofile(str(path)) if not e.obsolete]
    return sentences(entries)


def _pages(course: Course, student_id: int) -> Iterator[str]:
    def walk(patterns: Any, ns: str) -> Iterator[tuple[str, list[str]]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, f"{ns}{p.namespace}:" if p.namespace else ns)
            elif isinstance(p, URLPattern) and p.name:
                yield f"{ns}{p.name}", list(p.pattern.regex.groupindex)

    quiz_pk = (
        Quiz.objects.filter(course=course).order_by("opens_at").values_list("pk", flat=True)[1]
    )
    seen = set()
    for name, params in walk(get_resolver().url_patterns, ""):
        if name in seen or name.startswith("admin:") or any(s in name for s in SKIPPED_ROUTES):
            continue
        seen.add(name)
        values = {"code": course.code, "course_id": course.pk, "user_id": student_id}
        if name.startswith("quiz_") or name.startswith("admin:quizzes_quiz"):
            values["pk"] = quiz_pk
        elif name.startswith("admin:course_"):
            values["pk"] = course.pk
        if not set(params) <= set(values) or name.endswith(("_export", "_moodle", "_download")):
            continue
        kwargs = {k: values[k] for k in params}
        try:
            yield reverse(name, kwargs=kwargs)
        except NoReverseMatch:  # arguments in an enclosing pattern
            continue
    yield reverse("admin:index")
    for model in admin.site._registry:
        opts = model._meta
        yield reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            yield reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])


def _get(client: Client, url: str, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    r = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    if r.status_code != 200 or "html" not in r.get("Content-Type", ""):
        return ""
    return visible_text(r.content.decode())


def test_a_sentence_left_in_english_is_found() -> None:
    runs = sentences([polib.POEntry(msgid="Your grade so far: %(p)s", msgstr="Votre note : %(p)s")])
    assert runs == {"Your grade so far:": "Your grade so far: %(p)s"}
    english = "Your grade so far: 66.91%"
    assert english_left(english, "Votre note : 66,91 %", runs) == []
    assert english_left(english, "Your grade so far: 66,91 %", runs) == ["Your grade so far:"]


def test_visible_text_reads_labels_and_skips_scripts() -> None:
    html = (
        '<p title="Grade so far here">A&nbsp;b</p><script>var x = "Save the answers now";</script>'
    )
    assert visible_text(html) == "Grade so far here A b"


def test_no_english_sentence_on_the_french_pages_of_the_demo() -> None:
    now = timezone.now()
    load_demo(now=now)
    course = Course.objects.get(code="IFT6085")
    with translation.override("en"):  # as the worker computes it
        grading_services.gradebook_recompute(course=course, now=now)
    runs = _catalogue_sentences()
    assert len(runs) > 200  # the catalogues were read
    student = course.enrolments.get(user__username="ada").user
    pages = list(_pages(course, student.pk))
    found: dict[str, list[str]] = {}
    seen_pages = 0
    for username in ROLES:
        client = Client()
        client.force_login(course.enrolments.get(user__username=username).user)
        for url in pages:
            english = _get(client, url, "en")
            if not english:
                continue
            seen_pages += 1
            left = english_left(english, _get(client, url, "fr"), runs)
            if left:
                found[f"{username} {url}"] = left
    assert seen_pages > 100
    assert found == {}


def _dispatch_term(course: Course, start: Any, days: int) -> None:
    from course.notifications.services import dispatch_due

    for day in range(days):
        for hour in (7, 12, 20):
            dispatch_due(now=start + dt.timedelta(days=day, hours=hour), courses=[course])


def test_notifications_and_e_mails_are_in_each_recipient_s_language() -> None:
    """Every kind the demo's term sends, to French readers and to English ones, in-app and e-mail."""
    from django.contrib.auth import get_user_model

    from course.models import Notification, OutboxMessage

    now = timezone.now()
    load_demo(now=now)
    course = Course.objects.get(code="IFT6085")
    users = get_user_model().objects.filter(enrolments__course=course)
    french = set(
        users.filter(username__in=["ada", "ta", "instructor", "auditor"]).values_list(
            "pk", flat=True
        )
    )
    users.update(preferred_language="en")
    users.filter(pk__in=french).update(preferred_language="fr")
    with translation.override("en"):  # the worker's language
        start = now.replace(hour=0, minute=0, second=0, microsecond=0) - dt.timedelta(days=3)
        _dispatch_term(course, start, 14)
    runs = _catalogue_sentences()
    rows: list[tuple[int | None, str, str]] = [
        (n.recipient_id, n.kind, f"{n.subject} {n.body}") for n in Notification.objects.all()
    ]
    rows += [
        (m.recipient_id, m.kind, f"{m.subject} {m.body}")
        for m in OutboxMessage.objects.exclude(recipient=None)
    ]
    kinds_fr = {kind for uid, kind, _ in rows if uid in french}
    assert len(kinds_fr) >= 3, kinds_fr
    english_seen: set[str] = set()
    left: dict[str, set[str]] = {}
    for uid, kind, text in rows:
        text = " ".join(text.replace("\u00a0", " ").split())
        shown = {run for run in runs if run in text}
        if uid in french and shown:
            left.setdefault(kind, set()).update(shown)
        elif uid not in french:
            english_seen |= shown
    assert (
        english_seen
    )  # the English readers' messages hold catalogue sentences: the check sees them
    assert left == {}
    client = Client()
    client.force_login(users.get(username="ada"))
    page = _get(client, reverse("notification_list", kwargs={"code": course.code}), "fr")
    assert page and english_left(page, page, runs) == []
