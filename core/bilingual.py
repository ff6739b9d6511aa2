"""Listings written in English, Welsh or both: the text in the reader's language, or a fallback.

A test bed, a challenge and a public outcome summary can carry their title, summary and
description in both languages (``summary`` and ``summary_cy``). A page shows the text in
the interface language; when there is none, the text in the other language with a note
that says so, in the reader's language ("This text is not available in English" / "Nid
yw'r testun hwn ar gael yn Gymraeg"), and with a ``lang`` attribute so screen readers
pronounce it right (WCAG 3.1.2). E-mails and PDFs, rendered in their recipient's language,
use the same choice without the note.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _

WELSH = "cy"
# BCP 47 tags for the API and the HTML ``lang`` attribute.
LANGUAGE_TAGS = {"en": "en", "cy": "cy"}


def is_welsh(language: str | None = None) -> bool:
    """Whether the language (the active one by default) is Welsh."""
    return (language or get_language() or "").lower().startswith(WELSH)


@dataclass(frozen=True)
class ReaderText:
    """A text to show, the language it is in ("en" or "cy"), and the note when it is not
    in the reader's language (empty otherwise, and when there is no text at all)."""

    text: str
    language: str
    note: str = ""

    @property
    def in_other_language(self) -> bool:
        return bool(self.note)

    def __str__(self) -> str:
        return self.text


def reader_text(english: str, welsh: str, language: str | None = None) -> ReaderText:
    """The text for a reader of ``language`` (the active one by default), with fallback."""
    english, welsh = (english or "").strip(), (welsh or "").strip()
    if is_welsh(language):
        if welsh or not english:
            return ReaderText(welsh, "cy")
        # Shown to Welsh readers, so in Welsh: "Nid yw'r testun hwn ar gael yn Gymraeg."
        return ReaderText(english, "en", _("This text is not available in Welsh."))
    if english or not welsh:
        return ReaderText(english, "en")
    return ReaderText(welsh, "cy", _("This text is not available in English."))


def text_in(english: str, welsh: str, language: str | None = None) -> str:
    """Just the text (for e-mails, PDFs and titles): the reader's language where it exists."""
    return reader_text(english, welsh, language).text


def lazy_text(english: str, welsh: str) -> str:
    """``text_in`` chosen when the text is used (``str()``), not now: for an e-mail subject
    built once and rendered for each recipient in their own language."""
    return lazy(text_in, str)(english, welsh)


def translations(obj: object, fields: tuple[str, ...]) -> list[dict[str, str]]:
    """The object's texts in each language it has any, tagged: for the API.

    ``[{"language": "en", "name": …}, {"language": "cy", "name": …}]``; a language with no
    text at all is left out.
    """
    result = []
    for language, suffix in (("en", ""), ("cy", "_cy")):
        texts = {field: getattr(obj, f"{field}{suffix}", "") or "" for field in fields}
        if any(value.strip() for value in texts.values()):
            result.append({"language": LANGUAGE_TAGS[language], **texts})
    return result
