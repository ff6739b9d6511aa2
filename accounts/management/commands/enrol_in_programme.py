"""python manage.py enrol_in_programme "PROGRAMME NAME" "START-UP NAME": enrol a start-up in a
programme (accounts.services.programme_enrol), so its trials may join the programme.

For operators and the programme team's staff; an award of a programme's challenge enrols the
start-up by itself.
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Organisation, Programme
from accounts.services import programme_enrol


class Command(BaseCommand):
    help = "Enrol a start-up (by name or slug) in a programme (by name or id)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("programme")
        parser.add_argument("organisation")

    def handle(self, *args, programme: str, organisation: str, **options) -> None:
        found = Programme.objects.filter(name=programme).first() or (
            Programme.objects.filter(pk=int(programme)).first() if programme.isdigit() else None
        )
        if found is None:
            raise CommandError(f"No programme {programme!r}.")
        startup = (
            Organisation.objects.filter(slug=organisation).first()
            or Organisation.objects.filter(name=organisation).first()
        )
        if startup is None:
            raise CommandError(f"No organisation {organisation!r}.")
        programme_enrol(actor=None, programme=found, organisation=startup)
        self.stdout.write(f"{startup.name} takes part in {found.name}.")
