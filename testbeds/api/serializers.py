from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Region
from core.bilingual import translations
from core.dates import ApiDateField

from ..models import Assurance, SectorCode, TechnologyCode, TestBed, TestBedPhoto


@extend_schema_field(
    {"anyOf": [{"type": "string", "format": "uri"}, {"type": "string", "maxLength": 0}]}
)
class OptionalURLField(serializers.URLField):
    """A URL, or "" when there is none (the schema says so)."""


@extend_schema_field(
    {"anyOf": [{"type": "string", "format": "email"}, {"type": "string", "maxLength": 0}]}
)
class OptionalEmailField(serializers.EmailField):
    """An e-mail address, or "" when there is none (the schema says so)."""


class PhotoSerializer(serializers.ModelSerializer):
    thumbnail = serializers.FileField(read_only=True)
    display = serializers.FileField(read_only=True)

    class Meta:
        model = TestBedPhoto
        fields = [
            "id",
            "position",
            "alt_text",
            "caption",
            "width",
            "height",
            "thumbnail",
            "display",
        ]
        read_only_fields = fields


class ListingTextSerializer(serializers.Serializer):
    language = serializers.ChoiceField(
        choices=["en", "cy"], help_text=_("BCP 47 tag of the language: en (English), cy (Welsh).")
    )
    name = serializers.CharField()
    summary = serializers.CharField()
    description = serializers.CharField()


class TestBedSerializer(serializers.ModelSerializer):
    """A test bed as the catalogue shows it.

    ``name``, ``summary`` and ``description`` are the English text (``name`` is also the
    name in both languages when there is no Welsh one); ``name_cy`` … are the Welsh;
    ``texts`` has each language the listing is written in, tagged.
    """

    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    provider = serializers.CharField(source="organisation.name", read_only=True)
    sectors = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    technologies = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)
    url = serializers.HyperlinkedIdentityField(
        view_name="api:testbed-detail", lookup_field="slug", read_only=True
    )
    terms_url = OptionalURLField(read_only=True)
    contact_email = OptionalEmailField(read_only=True)
    texts = serializers.SerializerMethodField()

    class Meta:
        model = TestBed
        fields = [
            "slug",
            "url",
            "name",
            "summary",
            "description",
            "name_cy",
            "summary_cy",
            "description_cy",
            "texts",
            "organisation",
            "provider",
            "region",
            "town",
            "address",
            "postcode",
            "latitude",
            "longitude",
            "sectors",
            "technologies",
            "trl_min",
            "trl_max",
            "capacity",
            "facilities",
            "eligibility",
            "assurances",
            "assurances_note",
            "cost_model",
            "cost_amount",
            "cost_note",
            "min_days",
            "max_days",
            "notice_days",
            "horizon_days",
            "requires_approval",
            "terms_url",
            "contact_name",
            "contact_email",
            "contact_phone",
            "status",
            "status_reason",
            "published_at",
            "photos",
        ]
        read_only_fields = fields

    @extend_schema_field(ListingTextSerializer(many=True))
    def get_texts(self, testbed: TestBed) -> list[dict]:
        return translations(testbed, ("name", "summary", "description"))


class TestBedWriteSerializer(serializers.Serializer):
    """What a provider may set. Status, owner and slug are not writable here."""

    organisation = serializers.SlugField(
        required=False,
        help_text=_("Slug of the public body that owns it; defaults to your only public body."),
    )
    name = serializers.CharField(max_length=150)
    summary = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        help_text=_("In English; a summary is needed in English or in Welsh (summary_cy)."),
    )
    description = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    name_cy = serializers.CharField(max_length=150, required=False, allow_blank=True)
    summary_cy = serializers.CharField(max_length=300, required=False, allow_blank=True)
    description_cy = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    region = serializers.ChoiceField(choices=Region.choices)
    town = serializers.CharField(max_length=100, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    postcode = serializers.CharField(max_length=10, required=False, allow_blank=True)
    latitude = serializers.DecimalField(
        max_digits=8, decimal_places=5, min_value=-90, max_value=90, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=8,
        decimal_places=5,
        min_value=-180,
        max_value=180,
        required=False,
        allow_null=True,
    )
    sectors = serializers.ListField(
        child=serializers.ChoiceField(choices=SectorCode.choices), allow_empty=False
    )
    technologies = serializers.ListField(
        child=serializers.ChoiceField(choices=TechnologyCode.choices), required=False
    )
    trl_min = serializers.IntegerField(min_value=1, max_value=9, required=False)
    trl_max = serializers.IntegerField(min_value=1, max_value=9, required=False)
    capacity = serializers.IntegerField(min_value=1, max_value=50, required=False)
    facilities = serializers.ListField(
        child=serializers.CharField(max_length=120), required=False, max_length=40
    )
    eligibility = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    assurances = serializers.ListField(
        child=serializers.ChoiceField(choices=Assurance.choices), required=False
    )
    assurances_note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    cost_model = serializers.ChoiceField(choices=TestBed.Cost.choices, required=False)
    cost_amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    cost_note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    min_days = serializers.IntegerField(min_value=1, max_value=730, required=False)
    max_days = serializers.IntegerField(min_value=1, max_value=730, required=False)
    notice_days = serializers.IntegerField(min_value=0, max_value=365, required=False)
    horizon_days = serializers.IntegerField(min_value=1, max_value=1095, required=False)
    requires_approval = serializers.BooleanField(required=False)
    terms_url = serializers.URLField(required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)


class StatusReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class PhotoUploadSerializer(serializers.Serializer):
    image = serializers.FileField(help_text=_("JPEG, PNG or WebP, up to 15 MB."))
    alt_text = serializers.CharField(max_length=250)
    caption = serializers.CharField(max_length=250, required=False, allow_blank=True, default="")


class AvailabilityQuerySerializer(serializers.Serializer):
    def get_fields(self) -> dict:
        # "from" is a Python keyword, so the fields are declared here.
        return {"from": ApiDateField(), "to": ApiDateField()}

    def validate(self, data: dict) -> dict:
        if data["to"] < data["from"]:
            raise serializers.ValidationError(
                {"to": [_("The last day must be on or after the first.")]}
            )
        if (data["to"] - data["from"]).days > 366:
            raise serializers.ValidationError({"to": [_("Ask for at most a year at a time.")]})
        return data


class AvailabilityDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    booked = serializers.IntegerField()
    free = serializers.IntegerField()
    closed_reason = serializers.CharField()
    bookable = serializers.BooleanField()
