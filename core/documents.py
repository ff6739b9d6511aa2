"""Evidence documents (PDF, CSV, XLSX, DOCX), checked by their content before they are kept.

``check_document(upload, filename=...)`` reads at most ``max_bytes`` + 1 bytes, decides the
kind from the bytes, requires it to agree with the file name's extension, and refuses
content that could act on the computer of whoever opens it later. It returns facts only;
storing the file is the caller's job. Nothing is ever extracted to disk.

Rules, so that the next person does not have to guess:

- **PDF**: ``%PDF-`` within the first 1024 bytes and ``%%EOF`` within the last 1024. Refused
  when any of these names occurs — in the raw bytes (names written with ``#xx`` escapes
  count too), or in any object as pypdf parses it, object streams decoded through every
  standard filter and predictor in any chain: ``/JavaScript`` and ``/JS`` (script),
  ``/Launch`` (runs a program), ``/EmbeddedFile`` (an attached file: an evidence document
  must show everything it contains), ``/RichMedia`` (Flash and video players) and
  ``/XFA`` (dynamic forms, which carry their own scripts). Password-protected PDFs
  (``/Encrypt``) are refused because they cannot be checked, and so are PDFs pypdf cannot
  parse, with more than ``MAX_PDF_OBJECTS`` objects, or whose object streams decode to
  more than ``MAX_PDF_INFLATED_BYTES``.
- **CSV**: UTF-8 (a byte-order mark is allowed), no NUL byte, no HTML or script tags, parses
  with the csv module (delimiter sniffed among comma, semicolon and tab) into at least one
  row with a value.
- **XLSX / DOCX**: a ZIP archive starting at byte 0 holding ``[Content_Types].xml`` and
  ``xl/workbook.xml`` or ``word/document.xml``. Only the central directory and small parts
  are read. Refused: more than ``MAX_MEMBERS`` members, more than ``MAX_UNPACKED_BYTES``
  uncompressed, a member over 1 MiB compressed more than ``MAX_COMPRESSION_RATIO`` : 1
  (zip bombs); absolute, ``..``, backslash or duplicate member names; encrypted members;
  macros (``vbaProject.bin``, ``vbaData.xml``, a macro-enabled content type); ActiveX
  controls and OLE objects (``.bin`` parts, which can wrap programs); nested archives and
  executables, by name or by content. Office files in ``embeddings/`` (the workbook behind
  a Word chart) are allowed: they are never opened here.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from core.images import UploadRejected, read_upload

__all__ = [
    "KINDS",
    "MAX_COMPRESSION_RATIO",
    "MAX_MEMBERS",
    "MAX_UNPACKED_BYTES",
    "CheckedDocument",
    "DocumentRejected",
    "check_document",
]

#: kind -> (content type, extension without the dot)
KINDS = {
    "pdf": ("application/pdf", "pdf"),
    "csv": ("text/csv", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
}
#: ZIP limits for XLSX and DOCX.
MAX_MEMBERS = 10_000
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_ABOVE = 1024 * 1024
#: PDF object streams are inflated to look for forbidden names, up to this much in all.
MAX_PDF_INFLATED_BYTES = 64 * 1024 * 1024
#: More objects than this and the PDF is not checked (a normal report has a few thousand).
MAX_PDF_OBJECTS = 200_000

_PDF_FORBIDDEN = ("JavaScript", "JS", "Launch", "EmbeddedFile", "RichMedia", "XFA")
_PDF_DELIMITERS = rb"\x00\t\n\x0c\r %()/<>\[\]{}"
_HTML = re.compile(rb"<\s*(?:script|html|!doctype|iframe|svg|object|embed)\b", re.IGNORECASE)
_ZIP_MAGIC = b"PK\x03\x04"
_OFFICE_MAIN_PART = {"xlsx": "xl/workbook.xml", "docx": "word/document.xml"}
_MACRO_PARTS = ("vbaproject.bin", "vbadata.xml", "vbaprojectsignature.bin")
_DANGEROUS_SUFFIXES = {
    # archives
    ".zip", ".jar", ".7z", ".rar", ".gz", ".tar", ".cab",
    # programs and scripts
    ".exe", ".dll", ".com", ".scr", ".msi", ".bat", ".cmd", ".ps1", ".vbs", ".js", ".jse",
    ".wsf", ".hta", ".lnk",
}  # fmt: skip
_EMBEDDED_OFFICE_SUFFIXES = {".xlsx", ".docx", ".pptx"}
_TEXT_PART_SUFFIXES = {".xml", ".rels", ".vml"}


class DocumentRejected(UploadRejected):
    """Not an acceptable evidence document. ``code`` is one of "too_large", "empty",
    "unsupported_type", "mismatch", "encoding", "unsafe", "encrypted", "corrupt"."""


@dataclass(frozen=True)
class CheckedDocument:
    """What the content turned out to be."""

    kind: str  # "pdf" | "csv" | "xlsx" | "docx"
    content_type: str
    extension: str  # without the dot, e.g. "pdf"
    size: int
    sha256: str  # of the exact bytes uploaded


def check_document(
    upload: IO[bytes], *, filename: str, max_bytes: int | None = None
) -> CheckedDocument:
    """Check an evidence document by its content; raise ``DocumentRejected`` if unfit.

    ``max_bytes`` defaults to ``settings.MAX_UPLOAD_BYTES``. The upload's read position is
    left at 0.
    """
    kind = _kind_from_name(filename)
    limit = settings.MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    data = read_upload(upload, max_bytes=limit, error=DocumentRejected)
    if not data:
        raise DocumentRejected(_("The selected file is empty."), code="empty")
    if kind == "pdf":
        _check_pdf(data)
    elif kind == "csv":
        _check_csv(data)
    else:
        _check_office(data, kind)
    content_type, extension = KINDS[kind]
    return CheckedDocument(
        kind=kind,
        content_type=content_type,
        extension=extension,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _kind_from_name(filename: str) -> str:
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower().lstrip(".")
    if suffix not in KINDS:
        raise DocumentRejected(
            _("The selected file must be a PDF, CSV, XLSX or DOCX file."),
            code="unsupported_type",
        )
    return suffix


def _mismatch(kind: str) -> DocumentRejected:
    what = {
        "pdf": _("a PDF"),
        "csv": _("a CSV file"),
        "xlsx": _("an Excel workbook"),
        "docx": _("a Word document"),
    }[kind]
    return DocumentRejected(
        _("The file's content is not %(what)s, although its name ends in .%(extension)s.")
        % {"what": what, "extension": kind},
        code="mismatch",
    )


def _unsafe(message: str) -> DocumentRejected:
    return DocumentRejected(message, code="unsafe")


# PDF


def _name_pattern(*names: str) -> re.Pattern[bytes]:
    """A regex for the PDF names /name, whatever characters are written as #xx escapes.

    Case-insensitive for the hex digits; ``_pdf_names`` gives back the exact names.
    """
    bodies = [
        b"".join(
            b"(?:" + re.escape(char.encode()) + b"|#" + b"%02x" % ord(char) + b")" for char in name
        )
        for name in names
    ]
    return re.compile(
        b"/(?:" + b"|".join(bodies) + b")(?![^" + _PDF_DELIMITERS + b"])", re.IGNORECASE
    )


_PDF_FORBIDDEN_RE = _name_pattern(*_PDF_FORBIDDEN)
_PDF_ENCRYPT_RE = _name_pattern("Encrypt")
_HEX_ESCAPE = re.compile(rb"#([0-9a-fA-F]{2})")


def _pdf_names(pattern: re.Pattern[bytes], chunk: bytes) -> Iterator[str]:
    """The names pattern finds in chunk, with #xx escapes undone (PDF names keep their case)."""
    for match in pattern.finditer(chunk):
        yield _HEX_ESCAPE.sub(lambda m: bytes.fromhex(m.group(1).decode()), match[0][1:]).decode(
            "latin-1"
        )


def _forbidden_pdf_name(chunk: bytes) -> str | None:
    return next(
        (name for name in _pdf_names(_PDF_FORBIDDEN_RE, chunk) if name in _PDF_FORBIDDEN), None
    )


def _check_pdf(data: bytes) -> None:
    if b"%PDF-" not in data[:1024]:
        raise _mismatch("pdf")
    if b"%%EOF" not in data[-1024:]:
        raise DocumentRejected(
            _("The PDF is incomplete. Save or export it again, then upload it."), code="corrupt"
        )
    if "Encrypt" in _pdf_names(_PDF_ENCRYPT_RE, data):
        raise _encrypted_pdf()
    found = _forbidden_pdf_name(data) or _forbidden_in_pdf_objects(data)
    if found:
        raise _unsafe(
            _(
                "The PDF contains /%(name)s, which can run code or hide files when it is "
                "opened. Export it again without scripts, actions or attachments."
            )
            % {"name": found}
        )


def _encrypted_pdf() -> DocumentRejected:
    return DocumentRejected(
        _("The PDF is password-protected. Remove the protection, then upload it."),
        code="encrypted",
    )


def _forbidden_in_pdf_objects(data: bytes) -> str | None:
    """Parse the PDF with pypdf and look at every object, as a viewer would see it.

    Dictionaries are walked for forbidden names as keys or values (``/S /JavaScript``,
    ``/JS``, ``/Launch``…); object streams are decoded through every filter they declare
    (Flate, LZW, ASCIIHex, ASCII85, run-length, with PNG/TIFF predictors, in any chain) and
    their objects read too. A PDF that cannot be parsed, or holds more than
    ``MAX_PDF_OBJECTS`` objects or ``MAX_PDF_INFLATED_BYTES`` of object streams, is refused
    as uncheckable rather than guessed at.
    """
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    from pypdf.generic import IndirectObject, StreamObject

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise _encrypted_pdf()
        references = [
            IndirectObject(number, generation, reader)
            for generation, numbers in reader.xref.items()
            for number in numbers
        ] + [IndirectObject(number, 0, reader) for number in reader.xref_objStm]
        if len(references) > MAX_PDF_OBJECTS:
            raise _uncheckable_pdf()
        inflated_total = 0
        for reference in references:
            obj = reference.get_object()
            found = _forbidden_in_pdf_value(obj)
            if found:
                return found
            if isinstance(obj, StreamObject) and obj.get("/Type") == "/ObjStm":
                decoded = obj.get_data()
                if int(obj.get("/N", 0)) > 0 and len(decoded) <= int(obj.get("/First", 0)):
                    raise _uncheckable_pdf()  # pypdf recovered nothing from a damaged stream
                inflated_total += len(decoded)
                if inflated_total > MAX_PDF_INFLATED_BYTES:
                    raise _uncheckable_pdf()
                found = _forbidden_pdf_name(decoded)
                if found:
                    return found
    except DocumentRejected:
        raise
    except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, IndexError, OSError):
        raise _uncheckable_pdf() from None
    except (RecursionError, zlib.error, MemoryError):
        raise _uncheckable_pdf() from None
    return None


def _forbidden_in_pdf_value(value: object, depth: int = 0) -> str | None:
    """A forbidden name among a parsed object's keys and values (not following references:
    each referenced object is visited on its own)."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    if depth > 64:
        raise _uncheckable_pdf()
    if isinstance(value, NameObject):
        name = str(value)[1:]
        return name if name in _PDF_FORBIDDEN else None
    if isinstance(value, DictionaryObject):
        for key, item in value.items():
            found = _forbidden_in_pdf_value(NameObject(key), depth + 1) or (
                _forbidden_in_pdf_value(item, depth + 1)
            )
            if found:
                return found
    elif isinstance(value, ArrayObject):
        for item in value:
            found = _forbidden_in_pdf_value(item, depth + 1)
            if found:
                return found
    return None


def _uncheckable_pdf() -> DocumentRejected:
    return DocumentRejected(
        _("The PDF could not be checked. Save or export it again as a standard PDF."),
        code="corrupt",
    )


# CSV


def _check_csv(data: bytes) -> None:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _not_utf8()
    if data.startswith((b"%PDF-", _ZIP_MAGIC)) or b"\x00" in data:
        raise _mismatch("csv")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _not_utf8() from None
    if _HTML.search(data):
        raise _unsafe(_("The CSV file contains HTML or script, which is not allowed."))
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:65536], delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel  # one column, or too little to tell: commas
    try:
        has_value = any(
            any(cell.strip() for cell in row)
            for row in csv.reader(io.StringIO(text, newline=""), dialect)
        )
    except csv.Error:
        raise DocumentRejected(
            _("The CSV file could not be read. Check its quotes and save it again."),
            code="corrupt",
        ) from None
    if not has_value:
        raise DocumentRejected(_("The CSV file has no rows."), code="empty")


def _not_utf8() -> DocumentRejected:
    return DocumentRejected(
        _("The CSV file must be saved as UTF-8 (CSV UTF-8 in Excel)."), code="encoding"
    )


# XLSX and DOCX


def _check_office(data: bytes, kind: str) -> None:
    if not data.startswith(_ZIP_MAGIC):
        raise _mismatch(kind)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise _mismatch(kind) from None
    with archive:
        members = archive.infolist()
        _check_members(members)
        names = {member.filename for member in members}
        if "[Content_Types].xml" not in names:
            raise _mismatch(kind)
        content_kind = next((k for k, part in _OFFICE_MAIN_PART.items() if part in names), None)
        if content_kind != kind:
            raise _mismatch(kind)
        try:
            content_types = _read_small(archive, archive.getinfo("[Content_Types].xml"))
            if b"macroenabled" in content_types.lower():
                raise _macros()
            for member in members:
                _check_embedded(archive, member)
        except DocumentRejected:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
            raise _corrupt_office(kind) from None


def _check_members(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_MEMBERS:
        raise _unsafe(_("The file holds too many parts to be checked safely."))
    seen: set[str] = set()
    unpacked = 0
    for member in members:
        name = member.filename
        folded = name.lower()
        if (
            not name
            or name.startswith("/")
            or "\\" in name
            or "\x00" in name
            or re.match(r"^[A-Za-z]:", name)
            or ".." in name.split("/")
            or folded in seen
        ):
            raise _unsafe(_("The file contains a part with a name that is not allowed."))
        seen.add(folded)
        if member.flag_bits & 0x1:
            raise DocumentRejected(
                _("The file is password-protected. Remove the protection, then upload it."),
                code="encrypted",
            )
        unpacked += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if unpacked > MAX_UNPACKED_BYTES or (
            member.file_size > RATIO_CHECKED_ABOVE and ratio > MAX_COMPRESSION_RATIO
        ):
            raise _unsafe(_("The file expands to too much data when opened."))
        path = PurePosixPath(folded)
        if path.name in _MACRO_PARTS:
            raise _macros()
        if path.suffix == ".bin" and {"activex", "embeddings"} & set(path.parts[:-1]):
            raise _unsafe(
                _("The file contains ActiveX controls or embedded objects, which are not allowed.")
            )
        if path.suffix in _DANGEROUS_SUFFIXES:
            raise _unsafe(_("The file contains an archive or a program, which is not allowed."))


# The first bytes of archives and programs, whatever a part's name says.
_PROGRAM_OR_ARCHIVE_MAGIC = (
    _ZIP_MAGIC, b"PK\x05\x06", b"PK\x07\x08",  # ZIP
    b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xfe\xed\xfa", b"\xcf\xfa\xed\xfe",  # programs
    b"#!",  # scripts
    b"7z\xbc\xaf", b"Rar!", b"\x1f\x8b", b"MSCF", b"BZh", b"\xfd7zXZ",  # archives
    b"\xd0\xcf\x11\xe0",  # OLE compound files (can wrap programs)
)  # fmt: skip


def _check_embedded(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """Check each part by its content: no archive or program under any name (but an Office
    file in embeddings/, the workbook behind a chart), and XML parts must be XML text."""
    path = PurePosixPath(member.filename.lower())
    if member.is_dir():
        return
    with archive.open(member) as part:
        head = part.read(64)
    if path.suffix in _TEXT_PART_SUFFIXES:
        text = head.removeprefix(codecs.BOM_UTF8).lstrip(b" \t\r\n")
        if text and not text.startswith(b"<"):
            raise _unsafe(_("The file contains an archive or a program, which is not allowed."))
        return
    embedded_office = "embeddings" in path.parts and path.suffix in _EMBEDDED_OFFICE_SUFFIXES
    if head.startswith(_PROGRAM_OR_ARCHIVE_MAGIC) and not (
        embedded_office and head.startswith(_ZIP_MAGIC)
    ):
        raise _unsafe(_("The file contains an archive or a program, which is not allowed."))


def _read_small(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    if member.file_size > RATIO_CHECKED_ABOVE:
        raise ValueError("part too large to read")
    with archive.open(member) as part:
        return part.read(RATIO_CHECKED_ABOVE + 1)


def _macros() -> DocumentRejected:
    return _unsafe(_("The file contains macros, which are not allowed. Save it without them."))


def _corrupt_office(kind: str) -> DocumentRejected:
    what = _("workbook") if kind == "xlsx" else _("document")
    return DocumentRejected(
        _("The %(what)s is damaged. Save it again, then upload it.") % {"what": what},
        code="corrupt",
    )
