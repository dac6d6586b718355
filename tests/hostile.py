"""Hostile strings for the property tests: NUL, lone surrogates, very long, right-to-left marks,
spreadsheet formula prefixes, markup and links that must not run, plus any text at all."""

from __future__ import annotations

from hypothesis import strategies as st

SAMPLES = [
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "x" * 5000,
    "é" * 2000,
    "\u202eevil\u202c.pdf",
    "\u200f\u061c\u2067RTL\u2069",
    '=HYPERLINK("https://evil.example","x")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1",
    "\r=1",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "'; DROP TABLE course_course; --",
    "%00",
    "1e5",
    "NaN",
    "   ",
    "",
]

hostile_text = st.one_of(
    st.sampled_from(SAMPLES),
    st.text(max_size=60),
    st.text(st.characters(categories=["Cs", "Cc", "Cf", "Zl", "Zp"]), max_size=20),
    st.builds(lambda a, b: a + b, st.sampled_from(SAMPLES), st.text(max_size=20)),
)


def as_sent(value: str) -> str:
    """What a browser's form post carries: UTF-8 has no lone surrogate, so a browser sends
    U+FFFD in its place (the JSON API, which can carry one, is tested apart)."""
    return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in value)
