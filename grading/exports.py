"""CSV files of the stored gradebook: the full gradebook and Moodle's grade import layout."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from course.spreadsheet import csv_writer

from . import rules


def _percent(value: str | None) -> str:
    return "" if value is None else value


def gradebook_csv(rows: Sequence[dict[str, Any]], specs: Sequence[rules.ComponentSpec]) -> str:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(
        [_("Username"), _("Last name"), _("First name"), _("Email address"), _("Student id")]
        + [f"{s.label} ({s.weight}%)" for s in specs]
        + [_("Final (%)"), _("Letter"), _("Grade so far (%)"), _("Missing work")]
    )
    for r in rows:
        comps = r["components"]
        writer.writerow(
            [r["username"], r["last_name"], r["first_name"], r["email"], r["student_id"]]
            + [
                _("excused")
                if comps.get(s.key, {}).get("status") == "excused"
                else _percent(comps.get(s.key, {}).get("percent"))
                for s in specs
            ]
            + [_percent(r["final"]), r["letter"], _percent(r["so_far"]), " ".join(r["missing"])]
        )
    return out.getvalue()


MOODLE_KEYS = {"email": "Email address", "idnumber": "ID number"}


def moodle_csv(
    rows: Sequence[dict[str, Any]], specs: Sequence[rules.ComponentSpec], key: str = "email"
) -> str:
    """Moodle (StudiUM) grade import: a key column ("Email address" or "ID number") and one
    column per grade item, mapped to the gradebook's items on import. Pending cells stay empty
    (Moodle leaves those grades unchanged); the final grade is its own column.
    """
    out = io.StringIO()
    writer = csv_writer(out)
    header = MOODLE_KEYS.get(key, MOODLE_KEYS["email"])
    writer.writerow([header] + [s.label for s in specs] + ["Final grade"])
    for r in rows:
        ident = r["student_id"] if header == "ID number" else r["email"]
        if not ident:
            continue
        comps = r["components"]
        writer.writerow(
            [ident]
            + [_percent(comps.get(s.key, {}).get("percent")) for s in specs]
            + [_percent(r["final"])]
        )
    return out.getvalue()
