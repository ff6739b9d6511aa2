"""Send the day's reminders (for cron users; Celery beat runs the same job daily)."""

from django.core.management.base import BaseCommand

from trials.reminders import send_reminders


class Command(BaseCommand):
    help = "Send reminders that are due. Running it twice the same day sends nothing new."

    def handle(self, *args: object, **options: object) -> None:
        sent = send_reminders()
        for name, count in sent.items():
            self.stdout.write(f"{name}: {count}")
