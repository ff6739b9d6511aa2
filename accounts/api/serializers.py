from __future__ import annotations

from rest_framework import serializers

from ..models import Membership, Organisation, Programme, Region


class MeOrganisationSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="organisation.id")
    slug = serializers.CharField(source="organisation.slug")
    name = serializers.CharField(source="organisation.name")
    kind = serializers.ChoiceField(source="organisation.kind", choices=Organisation.Kind.choices)
    region = serializers.ChoiceField(source="organisation.region", choices=Region.choices)
    role = serializers.ChoiceField(choices=Membership.Role.choices)

    class Meta:
        model = Membership
        fields = ["id", "slug", "name", "kind", "region", "role"]
        read_only_fields = fields


class MeProgrammeSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Programme
        fields = ["id", "name", "team", "starts_on", "ends_on"]
        read_only_fields = fields


class MeAuthSerializer(serializers.Serializer):
    method = serializers.ChoiceField(
        choices=["token", "session"], help_text="How this request was authenticated."
    )
    token_name = serializers.CharField(allow_null=True)
    token_prefix = serializers.CharField(allow_null=True)
    scope = serializers.ChoiceField(
        choices=["read", "write"],
        help_text="What the credentials may do; a session can do what its person can.",
    )
    expires_at = serializers.DateTimeField(allow_null=True)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    is_staff = serializers.BooleanField()
    organisations = MeOrganisationSerializer(source="memberships", many=True, read_only=True)
    programmes = MeProgrammeSerializer(
        many=True,
        read_only=True,
        help_text="Programmes whose team you belong to: you are one of their officers.",
    )
    auth = MeAuthSerializer(read_only=True)
