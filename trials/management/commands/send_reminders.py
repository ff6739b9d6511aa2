"""Send the reminders that are due: the `send_reminders` periodic job, through the same path
(and lock) as `manage.py run_periodic`, which runs it with every other periodic job."""

from django.core.management.base import BaseCommand, CommandError

from core.periodic import run_job


class Command(BaseCommand):
    help = (
        "Send reminders that are due (the send_reminders job of `manage.py run_periodic`, "
        "which cron should run instead: it runs every periodic job). Running it twice the "
        "same day sends nothing new."
    )

    def handle(self, *args: object, **options: object) -> None:
        run = run_job("send_reminders")
        if not run.ran:
            self.stdout.write("send_reminders: skipped (running elsewhere)")
            return
        if run.error:
            raise CommandError(f"send_reminders failed: {run.error}")
        for name, count in run.result.items():
            self.stdout.write(f"{name}: {count}")
