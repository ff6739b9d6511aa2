"""The register's open data: one row per published outcome, the same columns in the CSV
and the JSON, documented on the register page. Open Government Licence v3.0."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Adoption
from .selectors import kpis_met

LICENCE = "Open Government Licence v3.0"
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"

# (column, what it holds)
COLUMNS: list[tuple[str, object]] = [
    ("id", _("The outcome's number in the register.")),
    ("trial_reference", _("The trial's reference, TRIAL- and five digits.")),
    ("title", _("The trial's title.")),
    ("summary", _("The plain-English summary written for the register.")),
    ("start_up", _("The start-up that ran the trial.")),
    ("test_bed", _("The test bed it ran on.")),
    ("public_body", _("The public body that owns the test bed.")),
    ("region", _("The test bed's region (ITL1 code name).")),
    ("sectors", _("The test bed's sectors, separated by semicolons.")),
    ("technologies", _("The test bed's technologies, separated by semicolons.")),
    ("challenge", _("The challenge the trial answered, if any.")),
    ("trial_start", _("The trial's first day (YYYY-MM-DD).")),
    ("trial_end", _("The trial's last day (YYYY-MM-DD).")),
    ("evidence_accepted_on", _("The day the evidence pack was accepted (YYYY-MM-DD).")),
    ("kpis_met", _("KPIs that met their target at the last measurement.")),
    ("kpis_total", _("KPIs the trial set.")),
    ("adoption_status", _("undecided, extended_pilot, procuring, adopted or not_adopted.")),
    ("route", _("The route to market, for adopted and procuring.")),
    ("framework", _("The framework's name, for a framework call-off.")),
    ("contract_value_gbp", _("The contract value in pounds, if given.")),
    ("contract_value_band", _("The value band, if a band was given instead.")),
    ("not_adopted_reasons", _("The reasons, separated by semicolons, for not adopted.")),
    ("notice_url", _("The public procurement notice, if any.")),
    ("published_at", _("When the outcome entered the register (ISO 8601, UTC).")),
    ("verify_url", _("Where to check the accepted evidence pack is genuine.")),
    # Added after the first release, at the end, so that columns read by position still hold.
    ("title_cy", _("The title in Welsh, if written (empty otherwise).")),
    ("summary_cy", _("The summary in Welsh, if written (empty otherwise).")),
]
HEADER = [name for name, _description in COLUMNS]


def row(adoption: Adoption) -> dict:
    trial = adoption.trial
    testbed = trial.testbed
    application = getattr(trial, "challenge_application", None)
    met, total = kpis_met(adoption)
    return {
        "id": adoption.pk,
        "trial_reference": trial.reference,
        "title": trial.title,
        "summary": adoption.register_summary,
        "start_up": trial.organisation.name,
        "test_bed": testbed.name,
        "public_body": testbed.organisation.name,
        "region": testbed.region,
        "sectors": ";".join(s.code for s in testbed.sectors.all()),
        "technologies": ";".join(t.code for t in testbed.technologies.all()),
        "challenge": application.challenge.title if application else "",
        "trial_start": trial.booking.start,
        "trial_end": trial.booking.last_day,
        "evidence_accepted_on": adoption.accepted_on,
        "kpis_met": met,
        "kpis_total": total,
        "adoption_status": adoption.status,
        "route": adoption.route,
        "framework": adoption.framework_name,
        "contract_value_gbp": adoption.contract_value,
        "contract_value_band": adoption.value_band,
        "not_adopted_reasons": ";".join(adoption.reasons),
        "notice_url": adoption.notice_url,
        "published_at": adoption.published_at,
        "verify_url": (
            f"{settings.SITE_URL}/verify/{adoption.pack_code}/" if adoption.pack_code else ""
        ),
        "title_cy": adoption.register_title_cy,
        "summary_cy": adoption.register_summary_cy,
    }


def rows(outcomes: Iterable[Adoption]) -> Iterator[list]:
    for adoption in outcomes:
        data = row(adoption)
        yield [data[name] for name in HEADER]
