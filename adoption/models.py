"""What a trial led to: the adoption decision (in versions), interest from other public
bodies, impact reports at 6, 12 and 24 months, and consent to the public outcomes register.

Every accepted trial has one ``Adoption`` (opened by ``adoption.receivers`` when the
acceptance event is written). Its current decision sits on the row; each change is also
kept as an ``AdoptionDecision`` version, never edited. Money is in pounds and pence.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.bilingual import text_in
from core.fields import SingleLineCharField
from trials.models import Trial

# The largest sum accepted anywhere (a contract, an investment): £1 billion.
MAX_POUNDS = Decimal("1000000000.00")
IMPACT_MONTHS = (6, 12, 24)


class AdoptionStatus(models.TextChoices):
    UNDECIDED = "undecided", _("Undecided")
    EXTENDED_PILOT = "extended_pilot", _("Extended pilot")
    PROCURING = "procuring", _("Procuring")
    ADOPTED = "adopted", _("Adopted")
    NOT_ADOPTED = "not_adopted", _("Not adopted")


# Statuses that need a route to market (and a value, a start date and a scale).
PROCUREMENT_STATUSES = {AdoptionStatus.ADOPTED, AdoptionStatus.PROCURING}


class NotAdoptedReason(models.TextChoices):
    EVIDENCE = "evidence", _("Evidence not strong enough")
    COST = "cost", _("Cost")
    INTEGRATION = "integration", _("Integration with existing systems")
    INFORMATION_GOVERNANCE = "information_governance", _("Information governance / data protection")
    NO_BUDGET = "no_budget", _("No budget")
    PROCUREMENT_BARRIER = "procurement_barrier", _("Procurement barrier")
    SUPPLIER_CAPACITY = "supplier_capacity", _("Supplier capacity")
    OTHER = "other", _("Other")


class Route(models.TextChoices):
    DIRECT_AWARD = "direct_award", _("Direct award under threshold")
    FRAMEWORK = "framework", _("Framework call-off")
    OPEN_TENDER = "open_tender", _("Open tender")
    SBRI_PHASE_3 = "sbri_phase_3", _("SBRI phase 3")
    INNOVATION_PARTNERSHIP = "innovation_partnership", _("Innovation partnership")
    OTHER = "other", _("Other")


class NoticeSource(models.TextChoices):
    FIND_A_TENDER = "find_a_tender", _("Find a Tender")
    CONTRACTS_FINDER = "contracts_finder", _("Contracts Finder")
    PUBLIC_CONTRACTS_SCOTLAND = "public_contracts_scotland", _("Public Contracts Scotland")
    SELL2WALES = "sell2wales", _("Sell2Wales")
    ETENDERS_NI = "etenders_ni", _("eTendersNI")
    OTHER = "other", _("Other")


class ValueBand(models.TextChoices):
    UNDER_25K = "under_25k", _("Under £25,000")
    FROM_25K = "25k_100k", _("£25,000 to £100,000")
    FROM_100K = "100k_500k", _("£100,000 to £500,000")
    FROM_500K = "500k_2m", _("£500,000 to £2 million")
    OVER_2M = "over_2m", _("Over £2 million")


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=12, decimal_places=2, null=True, blank=True, **kwargs
    )


class DecisionFields(models.Model):
    """What a decision says: shared by the current record and each of its versions."""

    status = models.CharField(
        _("decision"), max_length=20, choices=AdoptionStatus.choices, default="undecided"
    )
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    reason_other = SingleLineCharField(_("other reason"), max_length=300, blank=True)
    route = models.CharField(_("route"), max_length=30, choices=Route.choices, blank=True)
    framework_name = SingleLineCharField(_("framework"), max_length=200, blank=True)
    route_other = SingleLineCharField(_("other route"), max_length=200, blank=True)
    notice_url = models.URLField(_("public notice link"), max_length=500, blank=True)
    notice_source = models.CharField(
        _("where the notice is published"), max_length=30, choices=NoticeSource.choices, blank=True
    )
    contract_value = money_field(_("contract value (£)"))
    value_band = models.CharField(
        _("contract value band"), max_length=12, choices=ValueBand.choices, blank=True
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    sites = models.PositiveIntegerField(_("sites"), null=True, blank=True)
    users = models.PositiveIntegerField(_("users"), null=True, blank=True)
    population = models.PositiveIntegerField(_("population covered"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)

    class Meta:
        abstract = True

    def reason_labels(self) -> list[str]:
        labels = dict(NotAdoptedReason.choices)
        return [
            str(labels.get(code, code)) if code != "other" else self.reason_other or str(_("Other"))
            for code in self.reasons
        ]

    def route_label(self) -> str:
        if self.route == Route.FRAMEWORK and self.framework_name:
            return f"{self.get_route_display()}: {self.framework_name}"
        if self.route == Route.OTHER and self.route_other:
            return self.route_other
        return self.get_route_display() if self.route else ""

    def value_label(self) -> str:
        if self.contract_value is not None:
            return f"£{self.contract_value:,.2f}"
        return self.get_value_band_display() if self.value_band else ""


class Adoption(DecisionFields):
    """What an accepted trial led to, and whether its outcome is in the public register."""

    trial = models.OneToOneField(Trial, on_delete=models.CASCADE, related_name="adoption")
    accepted_on = models.DateField(_("evidence accepted on"))
    version = models.PositiveIntegerField(default=0)
    decided_at = models.DateTimeField(null=True, blank=True)  # first decision (not undecided)
    adopted_at = models.DateTimeField(null=True, blank=True)  # first time it was adopted
    changed_at = models.DateTimeField(null=True, blank=True)
    changed_by_name = models.CharField(max_length=150, blank=True)

    # The register: a plain-English summary, and both parties' consent.
    register_summary = models.TextField(_("summary for the register"), max_length=1500, blank=True)
    # The register's title and summary in Welsh (core.bilingual): shown to Welsh readers, the
    # English (the trial's title, ``register_summary``) with a note where they are empty.
    register_title_cy = SingleLineCharField(
        _("title for the register in Welsh"), max_length=200, blank=True, default="", db_default=""
    )
    register_summary_cy = models.TextField(
        _("summary for the register in Welsh"),
        max_length=1500,
        blank=True,
        default="",
        db_default="",
    )
    startup_consent_at = models.DateTimeField(null=True, blank=True)
    provider_consent_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The address the start-up chose to show bodies that registered interest.
    contact_email = models.EmailField(_("contact e-mail for interested bodies"), blank=True)

    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-accepted_on", "-id"]
        indexes = [models.Index(fields=["status", "published_at"])]

    def __str__(self) -> str:
        return f"{self.trial_id}: {self.status}"

    def get_absolute_url(self) -> str:
        return reverse("adoption:detail", kwargs={"trial_pk": self.trial_id})

    def get_public_url(self) -> str:
        return reverse("adoption:outcome", kwargs={"pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def register_title(self) -> str:
        """The register's English title: the trial's (``register_title_cy`` is the Welsh)."""
        return self.trial.title

    @property
    def local_register_title(self) -> str:
        """The title in the active language (Welsh where there is one): feeds, page titles."""
        return text_in(self.trial.title, self.register_title_cy)

    @property
    def local_register_summary(self) -> str:
        return text_in(self.register_summary, self.register_summary_cy)


class AdoptionDecision(DecisionFields):
    """One version of the decision, with who made it and when. Never edited."""

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_by_name = models.CharField(max_length=150)
    organisation_name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["adoption", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["adoption", "number"], name="one_adoption_version_each")
        ]

    def __str__(self) -> str:
        return f"{self.adoption_id} v{self.number}: {self.status}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Decisions are never edited: a change is a new version.")
        super().save(*args, **kwargs)


class Interest(models.Model):
    """Another public body says: we want to adopt this too. One open interest per body."""

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="interests")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="adoption_interests"
    )
    note = models.TextField(_("note"), max_length=1000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_by_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["adoption", "organisation"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_open_interest_per_body",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} in {self.adoption_id}"


class KpiHeld(models.TextChoices):
    SUSTAINED = "sustained", _("Sustained")
    IMPROVED = "improved", _("Improved")
    FELL_BACK = "fell_back", _("Fell back")


class ImpactReport(models.Model):
    """What the trial led to 6, 12 or 24 months after acceptance. Immutable once submitted;
    the public body may add a confirmation or comment afterwards."""

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="reports")
    months = models.PositiveSmallIntegerField()
    due_on = models.DateField(db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_by_name = models.CharField(max_length=150, blank=True)
    late = models.BooleanField(default=False)

    # [{"buyer", "value", "date", "link"}]
    contracts = models.JSONField(_("follow-on public contracts"), default=list, blank=True)
    investment = money_field(_("private investment raised (£)"))
    investment_round = SingleLineCharField(_("investment round"), max_length=100, blank=True)
    jobs_created = models.PositiveIntegerField(_("jobs created"), null=True, blank=True)
    jobs_safeguarded = models.PositiveIntegerField(_("jobs safeguarded"), null=True, blank=True)
    further_bodies = models.TextField(
        _("further public bodies using the product"), max_length=2000, blank=True
    )
    further_bodies_count = models.PositiveIntegerField(default=0)
    # [{"kpi_id", "name", "held", "figure"}]
    kpi_results = models.JSONField(_("KPIs in live use"), default=list, blank=True)
    notes = models.TextField(_("anything else"), max_length=3000, blank=True)

    provider_comment = models.TextField(_("public body's comment"), max_length=1000, blank=True)
    provider_comment_by_name = models.CharField(max_length=150, blank=True)
    provider_comment_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["adoption", "months"]
        constraints = [
            models.UniqueConstraint(fields=["adoption", "months"], name="one_report_per_milestone")
        ]
        indexes = [models.Index(fields=["submitted_at", "due_on"])]

    def __str__(self) -> str:
        return f"{self.adoption_id}: {self.months} months"

    def get_absolute_url(self) -> str:
        return reverse("adoption:report", kwargs={"pk": self.pk})

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return not self.is_submitted and self.due_on < (today or timezone.localdate())

    def contracts_total(self) -> Decimal:
        return sum((Decimal(str(c.get("value") or 0)) for c in self.contracts), Decimal(0))
