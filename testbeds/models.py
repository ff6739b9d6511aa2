"""Test beds offered by public bodies, and the bookings made on them."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Region
from core.bilingual import text_in
from core.fields import SingleLineCharField


class SectorCode(models.TextChoices):
    HEALTH_CARE = "health-care", _("Health and care")
    TRANSPORT = "transport", _("Transport and mobility")
    ENERGY = "energy", _("Energy and net zero")
    BUILT_ENVIRONMENT = "built-environment", _("Built environment")
    AGRICULTURE = "agriculture", _("Agriculture and food")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    PUBLIC_SERVICES = "public-services", _("Public services")
    EDUCATION = "education", _("Education")
    CULTURE_TOURISM = "culture-tourism", _("Culture and tourism")
    DEFENCE_SECURITY = "defence-security", _("Defence and security")


class TechnologyCode(models.TextChoices):
    CONNECTIVITY = "5g-connectivity", _("5G and connectivity")
    IOT = "iot-sensors", _("IoT and sensors")
    AI_DATA = "ai-data", _("AI and data")
    ROBOTICS = "robotics-autonomy", _("Robotics and autonomy")
    DRONES = "drones", _("Drones")
    IMMERSIVE = "immersive-xr", _("Immersive and XR")
    DIGITAL_TWINS = "digital-twins", _("Digital twins")
    CYBER = "cyber-security", _("Cyber security")


class Assurance(models.TextChoices):
    DPIA = "dpia", _("Data protection impact assessment (DPIA)")
    INSURANCE = "insurance", _("Insurance")
    DATA_SHARING = "data-sharing", _("Data-sharing agreement")
    ETHICS = "ethics", _("Ethics approval")
    CLINICAL_SAFETY = "clinical-safety", _("Clinical safety / DTAC")


# Code → label, made once: ``SectorCode.values`` and ``SectorCode(code)`` rebuild the choices
# on every call. Labels are lazy, translated when shown.
SECTOR_LABELS = {member.value: member.label for member in SectorCode}
TECHNOLOGY_LABELS = {member.value: member.label for member in TechnologyCode}
ASSURANCE_LABELS = {member.value: member.label for member in Assurance}


class Sector(models.Model):
    """One of the fixed sectors; rows are created by a data migration."""

    code = models.SlugField(max_length=30, unique=True, choices=SectorCode.choices)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return str(SECTOR_LABELS.get(self.code, self.code))


class Technology(models.Model):
    """One of the fixed technologies; rows are created by a data migration."""

    code = models.SlugField(max_length=30, unique=True, choices=TechnologyCode.choices)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "technologies"

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return str(TECHNOLOGY_LABELS.get(self.code, self.code))


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


TRL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(9)]


class TestBed(models.Model):
    """A real place where close-to-market products can be trialled."""

    __test__ = False  # not a pytest test class, despite the name

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        PAUSED = "paused", _("Paused")
        RETIRED = "retired", _("Retired")

    class Cost(models.TextChoices):
        FREE = "free", _("Free")
        FIXED = "fixed", _("Fixed fee")
        PER_DAY = "per-day", _("Per day")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="testbeds", verbose_name=_("provider")
    )
    name = SingleLineCharField(_("name"), max_length=150)
    slug = models.SlugField(_("web address"), max_length=80, unique=True)
    # The listing in English, Welsh or both (a summary in at least one): core.bilingual.
    summary = SingleLineCharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    # Database defaults too: seed_bench bulk-loads rows with COPY, naming only older columns.
    name_cy = SingleLineCharField(
        _("name in Welsh"), max_length=150, blank=True, default="", db_default=""
    )
    summary_cy = SingleLineCharField(
        _("summary in Welsh"), max_length=300, blank=True, default="", db_default=""
    )
    description_cy = models.TextField(
        _("description in Welsh"), blank=True, default="", db_default=""
    )
    region = models.CharField(_("region"), max_length=30, choices=Region.choices)
    town = SingleLineCharField(_("town or city"), max_length=100, blank=True)
    address = SingleLineCharField(_("address"), max_length=300, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    sectors = models.ManyToManyField(Sector, related_name="testbeds", verbose_name=_("sectors"))
    technologies = models.ManyToManyField(
        Technology, related_name="testbeds", blank=True, verbose_name=_("technologies")
    )
    trl_min = models.PositiveSmallIntegerField(
        _("lowest readiness level"), default=6, validators=TRL_VALIDATORS
    )
    trl_max = models.PositiveSmallIntegerField(
        _("highest readiness level"), default=9, validators=TRL_VALIDATORS
    )
    capacity = models.PositiveSmallIntegerField(
        _("parallel trials"), default=1, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    facilities = models.JSONField(_("facilities"), default=list, blank=True)
    eligibility = models.TextField(_("who can apply"), blank=True)
    assurances = models.JSONField(_("required assurances"), default=list, blank=True)
    assurances_note = models.TextField(_("other requirements"), blank=True)
    cost_model = models.CharField(_("cost"), max_length=10, choices=Cost.choices, default=Cost.FREE)
    cost_amount = models.DecimalField(
        _("amount (£)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    cost_note = models.CharField(_("about the cost"), max_length=300, blank=True)
    min_days = models.PositiveSmallIntegerField(
        _("shortest trial (days)"), default=7, validators=[MinValueValidator(1)]
    )
    max_days = models.PositiveSmallIntegerField(
        _("longest trial (days)"), default=90, validators=[MinValueValidator(1)]
    )
    notice_days = models.PositiveSmallIntegerField(_("notice needed (days)"), default=14)
    horizon_days = models.PositiveSmallIntegerField(
        _("bookable ahead (days)"), default=365, validators=[MinValueValidator(1)]
    )
    requires_approval = models.BooleanField(_("requests need approval"), default=True)
    terms_url = models.URLField(_("terms and conditions"), blank=True)
    contact_name = SingleLineCharField(_("contact name"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact telephone"), max_length=30, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    calendar_token = models.CharField(max_length=64, default=new_calendar_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("test bed")
        verbose_name_plural = _("test beds")
        indexes = [
            models.Index(fields=["status", "region"]),
            # The catalogue's default order: published test beds by name.
            models.Index(fields=["status", "name", "id"], name="testbed_status_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1), name="testbed_capacity_at_least_1"
            ),
            models.CheckConstraint(
                condition=Q(trl_min__gte=1, trl_max__lte=9, trl_min__lte=F("trl_max")),
                name="testbed_trl_range_valid",
            ),
            models.CheckConstraint(
                condition=Q(min_days__gte=1, max_days__gte=F("min_days")),
                name="testbed_length_range_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("testbeds:detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def local_name(self) -> str:
        """The name in the active language (Welsh where it has one): e-mails, PDFs, lists."""
        return text_in(self.name, self.name_cy)

    @property
    def local_summary(self) -> str:
        return text_in(self.summary, self.summary_cy)

    @property
    def place(self) -> str:
        return ", ".join(part for part in (self.town, self.postcode) if part)

    def assurance_labels(self) -> list[str]:
        return [str(ASSURANCE_LABELS[code]) for code in self.assurances if code in ASSURANCE_LABELS]

    def cost_text(self) -> str:
        if self.cost_model == self.Cost.FREE or self.cost_amount is None:
            return str(_("Free"))
        amount = f"£{self.cost_amount:,.2f}".replace(".00", "")
        if self.cost_model == self.Cost.PER_DAY:
            return str(_("%(amount)s per day") % {"amount": amount})
        return str(_("%(amount)s per trial") % {"amount": amount})


def photo_path(instance: TestBedPhoto, filename: str) -> str:
    return f"testbeds/{instance.testbed_id}/{filename}"


class TestBedPhoto(models.Model):
    """A photo of a test bed: a re-encoded, metadata-free original and its renditions."""

    __test__ = False

    testbed = models.ForeignKey(TestBed, on_delete=models.CASCADE, related_name="photos")
    position = models.PositiveSmallIntegerField(default=0)
    alt_text = SingleLineCharField(_("description for people who cannot see it"), max_length=250)
    caption = SingleLineCharField(_("caption"), max_length=250, blank=True)
    # Files written by the image pipeline only, so plain file fields: nothing re-reads them.
    original = models.FileField(upload_to=photo_path, max_length=200)
    display = models.FileField(upload_to=photo_path, max_length=200)
    thumbnail = models.FileField(upload_to=photo_path, max_length=200)
    print_version = models.FileField(upload_to=photo_path, max_length=200)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["testbed", "position", "id"]

    def __str__(self) -> str:
        return self.alt_text


class Blackout(models.Model):
    """Days the provider has closed the test bed, [start, end)."""

    testbed = models.ForeignKey(TestBed, on_delete=models.CASCADE, related_name="blackouts")
    start = models.DateField(_("first day"))
    end = models.DateField(_("day after the last day"))
    reason = SingleLineCharField(_("reason"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["testbed", "start"]
        indexes = [models.Index(fields=["testbed", "start", "end"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="blackout_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.testbed}: {self.start} – {self.last_day} ({self.reason})"

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)


class ApplicationQuestion(models.Model):
    """A question every trial request for the test bed must answer."""

    class Kind(models.TextChoices):
        SHORT_TEXT = "short", _("Short answer")
        LONG_TEXT = "long", _("Long answer")
        YES_NO = "yes-no", _("Yes or no")
        CHOICE = "choice", _("One of several choices")

    testbed = models.ForeignKey(TestBed, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    text = SingleLineCharField(_("question"), max_length=300)
    help_text = models.CharField(_("hint"), max_length=300, blank=True)
    kind = models.CharField(_("type of answer"), max_length=10, choices=Kind.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("an answer is required"), default=True)
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["testbed", "position", "id"]

    def __str__(self) -> str:
        return self.text


class Booking(models.Model):
    """Days of a test bed held for one trial, [start, end).

    Pending requests hold nothing. A confirmed booking holds one *unit* of the
    test bed's capacity for its days: on PostgreSQL an exclusion constraint
    refuses two confirmed bookings on the same unit with overlapping days, so
    capacity holds even for code that forgets to lock.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        CONFIRMED = "confirmed", _("Confirmed")
        RELEASED = "released", _("Released")

    testbed = models.ForeignKey(TestBed, on_delete=models.PROTECT, related_name="bookings")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="bookings"
    )
    start = models.DateField(_("first day"))
    end = models.DateField(_("day after the last day"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    unit = models.PositiveSmallIntegerField(null=True, blank=True)
    # How many times the held days have changed (calendar feeds' SEQUENCE).
    revision = models.PositiveSmallIntegerField(default=0, db_default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["testbed", "status", "start", "end"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="booking_end_after_start"),
            models.CheckConstraint(
                condition=Q(status="confirmed", unit__gte=1)
                | (~Q(status="confirmed") & Q(unit__isnull=True)),
                name="booking_unit_only_when_confirmed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.testbed} {self.start} – {self.last_day} ({self.status})"

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days


class WaitlistEntry(models.Model):
    """A start-up waiting for days that were full when it asked."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered")
        TAKEN = "taken", _("Request made")
        LAPSED = "lapsed", _("Offer lapsed")
        LEFT = "left", _("Left the waitlist")

    testbed = models.ForeignKey(TestBed, on_delete=models.CASCADE, related_name="waitlist")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="waitlist_entries"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    start = models.DateField()
    end = models.DateField()
    title = SingleLineCharField(max_length=200)
    summary = models.TextField(blank=True)
    answers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    created_at = models.DateTimeField(auto_now_add=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "waitlist entries"
        indexes = [models.Index(fields=["testbed", "status", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="waitlist_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} waiting for {self.testbed} {self.start}"

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)


class FreeRun(models.Model):
    """A maximal stretch of days on which a test bed has a free place and is open.

    Days are whole numbers of days since 1970-01-01, ``[first_day, end_day)``; the first
    and last run of a test bed are open-ended (±10⁹). Kept up to date by the booking and
    test bed services under the test bed lock (``availability.rebuild_free_runs``), so
    the catalogue's free-dates search reads a few rows per test bed instead of sweeping
    its bookings.
    """

    testbed = models.ForeignKey(TestBed, on_delete=models.CASCADE, related_name="free_runs")
    first_day = models.IntegerField()
    end_day = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["testbed", "end_day", "first_day"], name="freerun_bed_end_first")
        ]

    def __str__(self) -> str:
        return f"{self.testbed_id}: {self.first_day}–{self.end_day}"
