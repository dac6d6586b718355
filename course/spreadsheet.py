"""CSV cells that a spreadsheet opens as text, never as a formula (OWASP, "CSV Injection").

A student's text answer ``=HYPERLINK(...)`` or a name starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return would be run by Excel or LibreOffice when the instructor opens an
export. Every CSV the app writes goes through ``csv_writer`` (quiz attempts, gradebook, Moodle
grade import), so one rule covers them all.

API
---
``spreadsheet_text(value) -> str``
    Pure rule: ``value`` with a leading ``'`` when it starts with one of those characters
    (a spreadsheet shows the text and hides the quote), unchanged otherwise. A plain number
    such as ``-3.5`` is left alone: a spreadsheet reads it as a number, not a formula.
``csv_writer(out, **kwargs) -> SpreadsheetSafeWriter``
    ``csv.writer`` whose ``writerow``/``writerows`` pass every text cell through
    ``spreadsheet_text``; numbers, booleans and None go out as ``csv`` writes them.
``csv_download(filename, header, rows) -> HttpResponse``
    The same, as a CSV attachment.
``chart_csv(tables, name, prefix) -> HttpResponse``
    The numbers of a page's chart ``name`` (``?csv=<name>``; course/charts.py), or a 400
    naming ``csv`` when the page has no chart of that name.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?")


def spreadsheet_text(value: str) -> str:
    if value.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, int | float | Decimal):  # bool is an int
        return value
    return spreadsheet_text(str(value))


class SpreadsheetSafeWriter:
    def __init__(self, out: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: Any, **kwargs: Any) -> SpreadsheetSafeWriter:
    return SpreadsheetSafeWriter(out, **kwargs)


def csv_download(
    filename: str, header: Iterable[Any], rows: Iterable[Iterable[Any]]
) -> HttpResponse:
    """An attachment `filename` holding `header` and `rows`, every cell made safe."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv_writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def chart_csv(tables: Mapping[str, Any], name: str, prefix: str) -> HttpResponse:
    table = tables.get(name)
    if table is None:
        return HttpResponseBadRequest(
            _("csv: no chart is called “%(name)s” on this page.") % {"name": name[:50]},
            content_type="text/plain; charset=utf-8",
        )
    return csv_download(f"{prefix}-{table.name}.csv", table.columns, table.rows)
