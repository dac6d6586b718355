"""course.uploads: every kind of refused file gets its own clear message."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from course.uploads.validation import UploadRefused, check_zip, validate_upload


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def up(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def make_zip(
    entries: dict[str, bytes], *, symlink: str | None = None, encrypted: str | None = None
) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = 0o120777 << 16
            zf.writestr(info, "../../etc/passwd")
        if encrypted:
            zf.writestr(encrypted, b"secret")
    data = buf.getvalue()
    if encrypted:  # zipfile cannot write encrypted entries: set the flag in the central directory
        at = data.rindex(b"PK\x01\x02") + 8
        data = data[:at] + bytes([data[at] | 0x1]) + data[at + 1 :]
    return data


def code_of(exc: pytest.ExceptionInfo[UploadRefused]) -> str:
    return str(exc.value.code)


def test_good_files_pass() -> None:
    validate_upload(up("n.tex", "\\section{Été}".encode()), "tex")
    validate_upload(up("n.pdf", b"%PDF-1.7\n..."), "pdf")
    validate_upload(up("x.zip", make_zip({"fig/a.png": b"x", "refs.bib": b"@book{}"})), "zip")


@pytest.mark.parametrize(
    ("name", "data", "kind", "code", "words"),
    [
        ("n.tex", b"", "tex", "empty", "empty"),
        ("n.pdf", b"%PDF-" + b"x" * 200, "pdf", "too_large", "limit"),
        ("n.txt", b"hello", "tex", "extension", ".tex"),
        ("n.pdf", b"<html>not a pdf", "pdf", "not_pdf", "not a PDF"),
        ("n.tex", b"\xff\xfe\x00binary", "tex", "not_text", "UTF-8"),
        ("n.tex", b"text\x00with nul", "tex", "not_text", "binary"),
        ("n.zip", b"PK\x03\x04 truncated", "zip", "not_zip", "not a valid"),
        ("n.zip", make_zip({"../evil.tex": b"x"}), "zip", "zip_traversal", "leaves its folder"),
        ("n.zip", make_zip({"a/../../evil": b"x"}), "zip", "zip_traversal", "leaves its folder"),
        ("n.zip", make_zip({"/etc/cron.d/x": b"x"}), "zip", "zip_absolute", "absolute"),
        ("n.zip", make_zip({"C:\\win\\x": b"x"}), "zip", "zip_absolute", "absolute"),
        ("n.zip", make_zip({"a.tex": b"x"}, symlink="link"), "zip", "zip_symlink", "symbolic link"),
        (
            "n.zip",
            make_zip({"a.tex": b"x"}, encrypted="s.bin"),
            "zip",
            "zip_encrypted",
            "encrypted",
        ),
    ],
)
def test_refusals(name: str, data: bytes, kind: Any, code: str, words: str) -> None:
    with pytest.raises(UploadRefused, match=words) as exc:
        validate_upload(up(name, data), kind, max_bytes=100 if code == "too_large" else 10_000)
    assert code_of(exc) == code


def test_size_limit_from_settings(settings: Any) -> None:
    settings.COURSEKIT_UPLOAD_MAX_BYTES = 10
    with pytest.raises(UploadRefused, match="limit") as exc:
        validate_upload(up("n.tex", b"x" * 11), "tex")
    assert code_of(exc) == "too_large"


def test_zip_too_many_files_and_bomb() -> None:
    many = make_zip({f"f{i}.txt": b"x" for i in range(6)})
    with pytest.raises(UploadRefused, match="holds 6 files") as exc:
        check_zip(io.BytesIO(many), max_files=5)
    assert code_of(exc) == "zip_too_many"
    bomb = make_zip({"zeros.bin": b"\0" * 2_000_000})
    assert len(bomb) < 10_000  # tiny compressed, large uncompressed
    with pytest.raises(UploadRefused, match="expand") as exc:
        check_zip(io.BytesIO(bomb), max_uncompressed_bytes=1_000_000)
    assert code_of(exc) == "zip_too_big"


def test_file_position_is_rewound() -> None:
    f = up("x.zip", make_zip({"a": b"b"}))
    validate_upload(f, "zip")
    assert f.tell() == 0
