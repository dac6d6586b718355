"""Parsing the LMS participants export (pure: text in, rows and per-line errors out).

StudiUM (Moodle) exports columns such as "First name", "Last name", "Email address",
"ID number" and "Roles"; a plain "name,email,student_id,role" file works too.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext, gettext_noop

_FIELD_LABELS = {
    "first_name": gettext_noop("first name"),
    "last_name": gettext_noop("last name"),
    "email": gettext_noop("e-mail address"),
    "student_id": gettext_noop("student id"),
}

_ALIASES = {
    "first_name": {"first name", "firstname", "prénom", "prenom", "given name"},
    "last_name": {"last name", "lastname", "surname", "nom", "nom de famille", "family name"},
    "name": {"name", "full name", "nom complet"},
    "email": {"email", "email address", "e-mail", "adresse de courriel", "courriel"},
    "student_id": {"student id", "id number", "student_id", "matricule", "numéro d'identification"},
    "role": {"role", "roles", "rôle", "rôles"},
}

_ROLES = {
    "student": "student",
    "étudiant": "student",
    "etudiant": "student",
    "étudiante": "student",
    "auditor": "auditor",
    "auditeur": "auditor",
    "auditrice": "auditor",
    "guest": "auditor",
    "ta": "ta",
    "teaching assistant": "ta",
    "non-editing teacher": "ta",
    "auxiliaire d'enseignement": "ta",
    "démonstrateur": "ta",
    "instructor": "instructor",
    "teacher": "instructor",
    "editing teacher": "instructor",
    "enseignant": "instructor",
    "enseignante": "instructor",
}


@dataclass(frozen=True)
class RosterRow:
    line: int
    first_name: str
    last_name: str
    email: str
    student_id: str
    role: str


@dataclass(frozen=True)
class RosterError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def parse_roster(
    text: str, *, max_lengths: Mapping[str, int] | None = None
) -> tuple[list[RosterRow], list[RosterError]]:
    """The participants of the file and the errors of its lines. `max_lengths` bounds the
    fields (first_name, last_name, email, student_id) to what the accounts can hold."""
    text = text.lstrip("\ufeff")
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except StopIteration:
        return [], [RosterError(1, "the file is empty")]
    columns: dict[str, int] = {}
    for i, title in enumerate(header):
        norm = title.strip().lower()
        for field, names in _ALIASES.items():
            if norm in names and field not in columns:
                columns[field] = i
    if "email" not in columns:
        return [], [RosterError(1, "no e-mail column (expected a header such as 'Email address')")]
    if "name" not in columns and not {"first_name", "last_name"} <= columns.keys():
        return [], [
            RosterError(1, "no name column (expected 'name' or 'First name' and 'Last name')")
        ]

    rows: list[RosterRow] = []
    errors: list[RosterError] = []
    seen: dict[str, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if any("\x00" in c for c in cells):
            errors.append(RosterError(line, gettext("the line contains a NUL character")))
            continue

        def cell(field: str, cells: list[str] = cells) -> str:
            i = columns.get(field)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        if "name" in columns:
            first, _, last = cell("name").partition(" ")
        else:
            first, last = cell("first_name"), cell("last_name")
        email = cell("email").lower()
        role_text = cell("role").lower() or "student"
        role_text = role_text.split(",")[0].strip()
        if not (first or last):
            errors.append(RosterError(line, "the name is empty"))
            continue
        values = {"first_name": first, "last_name": last, "email": email}
        values["student_id"] = cell("student_id")
        too_long = [
            (field, limit)
            for field, limit in (max_lengths or {}).items()
            if len(values.get(field, "")) > limit
        ]
        if too_long:
            field, limit = too_long[0]
            errors.append(
                RosterError(
                    line,
                    gettext("the %(field)s is longer than %(limit)d characters")
                    % {"field": gettext(_FIELD_LABELS[field]), "limit": limit},
                )
            )
            continue
        try:
            validate_email(email)
        except ValidationError:
            errors.append(RosterError(line, f"'{email}' is not a valid e-mail address"))
            continue
        if role_text not in _ROLES:
            errors.append(
                RosterError(
                    line, f"unknown role '{role_text}' (student, auditor, TA or instructor)"
                )
            )
            continue
        if email in seen:
            errors.append(RosterError(line, f"{email} already appears on line {seen[email]}"))
            continue
        seen[email] = line
        rows.append(RosterRow(line, first, last, email, cell("student_id"), _ROLES[role_text]))
    if not rows and not errors:
        errors.append(RosterError(1, "the file has a header but no participant"))
    return rows, errors
