"""Demo data: the demo logins of DESIGN.md, their organisations, a programme, test beds
and trials in every state of the lifecycle — and what each app above adds.

It lives in the top app (programmes) because it seeds every floor: each app keeps its own
``demo.py`` (seeding through its services) and this command calls them, lowest first.
Idempotent: running it again changes nothing but resets the demo passwords.
"""

from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from accounts.demo import DEMO_PASSWORD, seed_accounts
from adoption.demo import seed_adoption
from challenges.demo import seed_challenges
from testbeds.demo import seed_testbeds
from trials.demo import seed_trials
from trials.demo_collaboration import seed_collaboration

DEMO_LOGINS = [
    ("provider@demo.test", "public body admin (Sunderland City Council)"),
    ("startup@demo.test", "start-up admin (Wearwell Analytics Ltd)"),
    ("startup2@demo.test", "second start-up admin (Tidal Mobility Ltd)"),
    ("officer@demo.test", "programme officer (North East Innovation Programme)"),
    ("admin@demo.test", "staff"),
    ("assessor@demo.test", "external assessor of two Sunderland challenges (no organisation)"),
    ("partner@demo.test", "company partner in a running trial (Northern Sensor Works Ltd)"),
    ("council2@demo.test", "public body admin, works in Welsh (Cyngor Gwynedd)"),
]


class Command(BaseCommand):
    help = "Create or refresh the demo data."

    def handle(self, *args: object, **options: object) -> None:
        # The demo's own e-mails (requests, approvals…) would flood the console.
        with override_settings(
            MAILERS={"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
        ):
            accounts = seed_accounts()
            testbeds = seed_testbeds(accounts)
            seed_trials(accounts, testbeds)
            seed_collaboration(accounts)
            seed_challenges(accounts, testbeds)
            seed_adoption(accounts, testbeds)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with:"))
        for email, role in DEMO_LOGINS:
            self.stdout.write(f"  {email:<22} {DEMO_PASSWORD}   {role}")
