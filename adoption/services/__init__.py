"""Every change to an adoption record goes through a function here, grouped by subject.

- ``common``: opening the record when a pack is accepted, locks, who may act, telling people;
- ``decisions``: the public body's decision, each change a new version;
- ``interest``: other public bodies register (and withdraw) interest; the start-up's contact;
- ``reports``: impact reports at 6, 12 and 24 months: submit, comment, reminders;
- ``register``: both parties' consent to the public outcomes register.

Each function checks who may act, runs in one transaction and records an event.
"""

from .common import (
    adoption_open,
    can_see_private,
    is_provider,
    is_startup,
    require_provider,
    require_startup,
)
from .decisions import adoption_decide, clean_decision
from .interest import contact_email_set, interest_register, interest_withdraw
from .register import consent_set
from .reports import clean_report, impact_report_comment, impact_report_submit, send_reminders

__all__ = [
    "adoption_decide",
    "adoption_open",
    "can_see_private",
    "clean_decision",
    "clean_report",
    "consent_set",
    "contact_email_set",
    "impact_report_comment",
    "impact_report_submit",
    "interest_register",
    "interest_withdraw",
    "is_provider",
    "is_startup",
    "require_provider",
    "require_startup",
    "send_reminders",
]
