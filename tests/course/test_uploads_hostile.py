"""course.uploads: file names that the stored path cannot hold, and zip entries that are special
files or do not hold what they declare, are refused with their own message."""

from __future__ import annotations

import io
import stat
import struct
import zipfile
from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from course.uploads.validation import MAX_NAME_CHARS, UploadRefused, check_zip, validate_upload

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("a" * 296 + ".pdf", "name_too_long"),
        ("é" * 120 + ".pdf", "name_too_long"),
        ("漢" * 80 + ".pdf", "name_too_long"),  # 80 characters but 240 bytes
        ("bad\x00name.pdf", "name_invalid"),
        ("bad\nname.pdf", "name_invalid"),
    ],
)
def test_names_the_stored_path_cannot_hold_are_refused(name: str, code: str) -> None:
    with pytest.raises(UploadRefused) as exc:
        validate_upload(SimpleUploadedFile(name, PDF), "pdf")
    assert exc.value.code == code
    assert "rename the file" in exc.value.messages[0]


def test_a_name_at_the_limit_passes() -> None:
    validate_upload(SimpleUploadedFile("a" * (MAX_NAME_CHARS - 4) + ".pdf", PDF), "pdf")
    validate_upload(SimpleUploadedFile("Été — notes.pdf", PDF), "pdf")


def zip_with_mode(mode: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("fig.png", b"png")
        info = zipfile.ZipInfo("special")
        info.create_system = 3
        info.external_attr = (mode | 0o644) << 16
        zf.writestr(info, b"")
    return buf.getvalue()


@pytest.mark.parametrize("mode", [stat.S_IFIFO, stat.S_IFCHR, stat.S_IFBLK, stat.S_IFSOCK])
def test_pipes_devices_and_sockets_are_refused(mode: int) -> None:
    with pytest.raises(UploadRefused, match="special file") as exc:
        check_zip(io.BytesIO(zip_with_mode(mode)))
    assert exc.value.code == "zip_special"


def test_regular_files_and_folders_with_unix_modes_pass() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.mkdir("figs")
        info = zipfile.ZipInfo("figs/a.png")
        info.create_system = 3
        info.external_attr = (stat.S_IFREG | 0o644) << 16
        zf.writestr(info, b"png")
    assert check_zip(io.BytesIO(buf.getvalue())) == ["figs/", "figs/a.png"]


def with_declared_size(data: bytes, size: int) -> bytes:
    """The zip with its only entry's uncompressed size changed in both headers."""
    local = data.index(b"PK\x03\x04") + 22
    central = data.rindex(b"PK\x01\x02") + 24
    packed = struct.pack("<I", size)
    data = data[:local] + packed + data[local + 4 :]
    return data[:central] + packed + data[central + 4 :]


def one_entry(content: bytes, compression: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        zf.writestr("refs.bib", content)
    return buf.getvalue()


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
@pytest.mark.parametrize("declared", [10, 5000])
def test_an_entry_not_holding_its_declared_size_is_refused(compression: int, declared: int) -> None:
    forged = with_declared_size(one_entry(b"@book{x}" * 100, compression), declared)
    with pytest.raises(UploadRefused, match="does not hold what it declares") as exc:
        validate_upload(SimpleUploadedFile("figs.zip", forged), "zip")
    assert exc.value.code == "zip_size_mismatch"


def test_a_checksum_that_fails_is_refused() -> None:
    data = one_entry(b"@book{x}" * 100, zipfile.ZIP_STORED)
    at = data.index(b"@book")
    forged = data[:at] + b"#" + data[at + 1 :]
    with pytest.raises(UploadRefused) as exc:
        check_zip(io.BytesIO(forged))
    assert exc.value.code == "zip_size_mismatch"
