"""Where a PDF's text lands, read back with pdfium: for tests that text boxes do not overlap."""

from __future__ import annotations

import pypdfium2 as pdfium

Box = tuple[float, float, float, float]  # left, bottom, right, top in points


def text_boxes(data: bytes) -> list[tuple[int, Box, str]]:
    """Every run of text pdfium finds: (page number, its rectangle, its text)."""
    document = pdfium.PdfDocument(data)
    boxes = []
    try:
        for number, page in enumerate(document):
            text = page.get_textpage()
            for index in range(text.count_rects()):
                box = text.get_rect(index)
                boxes.append((number, box, text.get_text_bounded(*box).strip()))
    finally:
        document.close()
    return boxes


def overlapping(boxes: list[tuple[int, Box, str]], tolerance: float = 0.5) -> list[tuple[str, str]]:
    """Pairs of text runs on the same page whose rectangles overlap by more than tolerance."""
    found = []
    for i, (page_a, a, text_a) in enumerate(boxes):
        for page_b, b, text_b in boxes[i + 1 :]:
            if page_a != page_b:
                continue
            width = min(a[2], b[2]) - max(a[0], b[0])
            height = min(a[3], b[3]) - max(a[1], b[1])
            if width > tolerance and height > tolerance:
                found.append((text_a, text_b))
    return found


def metadata(data: bytes) -> dict[str, str]:
    document = pdfium.PdfDocument(data)
    try:
        return document.get_metadata_dict()
    finally:
        document.close()
