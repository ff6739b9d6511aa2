"""Demo data: the demo logins of DESIGN.md, their organisations, a programme, test beds.

Idempotent: running it again changes nothing but resets the demo passwords.
"""

from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, seed_accounts
from testbeds.demo import seed_testbeds

DEMO_LOGINS = [
    ("provider@demo.test", "public body admin (Sunderland City Council)"),
    ("startup@demo.test", "start-up admin (Wearwell Analytics Ltd)"),
    ("startup2@demo.test", "second start-up admin (Tidal Mobility Ltd)"),
    ("officer@demo.test", "programme officer (North East Innovation Programme)"),
    ("admin@demo.test", "staff"),
]


class Command(BaseCommand):
    help = "Create or refresh the demo data."

    def handle(self, *args: object, **options: object) -> None:
        accounts = seed_accounts()
        seed_testbeds(accounts)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with:"))
        for email, role in DEMO_LOGINS:
            self.stdout.write(f"  {email:<22} {DEMO_PASSWORD}   {role}")
