"""Small text helpers shared by the apps."""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _


def unique_slug(
    model: type[models.Model], text: str, *, field: str = "slug", max_length: int = 80
) -> str:
    """A slug made from text that no row of model uses yet (adds -2, -3… when taken)."""
    base = (slugify(text) or "item")[: max_length - 6].strip("-") or "item"
    slug, number = base, 1
    while model._default_manager.filter(**{field: slug}).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


# Line breaks and other control characters (C0, DEL, C1, Unicode line/paragraph separators)
# in a one-line field end up in e-mail subjects, CSV cells and PDF headings, where they break
# headers or layout: single-line fields refuse them.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def validate_single_line(value: str) -> None:
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise ValidationError(
            _("Use one line of text, without line breaks or control characters."),
            code="control_characters",
        )


def single_line(value: str, field: str) -> str:
    """``value`` stripped, or a ValidationError keyed by ``field`` if it holds control
    characters: for services that take single-line text without a form."""
    try:
        validate_single_line(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
    return value.strip()


def collapse_whitespace(text: str) -> str:
    """Every run of white space (line breaks included) as one space: for e-mail subjects."""
    return " ".join(str(text).split())


def plain_number(value: object) -> str:
    """A number at its stated precision, with no storage noise and no exponent:
    ``Decimal('99.4000000000000')`` → ``99.4``, ``-3.0000`` → ``-3``, ``1E+2`` → ``100``,
    ``2.5`` (float) → ``2.5``; ``None`` → ``""``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        raise TypeError("a yes/no is not a number")
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        return str(number)
    number = number.normalize()
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    text = format(number, "f")
    return "0" if text in ("-0", "0") else text


def day_range(first, last) -> str:
    """Two days as people write them: "4 to 24 December", "28 November to 3 December",
    "30 December 2026 to 2 January 2027" (month names in the active language)."""
    from django.utils.dateformat import format as date_format
    from django.utils.translation import gettext

    if first == last:
        return date_format(first, "j F Y")
    if (first.year, first.month) == (last.year, last.month):
        start = date_format(first, "j")
    elif first.year == last.year:
        start = date_format(first, "j F")
    else:
        start = date_format(first, "j F Y")
    return gettext("%(first)s to %(last)s") % {"first": start, "last": date_format(last, "j F Y")}
