"""Small text helpers shared by the apps."""

from django.db import models
from django.utils.text import slugify


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
