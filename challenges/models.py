"""Challenges: a public problem, the applications that answer it, the panel that scores them
and the decisions (an award becomes a trial request).

Shaped after how challenge funds run (SBRI, CivTech) and how Hypha models calls: one
assessment per assessor per application (Hypha's Review) with a score per criterion, a
conflict declared before the application is shown, and a decision with feedback sent to the
applicant (Hypha's Determination).
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Region
from core.bilingual import text_in
from core.fields import SingleLineCharField
from testbeds.models import Sector, Technology, TestBed

SCORE_MIN, SCORE_MAX = 0, 10
SCORE_VALIDATORS = [MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
# Assessors whose scores on one criterion differ by more than this are highlighted.
SPREAD_HIGHLIGHT = 3
# Non-conflicted assessors whose scores an application needs before a decision.
MIN_ASSESSORS = 2
WEIGHT_TOTAL = 100


class ChallengeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")
    DECIDED = "decided", _("Decided")


class Challenge(models.Model):
    """A problem a public body or programme team puts to start-ups, with money for the best."""

    owner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="challenges", verbose_name=_("owner")
    )
    title = SingleLineCharField(_("title"), max_length=200)
    slug = models.SlugField(_("web address"), max_length=80, unique=True)
    summary = SingleLineCharField(_("summary"), max_length=300, blank=True)
    problem = models.TextField(_("the problem"))
    # The listing in Welsh beside the English (core.bilingual): shown to Welsh readers.
    title_cy = SingleLineCharField(
        _("title in Welsh"), max_length=200, blank=True, default="", db_default=""
    )
    summary_cy = SingleLineCharField(
        _("summary in Welsh"), max_length=300, blank=True, default="", db_default=""
    )
    problem_cy = models.TextField(_("the problem in Welsh"), blank=True, default="", db_default="")
    # The programme a programme team sets the challenge for: its awards' trials belong to it
    # and its funnel starts here. Empty for a public body's own challenge.
    programme = models.ForeignKey(
        "accounts.Programme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="challenges",
        verbose_name=_("programme"),
    )
    affected = models.TextField(_("who is affected"), blank=True)
    success = models.TextField(_("what success looks like"), blank=True)
    region = models.CharField(
        _("region"), max_length=30, choices=Region.choices, blank=True
    )  # blank: UK-wide
    sectors = models.ManyToManyField(Sector, related_name="challenges", blank=True)
    technologies = models.ManyToManyField(Technology, related_name="challenges", blank=True)
    testbeds = models.ManyToManyField(
        TestBed, through="ChallengeTestBed", related_name="challenges", blank=True
    )
    budget_per_award = models.DecimalField(
        _("budget or prize per award (£)"),
        max_digits=10,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    awards = models.PositiveSmallIntegerField(
        _("number of awards"), default=1, validators=[MinValueValidator(1)]
    )
    eligibility = models.TextField(_("who can apply"), blank=True)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    decisions_by = models.DateField(_("decisions by"), null=True, blank=True)
    contact_name = SingleLineCharField(_("contact name"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    status = models.CharField(
        max_length=10,
        choices=ChallengeStatus.choices,
        default=ChallengeStatus.DRAFT,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["closes_at", "id"]
        indexes = [models.Index(fields=["status", "closes_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="challenge_closes_after_opening",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("challenges:detail", kwargs={"slug": self.slug})

    @property
    def local_title(self) -> str:
        """The title in the active language (Welsh where it has one): e-mails, feeds, lists."""
        return text_in(self.title, self.title_cy)

    @property
    def is_public(self) -> bool:
        return self.status != ChallengeStatus.DRAFT

    def is_open(self, now=None) -> bool:
        """Open for submissions: published, and between opening and closing (to the second)."""
        now = now or timezone.now()
        return self.status == ChallengeStatus.PUBLISHED and self.opens_at <= now < self.closes_at

    def has_closed(self, now=None) -> bool:
        return (now or timezone.now()) >= self.closes_at

    @property
    def phase(self) -> str:
        """What a visitor sees: draft, opening soon, open, closed or decided."""
        if self.status == ChallengeStatus.PUBLISHED:
            now = timezone.now()
            if now < self.opens_at:
                return "upcoming"
            return "open" if now < self.closes_at else "closed"
        return self.status

    def get_phase_display(self) -> str:
        return str(
            {
                "draft": _("Draft"),
                "upcoming": _("Opening soon"),
                "open": _("Open"),
                "closed": _("Closed"),
                "decided": _("Decided"),
            }[self.phase]
        )


class ChallengeTestBed(models.Model):
    """A test bed named in a challenge. The owner's own test beds are agreed at once; another
    body's test bed shows on the challenge only once an admin of that body agrees."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the test bed's provider")
        AGREED = "agreed", _("Agreed")
        DECLINED = "declined", _("Declined")

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="links")
    testbed = models.ForeignKey(TestBed, on_delete=models.CASCADE, related_name="challenge_links")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["testbed__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "testbed"], name="one_link_per_testbed")
        ]

    def __str__(self) -> str:
        return f"{self.challenge} — {self.testbed}"


class Question(models.Model):
    """A question every applicant answers."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        YES_NO = "yes-no", _("Yes or no")
        FILE = "file", _("File")

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="questions")
    text = SingleLineCharField(_("question"), max_length=300)
    hint = SingleLineCharField(_("hint"), max_length=300, blank=True)
    kind = models.CharField(_("type of answer"), max_length=10, choices=Kind.choices)
    required = models.BooleanField(_("an answer is required"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class Criterion(models.Model):
    """What the panel scores, 0 to 10, with its weight (a challenge's weights sum to 100)."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="criteria")
    name = SingleLineCharField(_("criterion"), max_length=150)
    guidance = models.TextField(
        _("what low and high scores look like"),
        blank=True,
        help_text=_("Describe what a 0, a 5 and a 10 look like on this criterion."),
    )
    weight = models.PositiveSmallIntegerField(
        _("weight (%)"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return self.name


class Follow(models.Model):
    """Someone who wants to hear of changes and clarifications."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="challenge_follows"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["challenge", "user"], name="follow_once")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.challenge_id}"


class Clarification(models.Model):
    """A question asked privately; published with the owner's answer, without who asked."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="clarifications"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    question = models.TextField(_("question"), max_length=2000)
    published_question = models.TextField(_("question as published"), blank=True, max_length=2000)
    answer = models.TextField(_("answer"), blank=True, max_length=5000)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    asked_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]

    def __str__(self) -> str:
        return self.question[:60]


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Application(models.Model):
    """A start-up's answer to a challenge: answers, a trial plan with KPIs, a test bed and
    dates. Saved as a draft step by step; submitted before the closing time only."""

    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="applications")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="challenge_applications",
        verbose_name=_("start-up"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
        db_index=True,
    )
    title = SingleLineCharField(_("name of your proposal"), max_length=200, blank=True)
    summary = models.TextField(_("summary of your proposal"), max_length=3000, blank=True)
    partners = models.TextField(
        _("partner organisations"),
        blank=True,
        max_length=2000,
        help_text=_("Optional. One a line: the organisation and its part in the trial."),
    )
    answers = models.JSONField(default=dict, blank=True)  # question id → answer
    plan = models.JSONField(default=dict, blank=True)  # trial PLAN_FIELDS → value
    kpis = models.JSONField(default=list, blank=True)  # [{name, baseline, target, …}]
    testbed = models.ForeignKey(
        TestBed, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_day = models.DateField(_("first day"), null=True, blank=True)
    last_day = models.DateField(_("last day"), null=True, blank=True)
    trial = models.OneToOneField(
        "trials.Trial",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="challenge_application",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "organisation"], name="one_application_per_startup"
            ),
            models.CheckConstraint(
                condition=Q(status="draft", submitted_at__isnull=True) | ~Q(status="draft"),
                name="application_draft_not_submitted",
            ),
            models.CheckConstraint(
                condition=Q(status="submitted", submitted_at__isnull=False)
                | ~Q(status="submitted"),
                name="application_submitted_has_time",
            ),
        ]
        indexes = [models.Index(fields=["challenge", "status"])]

    def __str__(self) -> str:
        return self.title or self.reference

    def get_absolute_url(self) -> str:
        return reverse(
            "challenges:application", kwargs={"slug": self.challenge.slug, "pk": self.pk}
        )

    @property
    def reference(self) -> str:
        return f"APP-{self.pk:05d}" if self.pk else "APP-new"

    @property
    def is_draft(self) -> bool:
        return self.status == ApplicationStatus.DRAFT

    @property
    def is_submitted(self) -> bool:
        return self.status == ApplicationStatus.SUBMITTED


def application_file_path(instance: ApplicationFile, filename: str) -> str:
    return f"private/challenges/{instance.application.challenge_id}/{filename}"


class ApplicationFile(models.Model):
    """The file answering a file question. Private: served only through a checked view."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="files")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    original_name = models.CharField(max_length=200)
    file = models.FileField(upload_to=application_file_path, max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "question"], name="one_file_per_question"
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class Assessor(models.Model):
    """Someone the owner asked to score the applications. Invited by e-mail (only a hash of
    the one-time token is kept); accepting makes them an account if they have none. If that
    account is deleted, the assessor's declarations and submitted scores stay on record."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="assessors")
    email = models.EmailField(_("e-mail address"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assessor_roles",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["email"]
        constraints = [models.UniqueConstraint(fields=["challenge", "email"], name="assessor_once")]

    def __str__(self) -> str:
        return self.email

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @property
    def status(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.accepted_at:
            return "accepted"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    def get_status_display(self) -> str:
        return str(
            {
                "accepted": _("Accepted"),
                "revoked": _("Removed"),
                "expired": _("Expired"),
                "pending": _("Invited"),
            }[self.status]
        )


class ConflictDeclaration(models.Model):
    """An assessor's word, per application, before seeing it: a conflict of interest or none."""

    assessor = models.ForeignKey(Assessor, on_delete=models.CASCADE, related_name="declarations")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="declarations"
    )
    conflicted = models.BooleanField()
    note = models.CharField(_("note"), max_length=500, blank=True)
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessor", "application"], name="declare_once")
        ]

    def __str__(self) -> str:
        return f"{self.assessor_id} on {self.application_id}: {self.conflicted}"


class Assessment(models.Model):
    """One assessor's scores for one application; hidden from other assessors, and theirs
    hidden from this one, until it is submitted."""

    assessor = models.ForeignKey(Assessor, on_delete=models.CASCADE, related_name="assessments")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="assessments"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessor", "application"], name="assess_once")
        ]

    def __str__(self) -> str:
        return f"{self.assessor_id} on {self.application_id}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class Score(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField(_("score"), validators=SCORE_VALIDATORS)
    comment = models.TextField(_("comment"), max_length=3000, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="score_once"),
            models.CheckConstraint(
                condition=Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX), name="score_0_to_10"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}"


class ModerationNote(models.Model):
    """What the panel agreed about an application. Never edited."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="moderation_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("note"), max_length=3000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class Decision(models.Model):
    """The owner's decision on an application, with the feedback sent to the applicant."""

    class Outcome(models.TextChoices):
        AWARDED = "awarded", _("Awarded")
        RESERVE = "reserve", _("Reserve")
        NOT_FUNDED = "not_funded", _("Not funded")

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="decision"
    )
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices)
    feedback = models.TextField(_("feedback for the applicant"), max_length=5000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    # Set when the award's trial request could not be made (dates full or against the test
    # bed's rules); the start-up is asked to pick new dates.
    trial_problem = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return self.get_outcome_display()

    @property
    def needs_new_dates(self) -> bool:
        return self.outcome == self.Outcome.AWARDED and self.application.trial_id is None
