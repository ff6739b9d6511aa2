"""Run every periodic job once (for cron; Celery beat runs the same jobs on its schedule)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.periodic import jobs, run_all


class Command(BaseCommand):
    help = (
        "Run every periodic job once. Idempotent, and safe on two machines at once: each job "
        "holds a lock of its own, and a job already running elsewhere is skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("jobs", nargs="*", help="only these jobs (default: all)")
        parser.add_argument("--list", action="store_true", help="list the jobs and stop")

    def handle(self, *args: object, **options: object) -> None:
        registered = jobs()
        if options["list"]:
            for job in registered.values():
                self.stdout.write(f"{job.name:<28} {job.description}")
            return
        unknown = sorted(set(options["jobs"]) - set(registered))
        if unknown:
            raise CommandError(f"Unknown job(s): {', '.join(unknown)}. See --list.")
        failed = False
        for run in run_all(options["jobs"] or None):
            if not run.ran:
                self.stdout.write(f"{run.name}: skipped (running elsewhere)")
            elif run.error:
                failed = True
                self.stderr.write(f"{run.name}: failed: {run.error}")
            else:
                self.stdout.write(f"{run.name}: {run.result} ({run.seconds:.2f}s)")
        if failed:
            raise CommandError("Some periodic jobs failed; see above.")
