import datetime

import factory
from allauth.account.models import EmailAddress

from accounts.models import Membership, Organisation, Programme, Region, User

PASSWORD = "a-Good-test-passw0rd"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(
                user=self, email=self.email, primary=True, verified=extracted is not False
            )


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.START_UP
    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    region = Region.NORTH_EAST

    class Params:
        start_up = factory.Trait(kind=Organisation.Kind.START_UP)
        public_body = factory.Trait(kind=Organisation.Kind.PUBLIC_BODY)
        programme_team = factory.Trait(kind=Organisation.Kind.PROGRAMME_TEAM)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.MEMBER

    class Params:
        admin = factory.Trait(role=Membership.Role.ADMIN)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    team = factory.SubFactory(OrganisationFactory, programme_team=True)
    name = factory.Sequence(lambda n: f"Programme {n}")
    region_focus = Region.NORTH_EAST
    starts_on = datetime.date(2026, 4, 1)
    ends_on = datetime.date(2027, 3, 31)


def enrolled(organisation, programme=None):
    """The programme (a new one if none), with the start-up enrolled in it: a trial may
    only name a programme its start-up takes part in."""
    from accounts.models import ProgrammeEnrolment

    programme = programme or ProgrammeFactory()
    ProgrammeEnrolment.objects.get_or_create(programme=programme, organisation=organisation)
    return programme


class TestBedFactory(factory.django.DjangoModelFactory):
    """A published test bed of a public body, in the North East, for health and transport."""

    __test__ = False

    class Meta:
        model = "testbeds.TestBed"
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory, public_body=True)
    name = factory.Sequence(lambda n: f"Test bed {n}")
    slug = factory.Sequence(lambda n: f"test-bed-{n}")
    summary = "A place for trials."
    description = "Somewhere real to try things."
    region = Region.NORTH_EAST
    town = "Sunderland"
    status = "published"
    capacity = 1
    min_days = 1
    max_days = 365
    notice_days = 0
    horizon_days = 730
    contact_email = "contact@example.org"

    @factory.post_generation
    def sectors(self, create, extracted, **kwargs):
        from testbeds.models import Sector

        if create:
            self.sectors.set(
                Sector.objects.filter(code__in=extracted or ["health-care", "transport"])
            )

    @factory.post_generation
    def technologies(self, create, extracted, **kwargs):
        from testbeds.models import Technology

        if create and extracted:
            self.technologies.set(Technology.objects.filter(code__in=extracted))

    @factory.post_generation
    def free_runs(self, create, extracted, **kwargs):
        """As the services would: a new test bed is free every day."""
        from testbeds.availability import rebuild_free_runs

        if create:
            rebuild_free_runs([self.pk])


def minimal_pdf() -> bytes:
    """A small well-formed PDF (one empty page, a correct cross-reference table): evidence
    PDFs are parsed when uploaded, so test uploads must be real PDFs."""
    from tests.core.test_documents import pdf

    return pdf()
