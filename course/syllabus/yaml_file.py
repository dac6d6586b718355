"""The YAML of a syllabus file: read as the instructor wrote it, bounded before it is built.

PyYAML's safe loader follows YAML 1.1, where an unquoted `9:30` is the base-60 integer 570,
`23:59` is 1439 and `no` is false. `SyllabusLoader` keeps PyYAML's parser but resolves plain
scalars with the YAML 1.2 core schema (null, true/false, decimal/octal/hex integers, floats)
plus ISO dates and timestamps, so a time stays the text written and the schema reads it as a
time. An impossible date (`2021-02-30`) stays text too, so the schema refuses it with its key
and line like any other bad value.

Before anything is built the event stream is checked: aliases are refused (no "billion laughs"
expansion), and so is nesting deeper than any syllabus needs (no recursion exhausted by
`[[[[...]]]]`). After it is built every string is checked for characters that no database
column or page can hold (NUL, other control characters, lone surrogates).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml
from django.utils.translation import gettext as _

MAX_CHARACTERS = 1_000_000  # the demo course's file is 14 kB
MAX_DEPTH = 12  # quiz_bank[i].questions[j].choices[k].text is 6 deep

# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution), in the order PyYAML
# tries them for a first character.
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
# ISO dates and timestamps, as PyYAML's own resolver writes them.
_TIMESTAMP = re.compile(
    r"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
    r"|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
    r"(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$"
)
_RESOLVERS = [
    ("tag:yaml.org,2002:null", _NULL, ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", _BOOL, list("tTfF")),
    ("tag:yaml.org,2002:int", _INT, list("-+0123456789")),
    ("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789.")),
    ("tag:yaml.org,2002:timestamp", _TIMESTAMP, list("0123456789")),
]

# Printable text only: tab, newline and carriage return are the control characters a file holds.
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


class SyllabusLoader(yaml.SafeLoader):
    """PyYAML's safe loader with the YAML 1.2 core schema's resolvers (see the module)."""

    yaml_implicit_resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        text = str(self.construct_scalar(node)).replace("_", "")
        if text.startswith(("0o", "0x")):
            return int(text, 0)  # base 0: the prefix says octal or hexadecimal
        return int(text, 10)  # YAML 1.2: "010" is ten, not an octal eight

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            # Not a day of the calendar (2021-02-30): left as written for the schema to refuse
            # with its key and line.
            return self.construct_scalar(node)


for _tag, _pattern, _first in _RESOLVERS:
    SyllabusLoader.add_implicit_resolver(_tag, _pattern, _first)
SyllabusLoader.add_constructor("tag:yaml.org,2002:int", SyllabusLoader.construct_yaml_int)
SyllabusLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", SyllabusLoader.construct_yaml_timestamp
)


class SyllabusDumper(yaml.SafeDumper):
    """Quotes every string that a YAML 1.1 *or* a YAML 1.2 reader would take for something else,
    so a dumped file reads back the same in both (and in `SyllabusLoader`)."""


for _tag, _pattern, _first in _RESOLVERS:
    SyllabusDumper.add_implicit_resolver(_tag, _pattern, _first)


class YamlRefused(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def _line_of_position(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _event_line(event: yaml.Event) -> int:
    return event.start_mark.line + 1 if event.start_mark is not None else 1


def _check_events(text: str) -> None:
    """Refuse aliases and deep nesting from the event stream, before any node is built."""
    depth = 0
    for event in yaml.parse(text, Loader=SyllabusLoader):
        if isinstance(event, yaml.AliasEvent):
            raise YamlRefused(
                [
                    at_line(
                        _event_line(event),
                        _(
                            "YAML aliases (*%(anchor)s) are not accepted in a syllabus file; "
                            "write the value out where it is used"
                        )
                        % {"anchor": event.anchor},
                    )
                ]
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlRefused(
                    [
                        at_line(
                            _event_line(event),
                            _(
                                "nested %(depth)s levels deep; a syllabus file never needs "
                                "more than %(max)s"
                            )
                            % {"depth": depth, "max": MAX_DEPTH},
                        )
                    ]
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _line_index(node: yaml.Node, problems: list[str], path: tuple = ()) -> dict[tuple, int]:
    """The line of every key path; a key written twice in one mapping is a problem."""
    index = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key, line = key_node.value, key_node.start_mark.line + 1
            if key in seen:
                problems.append(
                    at_line(
                        line,
                        _("written twice in the same mapping (first at line %(first)s)")
                        % {"first": seen[key]},
                        (*path, key),
                    )
                )
                continue
            seen[key] = line
            index.update(_line_index(value_node, problems, (*path, key)))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            index.update(_line_index(item, problems, (*path, i)))
    return index


def at_line(line: int | str, message: str, loc: Any = None) -> str:
    """A problem as the author reads it: "line 12: calendar.meetings[0].start: <message>"
    (the key path is the file's own words, never translated)."""
    if loc is None:
        return _("line %(line)s: %(message)s") % {"line": line, "message": message}
    return _("line %(line)s: %(path)s: %(message)s") % {
        "line": line,
        "path": format_loc(loc),
        "message": message,
    }


def format_loc(loc: Any) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _strings(data: Any, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(key, path)
            yield from _strings(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _strings(value, (*path, i))


def _line_for(index: dict[tuple, int], loc: tuple) -> int | None:
    while loc:
        if loc in index:
            return index[loc]
        loc = loc[:-1]
    return index.get(())


def read_yaml(text: str) -> tuple[Any, dict[tuple, int]]:
    """The file's data and the line of each key path; YamlRefused lists what is wrong."""
    if len(text) > MAX_CHARACTERS:
        raise YamlRefused(
            [
                _("the file has %(n)s characters; a syllabus file has at most %(max)s")
                % {"n": f"{len(text):,}", "max": f"{MAX_CHARACTERS:,}"}
            ]
        )
    try:
        _check_events(text)
        node = yaml.compose(text, Loader=SyllabusLoader)
    except yaml.reader.ReaderError as exc:
        line = _line_of_position(text, exc.position)
        raise YamlRefused(
            [
                at_line(
                    line,
                    _("the file holds the character %(character)s, which a text file cannot hold")
                    % {"character": f"U+{exc.character:04X}"},
                )
            ]
            if isinstance(exc.character, int)
            else [at_line(line, _("not valid text (%(reason)s)") % {"reason": exc.reason})]
        ) from exc
    except yaml.YAMLError as exc:
        raise YamlRefused([_not_yaml(exc)]) from exc
    if node is None:
        return None, {}
    problems: list[str] = []
    index = _line_index(node, problems)
    if problems:
        raise YamlRefused(problems)
    loader = SyllabusLoader("")
    try:
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise YamlRefused([_not_yaml(exc)]) from exc
    finally:
        loader.dispose()
    for loc, value in _strings(data):
        bad = _UNWRITABLE.search(value)
        if bad:
            raise YamlRefused(
                [
                    at_line(
                        _line_for(index, loc) or "?",
                        _("holds the character %(character)s, which a syllabus text cannot hold")
                        % {"character": f"U+{ord(bad.group()):04X}"},
                        loc,
                    )
                ]
            )
    return data, index


def _not_yaml(exc: yaml.YAMLError) -> str:
    # PyYAML's own reason ("expected ',' or ']', but got '<stream end>'") is English: it names
    # the YAML tokens it met.
    message = _("not valid YAML (%(reason)s)") % {"reason": getattr(exc, "problem", exc)}
    mark = getattr(exc, "problem_mark", None)
    return at_line(mark.line + 1, message) if mark else message


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=SyllabusDumper, sort_keys=False, allow_unicode=True, width=100)
