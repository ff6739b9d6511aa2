"""``{% reader_text testbed "summary" as summary %}``: a listing's text in the reader's language.

The object has ``summary`` (English) and ``summary_cy`` (Welsh). The result has ``text``,
``language`` ("en"/"cy") and ``note`` (set when the text is in the other language). Render
it with ``{% include "includes/reader_text.html" with text=summary %}`` or by hand, with
``lang="{{ summary.language }}"`` on the element when ``summary.note`` is set.
"""

from django import template

from core.bilingual import ReaderText, reader_text

register = template.Library()


@register.simple_tag(name="reader_text")
def reader_text_tag(obj: object, field: str) -> ReaderText:
    return reader_text(getattr(obj, field, "") or "", getattr(obj, f"{field}_cy", "") or "")
