"""Demo people and organisations for `manage.py seed_demo`. Safe to run again."""

import datetime
from dataclasses import dataclass

from allauth.account.models import EmailAddress

from . import services
from .models import Organisation, Programme, Region, User

DEMO_PASSWORD = "demo-pass-2026"


@dataclass
class DemoAccounts:
    admin: User
    provider: User
    startup: User
    startup2: User
    officer: User
    council2: User
    provider_body: Organisation
    second_body: Organisation
    startup_org: Organisation
    startup2_org: Organisation
    programme_team: Organisation
    programme: Programme
    council2_body: Organisation


def demo_user(email: str, full_name: str, *, staff: bool = False) -> User:
    """The demo user with the demo password and a verified address, created if missing."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = services.user_create(
            email=email, full_name=full_name, password=DEMO_PASSWORD, verified=True, is_staff=staff
        )
    else:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
    return user


def demo_organisation(
    *,
    actor: User,
    admin: User,
    kind: str,
    name: str,
    region: str,
    website: str,
    description: str,
    working_language: str = "en-gb",
) -> Organisation:
    organisation = Organisation.objects.filter(name=name, kind=kind).first()
    if organisation is None:
        organisation = services.organisation_create(
            actor=actor,
            first_admin=admin,
            kind=kind,
            name=name,
            region=region,
            website=website,
            description=description,
            working_language=working_language,
        )
    return organisation


def seed_accounts() -> DemoAccounts:
    admin = demo_user("admin@demo.test", "Alex Admin", staff=True)
    provider = demo_user("provider@demo.test", "Priya Patel")
    startup = demo_user("startup@demo.test", "Sam Okafor")
    startup2 = demo_user("startup2@demo.test", "Morgan Lewis")
    officer = demo_user("officer@demo.test", "Olivia Grant")
    council2 = demo_user("council2@demo.test", "Rhiannon Evans")

    provider_body = demo_organisation(
        actor=admin,
        admin=provider,
        kind=Organisation.Kind.PUBLIC_BODY,
        name="Sunderland City Council",
        region=Region.NORTH_EAST,
        website="https://www.sunderland.gov.uk",
        description="Smart city team offering 5G streets, depots and civic buildings for trials.",
    )
    second_body = demo_organisation(
        actor=admin,
        admin=admin,
        kind=Organisation.Kind.PUBLIC_BODY,
        name="Cardiff and Vale University Health Board",
        region=Region.WALES,
        website="https://cavuhb.nhs.wales",
        description="Hospital wards and community clinics open to digital health trials.",
    )
    startup_org = demo_organisation(
        actor=admin,
        admin=startup,
        kind=Organisation.Kind.START_UP,
        name="Wearwell Analytics Ltd",
        region=Region.NORTH_EAST,
        website="https://wearwell.example",
        description="Sensor analytics for safer streets and healthier buildings.",
    )
    startup2_org = demo_organisation(
        actor=admin,
        admin=startup2,
        kind=Organisation.Kind.START_UP,
        name="Tidal Mobility Ltd",
        region=Region.NORTH_WEST,
        website="https://tidal-mobility.example",
        description="Demand-responsive transport software.",
    )
    programme_team = demo_organisation(
        actor=admin,
        admin=officer,
        kind=Organisation.Kind.PROGRAMME_TEAM,
        name="North East Innovation Programme",
        region=Region.NORTH_EAST,
        website="",
        description="Runs the region's challenge-fund programmes.",
    )
    # A Welsh county council that works in Welsh: its members get Welsh by default.
    council2_body = demo_organisation(
        actor=admin,
        admin=council2,
        kind=Organisation.Kind.PUBLIC_BODY,
        name="Cyngor Gwynedd",
        region=Region.WALES,
        website="https://www.gwynedd.llyw.cymru",
        description="Cyngor sir yng ngogledd-orllewin Cymru sy'n gweithio yn Gymraeg. "
        "A county council in north-west Wales that works in Welsh.",
        working_language="cy",
    )
    # Runs over the demo trials' dates whenever the demo is made (they are set from today):
    # from the April a year before this financial year to the March two years after.
    today = datetime.date.today()
    first_year = (today.year if today.month >= 4 else today.year - 1) - 1
    programme_name = "North East Digital Trials"
    programme = Programme.objects.filter(team=programme_team, name=programme_name).first()
    if programme is None:
        programme = services.programme_create(
            actor=admin,
            team=programme_team,
            name=programme_name,
            description=(
                "Funds close-to-market trials of digital products on public test beds "
                "in the North East."
            ),
            region_focus=Region.NORTH_EAST,
            starts_on=datetime.date(first_year, 4, 1),
            ends_on=datetime.date(first_year + 3, 3, 31),
        )
    # The demo start-ups take part in the programme, so their trials may join it.
    for organisation in (startup_org, startup2_org):
        services.programme_enrol(actor=admin, programme=programme, organisation=organisation)
    return DemoAccounts(
        admin=admin,
        provider=provider,
        startup=startup,
        startup2=startup2,
        officer=officer,
        council2=council2,
        provider_body=provider_body,
        second_body=second_body,
        startup_org=startup_org,
        startup2_org=startup2_org,
        programme_team=programme_team,
        programme=programme,
        council2_body=council2_body,
    )
