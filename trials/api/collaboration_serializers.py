"""Partners and messages, in the API."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Message, MessageAttachment, PartnerRole, TrialPartner


class PartnerSerializer(serializers.ModelSerializer):
    organisation = serializers.SerializerMethodField()
    organisation_kind = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True)

    class Meta:
        model = TrialPartner
        fields = [
            "id",
            "organisation",
            "organisation_kind",
            "email",
            "role",
            "contribution",
            "status",
            "invited_at",
            "accepted_at",
            "removed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_organisation(self, partner: TrialPartner) -> str | None:
        return partner.organisation.name if partner.organisation_id else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_organisation_kind(self, partner: TrialPartner) -> str | None:
        return partner.organisation.kind if partner.organisation_id else None


class PartnerInviteSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=PartnerRole.choices)
    contribution = serializers.CharField(
        max_length=300, help_text=_("One line on what the partner brings.")
    )


class AttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = MessageAttachment
        fields = ["id", "original_name", "kind", "content_type", "size", "sha256", "download_url"]
        read_only_fields = fields

    def get_download_url(self, attachment: MessageAttachment) -> str:
        return reverse(
            "trials:message_attachment",
            kwargs={"pk": attachment.message.trial_id, "attachment_pk": attachment.pk},
        )


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author_name", read_only=True)
    organisation = serializers.CharField(source="organisation_name", read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "author", "organisation", "text", "created_at", "attachments"]
        read_only_fields = fields


class MessageCreateSerializer(serializers.Serializer):
    text = serializers.CharField(
        trim_whitespace=False,
        help_text=_("Plain text, up to 10,000 characters. Messages are never edited."),
    )
    file = serializers.FileField(
        required=False, help_text=_("An optional photo or document, checked like evidence.")
    )
