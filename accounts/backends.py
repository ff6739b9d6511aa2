"""Sign-in backends: Django's and allauth's, reading the person with their memberships.

Every signed-in page needs the person and the organisations they act for (the header, the
navigation, every permission check). Django's ``ModelBackend.get_user`` reads the person
through the ORM, and the organisation middleware then read their memberships with a second
ORM query: building the two cost more than running them (issue 20). Here one plain SQL
statement reads both; the person is refused exactly as ``ModelBackend`` refuses them (no
such id, or not active), and Django's own ``get_user`` still checks the session's hash.
``CurrentOrganisationMiddleware`` takes the memberships from the person
(``memberships_read_with``) instead of asking again.
"""

from __future__ import annotations

from functools import cache

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.exceptions import ValidationError
from django.db import connection

from .models import Membership, Organisation, User

#: Where the memberships read with the person are left for the middleware.
MEMBERSHIPS_READ = "_memberships_read_at_sign_in"

#: Sessions made before these backends existed name Django's or allauth's; the session
#: store reads those as ours (``session_store``), so nobody is signed out by the change.
RENAMED = {
    "django.contrib.auth.backends.ModelBackend": "accounts.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend": (
        "accounts.backends.AuthenticationBackend"
    ),
}


@cache
def _statement() -> tuple[str, list[str], list[str], list[str]]:
    """The statement and the attribute names of each model's columns, in order."""
    quote = connection.ops.quote_name
    models = (User, Membership, Organisation)
    names = [[field.attname for field in model._meta.concrete_fields] for model in models]
    columns = [
        ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)
        for alias, model in zip("umo", models, strict=True)
    ]
    sql = (
        f"SELECT {', '.join(columns)} FROM {quote(User._meta.db_table)} u"
        f" LEFT JOIN {quote(Membership._meta.db_table)} m ON m.{quote('user_id')} = u.id"
        f" LEFT JOIN {quote(Organisation._meta.db_table)} o"
        f" ON o.id = m.{quote('organisation_id')}"
        f" WHERE u.id = %s ORDER BY o.{quote('name')}, m.id"
    )
    return sql, *names


def user_with_memberships(user_id: object) -> User | None:
    """The person of ``user_id`` with their memberships (each with its organisation, by the
    organisation's name) left on them; None if there is no such person."""
    try:
        pk = User._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    sql, user_names, membership_names, organisation_names = _statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        rows = cursor.fetchall()
    if not rows:
        return None
    user_end = len(user_names)
    membership_end = user_end + len(membership_names)
    user = User.from_db(connection.alias, user_names, rows[0][:user_end])
    memberships = []
    cache_organisation = Membership._meta.get_field("organisation").set_cached_value
    for row in rows:
        if row[user_end] is None:  # no memberships: the one row has NULLs for them
            continue
        membership = Membership.from_db(
            connection.alias, membership_names, row[user_end:membership_end]
        )
        cache_organisation(
            membership,
            Organisation.from_db(connection.alias, organisation_names, row[membership_end:]),
        )
        memberships.append(membership)
    setattr(user, MEMBERSHIPS_READ, memberships)
    return user


def memberships_read_with(user: object) -> list[Membership] | None:
    """The memberships read with the person at sign-in, once (None if they were not)."""
    memberships = getattr(user, MEMBERSHIPS_READ, None)
    if memberships is not None:
        delattr(user, MEMBERSHIPS_READ)
    return memberships


class MembershipsMixin:
    def get_user(self, user_id: object) -> User | None:
        user = user_with_memberships(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(MembershipsMixin, DjangoModelBackend):
    """Django's ``ModelBackend`` (the admin's sign-in and ``force_login``)."""


class AuthenticationBackend(MembershipsMixin, AllauthBackend):
    """allauth's backend (sign-in by e-mail address)."""
