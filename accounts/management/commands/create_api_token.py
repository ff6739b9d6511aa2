"""Make a personal API token for someone and print it (it is not stored, only its hash)."""

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.tokens import token_create


class Command(BaseCommand):
    help = "Create a personal API token for the person with this e-mail address and print it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="Command line", help="What the token is for.")
        parser.add_argument(
            "--scope",
            choices=ApiToken.Scope.values,
            default=ApiToken.Scope.WRITE,
            help="read (GET only) or write (default).",
        )
        parser.add_argument(
            "--days", type=int, default=None, help="Expire after this many days (default: never)."
        )

    def handle(self, *args, email: str, name: str, scope: str, days: int | None, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account has the e-mail address {email}.")
        if days is not None and days < 1:
            raise CommandError("--days must be 1 or more.")
        expires_at = timezone.now() + datetime.timedelta(days=days) if days else None
        try:
            token, plain = token_create(actor=user, name=name, scope=scope, expires_at=expires_at)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages))
        self.stdout.write(plain)
        expiry = f", expires {token.expires_at:%Y-%m-%d %H:%M %Z}" if token.expires_at else ""
        self.stderr.write(
            f"Token “{token.name}” for {user.email} ({token.scope}{expiry}). "
            "Copy it now: it is not shown again."
        )
