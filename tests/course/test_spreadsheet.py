"""CSV cells never start a formula in a spreadsheet (OWASP CSV-injection guidance)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from course.spreadsheet import FORMULA_PREFIXES, csv_writer, spreadsheet_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            '=HYPERLINK("https://evil.example","click")',
            '\'=HYPERLINK("https://evil.example","click")',
        ),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Ada Lovelace", "Ada Lovelace"),
        ("a=b", "a=b"),
        ("", ""),
        ("-3.5", "-3.5"),
        ("+12", "+12"),
        ("90.00", "90.00"),
    ],
)
def test_formula_prefixes_are_quoted_and_numbers_left_alone(value, expected):
    assert spreadsheet_text(value) == expected


@given(st.text())
def test_no_cell_starts_a_formula_and_nothing_is_lost(value):
    out = spreadsheet_text(value)
    assert out in (value, "'" + value)
    if out.startswith(FORMULA_PREFIXES):
        assert float(out.replace(",", ".")) is not None  # only plain numbers keep their sign


def test_the_writer_quotes_text_cells_only():
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(["=1+1", -2, Decimal("-1.5"), None, True, ["=x"]])
    writer.writerows([["@a"]])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["'=1+1", "-2", "-1.5", "", "True", "['=x']"], ["'@a"]]
