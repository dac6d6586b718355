"""Every page of every role, in real headless Chromium on a 360 px wide screen, in English and in
French: the page itself never scrolls sideways, and axe-core finds no violation of the WCAG 2.2
AA rules (tags wcag2a, wcag2aa, wcag21aa, wcag22aa).

The pages come from the URLconf and the admin registry, walked as the permission matrix walks
them (its world, its routes, its parameters): a new page is checked without anyone listing it,
and a route whose parameters the matrix does not know fails here as there. A page is what a
visitor's GET answers with HTML (an allowed page, or the refusal page with the course's
navigation); redirects and the actions that only take a POST are not pages. The admin pages
are those of the course admin that the TA and the instructor work in, and the superuser's
own: the site-wide ones (accounts, groups, the beat schedule, django-axes, allauth, LTI
platforms) and any other the course staff do not reach.

English pages are checked in the light colour scheme and French pages in the dark one, so both
schemes' contrast is checked without walking everything twice more.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import resolve, reverse

from tests.test_permission_matrix import (
    LAST,
    POSTED,
    QUERY,
    ROLES,
    _admin_model_pages,
    _admin_object,
    _kwargs,
    _routes,
    world,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

__all__ = ["world"]  # the permission matrix's fixture, used here

AXE = Path(__file__).parent / "a11y" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]
WIDTH = 360

# Roles whose admin pages are walked: the course admin's own users, and the superuser.
ADMIN_ROLES = {"ta", "instructor", "superuser"}
# The superuser's copy of a course admin page the course staff walked already is the same
# template and form; the superuser walks the pages no course staff reached (the site-wide
# admin, adding a course...) and the accounts' admin, whose form is the superuser's own (flags,
# groups, permissions).
SUPERUSER_OWN = ("admin:course_user_",)


# Violations that are not ours to fix, each as narrow as it can be: (rule, page, where, why).
NOT_OURS = (
    (
        "aria-input-field-name",
        "admin:",
        "select2-",
        "Django's autocomplete widget (select2) names its combobox by aria-labelledby on the "
        "selected value's text, empty until a value is picked; the <select> it drives has its "
        "<label>, which screen readers announce.",
    ),
    (
        "aria-prohibited-attr",
        "admin:",
        ".search-label-icon",
        "Django's two-box permission and group picker (FilteredSelectMultiple, SelectFilter2.js) "
        "puts its help on a <span> by aria-label with no role, inside the label of the filter "
        'box, which its placeholder ("Filter") names.',
    ),
    (
        "nested-interactive",
        "api_docs",
        ".opblock-summary-control",
        "Swagger UI's operation headings (the API docs) put the copy and lock buttons inside "
        "the button that opens an operation.",
    ),
)


def _not_ours(name: str, violation: dict[str, Any]) -> bool:
    return all(
        any(
            rule == violation["id"] and name.startswith(page) and where in str(node["target"])
            for rule, page, where, _why in NOT_OURS
        )
        for node in violation["nodes"]
    )


def _page_urls(
    world: dict[str, Any], role: str, walked: frozenset[str] = frozenset()
) -> list[tuple[str, str, bool]]:
    """(route name, url, allowed) of every HTML page this visitor's GET answers, as the matrix
    builds them; of the refusal pages (403, 404), one per app and status, as they share a
    template. `walked`: the admin routes other roles were allowed, which a superuser skips."""
    admin_pages = _admin_model_pages()
    client = Client()
    person = world["people"].get(role)
    if person is not None:
        client.force_login(person)
    urls = []
    refusals: set[tuple[int, str]] = set()
    for name, _route, params in sorted(_routes(), key=lambda r: r[0] in LAST):
        if name in LAST or name in POSTED:
            continue
        if name.startswith("admin:") and role not in ADMIN_ROLES:
            continue
        if role == "superuser" and name in walked and not name.startswith(SUPERUSER_OWN):
            continue
        if name in admin_pages:
            label, kind = admin_pages[name]
            if kind in ("change", "delete", "history"):
                obj = _admin_object(label, world)
                if obj is None:
                    raise AssertionError(f"the test world lacks a {label} for {name}")
                url = reverse(name, args=[obj.pk])
            else:
                url = reverse(name)
        else:
            url = reverse(name, kwargs=_kwargs(name, params, world)) + QUERY.get(name, "")
        response = client.get(url)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        if response.status_code in (403, 404):
            app = resolve(url.split("?")[0]).func.__module__.split(".")[0]
            if (response.status_code, app) in refusals:
                continue
            refusals.add((response.status_code, app))
        elif response.status_code != 200:
            continue
        urls.append((name, url, response.status_code == 200))
    return urls


# The outermost elements that reach past the screen's right edge, to say what to fix.
WIDEST = """() => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > window.innerWidth + 1 && !out.some(o => o.contains(el))) out.push(el);
  }
  return out.slice(0, 3).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '')
    + ' ' + Math.round(el.getBoundingClientRect().right) + 'px');
}"""


def _session_cookie(live_server: Any, person: Any) -> list[dict[str, Any]]:
    if person is None:
        return []
    client = Client()
    client.force_login(person)
    return [
        {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}
    ]


@pytest.fixture
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def _check(page: Any, name: str, url: str) -> list[str]:
    problems = []
    page.goto(url)
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width[0] > width[1]:
        problems.append(f"{width[0]} px wide, past the screen: {page.evaluate(WIDEST)}")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    for v in result["violations"]:
        if _not_ours(name, v):
            continue
        targets = ", ".join(str(n["target"]) for n in v["nodes"][:3])
        why = " ".join(v["nodes"][0].get("failureSummary", "").split())
        problems.append(f"axe {v['id']} ({v['impact']}): {targets} — {why}")
    return problems


@pytest.mark.parametrize(
    ("language", "scheme"), [("en", "light"), ("fr", "dark")], ids=["english-light", "french-dark"]
)
def test_every_page_of_every_role_fits_360px_and_passes_axe(
    browser: Any,
    live_server: Any,
    world: dict[str, Any],
    axe_source: str,
    language: str,
    scheme: str,
) -> None:
    wrong = []
    started = time.monotonic()
    walked = 0
    only = os.environ.get("SWEEP_ROLES")
    admin_seen: set[str] = set()
    for role in only.split(",") if only else ROLES:
        pages = _page_urls(world, role, frozenset(admin_seen))
        admin_seen.update(n for n, _url, allowed in pages if allowed and n.startswith("admin:"))
        context = browser.new_context(
            locale="fr-CA" if language == "fr" else "en-US",
            timezone_id="America/Montreal",
            viewport={"width": WIDTH, "height": 740},
            color_scheme=scheme,
        )
        context.add_cookies(_session_cookie(live_server, world["people"].get(role)))
        context.add_init_script(script=axe_source)
        page = context.new_page()
        page.set_default_timeout(15_000)
        routes = os.environ.get("SWEEP_ROUTES")  # to walk a part again: "admin:,api_docs"
        for name, url, _allowed in pages:
            if routes and not name.startswith(tuple(routes.split(","))):
                continue
            walked += 1
            for problem in _check(page, name, live_server.url + url):
                wrong.append(f"{role} {name} {url}: {problem}")
        context.close()
    print(f"\n{walked} pages in {time.monotonic() - started:.0f} s")
    assert wrong == [], "\n".join(wrong)
