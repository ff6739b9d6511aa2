"""Challenge API shapes. Read shapes list what a role may see; write shapes accept only the
fields they name (anything else is refused with 400 naming it)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Region
from core.bilingual import translations
from core.dates import ApiDateField
from testbeds.models import SectorCode, TechnologyCode
from trials.models import Kpi

from ..models import Application, Challenge, Decision, Question

REGIONS = [("", "UK-wide"), *Region.choices]


class CriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=150)
    weight = serializers.IntegerField(min_value=1, max_value=100)
    guidance = serializers.CharField(max_length=3000, required=False, allow_blank=True)


class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    text = serializers.CharField(max_length=300)
    hint = serializers.CharField(max_length=300, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=Question.Kind.choices)
    required = serializers.BooleanField(default=True)


class ChallengeTextSerializer(serializers.Serializer):
    language = serializers.ChoiceField(
        choices=["en", "cy"], help_text="BCP 47 tag of the language: en (English), cy (Welsh)."
    )
    title = serializers.CharField()
    summary = serializers.CharField()
    problem = serializers.CharField()


class ChallengeSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    texts = serializers.SerializerMethodField(
        help_text="The title, summary and problem in each language written, tagged."
    )
    programme = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="Id of the programme it was set for, if any."
    )
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    phase = serializers.CharField(read_only=True)
    region = serializers.ChoiceField(choices=REGIONS, read_only=True)
    sectors = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    technologies = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Challenge
        fields = [
            "slug",
            "title",
            "summary",
            "texts",
            "owner",
            "programme",
            "owner_name",
            "status",
            "phase",
            "region",
            "sectors",
            "technologies",
            "budget_per_award",
            "awards",
            "opens_at",
            "closes_at",
            "decisions_by",
        ]
        read_only_fields = fields

    @extend_schema_field(ChallengeTextSerializer(many=True))
    def get_texts(self, challenge: Challenge) -> list[dict]:
        return translations(challenge, ("title", "summary", "problem"))


class ChallengeDetailSerializer(ChallengeSerializer):
    criteria = CriterionSerializer(many=True, read_only=True)
    questions = QuestionSerializer(many=True, read_only=True)
    testbeds = serializers.SerializerMethodField()
    contact_email = serializers.CharField(read_only=True)

    class Meta(ChallengeSerializer.Meta):
        fields = [
            *ChallengeSerializer.Meta.fields,
            "problem",
            "affected",
            "success",
            "eligibility",
            "contact_name",
            "contact_email",
            "criteria",
            "questions",
            "testbeds",
        ]
        read_only_fields = fields

    def get_testbeds(self, challenge: Challenge) -> list[str]:
        return [link.testbed.slug for link in challenge.links.all() if link.status == "agreed"]


class ChallengeCreateSerializer(serializers.Serializer):
    owner = serializers.SlugField(
        required=False, help_text="Slug of your public body or programme team (if several)."
    )
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    problem = serializers.CharField(max_length=10000)
    title_cy = serializers.CharField(max_length=200, required=False, allow_blank=True)
    summary_cy = serializers.CharField(max_length=300, required=False, allow_blank=True)
    problem_cy = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    programme = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**31 - 1,
        help_text="Id of one of your programme team's programmes: the awards' trials join it.",
    )
    affected = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    success = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    region = serializers.ChoiceField(choices=REGIONS, required=False, allow_blank=True)
    sectors = serializers.ListField(
        child=serializers.ChoiceField(choices=SectorCode.choices), required=False, max_length=20
    )
    technologies = serializers.ListField(
        child=serializers.ChoiceField(choices=TechnologyCode.choices),
        required=False,
        max_length=20,
    )
    budget_per_award = serializers.DecimalField(
        max_digits=10, decimal_places=0, min_value=0, required=False, allow_null=True
    )
    awards = serializers.IntegerField(min_value=1, max_value=100, required=False, default=1)
    eligibility = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    opens_at = serializers.DateTimeField(required=False)
    closes_at = serializers.DateTimeField()
    decisions_by = ApiDateField(required=False, allow_null=True)
    contact_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    criteria = CriterionSerializer(many=True, required=False)
    questions = QuestionSerializer(many=True, required=False)
    testbeds = serializers.ListField(child=serializers.SlugField(), required=False, max_length=20)


class ApplicationKpiSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    baseline = serializers.CharField(max_length=30)
    target = serializers.CharField(max_length=30)
    direction = serializers.ChoiceField(choices=Kpi.Direction.choices, default="higher")
    unit = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    method = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    data_source = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )


class PlanSerializer(serializers.Serializer):
    product_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    problem_statement = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    objectives = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    hypothesis = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    setting_and_participants = serializers.CharField(
        max_length=5000, required=False, allow_blank=True
    )
    trl_start = serializers.IntegerField(min_value=1, max_value=9, required=False, allow_null=True)
    trl_target = serializers.IntegerField(min_value=1, max_value=9, required=False, allow_null=True)


class ApplicationWriteSerializer(serializers.Serializer):
    """A draft's fields; send only those to change."""

    organisation = serializers.SlugField(
        required=False, help_text="Slug of your start-up (when creating, if you act for several)."
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=3000, required=False, allow_blank=True)
    partners = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    answers = serializers.DictField(
        child=serializers.CharField(max_length=5000, allow_blank=True), required=False
    )
    plan = PlanSerializer(required=False)
    kpis = ApplicationKpiSerializer(many=True, required=False)
    testbed = serializers.SlugField(required=False, allow_null=True)
    first_day = ApiDateField(required=False, allow_null=True)
    last_day = ApiDateField(required=False, allow_null=True)


class DecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = ["outcome", "feedback", "decided_at", "trial_problem"]
        read_only_fields = fields


class ApplicationSerializer(serializers.ModelSerializer):
    challenge = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    startup = serializers.CharField(source="organisation.name", read_only=True)
    testbed = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    decision = serializers.SerializerMethodField()
    trial = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "reference",
            "challenge",
            "organisation",
            "startup",
            "status",
            "title",
            "summary",
            "partners",
            "answers",
            "plan",
            "kpis",
            "testbed",
            "first_day",
            "last_day",
            "submitted_at",
            "decision",
            "trial",
        ]
        read_only_fields = fields

    @extend_schema_field(DecisionSerializer(allow_null=True))
    def get_decision(self, application: Application) -> dict | None:
        decision = getattr(application, "decision", None)
        return DecisionSerializer(decision).data if decision else None


class ConflictDeclarationSerializer(serializers.Serializer):
    conflicted = serializers.BooleanField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ScoreItemSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    score = serializers.IntegerField(min_value=0, max_value=10, allow_null=True)
    comment = serializers.CharField(max_length=3000, required=False, allow_blank=True, default="")


class ScoresWriteSerializer(serializers.Serializer):
    scores = ScoreItemSerializer(many=True)
    submit = serializers.BooleanField(default=False, help_text="Hand the scores in (final).")


class ScoreReadSerializer(serializers.Serializer):
    assessor = serializers.EmailField(source="assessment.assessor.email")
    criterion = serializers.IntegerField(source="criterion_id")
    score = serializers.IntegerField()
    comment = serializers.CharField()


class ScoresReadSerializer(serializers.Serializer):
    submitted = serializers.BooleanField()
    own = ScoreReadSerializer(many=True)
    others = ScoreReadSerializer(many=True)


class AssessorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    status = serializers.CharField()


class InviteSerializer(serializers.Serializer):
    email = serializers.EmailField()


class DecideSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Decision.Outcome.choices)
    feedback = serializers.CharField(max_length=5000)


class CriterionResultSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(source="criterion.pk")
    mean = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    spread = serializers.IntegerField(allow_null=True)
    highlight = serializers.BooleanField()


class RankingRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True)
    application = serializers.IntegerField(source="application.pk")
    reference = serializers.CharField(source="application.reference")
    startup = serializers.CharField(source="application.organisation.name")
    weighted_mean = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    spread = serializers.IntegerField(allow_null=True)
    highlight = serializers.BooleanField()
    assessors = serializers.IntegerField()
    covered = serializers.BooleanField()
    criteria = CriterionResultSerializer(many=True)
    decision = serializers.SerializerMethodField()

    def get_decision(self, row) -> str | None:
        decision = getattr(row.application, "decision", None)
        return decision.outcome if decision else None
