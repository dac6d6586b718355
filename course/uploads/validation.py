"""Upload validation, shared by the apps that take files (notes, slides, PDFs).

API
---
``validate_upload(uploaded, kind, *, max_bytes=None) -> None``
    ``kind`` is ``"pdf"``, ``"tex"`` or ``"zip"``. Raises ``UploadRefused`` (a Django
    ``ValidationError``, so a form's ``clean_<field>`` can let it through) with one clear
    message per refusal. Checks, in order:

    - name: no control character, at most ``MAX_NAME_CHARS`` characters (``MAX_NAME_BYTES``
      in UTF-8), so that it fits the stored path and the kept original name;
    - size: not empty, at most ``max_bytes`` (default ``settings.COURSEKIT_UPLOAD_MAX_BYTES``);
    - extension: the file name ends with ``.pdf`` / ``.tex`` / ``.zip``;
    - content, not the name: a PDF starts with ``%PDF-``; a .tex decodes as UTF-8 text with no
      NUL byte; a .zip opens with ``zipfile`` and then every entry is checked (``check_zip``).

``check_zip(fileobj, *, max_files=None, max_uncompressed_bytes=None) -> list[str]``
    Refuses absolute paths (``/x``, ``C:\\x``), path traversal (a ``..`` part), symbolic
    links and special files (pipes, devices, sockets: the Unix mode in ``external_attr``),
    encrypted entries, more than ``max_files`` entries (default
    ``settings.COURSEKIT_ZIP_MAX_FILES`` or 200), a total uncompressed size over
    ``max_uncompressed_bytes`` (default ``settings.COURSEKIT_ZIP_MAX_UNCOMPRESSED_BYTES`` or
    100 MB), and then, reading every entry, one whose content is not the size it declares or
    fails its checksum (``zipfile`` never inflates an entry past its declared size, so the
    declared sizes bound the work). Returns the entry names when the archive is acceptable.

``UploadRefused(message, code)``
    ``code`` is one of ``name_invalid``, ``name_too_long``, ``empty``, ``too_large``,
    ``extension``, ``not_pdf``, ``not_text``, ``not_zip``, ``zip_absolute``, ``zip_traversal``,
    ``zip_symlink``, ``zip_special``, ``zip_encrypted``, ``zip_too_many``, ``zip_too_big``,
    ``zip_size_mismatch``.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from pathlib import PurePosixPath
from typing import IO, Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

Kind = Literal["pdf", "tex", "zip"]
DEFAULT_ZIP_MAX_FILES = 200
DEFAULT_ZIP_MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_NAME_CHARS = 100
MAX_NAME_BYTES = 200
_READ_CHUNK = 1024 * 1024


class UploadRefused(ValidationError):
    pass


def _size(uploaded: Any) -> int:
    size = getattr(uploaded, "size", None)
    if size is None:
        pos = uploaded.tell()
        uploaded.seek(0, 2)
        size = uploaded.tell()
        uploaded.seek(pos)
    return int(size)


def _head(uploaded: Any, n: int) -> bytes:
    uploaded.seek(0)
    data: bytes = uploaded.read(n)
    uploaded.seek(0)
    return data


def _check_name(name: str) -> None:
    # The name is kept (original_name) and is part of the stored path, whose every part the
    # file system limits to 255 bytes and whose whole the FileField limits to 300 characters.
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise UploadRefused(
            _("The file name contains control characters; rename the file and upload it again."),
            code="name_invalid",
        )
    if len(name) > MAX_NAME_CHARS or len(name.encode("utf-8", "replace")) > MAX_NAME_BYTES:
        raise UploadRefused(
            _(
                "The file name %(name)s is too long: rename the file (at most %(max)d "
                "characters) and upload it again."
            )
            % {"name": name[:40] + "…", "max": MAX_NAME_CHARS},
            code="name_too_long",
        )


def validate_upload(uploaded: Any, kind: Kind, *, max_bytes: int | None = None) -> None:
    limit = max_bytes if max_bytes is not None else settings.COURSEKIT_UPLOAD_MAX_BYTES
    name = str(getattr(uploaded, "name", "") or "")
    _check_name(name)
    size = _size(uploaded)
    if size == 0:
        raise UploadRefused(_("The file %(name)s is empty.") % {"name": name}, code="empty")
    if size > limit:
        raise UploadRefused(
            _("The file %(name)s is %(size)s; the limit is %(limit)s.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if not name.lower().endswith("." + kind):
        raise UploadRefused(
            _("The file %(name)s should be a .%(kind)s file.") % {"name": name, "kind": kind},
            code="extension",
        )
    if kind == "pdf":
        if not _head(uploaded, 1024).lstrip(b"\r\n\t ").startswith(b"%PDF-"):
            raise UploadRefused(
                _("The file %(name)s is not a PDF (it does not start with %%PDF-).")
                % {"name": name},
                code="not_pdf",
            )
    elif kind == "tex":
        uploaded.seek(0)
        data = uploaded.read()
        uploaded.seek(0)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UploadRefused(
                _("The file %(name)s is not UTF-8 text (LaTeX source is expected).")
                % {"name": name},
                code="not_text",
            ) from exc
        if "\x00" in text:
            raise UploadRefused(
                _("The file %(name)s contains binary data, not LaTeX text.") % {"name": name},
                code="not_text",
            )
    elif kind == "zip":
        uploaded.seek(0)
        try:
            check_zip(uploaded)
        finally:
            uploaded.seek(0)


def check_zip(
    fileobj: IO[bytes] | File,
    *,
    max_files: int | None = None,
    max_uncompressed_bytes: int | None = None,
) -> list[str]:
    files_limit: int = (
        max_files
        if max_files is not None
        else getattr(settings, "COURSEKIT_ZIP_MAX_FILES", DEFAULT_ZIP_MAX_FILES)
    )
    max_total: int = (
        max_uncompressed_bytes
        if max_uncompressed_bytes is not None
        else getattr(settings, "COURSEKIT_ZIP_MAX_UNCOMPRESSED_BYTES", DEFAULT_ZIP_MAX_UNCOMPRESSED)
    )
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UploadRefused(_("The archive is not a valid .zip file."), code="not_zip") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > files_limit:
            raise UploadRefused(
                _("The archive holds %(n)d files; at most %(max)d are accepted.")
                % {"n": len(infos), "max": files_limit},
                code="zip_too_many",
            )
        total = 0
        for info in infos:
            name = info.filename
            unix = name.replace("\\", "/")
            if unix.startswith("/") or (len(unix) > 1 and unix[1] == ":"):
                raise UploadRefused(
                    _("The archive contains an absolute path: %(name)s.") % {"name": name},
                    code="zip_absolute",
                )
            if ".." in PurePosixPath(unix).parts:
                raise UploadRefused(
                    _("The archive contains a path that leaves its folder: %(name)s.")
                    % {"name": name},
                    code="zip_traversal",
                )
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise UploadRefused(
                    _("The archive contains a symbolic link: %(name)s.") % {"name": name},
                    code="zip_symlink",
                )
            if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
                raise UploadRefused(
                    _(
                        "The archive contains a special file (a pipe, a device or a socket), "
                        "not a regular file: %(name)s."
                    )
                    % {"name": name},
                    code="zip_special",
                )
            if info.flag_bits & 0x1:
                raise UploadRefused(
                    _("The archive contains an encrypted file: %(name)s.") % {"name": name},
                    code="zip_encrypted",
                )
            total += info.file_size
            if total > max_total:
                raise UploadRefused(
                    _("The archive would expand to more than %(limit)s.")
                    % {"limit": filesizeformat(max_total)},
                    code="zip_too_big",
                )
        for info in infos:
            if not info.is_dir():
                _check_entry_content(archive, info)
        return [i.filename for i in infos]


def _check_entry_content(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """The entry holds exactly the bytes it declares, with its checksum. zipfile stops at the
    declared size, so the declared total (checked above) bounds this work."""
    held = 0
    try:
        with archive.open(info) as entry:
            while chunk := entry.read(_READ_CHUNK):
                held += len(chunk)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, zlib.error):
        held = -1
    if held != info.file_size:
        raise UploadRefused(
            _(
                "The archive's entry %(name)s does not hold what it declares (its size or "
                "checksum is wrong): the archive is damaged or forged."
            )
            % {"name": info.filename},
            code="zip_size_mismatch",
        )
