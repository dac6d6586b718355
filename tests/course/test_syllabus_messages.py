"""pydantic's own messages about a syllabus file, in the reader's language (issue #21).

`problem_message` is a pure function of one pydantic error: in English it says what pydantic
says, word for word; in French it says the same in French, with the error's values.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

import pytest
from django.utils import translation
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from course.syllabus.messages import problem_message


class _Inner(BaseModel):
    x: int = 0


class _Every(BaseModel):
    """One field per kind of value a syllabus schema holds."""

    model_config = ConfigDict(extra="forbid")
    count: Annotated[int, Field(ge=1)] = 1
    small: Annotated[int, Field(lt=10)] = 0
    percent: Annotated[Decimal, Field(ge=0, le=100)] = Decimal(0)
    points: Annotated[Decimal, Field(gt=0)] = Decimal(1)
    ratio: float = 0.0
    flag: bool = False
    code: Annotated[str, Field(min_length=2, max_length=3, pattern=r"^[a-z]+$")] = "ab"
    one: Annotated[str, Field(min_length=1)] = "a"
    language: Literal["en", "fr"] = "en"
    day: dt.date = dt.date(2021, 1, 13)
    published: dt.datetime | dt.date = dt.date(2021, 1, 13)
    at: dt.datetime = dt.datetime(2021, 1, 13, 9, 30)
    meetings: Annotated[list[int], Field(min_length=1, max_length=2)] = [1]
    parameters: dict[str, int] = {}
    inner: _Inner = _Inner()
    required: str


# (field, bad value, pydantic's error type)
BAD: list[tuple[str, Any, str]] = [
    ("required", None, "missing"),
    ("favourite", 3, "extra_forbidden"),
    ("count", "many", "int_parsing"),
    ("count", 1.5, "int_from_float"),
    ("count", [1], "int_type"),
    ("count", 0, "greater_than_equal"),
    ("small", 10, "less_than"),
    ("percent", "lots", "decimal_parsing"),
    ("percent", [1], "decimal_type"),
    ("percent", float("inf"), "finite_number"),
    ("percent", 101, "less_than_equal"),
    ("points", 0, "greater_than"),
    ("ratio", "half", "float_parsing"),
    ("ratio", [1], "float_type"),
    ("flag", "maybe", "bool_parsing"),
    ("flag", [1], "bool_type"),
    ("code", 7, "string_type"),
    ("code", "a", "string_too_short"),
    ("one", "", "string_too_short"),
    ("code", "abcd", "string_too_long"),
    ("code", "AB", "string_pattern_mismatch"),
    ("language", "de", "literal_error"),
    ("day", [1], "date_type"),
    ("day", dt.datetime(2021, 1, 13, 9, 30), "date_from_datetime_inexact"),
    ("at", [1], "datetime_type"),
    ("meetings", [], "too_short"),
    ("meetings", [1, 2, 3], "too_long"),
    ("meetings", 5, "list_type"),
    ("parameters", 5, "dict_type"),
    ("inner", 5, "model_type"),
]


def _error(field: str, value: Any) -> dict[str, Any]:
    data = {"required": "yes", field: value}
    if value is None:
        del data[field]
    with pytest.raises(ValidationError) as info:
        _Every.model_validate(data)
    (err,) = info.value.errors()
    return dict(err)


IDS = [f"{b[2]}-{b[0]}" for b in BAD]


@pytest.mark.parametrize(("field", "value", "kind"), BAD, ids=IDS)
def test_english_is_pydantic_s_own_message(field, value, kind):
    err = _error(field, value)
    assert err["type"] == kind
    with translation.override("en"):
        assert problem_message(err) == err["msg"]


@pytest.mark.parametrize(("field", "value", "kind"), BAD, ids=IDS)
def test_french_is_french_with_the_same_values(field, value, kind):
    err = _error(field, value)
    with translation.override("fr"):
        french = problem_message(err)
    assert french != err["msg"]
    for word in ("Input", "should", "String", "List", "valid"):
        assert word not in french.split(), french
    for bound in (err.get("ctx") or {}).values():  # the bounds and lengths are still said
        if isinstance(bound, int | Decimal):
            assert str(bound) in french, french


@pytest.mark.parametrize(
    ("field", "value", "french"),
    [
        ("required", None, "Clé obligatoire"),
        ("favourite", 3, "Cette clé n’est pas prévue ici"),
        ("count", 0, "La valeur doit être supérieure ou égale à 1"),
        ("percent", 101, "La valeur doit être inférieure ou égale à 100"),
        ("one", "", "Le texte doit avoir au moins 1 caractère"),
        ("code", "a", "Le texte doit avoir au moins 2 caractères"),
        ("meetings", [], "La liste doit avoir au moins 1 élément, pas 0"),
        ("language", "de", "Valeur attendue\u00a0: 'en' ou 'fr'"),
    ],
)
def test_french_sentences(field, value, french):
    with translation.override("fr"):
        assert problem_message(_error(field, value)) == french


def test_a_date_that_is_not_one_says_why_in_the_reader_s_language():
    errors = []
    for value in ("2021-02-30", "2021-13-01", "2021-2-3", "abcd-01-01"):
        with pytest.raises(ValidationError) as info:
            _Every.model_validate({"required": "yes", "published": value})
        errors += info.value.errors()
    with translation.override("en"):
        assert problem_message(errors[0]) == (
            "'2021-02-30' is not a date of the calendar (day value is outside expected range)"
        )
    with translation.override("fr"):
        said = {problem_message(err) for err in errors}  # each union member says the same
    assert said == {
        "'2021-02-30' n’est pas une date du calendrier (ce jour n’existe pas dans ce mois)",
        "'2021-13-01' n’est pas une date du calendrier (le mois doit être entre 1 et 12)",
        "'2021-2-3' n’est pas une date du calendrier (texte trop court)",
        "'abcd-01-01' n’est pas une date du calendrier (caractère invalide dans l’année)",
    }


def test_our_own_validators_sentences_are_kept_and_an_unknown_type_keeps_pydantic_s():
    own = {"type": "value_error", "msg": "Value error, x", "ctx": {"error": ValueError("x")}}
    assert problem_message(own) == "x"
    unknown = {"type": "uuid_parsing", "msg": "Input should be a valid UUID", "ctx": {}}
    with translation.override("fr"):
        assert problem_message(unknown) == "Input should be a valid UUID"
