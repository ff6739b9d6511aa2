"""core.documents: evidence documents are checked by their content, not their name.

Every test file is built here (PDF by hand, XLSX/DOCX with zipfile); nothing binary is
committed.
"""

import codecs
import hashlib
import io
import os
import struct
import warnings
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile

from core import documents
from core.documents import CheckedDocument, DocumentRejected, check_document
from core.images import UploadRejected
from tests.core.test_images import CountingReader

# Builders


def pdf(catalog_extra: bytes = b"", *extra_objects: bytes, trailer_extra: bytes = b"") -> bytes:
    """A small, well-formed PDF with one empty page and a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        *extra_objects,
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R " % (len(objects) + 1) + trailer_extra + b">>\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def object_stream(content: bytes, *, filters: bytes | None = b"/FlateDecode") -> bytes:
    """A PDF 1.5 object stream, compressed unless filters is None."""
    data = zlib.compress(content) if filters == b"/FlateDecode" else content
    dictionary = b"/Type /ObjStm /N 1 /First 4"
    if filters is not None:
        dictionary += b" /Filter " + filters
    return stream(dictionary, data)


CONTENT_TYPES = {
    "xlsx": b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "docx": b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
}
MAIN_PART = {"xlsx": "xl/workbook.xml", "docx": "word/document.xml"}


def office_parts(kind: str, content_type: bytes | None = None) -> dict[str, bytes]:
    """The minimal parts of a valid XLSX or DOCX."""
    main = MAIN_PART[kind]
    parts = {
        "[Content_Types].xml": (
            b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Default Extension="rels" '
            b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            b'<Default Extension="xml" ContentType="application/xml"/>'
            b'<Override PartName="/'
            + main.encode()
            + b'" ContentType="'
            + (content_type or CONTENT_TYPES[kind])
            + b'"/></Types>'
        ),
        "_rels/.rels": (
            b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Target="' + main.encode() + b'" Type="http://schemas.'
            b'openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
            b"</Relationships>"
        ),
    }
    if kind == "xlsx":
        parts[main] = (
            b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<sheets><sheet name="KPIs" sheetId="1" r:id="rId1"/></sheets></workbook>'
        )
        parts["xl/worksheets/sheet1.xml"] = (
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Footfall</t></is></c></row>'
            b"</sheetData></worksheet>"
        )
    else:
        parts[main] = (
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            b"<w:body><w:p><w:r><w:t>Trial report</w:t></w:r></w:p></w:body></w:document>"
        )
    return parts


def office(kind: str, extra: dict[str, bytes] | None = None, **options) -> bytes:
    parts = {**office_parts(kind, **options), **(extra or {})}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def office_with_zeros(kind: str, megabytes: int) -> bytes:
    """An Office file with a member of megabytes MiB of zeros, written in 1 MiB chunks."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in office_parts(kind).items():
            archive.writestr(name, content)
        with archive.open(f"{MAIN_PART[kind].split('/')[0]}/huge.xml", "w") as part:
            chunk = bytes(1024 * 1024)
            for _ in range(megabytes):
                part.write(chunk)
    return buffer.getvalue()


def check(content: bytes, filename: str, **kwargs) -> CheckedDocument:
    return check_document(io.BytesIO(content), filename=filename, **kwargs)


def refused(content: bytes, filename: str, **kwargs) -> DocumentRejected:
    with pytest.raises(DocumentRejected) as rejected:
        check(content, filename, **kwargs)
    return rejected.value


# Accepted


@pytest.mark.parametrize(
    ("filename", "content", "kind", "content_type"),
    [
        ("report.pdf", pdf(), "pdf", "application/pdf"),
        ("kpis.csv", b"date,footfall\n2026-05-01,120\n", "csv", "text/csv"),
        ("kpis.xlsx", office("xlsx"), "xlsx", documents.KINDS["xlsx"][0]),
        ("report.docx", office("docx"), "docx", documents.KINDS["docx"][0]),
        ("REPORT.PDF", pdf(), "pdf", "application/pdf"),
    ],
)
def test_each_kind_is_accepted(filename, content, kind, content_type):
    upload = SimpleUploadedFile(filename, content, content_type="application/octet-stream")

    checked = check_document(upload, filename=filename)

    assert checked == CheckedDocument(
        kind=kind,
        content_type=content_type,
        extension=kind,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    assert upload.tell() == 0


def test_the_read_position_is_left_at_zero_even_when_refused():
    upload = io.BytesIO(b"<html>")
    upload.seek(3)

    with pytest.raises(DocumentRejected):
        check_document(upload, filename="kpis.csv")

    assert upload.tell() == 0


# Names and kinds


@pytest.mark.parametrize(
    "filename", ["evidence.exe", "evidence.pdf.exe", "evidence", "evidence.xlsm", "a.docm"]
)
def test_other_extensions_are_refused(filename):
    rejected = refused(pdf(), filename)

    assert rejected.code == "unsupported_type"
    assert rejected.message == "The selected file must be a PDF, CSV, XLSX or DOCX file."


@pytest.mark.parametrize(
    ("content", "filename", "what"),
    [
        (office("docx"), "report.pdf", "a PDF"),
        (b"not,a,pdf\n", "report.pdf", "a PDF"),
        (pdf(), "kpis.csv", "a CSV file"),
        (office("xlsx"), "kpis.csv", "a CSV file"),
        (office("docx"), "kpis.xlsx", "an Excel workbook"),
        (pdf(), "kpis.xlsx", "an Excel workbook"),
        (office("xlsx"), "report.docx", "a Word document"),
        (b"PK\x03\x04 not really a zip", "report.docx", "a Word document"),
        (b"a,b\n" + office("docx"), "report.docx", "a Word document"),
    ],
    ids=[
        "docx-as-pdf",
        "text-as-pdf",
        "pdf-as-csv",
        "xlsx-as-csv",
        "docx-as-xlsx",
        "pdf-as-xlsx",
        "xlsx-as-docx",
        "broken-zip",
        "prefixed-zip",
    ],
)
def test_content_must_agree_with_the_name(content, filename, what):
    rejected = refused(content, filename)

    extension = filename.rsplit(".", 1)[1]
    assert rejected.code == "mismatch"
    assert rejected.message == (
        f"The file's content is not {what}, although its name ends in .{extension}."
    )


def test_a_plain_zip_is_not_an_office_file():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", b"<w:document/>")  # no [Content_Types].xml

    assert refused(buffer.getvalue(), "report.docx").code == "mismatch"


def test_an_empty_file_is_refused():
    assert refused(b"", "report.pdf").code == "empty"


# Size


def test_a_file_over_the_limit_is_refused_before_reading_it():
    content = pdf()
    reader = CountingReader(content)

    with pytest.raises(DocumentRejected) as rejected:
        check_document(reader, filename="report.pdf", max_bytes=len(content) - 1)

    assert rejected.value.code == "too_large"
    assert reader.bytes_read == 0


def test_an_uploaded_file_over_the_default_limit_is_refused_by_its_size(settings):
    settings.MAX_UPLOAD_BYTES = 100
    reader = CountingReader(pdf())
    upload = InMemoryUploadedFile(reader, "file", "report.pdf", "application/pdf", 5000, None)

    with pytest.raises(DocumentRejected) as rejected:
        check_document(upload, filename="report.pdf")

    assert rejected.value.code == "too_large"
    assert reader.bytes_read == 0


def test_a_stream_without_a_size_is_read_no_further_than_the_limit():
    reader = CountingReader(pdf() * 10, seekable=False)

    with pytest.raises(DocumentRejected):
        check_document(reader, filename="report.pdf", max_bytes=1000)

    assert reader.bytes_read == 1001


def test_document_rejected_is_a_value_error_with_message_and_code():
    with pytest.raises(ValueError, match="PDF, CSV, XLSX or DOCX") as rejected:
        check(b"x", "x.txt")

    assert isinstance(rejected.value, UploadRejected)
    assert rejected.value.code == "unsupported_type"


# PDF


def test_a_pdf_with_a_little_junk_before_its_header_is_accepted():
    assert check(b"\r\n" * 100 + pdf(), "report.pdf").kind == "pdf"


def test_a_pdf_whose_header_is_too_late_is_refused():
    assert refused(b" " * 1024 + pdf(), "report.pdf").code == "mismatch"


def test_a_pdf_without_an_end_is_refused():
    content = pdf()

    rejected = refused(content[: content.rindex(b"%%EOF")], "report.pdf")

    assert rejected.code == "corrupt"


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"), "JavaScript"),
        (pdf(b"/OpenAction 4 0 R", b"<< /S /JS /JS 5 0 R >>"), "JS"),
        (pdf(b"/OpenAction << /S /Launch /F (cmd.exe) >>"), "Launch"),
        (pdf(b"/Names 4 0 R", stream(b"/Type /EmbeddedFile", b"MZ")), "EmbeddedFile"),
        (pdf(b"", b"<< /Type /RichMedia >>"), "RichMedia"),
        (pdf(b"/AcroForm << /XFA 4 0 R >>"), "XFA"),
        (pdf(b"/OpenAction << /S /J#61va#53cript /JS (app.alert(1)) >>"), "JavaScript"),
        (pdf(b"/OpenAction << /S /#4C#61#75#6e#63#68 /F (calc) >>"), "Launch"),
        (pdf(b"/OpenAction<</S/JavaScript/JS(app.alert(1))>>"), "JavaScript"),
    ],
    ids=[
        "javascript", "js", "launch", "embedded-file", "rich-media", "xfa", "escaped-javascript",
        "escaped-launch", "no-spaces",
    ],
)  # fmt: skip
def test_pdfs_that_can_run_code_or_hide_files_are_refused(content, name):
    rejected = refused(content, "report.pdf")

    assert rejected.code == "unsafe"
    assert f"/{name}" in rejected.message


@pytest.mark.parametrize("filters", [b"/FlateDecode", b"[/FlateDecode]", None])
def test_javascript_inside_an_object_stream_is_found(filters):
    hidden = object_stream(b"5 0 << /S /JavaScript /JS (app.alert(1)) >>", filters=filters)

    rejected = refused(pdf(b"/OpenAction 5 0 R", hidden), "report.pdf")

    assert rejected.code == "unsafe"
    assert "/JavaScript" in rejected.message


def test_a_clean_compressed_object_stream_is_accepted():
    clean = object_stream(b"5 0 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")

    assert check(pdf(b"", clean), "report.pdf").kind == "pdf"


def test_an_object_stream_that_cannot_be_read_is_refused():
    unreadable = object_stream(b"5 0 << /Type /Font >>", filters=b"/LZWDecode")
    broken = stream(b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", b"not deflated")

    for hidden in (unreadable, broken):
        assert refused(pdf(b"", hidden), "report.pdf").code == "corrupt"


def test_an_object_stream_that_inflates_too_far_is_refused(monkeypatch):
    monkeypatch.setattr(documents, "MAX_PDF_INFLATED_BYTES", 1000)
    big = object_stream(b"5 0 << /Type /Font >>" + b" " * 5000)

    assert refused(pdf(b"", big), "report.pdf").code == "corrupt"


def test_a_password_protected_pdf_is_refused():
    rejected = refused(pdf(trailer_extra=b"/Encrypt 4 0 R "), "report.pdf")

    assert rejected.code == "encrypted"


@pytest.mark.parametrize(
    "catalog_extra",
    [
        b"/Lang (en-GB) /Metadata << /Title (About JavaScript and JS launch) >>",
        b"/JSON (not a script) /Launcher 1 /JavaScripts 2",
        b"/OpenAction [3 0 R /Fit]",
    ],
)
def test_similar_names_and_words_in_text_are_not_refused(catalog_extra):
    assert check(pdf(catalog_extra), "report.pdf").kind == "pdf"


# CSV


@pytest.mark.parametrize(
    "content",
    [
        b"date,footfall\n2026-05-01,120\n2026-05-02,135\n",
        b"date;footfall\r\n2026-05-01;120\r\n",
        b"date\tfootfall\n2026-05-01\t120\n",
        codecs.BOM_UTF8 + "site,note\nSunderland,\u201cbusy\u201d caf\u00e9\n".encode(),
        b"just one column\n",
        b'"quoted, with comma",2\n"a ""quote""",3\n',
        "Caerdydd,Llanfair\u0177\n".encode(),
    ],
    ids=["comma", "semicolon", "tab", "bom", "single-column", "quotes", "welsh"],
)
def test_csv_variants_are_accepted(content):
    assert check(content, "kpis.csv").kind == "csv"


def test_a_csv_with_a_nul_byte_is_refused():
    rejected = refused(b"date,footfall\n2026-05-01,12\x000\n", "kpis.csv")

    assert rejected.code == "mismatch"


@pytest.mark.parametrize(
    "content",
    [
        b"<!DOCTYPE html><html><body>Hello</body></html>",
        b"<html><script>alert(1)</script></html>",
        b"name,comment\nEve,<script src=//evil.example/x.js></script>\n",
        b"name,comment\nEve,< SCRIPT >alert(1)</script>\n",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    ],
    ids=["html-page", "html-script", "script-in-cell", "spaced-script", "svg"],
)
def test_html_or_script_renamed_csv_is_refused(content):
    rejected = refused(content, "kpis.csv")

    assert rejected.code == "unsafe"
    assert "HTML or script" in rejected.message


@pytest.mark.parametrize(
    "content",
    [
        "caf\u00e9,1\n".encode("latin-1"),
        codecs.BOM_UTF16_LE + "a,b\n1,2\n".encode("utf-16-le"),
    ],
    ids=["latin-1", "utf-16"],
)
def test_a_csv_that_is_not_utf8_is_refused(content):
    rejected = refused(content, "kpis.csv")

    assert rejected.code == "encoding"
    assert "UTF-8" in rejected.message


def test_a_csv_without_values_is_refused():
    assert refused(b"\n\r\n , \n", "kpis.csv").code == "empty"


def test_a_csv_that_does_not_parse_is_refused():
    rejected = refused(b'a,"' + b"x" * 200_000 + b'"\n', "kpis.csv")

    assert rejected.code == "corrupt"


# XLSX and DOCX


def test_a_zip_bomb_is_refused_from_its_directory():
    bomb = office_with_zeros("xlsx", 200)  # 200 MiB of zeros
    assert len(bomb) < 1024 * 1024

    rejected = refused(bomb, "kpis.xlsx")

    assert rejected.code == "unsafe"
    assert "expands" in rejected.message


def test_a_member_compressed_more_than_the_ratio_is_refused():
    assert refused(office_with_zeros("docx", 20), "report.docx").code == "unsafe"


def test_a_small_highly_compressed_member_is_accepted():
    repetitive = b"<w:p><w:r><w:t>0</w:t></w:r></w:p>" * 20_000  # 700 kB, compresses ~500:1
    content = office("docx", {"word/document.xml": b"<w:document>" + repetitive})

    assert check(content, "report.docx").kind == "docx"


def test_too_much_unpacked_data_in_all_is_refused(monkeypatch):
    monkeypatch.setattr(documents, "MAX_UNPACKED_BYTES", 1024 * 1024)
    incompressible = {f"xl/media/image{i}.png": os.urandom(400_000) for i in range(3)}

    rejected = refused(office("xlsx", incompressible), "kpis.xlsx")

    assert rejected.code == "unsafe"


def test_too_many_members_are_refused(monkeypatch):
    monkeypatch.setattr(documents, "MAX_MEMBERS", 5)
    many = {f"xl/worksheets/sheet{i}.xml": b"<worksheet/>" for i in range(2, 6)}

    assert refused(office("xlsx", many), "kpis.xlsx").code == "unsafe"


@pytest.mark.parametrize(
    ("kind", "extra", "options"),
    [
        ("docx", {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}, {}),
        ("xlsx", {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}, {}),
        ("docx", {"word/vbaData.xml": b"<wne:vbaSuppData/>"}, {}),
        (
            "xlsx",
            {},
            {"content_type": b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"},
        ),
    ],
    ids=["docx-vba", "xlsx-vba", "docx-vba-data", "xlsm-content-type"],
)
def test_macros_are_refused(kind, extra, options):
    rejected = refused(office(kind, extra, **options), f"file.{kind}")

    assert rejected.code == "unsafe"
    assert "macros" in rejected.message


@pytest.mark.parametrize(
    "name",
    ["../evil", "word/../../evil.xml", "/etc/passwd", "C:/Windows/evil.dll.xml", "word\\..\\evil"],
)
def test_odd_member_paths_are_refused(name):
    rejected = refused(office("docx", {name: b"<x/>"}), "report.docx")

    assert rejected.code == "unsafe"
    assert "name that is not allowed" in rejected.message


def test_duplicate_member_names_are_refused():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about the duplicate
        content = office("docx", {"Word/Document.xml": b"<w:document/>"})

    assert refused(content, "report.docx").code == "unsafe"


@pytest.mark.parametrize(
    "extra",
    [
        {"word/media/archive.zip": office("xlsx")},
        {"word/media/image1.png": office("xlsx")},  # an archive by content
        {"word/media/setup.exe": b"MZ\x90\x00"},
        {"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0package"},
        {"xl/activeX/activeX1.bin": b"\xd0\xcf\x11\xe0control"},
    ],
    ids=["zip", "disguised-zip", "exe", "ole-object", "activex"],
)
def test_nested_archives_programs_and_objects_are_refused(extra):
    kind = "xlsx" if next(iter(extra)).startswith("xl/") else "docx"

    assert refused(office(kind, extra), f"file.{kind}").code == "unsafe"


def test_an_embedded_workbook_behind_a_chart_is_allowed():
    chart_data = {"word/embeddings/Microsoft_Excel_Worksheet.xlsx": office("xlsx")}

    assert check(office("docx", chart_data), "report.docx").kind == "docx"


def test_an_encrypted_member_is_refused():
    content = bytearray(office("docx"))
    # zipfile cannot write encrypted members: set the "encrypted" flag of one in both headers.
    for signature, flags_at, name_length_at, name_at in [
        (b"PK\x03\x04", 6, 26, 30),
        (b"PK\x01\x02", 8, 28, 46),
    ]:
        start = 0
        while (start := content.find(signature, start)) >= 0:
            (length,) = struct.unpack_from("<H", content, start + name_length_at)
            if content[start + name_at : start + name_at + length] == b"word/document.xml":
                content[start + flags_at] |= 0x1
            start += 4

    assert zipfile.ZipFile(io.BytesIO(content)).getinfo("word/document.xml").flag_bits & 0x1
    assert refused(bytes(content), "report.docx").code == "encrypted"


# Issue 21, item 4: scripts hidden behind filter chains and predictors.

HIDDEN = b"5 0 << /S /JavaScript /JS (app.alert(1)) >>"


def _objstm(data: bytes, filters: bytes, parms: bytes = b"") -> bytes:
    dictionary = b"/Type /ObjStm /N 1 /First 4 /Filter " + filters
    if parms:
        dictionary += b" /DecodeParms " + parms
    return stream(dictionary, data)


def _png_rows(content: bytes, columns: int) -> bytes:
    content += b" " * (-len(content) % columns)
    rows = [content[i : i + columns] for i in range(0, len(content), columns)]
    return b"".join(b"\x00" + row for row in rows)  # PNG filter type 0 (None) on each row


@pytest.mark.parametrize(
    "hidden",
    [
        _objstm(zlib.compress(zlib.compress(HIDDEN)), b"[/FlateDecode /FlateDecode]"),
        _objstm(zlib.compress(HIDDEN.hex().encode() + b">"), b"[/FlateDecode /ASCIIHexDecode]"),
        _objstm(HIDDEN.hex().encode() + b">", b"/ASCIIHexDecode"),
        _objstm(
            zlib.compress(_png_rows(HIDDEN, 8)),
            b"/FlateDecode",
            b"<< /Predictor 12 /Columns 8 >>",
        ),
    ],
    ids=["flate-flate", "flate-hex", "hex", "png-predictor"],
)
def test_javascript_behind_a_filter_chain_is_found(hidden):
    rejected = refused(pdf(b"/OpenAction 5 0 R", hidden), "report.pdf")

    assert rejected.code == "unsafe"
    assert "/JavaScript" in rejected.message


def test_a_pdf_with_too_many_objects_is_not_checked(monkeypatch):
    monkeypatch.setattr(documents, "MAX_PDF_OBJECTS", 2)

    assert refused(pdf(), "report.pdf").code == "corrupt"


# Issue 21, item 10: every part of an Office file is checked by its content.


@pytest.mark.parametrize(
    "payload",
    [
        office("xlsx"),  # a whole archive
        b"MZ\x90\x00\x03" + bytes(60),  # a Windows program
        b"\x7fELF\x02\x01\x01" + bytes(60),
        b"7z\xbc\xaf\x27\x1c" + bytes(60),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(60),  # OLE compound file
        b"#!/bin/sh\nrm -rf ~\n",
    ],
    ids=["zip", "exe", "elf", "7z", "ole", "script"],
)
@pytest.mark.parametrize("part", ["word/evil.xml", "_rels/evil.rels", "word/media/evil.png"])
def test_an_archive_or_program_under_any_part_name_is_refused(payload, part):
    rejected = refused(office("docx", {part: payload}), "report.docx")

    assert rejected.code == "unsafe"
    assert "archive or a program" in rejected.message


def test_xml_parts_with_a_byte_order_mark_are_accepted():
    document = codecs.BOM_UTF8 + b'\n<?xml version="1.0"?><w:document/>'
    assert check(office("docx", {"word/document.xml": document}), "a.docx").kind == "docx"
