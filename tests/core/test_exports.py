"""Spreadsheet-safe CSV and JSON downloads."""

import csv
import datetime
import io
import json
import uuid
from decimal import Decimal

import pytest
from django.http import StreamingHttpResponse

from core.exports import csv_response, json_response, safe_filename, spreadsheet_safe


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1", "'+1"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-3", "'-3"),  # text that looks like a number is still text
    ],
)
def test_formula_like_text_is_prefixed(value, expected):
    assert spreadsheet_safe(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (-3, "-3"),
        (Decimal("-2.5"), "-2.5"),
        (-0.25, "-0.25"),
        (0, "0"),
        (None, ""),
        ("", ""),
        ("plain text", "plain text"),
        ("a=b", "a=b"),
        (" =1+1", " =1+1"),
        (True, "True"),
        (datetime.date(2026, 3, 1), "2026-03-01"),
        (datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC), "2026-03-01T09:30:00+00:00"),
        (datetime.time(9, 5), "09:05:00"),
    ],
)
def test_numbers_dates_and_ordinary_text_are_unchanged(value, expected):
    assert spreadsheet_safe(value) == expected


def test_other_objects_are_neutralised_through_their_text():
    class Sneaky:
        def __str__(self):
            return "=1+1"

    assert spreadsheet_safe(Sneaky()) == "'=1+1"


def read_csv(response) -> tuple[bytes, list[list[str]]]:
    body = b"".join(response.streaming_content)
    text = body.decode("utf-8-sig")
    return body, list(csv.reader(io.StringIO(text, newline="")))


def test_csv_response_is_utf8_with_bom_and_neutralised_cells():
    rows = [
        ['=HYPERLINK("http://evil.example","x")', -3, Decimal("-2.5")],
        ["+1", "-cmd", "@SUM(A1)"],
        ["\tx", "\rx", None],
        ["Café, “quoted” line\nbreak", datetime.date(2026, 1, 2), 4.5],
    ]
    response = csv_response("Portfolio report", ["Name", "=Count", "Value"], iter(rows))
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="Portfolio-report.csv"'
    assert "no-store" in response["Cache-Control"]

    body, parsed = read_csv(response)
    assert body.startswith(b"\xef\xbb\xbf")
    assert body.count(b"\xef\xbb\xbf") == 1
    assert b"\r\n" in body
    assert parsed == [
        ["Name", "'=Count", "Value"],
        ['\'=HYPERLINK("http://evil.example","x")', "-3", "-2.5"],
        ["'+1", "'-cmd", "'@SUM(A1)"],
        ["'\tx", "'\rx", ""],
        ["Café, “quoted” line\nbreak", "2026-01-02", "4.5"],
    ]


def test_csv_response_streams_rows_lazily():
    produced = []

    def rows():
        for number in range(3):
            produced.append(number)
            yield [number]

    response = csv_response("lazy", ["n"], rows())
    assert produced == []
    _, parsed = read_csv(response)
    assert parsed == [["n"], ["0"], ["1"], ["2"]]


def test_csv_response_with_no_rows_has_the_header():
    _, parsed = read_csv(csv_response("empty.csv", ["a", "b"], []))
    assert parsed == [["a", "b"]]


def test_csv_response_bytes_exactly():
    response = csv_response("trials.csv", ["a"], [["=1"]])
    assert response.status_code == 200
    assert b"".join(response) == "\ufeffa\r\n'=1\r\n".encode()


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("report.csv", "report.csv"),
        ("report", "report.csv"),
        ('evil"; filename="x.exe', "evil-filename-x.exe.csv"),
        ("../../etc/passwd", "etc-passwd.csv"),
        ("a\r\nSet-Cookie: x=1", "a-Set-Cookie-x-1.csv"),
        ("C:\\Users\\me\\out.CSV", "C-Users-me-out.csv"),
        ("Café Trials 2026", "Cafe-Trials-2026.csv"),
        ("", "export.csv"),
        ('"/\\', "export.csv"),
        ("x" * 300, "x" * 96 + ".csv"),
    ],
)
def test_safe_filename(filename, expected):
    assert safe_filename(filename, "csv") == expected


@pytest.mark.parametrize(
    "filename", ['a"b.csv', "a/b.csv", "a\\b.csv", "a\nb.csv", "a\rb.csv", "a;b.csv", "ünï.csv"]
)
def test_content_disposition_has_no_quotes_slashes_or_newlines(filename):
    for response in (csv_response(filename, ["a"], []), json_response(filename, {})):
        header = response["Content-Disposition"]
        assert header.startswith('attachment; filename="')
        name = header.removeprefix('attachment; filename="').removesuffix('"')
        for bad in ('"', "/", "\\", "\n", "\r", ";"):
            assert bad not in name
        assert name.isascii()


def test_json_response():
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    data = {
        "name": "Café “Wear” =1+1",
        "when": datetime.date(2026, 3, 1),
        "amount": Decimal("12.50"),
        "id": ident,
        "items": [1, 2],
    }
    response = json_response("portfolio", data)
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="portfolio.json"'
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode("utf-8")
    assert "Café “Wear” =1+1" in text  # not \\u escaped, not neutralised
    assert '\n  "name": ' in text  # indented by two spaces
    assert json.loads(text) == {
        "name": "Café “Wear” =1+1",
        "when": "2026-03-01",
        "amount": "12.50",
        "id": str(ident),
        "items": [1, 2],
    }
