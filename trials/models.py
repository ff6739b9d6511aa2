"""Trials: what a start-up tries on a test bed, how it is measured, and the evidence it leaves."""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Programme
from core.fields import SingleLineCharField
from testbeds.models import Booking, TestBed

TRL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(9)]


class TrialStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    SUBMITTED = "submitted", _("Submitted for review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CANCELLED = "cancelled", _("Cancelled")


# The start-up may change the plan, KPIs, log and files in these states.
EDITABLE_STATUSES = {
    TrialStatus.REQUESTED,
    TrialStatus.APPROVED,
    TrialStatus.ACTIVE,
    TrialStatus.COMPLETED,
    TrialStatus.CHANGES_REQUESTED,
}
# Measurements are recorded from the start until the evidence is submitted.
MEASURABLE_STATUSES = {TrialStatus.ACTIVE, TrialStatus.COMPLETED, TrialStatus.CHANGES_REQUESTED}
# Evidence is submitted (again) in these states.
SUBMITTABLE_STATUSES = {TrialStatus.COMPLETED, TrialStatus.CHANGES_REQUESTED}


# What the start-up writes, in the order pages, the API, exports and packs show it.
PLAN_FIELDS = (
    "product_name",
    "problem_statement",
    "objectives",
    "hypothesis",
    "setting_and_participants",
    "trl_start",
    "trl_target",
    "approvals",
    "approvals_note",
)
OUTCOME_FIELDS = (
    "outcome_summary",
    "trl_achieved",
    "user_feedback",
    "lessons_learned",
    "safety_incidents",
    "inclusion_notes",
    "environmental_notes",
    "recommendation",
    "next_steps",
)


class ApprovalItem(models.TextChoices):
    DPIA = "dpia", _("Data protection impact assessment (DPIA)")
    DATA_SHARING = "data-sharing", _("Data-sharing agreement")
    ETHICS = "ethics", _("Ethics approval")
    INSURANCE = "insurance", _("Insurance")
    CLINICAL_SAFETY = "clinical-safety", _("Clinical safety (DCB0129 / DTAC)")


class ApprovalState(models.TextChoices):
    NOT_YET = "not-yet", _("Not yet in place")
    IN_PLACE = "in-place", _("In place")
    NOT_NEEDED = "not-needed", _("Not needed")


class Recommendation(models.TextChoices):
    STOP = "stop", _("Stop")
    ADAPT = "adapt", _("Adapt and trial again")
    SCALE = "scale", _("Scale up")


STATUS_TAG_CLASSES = {
    TrialStatus.ACCEPTED: "govuk-tag--green",
    TrialStatus.ACTIVE: "govuk-tag--blue",
    TrialStatus.APPROVED: "govuk-tag--blue",
    TrialStatus.REQUESTED: "govuk-tag--yellow",
    TrialStatus.SUBMITTED: "govuk-tag--yellow",
    TrialStatus.CHANGES_REQUESTED: "govuk-tag--orange",
    TrialStatus.COMPLETED: "govuk-tag--turquoise",
}


class Trial(models.Model):
    """A start-up's trial of a product on a test bed, from request to accepted evidence."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="trials", verbose_name=_("start-up")
    )
    testbed = models.ForeignKey(TestBed, on_delete=models.PROTECT, related_name="trials")
    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="trial")
    programme = models.ForeignKey(
        Programme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trials",
        verbose_name=_("programme"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = SingleLineCharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=3000)
    status = models.CharField(
        max_length=20, choices=TrialStatus.choices, default=TrialStatus.REQUESTED, db_index=True
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    answers = models.JSONField(default=list, blank=True)

    # The plan
    product_name = SingleLineCharField(_("product name"), max_length=200, blank=True)
    problem_statement = models.TextField(_("problem it solves"), blank=True)
    objectives = models.TextField(_("objectives"), blank=True)
    hypothesis = models.TextField(_("critical assumptions and hypothesis"), blank=True)
    setting_and_participants = models.TextField(_("setting and participants"), blank=True)
    trl_start = models.PositiveSmallIntegerField(
        _("TRL at the start"), null=True, blank=True, validators=TRL_VALIDATORS
    )
    trl_target = models.PositiveSmallIntegerField(
        _("target TRL"), null=True, blank=True, validators=TRL_VALIDATORS
    )
    approvals = models.JSONField(default=dict, blank=True)
    approvals_note = models.TextField(_("notes on approvals"), blank=True)

    # The outcome
    outcome_summary = models.TextField(_("results against objectives"), blank=True)
    trl_achieved = models.PositiveSmallIntegerField(
        _("TRL achieved"), null=True, blank=True, validators=TRL_VALIDATORS
    )
    user_feedback = models.TextField(_("user feedback"), blank=True)
    lessons_learned = models.TextField(_("lessons learned"), blank=True)
    safety_incidents = models.TextField(_("safety incidents"), blank=True)
    inclusion_notes = models.TextField(_("inclusion and accessibility"), blank=True)
    environmental_notes = models.TextField(_("environmental impact"), blank=True)
    recommendation = models.CharField(
        _("recommendation"), max_length=10, choices=Recommendation.choices, blank=True
    )
    next_steps = models.TextField(_("next steps"), blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["testbed", "status"]),
            models.Index(fields=["programme", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(trl_start__isnull=True)
                | Q(trl_target__isnull=True)
                | Q(trl_target__gte=F("trl_start")),
                name="trial_target_trl_not_below_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("trials:detail", kwargs={"pk": self.pk})

    @property
    def status_tag_class(self) -> str:
        """The GOV.UK tag colour of the status (trials/includes/status_tag.html)."""
        return STATUS_TAG_CLASSES.get(self.status, "govuk-tag--grey")

    @property
    def first_day(self) -> datetime.date:
        return self.booking.start

    @property
    def last_day(self) -> datetime.date:
        return self.booking.last_day

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def reference(self) -> str:
        return f"TRIAL-{self.pk:05d}"


class TrialEvent(models.Model):
    """One step of a trial's lifecycle: who moved it from which status to which. Never edited."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status changed")
        CORRECTION = "correction", _("Value corrected")

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="events")
    # A correction keeps the trial's status (from = to) and says in its note what the
    # earlier value was; a change of dates also keeps the status, with kind "status".
    kind = models.CharField(
        max_length=12, choices=Kind.choices, default=Kind.STATUS, db_default=Kind.STATUS
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    from_status = models.CharField(max_length=20, choices=TrialStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=TrialStatus.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.trial_id}: {self.from_status or '–'} → {self.to_status}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Trial events are never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Trial events are never deleted.")


class Kpi(models.Model):
    """A measurable target of the trial."""

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="kpis")
    position = models.PositiveSmallIntegerField(default=0)
    name = SingleLineCharField(_("name"), max_length=150)
    unit = SingleLineCharField(_("unit"), max_length=40, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=4)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=4)
    direction = models.CharField(
        _("direction"), max_length=6, choices=Direction.choices, default=Direction.HIGHER
    )
    method = models.TextField(_("how it is measured"), blank=True)
    data_source = SingleLineCharField(_("data source"), max_length=200, blank=True)
    no_measurement_reason = models.TextField(_("why it was not measured"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When its name, unit, baseline, target or direction was last corrected (the earlier
    # values are in the trial's events); null when never corrected.
    corrected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["trial", "position", "id"]
        verbose_name = "KPI"

    def __str__(self) -> str:
        return self.name

    def progress(self, latest: Decimal | None) -> float | None:
        """The share of the way from baseline to target (0 at baseline, 1 at target)."""
        if latest is None:
            return None
        span = self.target - self.baseline
        if span == 0:
            return 1.0 if self.is_met(latest) else 0.0
        return float((latest - self.baseline) / span)

    def is_met(self, latest: Decimal | None) -> bool | None:
        if latest is None:
            return None
        if self.direction == self.Direction.HIGHER:
            return latest >= self.target
        return latest <= self.target


class Measurement(models.Model):
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="measurements")
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    corrected_at = models.DateTimeField(null=True, blank=True)  # earlier value: trial events

    class Meta:
        ordering = ["kpi", "date", "id"]
        indexes = [models.Index(fields=["kpi", "date"])]

    def __str__(self) -> str:
        return f"{self.kpi}: {self.value} on {self.date}"


class LogEntry(models.Model):
    """Progress noted by the start-up, or an observation by the test bed's provider."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("Progress")
        OBSERVATION = "observation", _("Provider observation")
        PARTNER = "partner", _("Partner's note")

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="log_entries")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    date = models.DateField(_("date"))
    text = models.TextField(_("entry"), max_length=10000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_name = models.CharField(max_length=150, blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    corrected_at = models.DateTimeField(null=True, blank=True)  # earlier text: trial events

    class Meta:
        ordering = ["trial", "date", "id"]
        verbose_name_plural = "log entries"

    def __str__(self) -> str:
        return f"{self.date}: {self.text[:40]}"


def evidence_path(instance: EvidenceFile, filename: str) -> str:
    return f"private/trials/{instance.trial_id}/{filename}"


class EvidenceFile(models.Model):
    """A photo or document kept as evidence. Private: served only through a checked view."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        PDF = "pdf", _("PDF document")
        CSV = "csv", _("CSV data")
        XLSX = "xlsx", _("Spreadsheet")
        DOCX = "docx", _("Word document")

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    caption = SingleLineCharField(_("caption"), max_length=250)
    original_name = models.CharField(max_length=200)
    file = models.FileField(upload_to=evidence_path, max_length=200)
    display = models.FileField(upload_to=evidence_path, max_length=200, blank=True)
    thumbnail = models.FileField(upload_to=evidence_path, max_length=200, blank=True)
    print_version = models.FileField(upload_to=evidence_path, max_length=200, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Set when a partner added the file (empty: the start-up's own).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["trial", "created_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_photo(self) -> bool:
        return self.kind == self.Kind.PHOTO


def new_pack_code() -> str:
    """A short code people can type: TBX- and 8 letters and digits without look-alikes."""
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    body = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"TBX-{body[:4]}-{body[4:]}"


def pack_path(instance: EvidencePack, filename: str) -> str:
    return f"private/packs/{instance.trial_id}/{filename}"


class EvidencePack(models.Model):
    """One immutable version of a trial's evidence, rendered as a PDF.

    The content is frozen as JSON when the version is created; the PDF is rendered
    from that snapshot in the background, written whole, and then never changes.
    """

    class State(models.TextChoices):
        PREPARING = "preparing", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="packs")
    version = models.PositiveIntegerField()
    code = models.CharField(max_length=20, unique=True, default=new_pack_code)
    is_final = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PREPARING)
    content = models.JSONField()
    file = models.FileField(upload_to=pack_path, max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    size = models.PositiveBigIntegerField(default=0)
    # Rendering is a claimed work item: a renderer stamps the claim (when, which process)
    # and counts the attempt before it starts; a claim left by a process that died is
    # stale after EVIDENCE_PACK_CLAIM_SECONDS and the pack is rendered again (the periodic
    # job ``resume_evidence_packs``, or ``retry``).
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["trial", "version"]
        constraints = [
            models.UniqueConstraint(fields=["trial", "version"], name="one_pack_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} (version {self.version})"

    def get_verify_url(self) -> str:
        return reverse("verify", kwargs={"code": self.code})

    @property
    def render_stalled(self) -> bool:
        """Being prepared, but its render stopped: claimed (or queued) too long ago."""
        if self.state != self.State.PREPARING:
            return False
        since = self.claimed_at or self.created_at
        limit = datetime.timedelta(seconds=settings.EVIDENCE_PACK_CLAIM_SECONDS)
        return since < timezone.now() - limit


class Review(models.Model):
    """An officer's decision on one pack version."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")

    pack = models.ForeignKey(EvidencePack, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reviewer_name = models.CharField(max_length=150)
    reviewer_organisation = models.CharField(max_length=200)
    decision = models.CharField(max_length=20, choices=Decision.choices)
    comments = models.TextField(_("comments"), blank=True)
    reviewed_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.reviewer_name}"


class ChangeRequest(models.Model):
    """The start-up asks to extend, shorten or move an approved or active trial's dates.

    The old days stay held until the provider approves; approval changes the booking in
    one transaction under the test bed lock (``trials.services.changes``). Dates are
    half-open, ``[start, end)``, like bookings. At most one request per trial is open.
    """

    class Kind(models.TextChoices):
        EXTEND = "extend", _("Extend")
        SHORTEN = "shorten", _("Shorten")
        MOVE = "move", _("Move")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="change_requests")
    kind = models.CharField(_("change"), max_length=8, choices=Kind.choices)
    old_start = models.DateField()
    old_end = models.DateField()
    start = models.DateField(_("new first day"))
    end = models.DateField(_("day after the new last day"))
    reason = models.TextField(_("reason"), max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_by_name = models.CharField(max_length=150, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_by_name = models.CharField(max_length=150, blank=True)
    decision_note = models.TextField(_("note"), max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["trial"],
                condition=Q(status="pending"),
                name="one_open_change_request_per_trial",
            ),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="change_request_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trial_id}: {self.kind} to {self.start} – {self.last_day}"

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    @property
    def old_last_day(self) -> datetime.date:
        return self.old_end - datetime.timedelta(days=1)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PENDING


class PartnerRole(models.TextChoices):
    TECHNOLOGY = "technology", _("Technology partner")
    EVALUATOR = "evaluator", _("Evaluator")
    DELIVERY = "delivery", _("Delivery partner")
    PUBLIC_BODY = "public_body", _("Other public body")


class TrialPartner(models.Model):
    """An organisation working on a trial with the start-up: invited by e-mail, then joined.

    Until the invitation is accepted ``organisation`` is empty and only a hash of the
    invitation token is kept (the token travels in the e-mail, works once and only for the
    invited address). Removing a partner keeps the row (``removed_at``) and everything the
    partner added, attributed to it.
    """

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partnerships",
        verbose_name=_("organisation"),
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=12, choices=PartnerRole.choices)
    contribution = models.CharField(_("what they bring"), max_length=300)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["invited_at", "id"]
        indexes = [models.Index(fields=["organisation", "removed_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["trial", "organisation"],
                condition=Q(removed_at__isnull=True, organisation__isnull=False),
                name="one_active_partnership_per_organisation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation or self.email} on {self.trial_id} ({self.role})"

    @property
    def status(self) -> str:
        if self.removed_at:
            return "removed"
        if self.accepted_at:
            return "active"
        if self.expires_at <= timezone.now():
            return "expired"
        return "invited"

    def get_status_text(self) -> str:
        return {
            "removed": _("Removed"),
            "active": _("Partner"),
            "expired": _("Invitation expired"),
            "invited": _("Invited"),
        }[self.status]


class Message(models.Model):
    """One message in a trial's thread. Plain text, never edited or deleted."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_name = models.CharField(max_length=150)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, related_name="+"
    )
    organisation_name = models.CharField(max_length=200)
    text = models.TextField(_("message"), max_length=10000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["trial", "created_at"])]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.text[:40]}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Messages are never edited: a correction is a new message.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Messages are never deleted.")


def attachment_path(instance: MessageAttachment, filename: str) -> str:
    return f"private/messages/{instance.message.trial_id}/{filename}"


class MessageAttachment(models.Model):
    """A photo or document sent with a message, checked like evidence files. Private."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=6, choices=EvidenceFile.Kind.choices)
    original_name = models.CharField(max_length=200)
    file = models.FileField(upload_to=attachment_path, max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["message", "id"]

    def __str__(self) -> str:
        return self.original_name


class ThreadMember(models.Model):
    """A person's place in a trial's thread: when they last had an e-mail about it.

    E-mails about new messages go out at most once per person per thread per
    ``EMAIL_GAP`` (trials.services.messages); the row is locked while deciding.
    """

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["trial", "user"], name="one_thread_member_each")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.trial_id}"
