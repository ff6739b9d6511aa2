"""What the adoption services share: opening the record, locks, who may act, money, dates."""

from __future__ import annotations

import calendar
import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import is_member, require_member
from core.cache import bump_page_version
from trials.models import Trial
from trials.selectors import organisation_ids

from ..models import IMPACT_MONTHS, MAX_POUNDS, Adoption, ImpactReport


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (the month's last day if it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def adoption_open(trial: Trial, *, accepted_at: datetime.datetime | None = None) -> Adoption:
    """The trial's adoption record (undecided) and its three impact reports, once.

    Called when the acceptance event is written (``adoption.receivers``), inside the
    review's transaction; idempotent."""
    existing = Adoption.objects.filter(trial_id=trial.pk).first()
    if existing is not None:
        return existing
    accepted_on = timezone.localdate(accepted_at or trial.accepted_at or timezone.now())
    adoption = Adoption.objects.create(trial_id=trial.pk, accepted_on=accepted_on)
    ImpactReport.objects.bulk_create(
        ImpactReport(adoption=adoption, months=months, due_on=add_months(accepted_on, months))
        for months in IMPACT_MONTHS
    )
    return adoption


def locked(adoption: Adoption | int) -> Adoption:
    pk = adoption.pk if isinstance(adoption, Adoption) else adoption
    return (
        Adoption.objects.select_for_update(of=("self",))
        .select_related(
            "trial__organisation",
            "trial__testbed__organisation",
            "trial__programme__team",
            "trial__booking",
        )
        .get(pk=pk)
    )


def is_provider(user: User | None, trial: Trial) -> bool:
    return is_member(user, trial.testbed.organisation)


def is_startup(user: User | None, trial: Trial) -> bool:
    return is_member(user, trial.organisation)


def require_provider(actor: User, trial: Trial) -> None:
    require_member(actor, trial.testbed.organisation)


def require_startup(actor: User, trial: Trial) -> None:
    require_member(actor, trial.organisation)


def can_see_private(user: User | None, trial: Trial) -> bool:
    """The start-up, the test bed's public body, the programme's officers and staff see the
    adoption record before it is public; everyone else is told it does not exist."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    ids = set(organisation_ids(user))
    return (
        trial.organisation_id in ids
        or trial.testbed.organisation_id in ids
        or (trial.programme_id is not None and trial.programme.team_id in ids)
    )


def bump_if_public(adoption: Adoption) -> None:
    if adoption.published_at is not None:
        bump_page_version()


# Checking input ------------------------------------------------------------------------

PENCE = Decimal("0.01")


def clean_money(value, field: str, errors: dict) -> Decimal | None:
    """Pounds and pence, not negative, at most £1 billion; None when empty."""
    if value in (None, ""):
        return None
    text = str(value).strip().replace(",", "").removeprefix("£")
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        errors[field] = _("Enter an amount in pounds, like 12500 or 12500.50.")
        return None
    if not amount.is_finite():
        errors[field] = _("Enter an amount in pounds, like 12500 or 12500.50.")
    elif amount < 0:
        errors[field] = _("The amount cannot be negative.")
    elif amount > MAX_POUNDS:
        errors[field] = _("The amount must be £1 billion or less.")
    elif amount != amount.quantize(PENCE):
        errors[field] = _("Give the amount in pounds and pence (at most two decimal places).")
    else:
        return amount.quantize(PENCE)
    return None


def clean_count(value, field: str, errors: dict, *, most: int = 100_000_000) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not re.fullmatch(r"[0-9]{1,12}", str(value).strip()):
        errors[field] = _("Enter a whole number, 0 or more.")
        return None
    number = int(str(value).strip())
    if number > most:
        errors[field] = _("Enter a number no larger than %(n)s.") % {"n": f"{most:,}"}
        return None
    return number


def clean_date(value, field: str, errors: dict, *, trial: Trial, future_years: int = 10):
    """A date not before the trial's first day, and not absurdly far ahead."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            errors[field] = _("Enter a real date, like 2027-04-01.")
            return None
    if value < trial.booking.start:
        errors[field] = _("The date cannot be before the trial began (%(day)s).") % {
            "day": trial.booking.start.strftime("%d/%m/%Y")
        }
        return None
    latest = timezone.localdate() + datetime.timedelta(days=365 * future_years)
    if value > latest:
        errors[field] = _("The date is too far ahead.")
        return None
    return value


def clean_https(value, field: str, errors: dict) -> str:
    text = (value or "").strip()
    if not text:
        return ""
    try:
        URLValidator(schemes=["https"])(text)
    except ValidationError:
        errors[field] = _("Enter a web address starting with https://")
        return ""
    if len(text) > 500:
        errors[field] = _("The web address is too long.")
        return ""
    return text


def clean_text(value, field: str, errors: dict, *, limit: int, single_line: bool = False) -> str:
    text = (value if isinstance(value, str) else "" if value is None else str(value)).strip()
    if len(text) > limit:
        errors[field] = _("Keep it under %(n)s characters.") % {"n": limit}
        return ""
    if "\x00" in text or (single_line and re.search(r"[\r\n\x00-\x1f\x7f]", text)):
        errors[field] = _("Use one line, without control characters.")
        return ""
    return text


def refuse(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def not_yours() -> PermissionDenied:
    return PermissionDenied(_("Only the test bed's public body can record what happened next."))
