"""UK time: closing times are entered as a date and a time in Europe/London and shown with
their zone ("5pm BST on 6 March 2026"), whichever side of a clock change they fall."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _

UK = ZoneInfo("Europe/London")


def uk_moment(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """The aware moment of a UK wall-clock time.

    A time the clocks skip (01:00–01:59 on the last Sunday of March) is refused; a time
    that happens twice (01:00–01:59 on the last Sunday of October) means the first, in BST.
    """
    local = datetime.datetime.combine(day, time.replace(second=0, microsecond=0), tzinfo=UK)
    round_trip = local.astimezone(datetime.UTC).astimezone(UK)
    if round_trip.replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValidationError(
            _("%(time)s does not exist on %(date)s: the clocks go forward an hour.")
            % {"time": time.strftime("%H:%M"), "date": formats.date_format(day, "j F Y")},
            code="skipped_time",
        )
    return local.astimezone(datetime.UTC)


def uk_time(moment: datetime.datetime) -> str:
    """The clock time in GOV.UK style with its zone: "5pm BST", "9:30am GMT", "midday BST"."""
    local = moment.astimezone(UK)
    zone = local.tzname() or ""
    if local.hour == 12 and local.minute == 0:
        text = _("midday")
    elif local.hour == 0 and local.minute == 0:
        text = _("midnight")
    else:
        hour = local.hour % 12 or 12
        text = f"{hour}:{local.minute:02d}" if local.minute else str(hour)
        text += _("am") if local.hour < 12 else _("pm")
    return f"{text} {zone}"


def uk_datetime(moment: datetime.datetime) -> str:
    """ "5pm BST on 6 March 2026" """
    local = moment.astimezone(UK)
    return _("%(time)s on %(date)s") % {
        "time": uk_time(moment),
        "date": formats.date_format(local.date(), "j F Y"),
    }
